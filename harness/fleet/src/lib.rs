//! Fleet load mode (`ssap-harness fleet`): N simulated macOS and Windows endpoints, each with
//! its own directory user, all running the whole first-use flow over real HTTP at once
//! (bounded by a concurrency limit), then a check against the control plane that every device
//! has exactly one association and that every local account store agrees with it.
//!
//! Phases: setup (the org and N users through the admin API; not measured), the measured flow
//! (power on, sign-in through the screen model, provisioning, first login), verification, and
//! optionally the floor (see [`floor`]). Devices start either closed-model (at most C in
//! flight) or open-model (R per second on a schedule, see [`arrivals`]), optionally through a
//! path with internet latency ([`delay_proxy`]); every run can leave `fleet.json` and
//! `fleet.html` behind ([`report`]). Only a compact [`flow::DeviceRecord`] outlives each
//! device's flow, so memory grows by about two hundred bytes per device, not by an endpoint.

pub mod arrivals;
pub mod control_plane;
pub mod delay_proxy;
pub mod floor;
pub mod flow;
pub mod naming;
pub mod progress;
pub mod report;
pub mod report_html;
pub mod stats;
pub mod timing;
pub mod verify;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;
use ssap_api::{AdminClient, ExchangeLog, Http, OperatorClient, OrgSettingsPatch, Os};
use ssap_endpoint::Endpoint;

pub use arrivals::Arrivals;
pub use control_plane::{ControlPlane, OrgKeys};
pub use delay_proxy::{PathDelay, ProxyStats};
pub use floor::FloorSummary;
pub use naming::{FleetNames, Shard};
pub use progress::ProgressMode;
pub use report::FleetReport;

use control_plane::Connected;
use flow::DeviceRecord;
use timing::{DeviceTiming, FlowTimes, LatencyRow, Live, RequestTimes, Sample};
use verify::{SeenUsers, Tally};

/// Everything `ssap-harness fleet` was asked to do.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Devices in the whole fleet (all shards together).
    pub devices: u32,
    /// Share of Windows devices, 0..=1; the rest are Macs.
    pub windows_share: f64,
    /// Closed model: device flows in flight at once. Both models: setup and verification
    /// calls in flight.
    pub concurrency: usize,
    /// Open model: start this many devices per second on a schedule instead.
    pub rate: Option<f64>,
    /// Open model: grow the rate linearly from 0 to `rate` over the run.
    pub ramp: bool,
    /// Round trip between every device and the control plane (through [`delay_proxy`]).
    pub rtt: Duration,
    /// Spread of that round trip (uniform, ±jitter/2), seeded by `seed`.
    pub jitter: Duration,
    pub control_plane: ControlPlane,
    /// Use this org instead of creating one (so shards can share an org).
    pub org: Option<OrgKeys>,
    /// Also measure the floor and report the flow's cost as a ratio to it.
    pub floor: bool,
    /// Run only this slice of the fleet.
    pub shard: Option<Shard>,
    /// Names, passwords and device facts derive from it and the global device index.
    pub seed: u64,
    pub progress: ProgressMode,
    /// Bounds every HTTP call.
    pub http_timeout: Duration,
}

impl Default for FleetOptions {
    fn default() -> Self {
        Self {
            devices: 1000,
            windows_share: 0.5,
            concurrency: DEFAULT_CONCURRENCY,
            rate: None,
            ramp: false,
            rtt: Duration::ZERO,
            jitter: Duration::ZERO,
            control_plane: ControlPlane::Embedded,
            org: None,
            floor: false,
            shard: None,
            seed: 1,
            progress: ProgressMode::Auto,
            http_timeout: Duration::from_secs(60),
        }
    }
}

impl FleetOptions {
    /// Open model when a rate is given, else closed.
    pub fn arrivals(&self) -> Arrivals {
        match self.rate {
            Some(rate) => Arrivals::Open {
                rate,
                ramp: self.ramp,
            },
            None => Arrivals::Closed {
                concurrency: self.concurrency,
            },
        }
    }

