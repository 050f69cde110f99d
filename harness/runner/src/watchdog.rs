//! A run that stops moving is stopped, not left to hang a CI job until the job's own timeout
//! kills it with nothing said. [`Watched`] is a writer layer (as cucumber's own writers are
//! layered) that notes when each step starts and ends; [`Watchdog`] is a plain thread that
//! looks at those notes once a second. When a step has been running for longer than the
//! limit, or nothing at all has happened for that long, it prints which steps are in flight
//! (feature file, line, step text) and tells the run to stop; the run then writes the reports
//! it has, with the stuck steps as errors, and exits 1. If the run cannot even do that (every
//! worker thread blocked), the watchdog exits the process with code 2 a few seconds later.
//!
//! Real time on purpose: this guards the harness itself, not a rule under test.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cucumber::{event, gherkin, parser, writer, Event, World, Writer};

/// How long the run may take to write its reports after the watchdog fired.
const GRACE: Duration = Duration::from_secs(15);

#[derive(Default)]
struct Notes {
    /// Steps in flight: "file:line" of the scenario -> (step description, when it started).
    running: HashMap<String, (String, Instant)>,
    last_event: Option<Instant>,
    finished: bool,
}

/// Shared between the writer layer and the watchdog thread.
#[derive(Clone, Default)]
pub struct Watch(Arc<Mutex<Notes>>);

impl Watch {
    fn note(&self, f: impl FnOnce(&mut Notes)) {
        if let Ok(mut n) = self.0.lock() {
            n.last_event = Some(Instant::now());
            f(&mut n);
        }
    }

    /// The run has ended normally: the watchdog stops looking.
    pub fn finished(&self) {
        self.note(|n| n.finished = true);
    }

    /// What is stuck, if anything: one line per step in flight for longer than `limit`, or
    /// every step in flight when nothing has happened for `limit`.
    fn stuck(&self, limit: Duration, started: Instant) -> Option<Vec<String>> {
        let n = self.0.lock().ok()?;
        if n.finished {
            return None;
        }
        let describe = |(at, (step, since)): (&String, &(String, Instant))| {
            format!(
                "{at}: step \"{step}\" running for {} s",
                since.elapsed().as_secs()
            )
        };
        let mut long: Vec<String> = n
            .running
            .iter()
            .filter(|(_, (_, since))| since.elapsed() > limit)
            .map(describe)
            .collect();
        let quiet_for = n.last_event.unwrap_or(started).elapsed();
        if long.is_empty() && quiet_for > limit {
            long = n.running.iter().map(describe).collect();
            long.push(format!(
                "nothing has happened in the run for {} s",
                quiet_for.as_secs()
            ));
        }
        long.sort();
        (!long.is_empty()).then_some(long)
    }
}

/// The thread that watches a [`Watch`]; fires at most once.
pub struct Watchdog {
    fired: tokio::sync::watch::Receiver<Option<Vec<String>>>,
}

impl Watchdog {
    /// Starts watching with `limit` (a step longer than this, or a run silent this long).
    pub fn start(watch: Watch, limit: Duration) -> Self {
        let (tx, rx) = tokio::sync::watch::channel(None);
        let started = Instant::now();
        let spawned = std::thread::Builder::new()
            .name("ssap-watchdog".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_secs(1));
                if watch.0.lock().map(|n| n.finished).unwrap_or(true) {
                    return;
                }
                let Some(stuck) = watch.stuck(limit, started) else {
                    continue;
                };
                // Said here first, so it is printed even if the run can no longer print.
                eprintln!(
                    "ERROR the run stopped moving (--step-timeout {} s); in flight:",
                    limit.as_secs()
                );
                for s in &stuck {
                    eprintln!("      {s}");
                }
                let _ = tx.send(Some(stuck));
                std::thread::sleep(GRACE);
                if !watch.0.lock().map(|n| n.finished).unwrap_or(true) {
                    eprintln!("ERROR the run could not write its reports after it stopped moving; exiting");
                    std::process::exit(2);
                }
                return;
            });
        if let Err(e) = spawned {
            eprintln!("warning: no watchdog for this run (cannot start its thread: {e})");
        }
        Self { fired: rx }
    }

    /// Resolves when the watchdog fires, with the stuck steps.
    pub async fn fired(mut self) -> Vec<String> {
        match self.fired.wait_for(Option::is_some).await {
            Ok(v) => v.clone().unwrap_or_default(),
            // The thread ended without firing (the run finished): never resolve.
            Err(_) => std::future::pending().await,
        }
    }
}

