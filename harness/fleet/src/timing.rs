//! What a load run measures beyond the verdict: each device's latency counted from when it
//! was *due* (so a stalled server shows up as latency, not as fewer requests), late starts,
//! each request kind's latency, and a timeline of starts, completions, devices in flight and
//! memory, sampled while the flow runs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use ssap_api::CallObserver;

use crate::arrivals::LATE_AFTER;
use crate::stats::{self, Latencies};

/// The percentiles reported for every latency distribution, HDR style.
pub const PERCENTILES: [f64; 9] = [50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 99.999, 100.0];

/// One device's three instants. In the closed model `scheduled == started`.
#[derive(Debug, Clone, Copy)]
pub struct DeviceTiming {
    /// When the device was due (open model) or taken (closed model).
    pub scheduled: Instant,
    /// When its flow really began.
    pub started: Instant,
    /// When it reached the desktop or stopped.
    pub finished: Instant,
}

impl DeviceTiming {
    /// Due to done: what a person waiting at that login window would have waited.
    pub fn latency(&self) -> Duration {
        self.finished.saturating_duration_since(self.scheduled)
    }

    /// Started to done: the service time alone (what a closed-model tool reports).
    pub fn service(&self) -> Duration {
        self.finished.saturating_duration_since(self.started)
    }

    /// Due to started: how far behind the load generator was.
    pub fn start_lag(&self) -> Duration {
        self.started.saturating_duration_since(self.scheduled)
    }

    /// Started more than [`LATE_AFTER`] after it was due.
    pub fn late(&self) -> bool {
        self.start_lag() > LATE_AFTER
    }
}

/// Per-device figures of the flow.
#[derive(Debug, Clone)]
pub struct FlowTimes {
    /// Due to done (the flow latency reported as p50/p95/p99).
    pub latency: Latencies,
    /// Started to done.
    pub service: Latencies,
    /// Devices that started late ([`DeviceTiming::late`]).
    pub late_starts: u64,
    /// The largest start lag.
    pub max_start_lag: Duration,
}

impl FlowTimes {
    /// Empty figures.
    pub fn new() -> anyhow::Result<Self> {
        Ok(Self {
            latency: Latencies::new()?,
            service: Latencies::new()?,
            late_starts: 0,
            max_start_lag: Duration::ZERO,
        })
    }

    /// Adds one device's instants.
    pub fn record(&mut self, t: &DeviceTiming) {
        self.latency.record(t.latency());
        self.service.record(t.service());
        if t.late() {
            self.late_starts += 1;
        }
        self.max_start_lag = self.max_start_lag.max(t.start_lag());
    }
}

/// One latency distribution as reported: count, failures, and the [`PERCENTILES`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencyRow {
    /// `device flow` (closed model), `device flow, from due` and `device flow, from start`
    /// (open model), or a request kind (`POST /api/device/provision`).
    pub kind: String,
    /// Latencies recorded.
    pub count: u64,
    /// Calls without a 2xx reply (refusals, 5xx, transport errors); 0 for device rows.
    pub errors: u64,
    /// The latency at each of the [`PERCENTILES`].
    pub percentiles: Vec<PercentilePoint>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
/// One point of a latency curve.
pub struct PercentilePoint {
    /// The percentile, 50 to 100.
    pub percentile: f64,
    /// The latency there, in milliseconds.
    pub ms: f64,
}

impl LatencyRow {
    /// The row of distribution `l` under the name `kind`.
    pub fn of(kind: &str, l: &Latencies, errors: u64) -> Self {
        Self {
            kind: kind.to_string(),
            count: l.len(),
            errors,
            percentiles: PERCENTILES
                .iter()
                .map(|&p| PercentilePoint {
                    percentile: p,
                    ms: l.quantile_ms(p / 100.0),
                })
                .collect(),
        }
    }
}

/// Collects every API call's time per request kind (`register`, `provision`, ...), through
/// the client's [`CallObserver`] hook, so no bodies are kept or parsed.
#[derive(Default)]
pub struct RequestTimes {
    kinds: Mutex<BTreeMap<String, (Latencies, u64)>>,
}

/// `/api/device/provision` -> `provision`; an identity provider's page -> `web form`.
pub fn request_kind(method: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return "web form".into();
    }
    let path = path.split('?').next().unwrap_or(path);
    match path.strip_prefix("/api/device/") {
        Some(rest) => rest.to_string(),
        None => format!("{method} {path}"),
    }
}

impl CallObserver for RequestTimes {
    fn observe(&self, method: &str, path: &str, status: Option<u16>, took: Duration) {
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        // The device routes need no allocation: most calls find their kind by `&str`.
        let device_route = path
            .strip_prefix("/api/device/")
            .filter(|r| !r.contains('?'));
        if let Ok(mut kinds) = self.kinds.lock() {
            let kind = match device_route {
                Some(r) if kinds.contains_key(r) => std::borrow::Cow::Borrowed(r),
                _ => std::borrow::Cow::Owned(request_kind(method, path)),
            };
            if !kinds.contains_key(kind.as_ref()) {
                match Latencies::new() {
                    Ok(l) => kinds.insert(kind.to_string(), (l, 0)),
                    Err(_) => return,
                };
            }
            if let Some((l, errors)) = kinds.get_mut(kind.as_ref()) {
                l.record(took);
                if !ok {
                    *errors += 1;
                }
            }
        }
    }
}