    /// The command line that reruns this fleet (same devices, names, schedule and path).
    /// Credentials are never in it: a remote run names the variables to set instead.
    pub fn command(&self) -> String {
        let mut c = String::new();
        if let ControlPlane::Remote { .. } = self.control_plane {
            c.push_str(if self.org.is_some() {
                "SSAP_ORG_API_KEY=... SSAP_ORG_CONNECT_KEY=... "
            } else {
                "SSAP_OPERATOR_TOKEN=... "
            });
        }
        c.push_str(&format!(
            "ssap-harness fleet --devices {} --seed {}",
            self.devices, self.seed
        ));
        if self.windows_share != 0.5 {
            c.push_str(&format!(" --windows-share {}", self.windows_share));
        }
        if let Some(rate) = self.rate {
            c.push_str(&format!(" --rate {rate}"));
            if self.ramp {
                c.push_str(" --ramp");
            }
        }
        if self.concurrency != DEFAULT_CONCURRENCY {
            c.push_str(&format!(" --concurrency {}", self.concurrency));
        }
        if !self.rtt.is_zero() {
            c.push_str(&format!(" --rtt {}", ms(self.rtt)));
            if !self.jitter.is_zero() {
                c.push_str(&format!(" --jitter {}", ms(self.jitter)));
            }
        }
        if self.floor {
            c.push_str(" --floor");
        }
        if let Some(s) = self.shard {
            c.push_str(&format!(" --shard {s}"));
        }
        if let ControlPlane::Remote { url, .. } = &self.control_plane {
            c.push_str(&format!(" --control-plane {url}"));
        }
        c
    }

