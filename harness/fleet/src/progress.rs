//! Progress on stderr: an indicatif bar on a terminal, a plain line per tenth otherwise (CI
//! logs), nothing in tests. Workers only bump an atomic counter; a ticker task draws, so a
//! hundred thousand devices never contend on the bar.

use std::io::IsTerminal as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressMode {
    /// A bar when stderr is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// A progress bar on stderr.
    Bar,
    /// A line on stderr every few seconds (logs and CI).
    Plain,
    /// Nothing (tests, `--json`).
    Off,
}

impl ProgressMode {
    fn resolve(self) -> Self {
        match self {
            ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
            ProgressMode::Auto => ProgressMode::Plain,
            other => other,
        }
    }
}

/// One phase's progress (setup, flow, verification).
pub struct Progress {
    done: Arc<AtomicU64>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Progress {
    /// Starts showing `phase` out of `total` items.
    pub fn start(mode: ProgressMode, phase: &str, total: u64) -> Self {
        let done = Arc::new(AtomicU64::new(0));
        let mode = mode.resolve();
        if mode == ProgressMode::Off || total == 0 {
            return Self {
                done,
                stop: None,
                ticker: None,
            };
        }
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let counter = done.clone();
        let phase = phase.to_string();
        let ticker = tokio::spawn(async move {
            let started = Instant::now();
            let bar = (mode == ProgressMode::Bar).then(|| new_bar(&phase, total));
            let (mut last_tenth, mut last_printed) = (0, 0);
            let every = if bar.is_some() {
                Duration::from_millis(100)
            } else {
                Duration::from_millis(250)
            };
            loop {
                let stopped = tokio::select! {
                    _ = &mut stop_rx => true,
                    _ = tokio::time::sleep(every) => false,
                };
                let n = counter.load(Ordering::Relaxed);
                match &bar {
                    Some(b) => b.set_position(n),
                    None => {
                        let tenth = n * 10 / total;
                        if tenth > last_tenth || (stopped && n != last_printed) {
                            (last_tenth, last_printed) = (tenth, n);
                            let secs = started.elapsed().as_secs_f64();
                            eprintln!(
                                "{phase}: {n}/{total} ({:.0}%) after {secs:.1} s",
                                n as f64 * 100.0 / total as f64
                            );
                        }
                    }
                }
                if stopped {
                    if let Some(b) = bar {
                        // A plain line stays behind, so the next bar and the summary start clean.
                        b.finish_and_clear();
                        eprintln!(
                            "{phase}: {n}/{total} after {:.1} s",
                            started.elapsed().as_secs_f64()
                        );
                    }
                    return;
                }
            }
        });
        Self {
            done,
            stop: Some(stop_tx),
            ticker: Some(ticker),
        }
    }

    /// The counter workers bump, one per item finished.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.done.clone()
    }

    /// Draws the final state and stops the ticker.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.ticker.take() {
            let _ = t.await;
        }
    }
}

fn new_bar(phase: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    // A constant template; if indicatif ever refuses it, fall back to its default style.
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>8} [{elapsed_precise}] {wide_bar} {pos}/{len} {percent}% eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_message(phase.to_string());
    bar
}