impl RequestTimes {
    /// One row per request kind, in a stable order.
    pub fn rows(&self) -> Vec<LatencyRow> {
        match self.kinds.lock() {
            Ok(kinds) => kinds
                .iter()
                .map(|(k, (l, e))| LatencyRow::of(k, l, *e))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// Counters the devices bump and the sampler reads.
#[derive(Debug, Default)]
pub struct Live {
    /// Devices whose flow began.
    pub started: AtomicU64,
    /// Devices whose flow ended.
    pub finished: AtomicU64,
    /// Devices between the two now.
    pub in_flight: AtomicU64,
    /// The most devices in flight at once so far.
    pub peak_in_flight: AtomicU64,
    /// The most devices in flight at once since the sampler last looked: a 100 ms sample of
    /// `in_flight` alone misses the short peaks that [`Self::peak_in_flight`] counts.
    pub interval_peak: AtomicU64,
}

impl Live {
    /// A device's flow began.
    pub fn enter(&self) {
        self.started.fetch_add(1, Ordering::Relaxed);
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        self.interval_peak.fetch_max(now, Ordering::Relaxed);
    }

    /// A device's flow ended.
    pub fn leave(&self) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.finished.fetch_add(1, Ordering::Relaxed);
    }
}

/// The flow's state at one moment.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Sample {
    /// Seconds since the flow started.
    pub t: f64,
    /// Devices started by then.
    pub started: u64,
    /// Devices finished by then.
    pub finished: u64,
    /// Devices in flight then.
    pub in_flight: u64,
    /// The most devices in flight at once since the previous sample (at least `in_flight`).
    pub max_in_flight: u64,
    /// Devices finished per second since the previous sample.
    pub finished_per_sec: f64,
    /// The whole process's resident memory (`VmRSS`), 0 if unknown.
    pub rss_bytes: u64,
}

/// How often the timeline is sampled: fine enough to see a ramp or a stall, coarse enough
/// that an hour-long run keeps a few tens of thousands of samples.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// Samples `live` every [`SAMPLE_EVERY`] until stopped; returns the samples.
pub struct Sampler {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    /// Starts sampling `live`, with `t0` as the flow's start.
    pub fn start(live: Arc<Live>, t0: Instant) -> Self {
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut samples = vec![sample(&live, t0, None)];
            let mut tick = tokio::time::interval(SAMPLE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                let done = tokio::select! {
                    _ = &mut stopped => true,
                    _ = tick.tick() => false,
                };
                let s = sample(&live, t0, samples.last());
                samples.push(s);
                if done {
                    return samples;
                }
            }
        });
        Self { stop, task }
    }

    /// Stops sampling and returns the timeline.
    pub async fn finish(self) -> Vec<Sample> {
        let _ = self.stop.send(());
        self.task.await.unwrap_or_default()
    }
}

fn sample(live: &Live, t0: Instant, prev: Option<&Sample>) -> Sample {
    let t = t0.elapsed().as_secs_f64();
    let finished = live.finished.load(Ordering::Relaxed);
    let finished_per_sec = match prev {
        Some(p) if t > p.t => (finished.saturating_sub(p.finished)) as f64 / (t - p.t),
        _ => 0.0,
    };
    let in_flight = live.in_flight.load(Ordering::Relaxed);
    // Restart the interval's peak from the devices in flight now.
    let max_in_flight = live
        .interval_peak
        .swap(in_flight, Ordering::Relaxed)
        .max(in_flight);
    Sample {
        t,
        started: live.started.load(Ordering::Relaxed),
        finished,
        in_flight,
        max_in_flight,
        finished_per_sec,
        rss_bytes: stats::current_rss_bytes().unwrap_or(0),
    }
}