    /// The parameters as the report shows them.
    pub fn parameters(&self) -> report::Parameters {
        report::Parameters {
            model: self.arrivals().name().to_string(),
            devices: u64::from(self.devices),
            windows_share: self.windows_share,
            concurrency: self.concurrency as u64,
            rate: self.rate,
            ramp: self.ramp,
            rtt_ms: ms(self.rtt),
            jitter_ms: ms(self.jitter),
            seed: self.seed,
            shard: self
                .shard
                .unwrap_or(Shard { index: 1, count: 1 })
                .to_string(),
            control_plane: self.control_plane.to_string(),
            floor: self.floor,
            command: self.command(),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// 32 in flight beat 256 on the 2-core reference machine (DESIGN.md).
pub const DEFAULT_CONCURRENCY: usize = 32;

/// The outcome of a fleet run. Every device of the slice is in exactly one of provisioned,
/// refused, duplicates, half_made, mismatched, unverified.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FleetSummary {
    /// Devices run (this slice).
    pub devices: u64,
    pub macos: u64,
    pub windows: u64,
    /// One association, one managed local account, and they agree.
    pub provisioned: u64,
    /// Nothing made on either side.
    pub refused: u64,
    /// Why devices were refused, stopped early or not verified (digits folded to N).
    pub refused_by_reason: BTreeMap<String, u64>,
    /// More than one association or managed local account on a device, or one user on two.
    pub duplicates: u64,
    /// A local account without an association, or an association without a local account.
    pub half_made: u64,
    /// One of each, but for another user or under another name.
    pub mismatched: u64,
    /// The control plane could not be asked about the device.
    pub unverified: u64,
    /// Provisioned devices whose user did not reach the desktop (also in provisioned).
    pub incomplete: u64,
    /// Wall time of the measured flow (setup and verification excluded).
    pub seconds: f64,
    pub provisions_per_sec: f64,
    /// Per-device flow latency percentiles, power-on to desktop, counted from when the device
    /// was due (open model) or started (closed model).
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// The same from when each device actually started (service time alone).
    pub service_p50_ms: f64,
    pub service_p99_ms: f64,
    /// `closed`, `open (steady)` or `open (ramp)`.
    pub model: String,
    /// Devices offered per second (open model; the mean over a ramp); `None` when closed.
    pub offered_rate: Option<f64>,
    /// Devices finished per second of the flow.
    pub achieved_rate: f64,
    /// Devices that started more than 10 ms after they were due (open model).
    pub late_starts: u64,
    pub max_start_lag_ms: f64,
    /// Most devices between power-on and desktop at once.
    pub peak_in_flight: u64,
    /// Growth of the process's RSS over its size at the flow's start, at the busiest sample,
    /// per device then in flight.
    pub rss_bytes_per_in_flight: u64,
    pub rtt_ms: f64,
    pub jitter_ms: f64,
    /// What the delay proxy saw (with `rtt_ms > 0`).
    pub proxy: Option<ProxyStats>,
    /// The whole process's peak RSS (VmHWM), embedded control plane included; 0 if unknown.
    pub peak_rss_bytes: u64,
    pub rss_bytes_per_device: u64,
    /// HTTP requests one device's flow makes (counted on the first Mac and Windows device).
    pub http_requests_per_macos: u64,
    pub http_requests_per_windows: u64,
    /// Setup: the org and the users through the admin API. Not part of the measured flow.
    pub setup_seconds: f64,
    pub verify_seconds: f64,
    pub concurrency: u64,
    pub seed: u64,
    pub shard: String,
    pub control_plane: String,
    pub floor: Option<FloorSummary>,
    /// `seconds / floor.seconds`.
    pub floor_ratio: Option<f64>,
}

impl FleetSummary {
    /// Every device provisioned and reached the desktop, nothing duplicated, half-made,
    /// mismatched or unchecked.
    pub fn passed(&self) -> bool {
        self.provisioned == self.devices
            && self.incomplete == 0
            && self.duplicates == 0
            && self.half_made == 0
            && self.mismatched == 0
            && self.unverified == 0
    }

    /// The summary as one JSON object on one line.
    pub fn to_json_line(&self) -> anyhow::Result<String> {
        serde_json::to_string(self).context("encoding the fleet summary as JSON")
    }

    /// A few lines for people.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
        s.push_str(&format!(
            "fleet: {} devices ({} macOS, {} Windows), shard {}, seed {}, {} in flight, control plane {}\n",
            self.devices, self.macos, self.windows, self.shard, self.seed, self.concurrency, self.control_plane
        ));
        s.push_str(&format!(
            "setup (org + {} users via the admin API, not part of the measured flow): {:.2} s\n",
            self.devices, self.setup_seconds
        ));
        let offered = match self.offered_rate {
            Some(r) => format!("offered {r:.0} devices/s"),
            None => format!("{} in flight", self.concurrency),
        };
        s.push_str(&format!(
            "model: {}, {offered}, achieved {:.0} devices/s; late starts {} (max {:.1} ms behind); peak in flight {}{}\n",
            self.model,
            self.achieved_rate,
            self.late_starts,
            self.max_start_lag_ms,
            self.peak_in_flight,
            if self.rtt_ms > 0.0 {
                format!(", rtt {} ms ± {} ms", self.rtt_ms, self.jitter_ms / 2.0)
            } else {
                String::new()
            }
        ));
        s.push_str(&format!(
            "flow: {:.2} s, {:.0} provisions/s, latency{} p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms, max {:.1} ms (service alone: p50 {:.1}, p99 {:.1} ms)\n",
            self.seconds,
            self.provisions_per_sec,
            if self.offered_rate.is_some() { " from due" } else { "" },
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.p999_ms,
            self.max_ms,
            self.service_p50_ms,
            self.service_p99_ms
        ));
        s.push_str(&format!(
            "outcome: provisioned {}, refused {}, duplicates {}, half-made {}, mismatched {}, unverified {}, incomplete {}\n",
            self.provisioned, self.refused, self.duplicates, self.half_made, self.mismatched, self.unverified, self.incomplete
        ));
        for (why, n) in &self.refused_by_reason {
            s.push_str(&format!("  {n:>8}  {why}\n"));
        }
        s.push_str(&format!(
            "verification: {:.2} s; peak RSS {:.1} MiB ({} bytes/device, {} bytes per device in flight)\n",
            self.verify_seconds,
            mb(self.peak_rss_bytes),
            self.rss_bytes_per_device,
            self.rss_bytes_per_in_flight
        ));
        if self
            .refused_by_reason
            .keys()
            .any(|r| r.contains("Too many open files"))
        {
            s.push_str(&format!(
                "note: this process ran out of file descriptors (see `ulimit -n`) with up to {} devices in flight; \
                 those refusals are the load generator's limit, not the control plane's\n",
                self.peak_in_flight
            ));
        }
        if let Some(p) = &self.proxy {
            s.push_str(&format!(
                "delay proxy: {} connections, {} failed upstream, {} accept errors\n",
                p.connections, p.upstream_failures, p.accept_errors
            ));
        }
        if let (Some(f), Some(r)) = (&self.floor, self.floor_ratio) {
            s.push_str(&format!(
                "floor: {} bare HTTP round trips + {} bare SQLite transactions in {:.2} s (HTTP done at {:.2} s, SQLite at {:.2} s); flow/floor = {r:.2}x\n",
                f.http_round_trips, f.sqlite_transactions, f.seconds, f.http_seconds, f.sqlite_seconds
            ));
        }
        s.push_str(if self.passed() {
            "verdict: PASS\n"
        } else {
            "verdict: FAIL (not every device was provisioned exactly once)\n"
        });
        s
    }
}

/// A fleet run's summary and what the report draws.
#[derive(Debug, Clone)]
pub struct FleetRun {
    pub summary: FleetSummary,
    pub timeline: Vec<Sample>,
    pub latency: Vec<LatencyRow>,
}

impl FleetRun {
    pub fn report(&self, opts: &FleetOptions) -> FleetReport {
        FleetReport {
            parameters: opts.parameters(),
            buckets: FleetReport::buckets_of(&self.summary),
            summary: self.summary.clone(),
            timeline: self.timeline.clone(),
            latency: self.latency.clone(),
        }
    }
}

/// Runs a fleet: setup, the measured flow, verification, optionally the floor.
pub async fn run(opts: FleetOptions) -> anyhow::Result<FleetSummary> {
    Ok(run_detailed(opts).await?.summary)
}

/// [`run`], keeping the timeline and latency distributions for the report.
pub async fn run_detailed(opts: FleetOptions) -> anyhow::Result<FleetRun> {
    anyhow::ensure!(opts.devices > 0, "--devices must be at least 1");
    anyhow::ensure!(opts.concurrency > 0, "--concurrency must be at least 1");
    opts.arrivals().validate()?;
    anyhow::ensure!(
        !opts.ramp || opts.rate.is_some(),
        "--ramp needs --rate (the rate it ramps up to)"
    );
    anyhow::ensure!(
        opts.jitter.is_zero() || !opts.rtt.is_zero(),
        "--jitter needs --rtt"
    );
    anyhow::ensure!(
        (0.0..=1.0).contains(&opts.windows_share),
        "--windows-share must be between 0 and 1, got {}",
        opts.windows_share
    );
    let cp = Connected::open(&opts.control_plane).await?;
    let result = run_on(&cp, &opts).await;
    cp.shutdown().await;
    result
}

/// Shared by the flow workers.
struct FlowCtx {
    http: Http,
    /// Set with a delayed path: each device opens its own connections to this URL, as a
    /// laptop would, instead of sharing the pool of `http`.
    own_connections: Option<String>,
    http_timeout: Duration,
    observer: Arc<RequestTimes>,
    connect_key: String,
    names: FleetNames,
    next: AtomicU64,
    end: u64,
    times: Mutex<FlowTimes>,
    live: Arc<Live>,
    done: Arc<AtomicU64>,
    /// Whether the first device of each OS (macOS, Windows) has been taken for counting.
    calibrating: [AtomicBool; 2],
    /// Per OS: (HTTP requests, storage jobs) of one device's flow.
    calibration: Mutex<[Option<(u64, u64)>; 2]>,
}

fn os_slot(os: Os) -> usize {
    match os {
        Os::Macos => 0,
        Os::Windows => 1,
    }
}

async fn run_on(cp: &Connected, opts: &FleetOptions) -> anyhow::Result<FleetRun> {
    let slice = match opts.shard {
        Some(s) => s.slice(opts.devices),
        None => 0..opts.devices,
    };
    let shard = opts.shard.unwrap_or(Shard { index: 1, count: 1 });
    let names = FleetNames::new(opts.seed, opts.windows_share);
    let http = Http::new(&cp.url, opts.http_timeout)
        .with_context(|| format!("connecting to the control plane at {}", cp.url))?;

    // Setup: not measured.
    let setup_started = Instant::now();
    let (admin, connect_key) = org(cp, opts, &http, &names, shard).await?;
    create_users(&admin, &names, slice.clone(), opts).await?;
    let setup_seconds = setup_started.elapsed().as_secs_f64();

    // The devices' path to the control plane: direct, or through the delay proxy.
    let proxy = if opts.rtt.is_zero() {
        None
    } else {
        let upstream = upstream_addr(&cp.url).await?;
        Some(
            delay_proxy::DelayProxy::start(
                upstream,
                PathDelay {
                    rtt: opts.rtt,
                    jitter: opts.jitter,
                    seed: opts.seed,
                },
            )
            .await?,
        )
    };
    let observer = Arc::new(RequestTimes::default());
    let device_url = proxy.as_ref().map_or_else(|| cp.url.clone(), |p| p.url());
    let device_http = Http::new(&device_url, opts.http_timeout)
        .with_context(|| format!("connecting to the control plane at {device_url}"))?
        .with_observer(observer.clone());

    // The measured flow.
    let arrivals = opts.arrivals();
    let n = slice.len() as u64;
    let progress = progress::Progress::start(opts.progress, "flow", n);
    let ctx = Arc::new(FlowCtx {
        http: device_http,
        own_connections: proxy.as_ref().map(|p| p.url()),
        http_timeout: opts.http_timeout,
        observer: observer.clone(),
        connect_key,
        names: names.clone(),
        next: AtomicU64::new(u64::from(slice.start)),
        end: u64::from(slice.end),
        times: Mutex::new(FlowTimes::new()?),
        live: Arc::new(Live::default()),
        done: progress.counter(),
        calibrating: [AtomicBool::new(false), AtomicBool::new(false)],
        calibration: Mutex::new([None, None]),
    });
    let baseline_rss = stats::current_rss_bytes().unwrap_or(0);
    let flow_started = Instant::now();
    let sampler = timing::Sampler::start(ctx.live.clone(), flow_started);
    let records = match arrivals {
        Arrivals::Closed { concurrency } => closed_model(&ctx, concurrency, n).await?,
        Arrivals::Open { .. } => open_model(&ctx, arrivals, slice.clone(), flow_started).await?,
    };
    let seconds = flow_started.elapsed().as_secs_f64();
    let timeline = sampler.finish().await;
    progress.finish().await;
    let proxy_stats = proxy.map(|p| p.shutdown());

    // Verification, `concurrency` calls in flight.
    let verify_started = Instant::now();
    let progress = progress::Progress::start(opts.progress, "verify", n);
    let seen = Arc::new(SeenUsers::default());
    let mut checks = Vec::with_capacity(opts.concurrency);
    for records in split(records, opts.concurrency) {
        let (admin, seen, done) = (admin.clone(), seen.clone(), progress.counter());
        checks.push(tokio::spawn(async move {
            verify::verify(&admin, &records, &seen, &done).await
        }));
    }
    let mut tally = Tally::default();
    for c in checks {
        tally.merge(c.await.context("a verification worker panicked")?);
    }
    progress.finish().await;
    let verify_seconds = verify_started.elapsed().as_secs_f64();

    let macos = slice.clone().filter(|&i| names.os(i) == Os::Macos).count() as u64;
    let windows = slice.len() as u64 - macos;
    let calibration = *ctx
        .calibration
        .lock()
        .map_err(|_| anyhow::anyhow!("calibration lock poisoned"))?;
    let [mac_cal, win_cal] = calibration.map(|c| c.unwrap_or((0, 0)));

    let floor = if opts.floor {
        let http_trips = macos * mac_cal.0 + windows * win_cal.0;
        let jobs = macos * mac_cal.1 + windows * win_cal.1;
        if opts.progress != ProgressMode::Off {
            eprintln!(
                "floor: {http_trips} bare HTTP round trips and {jobs} bare SQLite transactions"
            );
        }
        Some(
            floor::measure(
                &cp.url,
                opts.concurrency,
                opts.http_timeout,
                http_trips,
                jobs,
            )
            .await?,
        )
    } else {
        None
    };

    let times = ctx
        .times
        .lock()
        .map_err(|_| anyhow::anyhow!("latency lock poisoned"))?
        .clone();
    let l = &times.latency;
    let mut latency = vec![
        LatencyRow::of(
            if arrivals.offset(0, 1).is_some() {
                "device flow, from due"
            } else {
                "device flow"
            },
            l,
            0,
        ),
        LatencyRow::of("device flow, from start", &times.service, 0),
    ];
    latency.extend(observer.rows());
    let devices = n;
    let peak = stats::peak_rss_bytes().unwrap_or(0);
    let summary = FleetSummary {
        devices,
        macos,
        windows,
        provisioned: tally.provisioned,
        refused: tally.refused,
        refused_by_reason: tally.reasons,
        duplicates: tally.duplicates,
        half_made: tally.half_made,
        mismatched: tally.mismatched,
        unverified: tally.unverified,
        incomplete: tally.incomplete,
        seconds,
        provisions_per_sec: stats::per_sec(tally.provisioned, seconds),
        p50_ms: l.quantile_ms(0.50),
        p95_ms: l.quantile_ms(0.95),
        p99_ms: l.quantile_ms(0.99),
        p999_ms: l.quantile_ms(0.999),
        max_ms: l.quantile_ms(1.0),
        service_p50_ms: times.service.quantile_ms(0.50),
        service_p99_ms: times.service.quantile_ms(0.99),
        model: arrivals.name().to_string(),
        offered_rate: arrivals.offered_rate(n),
        achieved_rate: stats::per_sec(l.len(), seconds),
        late_starts: times.late_starts,
        max_start_lag_ms: ms(times.max_start_lag),
        peak_in_flight: ctx.live.peak_in_flight.load(Ordering::Relaxed),
        rss_bytes_per_in_flight: timing::bytes_per_in_flight(&timeline, baseline_rss),
        rtt_ms: ms(opts.rtt),
        jitter_ms: ms(opts.jitter),
        proxy: proxy_stats,
        peak_rss_bytes: peak,
        rss_bytes_per_device: peak / devices.max(1),
        http_requests_per_macos: mac_cal.0,
        http_requests_per_windows: win_cal.0,
        setup_seconds,
        verify_seconds,
        concurrency: opts.concurrency as u64,
        seed: opts.seed,
        shard: shard.to_string(),
        control_plane: opts.control_plane.to_string(),
        floor_ratio: floor
            .as_ref()
            .filter(|f| f.seconds > 0.0)
            .map(|f| seconds / f.seconds),
        floor,
    };
    Ok(FleetRun {
        summary,
        timeline,
        latency,
    })
}

/// The control plane's socket address, for the delay proxy to forward to.
async fn upstream_addr(url: &str) -> anyhow::Result<std::net::SocketAddr> {
    let host_port = url
        .strip_prefix("http://")
        .ok_or_else(|| anyhow::anyhow!("--rtt needs an http:// control plane, got {url}"))?;
    let host = host_port.split('/').next().unwrap_or(host_port);
    let host_port = if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    };
    let mut addrs = tokio::net::lookup_host(host_port.as_str())
        .await
        .with_context(|| format!("resolving {host_port} for the delay proxy"))?;
    let first = addrs.next();
    first.ok_or_else(|| anyhow::anyhow!("{host_port} resolves to no address"))
}