/// A writer layer that notes step starts and ends in a [`Watch`], then hands every event on.
pub struct Watched<Wr> {
    inner: Wr,
    watch: Watch,
}

impl<Wr> Watched<Wr> {
    /// Wraps `inner`; every event still reaches it, after the watch has seen it.
    pub fn new(inner: Wr, watch: Watch) -> Self {
        Self { inner, watch }
    }
}

impl<W: World, Wr: Writer<W>> Writer<W> for Watched<Wr> {
    type Cli = Wr::Cli;

    async fn handle_event(
        &mut self,
        ev: parser::Result<Event<event::Cucumber<W>>>,
        cli: &Self::Cli,
    ) {
        if let Ok(e) = &ev {
            let seen = match &e.value {
                event::Cucumber::Feature(f, event::Feature::Scenario(sc, ev))
                | event::Cucumber::Feature(
                    f,
                    event::Feature::Rule(_, event::Rule::Scenario(sc, ev)),
                ) => Some((f, sc, &ev.event)),
                _ => None,
            };
            match seen {
                Some((
                    f,
                    sc,
                    event::Scenario::Step(step, st) | event::Scenario::Background(step, st),
                )) => {
                    let at = place(f, sc);
                    let text = format!("{}{}", step.keyword, step.value);
                    let started = matches!(st, event::Step::Started);
                    self.watch.note(|n| {
                        if started {
                            n.running.insert(at, (text, Instant::now()));
                        } else {
                            n.running.remove(&at);
                        }
                    });
                }
                Some((f, sc, event::Scenario::Finished)) => {
                    let at = place(f, sc);
                    self.watch.note(|n| {
                        n.running.remove(&at);
                    });
                }
                _ => self.watch.note(|_| {}),
            }
        }
        self.inner.handle_event(ev, cli).await;
    }
}

impl<Wr: writer::Normalized> writer::Normalized for Watched<Wr> {}

/// "path:line" of a scenario, as the console prints it.
fn place(f: &gherkin::Feature, sc: &gherkin::Scenario) -> String {
    format!(
        "{}:{}",
        crate::gherkin_paths::feature_uri(f),
        sc.position.line
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_step_is_stuck_and_a_finished_run_is_not() {
        let watch = Watch::default();
        let long_ago = Instant::now() - Duration::from_secs(10);
        watch.note(|n| {
            n.running
                .insert("f.feature:3".into(), ("When x".into(), long_ago));
        });
        let stuck = watch
            .stuck(Duration::from_secs(5), Instant::now())
            .unwrap_or_default();
        assert_eq!(stuck.len(), 1, "{stuck:?}");
        assert!(
            stuck[0].starts_with("f.feature:3: step \"When x\""),
            "{stuck:?}"
        );
        assert!(watch
            .stuck(Duration::from_secs(60), Instant::now())
            .is_none());
        watch.finished();
        assert!(watch
            .stuck(Duration::from_secs(5), Instant::now())
            .is_none());
    }

    #[test]
    fn a_silent_run_is_stuck_even_without_a_long_step() {
        let watch = Watch::default();
        if let Ok(mut n) = watch.0.lock() {
            n.last_event = Some(Instant::now() - Duration::from_secs(10));
        }
        let stuck = watch
            .stuck(Duration::from_secs(5), Instant::now())
            .unwrap_or_default();
        assert!(
            stuck.iter().any(|s| s.contains("nothing has happened")),
            "{stuck:?}"
        );
    }
}