/// Memory per device in flight: how far the process grew over its size when the flow began,
/// at the busiest sample, per device then in flight. Rough (the allocator keeps freed memory,
/// and the control plane's caches grow too), but it is what a run of that many costs.
pub fn bytes_per_in_flight(samples: &[Sample], baseline_rss: u64) -> u64 {
    samples
        .iter()
        .filter(|s| s.in_flight > 0 && s.rss_bytes > 0)
        .max_by_key(|s| s.in_flight)
        .map(|s| s.rss_bytes.saturating_sub(baseline_rss) / s.in_flight)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that stalls for a second: devices due every 10 ms during the stall all start
    /// on time (open model) and finish just after it. Counted from when they were due, the
    /// stall is in the percentiles; counted from when they started, it is too. Counted from
    /// when a closed-model worker would have picked them up (after the stall), it would not:
    /// this is the accounting the open model must keep.
    #[test]
    fn latency_counts_from_the_scheduled_start_through_a_stall() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut open = FlowTimes::new().expect("histograms");
        for i in 0..100u64 {
            let due = i * 10;
            // The server answers nothing before 1000 ms, then takes 5 ms.
            let done = due.max(1000) + 5;
            open.record(&DeviceTiming {
                scheduled: at(due),
                started: at(due),
                finished: at(done),
            });
        }
        // Device 0 waited 1005 ms, device 50 505 ms, device 99 15 ms.
        assert!((open.latency.quantile_ms(1.0) - 1005.0).abs() < 2.0);
        assert!((open.latency.quantile_ms(0.5) - 505.0).abs() < 1.0);
        assert_eq!(open.late_starts, 0);

        // Late starts: the generator fell 50 ms behind for the last ten devices. Their latency
        // still counts from when they were due; their service time does not include the lag.
        let mut late = FlowTimes::new().expect("histograms");
        for i in 0..10u64 {
            late.record(&DeviceTiming {
                scheduled: at(i),
                started: at(i + 50),
                finished: at(i + 60),
            });
        }
        assert_eq!(late.late_starts, 10);
        assert_eq!(late.max_start_lag, Duration::from_millis(50));
        assert!((late.latency.quantile_ms(0.5) - 60.0).abs() < 0.1);
        assert!((late.service.quantile_ms(0.5) - 10.0).abs() < 0.1);
    }

    #[test]
    fn a_start_within_the_timer_slack_is_not_late() {
        let t0 = Instant::now();
        let t = DeviceTiming {
            scheduled: t0,
            started: t0 + LATE_AFTER,
            finished: t0 + LATE_AFTER * 2,
        };
        assert!(!t.late());
        let t = DeviceTiming {
            started: t0 + LATE_AFTER + Duration::from_micros(1),
            ..t
        };
        assert!(t.late());
    }

    #[test]
    fn request_kinds_group_by_route() {
        assert_eq!(request_kind("POST", "/api/device/provision"), "provision");
        assert_eq!(
            request_kind("GET", "/api/device/login-window?x=1"),
            "login-window"
        );
        assert_eq!(request_kind("GET", "/healthz"), "GET /healthz");
        assert_eq!(
            request_kind("POST", "https://idp.example/authorize"),
            "web form"
        );
        let times = RequestTimes::default();
        times.observe(
            "POST",
            "/api/device/register",
            Some(201),
            Duration::from_millis(3),
        );
        times.observe(
            "POST",
            "/api/device/register",
            Some(503),
            Duration::from_millis(7),
        );
        times.observe(
            "POST",
            "/api/device/provision",
            None,
            Duration::from_millis(9),
        );
        let rows = times.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].kind.as_str(), rows[0].count, rows[0].errors),
            ("provision", 1, 1)
        );
        assert_eq!(
            (rows[1].kind.as_str(), rows[1].count, rows[1].errors),
            ("register", 2, 1)
        );
        let pts: Vec<f64> = rows[1].percentiles.iter().map(|p| p.percentile).collect();
        assert_eq!(pts, PERCENTILES.to_vec());
        assert!((rows[1].percentiles[8].ms - 7.0).abs() < 0.01);
    }

    #[test]
    fn live_counters_keep_the_peak() {
        let live = Live::default();
        live.enter();
        live.enter();
        live.leave();
        live.enter();
        assert_eq!(live.in_flight.load(Ordering::Relaxed), 2);
        assert_eq!(live.peak_in_flight.load(Ordering::Relaxed), 2);
        assert_eq!(live.started.load(Ordering::Relaxed), 3);
        assert_eq!(live.finished.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_sample_keeps_the_peak_between_samples() {
        let live = Live::default();
        let t0 = Instant::now();
        for _ in 0..5 {
            live.enter();
        }
        for _ in 0..4 {
            live.leave();
        }
        let first = sample(&live, t0, None);
        assert_eq!((first.in_flight, first.max_in_flight), (1, 5));
        // The next interval starts from the one still in flight.
        let second = sample(&live, t0, Some(&first));
        assert_eq!((second.in_flight, second.max_in_flight), (1, 1));
        live.enter();
        live.enter();
        live.leave();
        let third = sample(&live, t0, Some(&second));
        assert_eq!((third.in_flight, third.max_in_flight), (2, 3));
    }

    #[test]
    fn memory_per_in_flight_device_is_taken_at_the_busiest_sample() {
        let s = |in_flight, rss_bytes| Sample {
            t: 0.0,
            started: 0,
            finished: 0,
            in_flight,
            max_in_flight: in_flight,
            finished_per_sec: 0.0,
            rss_bytes,
        };
        let samples = [s(0, 1000), s(10, 3000), s(100, 11_000), s(50, 20_000)];
        assert_eq!(bytes_per_in_flight(&samples, 1000), 100);
        assert_eq!(bytes_per_in_flight(&[], 1000), 0);
    }
}