/// Closed model: `concurrency` workers, each taking the next device when its last one ends.
async fn closed_model(
    ctx: &Arc<FlowCtx>,
    concurrency: usize,
    n: u64,
) -> anyhow::Result<Vec<DeviceRecord>> {
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..(concurrency as u64).min(n.max(1)) {
        let ctx = ctx.clone();
        workers.push(tokio::spawn(async move { flow_worker(&ctx).await }));
    }
    let mut records = Vec::with_capacity(n as usize);
    for w in workers {
        records.extend(w.await.context("a fleet worker panicked")?);
    }
    Ok(records)
}

/// Open model: device `k` of the slice starts at its scheduled offset from `t0`, whether or
/// not the earlier ones have finished; its latency counts from that offset.
async fn open_model(
    ctx: &Arc<FlowCtx>,
    arrivals: Arrivals,
    slice: std::ops::Range<u32>,
    t0: Instant,
) -> anyhow::Result<Vec<DeviceRecord>> {
    let n = slice.len() as u64;
    let mut set = tokio::task::JoinSet::new();
    let mut records = Vec::with_capacity(slice.len());
    for (k, i) in slice.enumerate() {
        let due = t0 + arrivals.offset(k as u64, n).unwrap_or_default();
        tokio::time::sleep_until(due.into()).await;
        let ctx = ctx.clone();
        set.spawn(async move { device(&ctx, i, due).await });
        // Keep only the records, not the finished tasks.
        while let Some(r) = set.try_join_next() {
            records.push(r.context("a device task panicked")?);
        }
    }
    while let Some(r) = set.join_next().await {
        records.push(r.context("a device task panicked")?);
    }
    Ok(records)
}

/// Splits the records into about `parts` owned slices for the verification workers.
fn split(mut records: Vec<DeviceRecord>, parts: usize) -> Vec<Vec<DeviceRecord>> {
    let per = records.len().div_ceil(parts.max(1)).max(1);
    let mut out = Vec::new();
    while !records.is_empty() {
        let rest = records.split_off(per.min(records.len()));
        out.push(std::mem::replace(&mut records, rest));
    }
    out
}

/// The org to run in (created unless its keys were given), with SSAP on for both OSes.
async fn org(
    cp: &Connected,
    opts: &FleetOptions,
    http: &Http,
    names: &FleetNames,
    shard: Shard,
) -> anyhow::Result<(AdminClient, String)> {
    let (api_key, connect_key) = match &opts.org {
        Some(k) => (k.api_key.clone(), k.connect_key.clone()),
        None => {
            let token = cp.operator_token.clone().ok_or_else(|| {
                anyhow::anyhow!(
                    "the control plane at {} needs an operator token (SSAP_OPERATOR_TOKEN) to \
                     create the fleet's org, or the keys of an existing org",
                    cp.url
                )
            })?;
            let created = OperatorClient::new(http.clone(), token)
                .create_org(&format!("fleet {} shard {shard}", names.tag()))
                .await
                .context("creating the fleet's org")?;
            (created.api_key, created.connect_key)
        }
    };
    let admin = AdminClient::new(http.clone(), api_key);
    admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            windows_ssap: Some(true),
            ..Default::default()
        })
        .await
        .context("turning SSAP on for macOS and Windows")?;
    Ok((admin, connect_key))
}

/// One directory user per device of the slice, `concurrency` requests in flight.
async fn create_users(
    admin: &AdminClient,
    names: &FleetNames,
    slice: std::ops::Range<u32>,
    opts: &FleetOptions,
) -> anyhow::Result<()> {
    let progress = progress::Progress::start(opts.progress, "setup", slice.len() as u64);
    let next = Arc::new(AtomicU64::new(u64::from(slice.start)));
    let end = u64::from(slice.end);
    let mut workers = Vec::new();
    for _ in 0..opts.concurrency.min(slice.len().max(1)) {
        let (admin, names, next, done) = (
            admin.clone(),
            names.clone(),
            next.clone(),
            progress.counter(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    return anyhow::Ok(());
                }
                // `i < end <= u32::MAX`.
                let i = i as u32;
                admin
                    .create_user(&names.new_user(i))
                    .await
                    .with_context(|| format!("creating the user {}", names.email(i)))?;
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut result = Ok(());
    for w in workers {
        let r = w.await.context("a setup worker panicked").and_then(|r| r);
        if result.is_ok() {
            result = r;
        }
    }
    progress.finish().await;
    result
}

/// Takes devices until none are left; only one endpoint per worker is alive at a time.
async fn flow_worker(ctx: &FlowCtx) -> Vec<DeviceRecord> {
    let mut records = Vec::new();
    loop {
        let i = ctx.next.fetch_add(1, Ordering::Relaxed);
        if i >= ctx.end {
            return records;
        }
        // `i < end <= u32::MAX`.
        records.push(device(ctx, i as u32, Instant::now()).await);
    }
}

/// Device `i`'s whole flow, due at `due`; records its times and outcome.
async fn device(ctx: &FlowCtx, i: u32, due: Instant) -> DeviceRecord {
    let started = Instant::now();
    ctx.live.enter();
    let spec = ctx.names.spec(i);
    let os = spec.os;
    let slot = os_slot(os);
    // A laptop on the internet has its own connections (and pays their handshakes).
    let base = match &ctx.own_connections {
        Some(url) => match Http::new(url, ctx.http_timeout) {
            Ok(h) => h.with_observer(ctx.observer.clone()),
            Err(e) => {
                ctx.live.leave();
                ctx.done.fetch_add(1, Ordering::Relaxed);
                return DeviceRecord {
                    index: i,
                    os,
                    device_id: None,
                    local_name: None,
                    user_id: None,
                    managed_accounts: 0,
                    stopped: Some(format!("no HTTP client: {e}").into()),
                };
            }
        },
        None => ctx.http.clone(),
    };
    // The first device of each OS counts its requests for the floor.
    let log = (!ctx.calibrating[slot].swap(true, Ordering::Relaxed)).then(ExchangeLog::default);
    let http = match &log {
        Some(l) => base.with_log(l.clone()),
        None => base,
    };
    let mut ep = Endpoint::new(spec, http, ctx.connect_key.clone());
    let rec = flow::run_device(&mut ep, &ctx.names, i).await;
    drop(ep);
    let finished = Instant::now();
    ctx.live.leave();
    if let Ok(mut t) = ctx.times.lock() {
        t.record(&DeviceTiming {
            scheduled: due,
            started,
            finished,
        });
    }
    if let Some(log) = log {
        let exchanges = log.snapshot();
        let jobs = exchanges.iter().map(floor::storage_jobs).sum();
        if let Ok(mut c) = ctx.calibration.lock() {
            c[slot] = Some((exchanges.len() as u64, jobs));
        }
    }
    ctx.done.fetch_add(1, Ordering::Relaxed);
    rec
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> FleetSummary {
        FleetSummary {
            devices: 4,
            macos: 2,
            windows: 2,
            provisioned: 4,
            refused: 0,
            refused_by_reason: BTreeMap::new(),
            duplicates: 0,
            half_made: 0,
            mismatched: 0,
            unverified: 0,
            incomplete: 0,
            seconds: 2.0,
            provisions_per_sec: stats::per_sec(4, 2.0),
            p50_ms: 1.0,
            p95_ms: 2.0,
            p99_ms: 3.0,
            p999_ms: 4.0,
            max_ms: 5.0,
            service_p50_ms: 1.0,
            service_p99_ms: 3.0,
            model: "closed".into(),
            offered_rate: None,
            achieved_rate: 2.0,
            late_starts: 0,
            max_start_lag_ms: 0.0,
            peak_in_flight: 4,
            rss_bytes_per_in_flight: 100,
            rtt_ms: 0.0,
            jitter_ms: 0.0,
            proxy: None,
            peak_rss_bytes: 4096,
            rss_bytes_per_device: 1024,
            http_requests_per_macos: 5,
            http_requests_per_windows: 5,
            setup_seconds: 1.0,
            verify_seconds: 1.0,
            concurrency: 32,
            seed: 1,
            shard: "1/1".into(),
            control_plane: "embedded".into(),
            floor: None,
            floor_ratio: None,
        }
    }

    #[test]
    fn passes_only_when_every_device_was_provisioned_exactly_once() {
        assert!(summary().passed());
        let failing = [
            FleetSummary {
                provisioned: 3,
                refused: 1,
                ..summary()
            },
            FleetSummary {
                half_made: 1,
                provisioned: 3,
                ..summary()
            },
            FleetSummary {
                duplicates: 1,
                provisioned: 3,
                ..summary()
            },
            FleetSummary {
                incomplete: 1,
                ..summary()
            },
        ];
        for s in failing {
            assert!(!s.passed(), "{}", s.render_text());
            assert!(s.render_text().contains("verdict: FAIL"));
        }
    }

    #[test]
    fn the_command_reruns_the_same_fleet_without_secrets() {
        let opts = FleetOptions {
            devices: 5000,
            seed: 9,
            rate: Some(800.0),
            ramp: true,
            rtt: Duration::from_millis(100),
            jitter: Duration::from_millis(20),
            control_plane: ControlPlane::Remote {
                url: "http://10.0.0.1:8080".into(),
                operator_token: Some("op-secret-token".into()),
            },
            org: Some(OrgKeys {
                api_key: "ssap_ak_secret".into(),
                connect_key: "ssap_ck_secret".into(),
            }),
            ..Default::default()
        };
        let c = opts.command();
        assert_eq!(
            c,
            "SSAP_ORG_API_KEY=... SSAP_ORG_CONNECT_KEY=... ssap-harness fleet --devices 5000 \
             --seed 9 --rate 800 --ramp --rtt 100 --jitter 20 --control-plane http://10.0.0.1:8080"
        );
        assert!(!c.contains("secret"));
        let closed = FleetOptions {
            concurrency: 64,
            ..Default::default()
        };
        assert_eq!(
            closed.command(),
            "ssap-harness fleet --devices 1000 --seed 1 --concurrency 64"
        );
        assert_eq!(closed.parameters().model, "closed");
        assert_eq!(opts.parameters().model, "open (ramp)");
    }

    #[test]
    fn running_out_of_descriptors_is_blamed_on_the_generator() {
        assert!(!summary().render_text().contains("file descriptors"));
        let s = FleetSummary {
            provisioned: 3,
            refused: 1,
            refused_by_reason: BTreeMap::from([(
                "registration refused: tcp open error: Too many open files (os error 24)".into(),
                1,
            )]),
            ..summary()
        };
        assert!(
            s.render_text().contains("ran out of file descriptors"),
            "{}",
            s.render_text()
        );
    }

    #[test]
    fn records_split_into_owned_parts_without_loss() {
        let rec = |index| DeviceRecord {
            index,
            os: Os::Macos,
            device_id: None,
            local_name: None,
            user_id: None,
            managed_accounts: 0,
            stopped: None,
        };
        let parts = split((0..10).map(rec).collect(), 3);
        assert_eq!(parts.len(), 3);
        let all: Vec<u32> = parts.iter().flatten().map(|r| r.index).collect();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert!(split(Vec::new(), 4).is_empty());
        assert_eq!(split((0..2).map(rec).collect(), 32).len(), 2);
    }

    #[test]
    fn the_json_line_names_every_figure() {
        let line = summary().to_json_line().expect("json");
        let v: serde_json::Value = serde_json::from_str(&line).expect("parses");
        assert_eq!(v["provisions_per_sec"], 2.0);
        assert_eq!(v["floor_ratio"], serde_json::Value::Null);
        assert!(summary()
            .render_text()
            .contains("not part of the measured flow"));
    }
}
