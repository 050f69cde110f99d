//! The run itself: setup (an org and a user per device, not measured), the measured flow of
//! every device (closed or open model, optionally through the delayed path), verification,
//! and the floor.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ssap_api::{AdminClient, ExchangeLog, Http, OperatorClient, OrgSettingsPatch, Os};
use ssap_endpoint::Endpoint;
use ssap_shard::Shard;

use crate::arrivals::Arrivals;
use crate::control_plane::Connected;
use crate::cost::{ClientFloor, PassCost};
use crate::delay_proxy::{self, PathDelay};
use crate::flow::{self, DeviceRecord};
use crate::naming::FleetNames;
use crate::options::{ms, FleetOptions};
use crate::progress::ProgressMode;
use crate::records::RecordFile;
use crate::report::FleetReport;
use crate::summary::FleetSummary;
use crate::timing::{DeviceTiming, FlowTimes, LatencyRow, Live, RequestTimes, Sample};
use crate::verify::{self, SeenUsers, Tally};
use crate::{bare, floor, progress, stats, timing};

/// A fleet run's summary and what the report draws.
#[derive(Debug, Clone)]
pub struct FleetRun {
    /// The figures and the verdict.
    pub summary: FleetSummary,
    /// The flow sampled every 100 ms.
    pub timeline: Vec<Sample>,
    /// Latency distributions: the device flow, then each request kind.
    pub latency: Vec<LatencyRow>,
}

impl FleetRun {
    /// The report of this run as `opts` asked for it.
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
    opts.thresholds.validate(opts.floor)?;
    anyhow::ensure!(
        !(opts.floor && opts.rate.is_some()),
        "--floor compares a closed run's time with bare requests made as fast as they go; with \
         --rate the schedule sets how long the flow lasts, so the ratio would say nothing (drop \
         --rate, or --floor)"
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

/// What a pass's devices are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Simulation {
    /// Simulated endpoints used through their screens: the measured flow.
    Endpoints,
    /// The same requests from a bare client, nothing simulated (`--client-floor`).
    BareClient,
}

/// How a device reaches the control plane.
#[derive(Clone)]
struct DeviceLink {
    http: Http,
    /// Set with a delayed path: each device opens its own connections to this URL, as a
    /// laptop would, instead of sharing the pool of `http`.
    own_connections: Option<String>,
    http_timeout: Duration,
    /// Times every request by kind.
    observer: Arc<RequestTimes>,
}

/// The devices' way to the control plane: direct, or through the delay proxy (`--rtt`),
/// which the pass that opened it shuts down.
struct DevicePath {
    link: DeviceLink,
    proxy: Option<delay_proxy::DelayProxy>,
}

impl DevicePath {
    async fn open(
        cp: &Connected,
        opts: &FleetOptions,
        observer: Arc<RequestTimes>,
    ) -> anyhow::Result<Self> {
        let proxy = if opts.rtt.is_zero() {
            None
        } else {
            let upstream = upstream_addr(&cp.url).await?;
            let delay = PathDelay {
                rtt: opts.rtt,
                jitter: opts.jitter,
                seed: opts.seed,
            };
            Some(delay_proxy::DelayProxy::start(upstream, delay).await?)
        };
        let url = proxy.as_ref().map_or_else(|| cp.url.clone(), |p| p.url());
        let http = Http::new(&url, opts.http_timeout)
            .with_context(|| format!("connecting to the control plane at {url}"))?
            .with_observer(observer.clone());
        Ok(Self {
            link: DeviceLink {
                http,
                own_connections: proxy.as_ref().map(|p| p.url()),
                http_timeout: opts.http_timeout,
                observer,
            },
            proxy,
        })
    }
}

/// Shared by the flow workers.
struct FlowCtx {
    simulation: Simulation,
    link: DeviceLink,
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
    /// Every finished device's record, on disk until the verification.
    records: RecordFile,
}

impl FlowCtx {
    fn new(
        simulation: Simulation,
        path: &DevicePath,
        connect_key: String,
        names: FleetNames,
        slice: std::ops::Range<u32>,
        done: Arc<AtomicU64>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            simulation,
            link: path.link.clone(),
            connect_key,
            names,
            next: AtomicU64::new(u64::from(slice.start)),
            end: u64::from(slice.end),
            times: Mutex::new(FlowTimes::new()?),
            live: Arc::new(Live::default()),
            done,
            calibrating: [AtomicBool::new(false), AtomicBool::new(false)],
            calibration: Mutex::new([None, None]),
            records: RecordFile::new()?,
        })
    }
}

/// What one pass of devices took.
struct Pass {
    seconds: f64,
    /// Sampled every 100 ms.
    timeline: Vec<Sample>,
    /// This process's resident memory when the pass started.
    baseline_rss: u64,
    /// CPU time this process used during the pass.
    cpu_seconds: Option<f64>,
}

impl Pass {
    fn cost(&self, devices: u64, peak_in_flight: u64) -> PassCost {
        let top = self.timeline.iter().map(|s| s.rss_bytes).max().unwrap_or(0);
        PassCost::new(
            devices,
            self.cpu_seconds.unwrap_or(0.0),
            peak_in_flight,
            top.saturating_sub(self.baseline_rss),
            timing::bytes_per_in_flight(&self.timeline, self.baseline_rss),
        )
    }
}

/// Runs every device of `slice` as `arrivals` says, each as `ctx.simulation` says.
async fn pass(
    ctx: &Arc<FlowCtx>,
    arrivals: Arrivals,
    slice: std::ops::Range<u32>,
    progress: progress::Progress,
) -> anyhow::Result<Pass> {
    let n = slice.len() as u64;
    stats::release_free_memory();
    let baseline_rss = stats::current_rss_bytes().unwrap_or(0);
    let cpu_before = stats::cpu_seconds();
    let started = Instant::now();
    let sampler = timing::Sampler::start(ctx.live.clone(), started);
    let ran = match arrivals {
        Arrivals::Closed { concurrency } => closed_model(ctx, concurrency, n).await,
        Arrivals::Open { .. } => open_model(ctx, arrivals, slice, started).await,
    };
    let seconds = started.elapsed().as_secs_f64();
    let cpu_seconds = cpu_before
        .zip(stats::cpu_seconds())
        .map(|(before, after)| after - before);
    let timeline = sampler.finish().await;
    progress.finish().await;
    ran?;
    Ok(Pass {
        seconds,
        timeline,
        baseline_rss,
        cpu_seconds,
    })
}

/// `--client-floor`: a second set of users and devices (another name tag), run with the same
/// arrivals and path by a bare client, and its cost next to the flow's.
async fn client_floor(
    cp: &Connected,
    opts: &FleetOptions,
    admin: &AdminClient,
    connect_key: &str,
    names: &FleetNames,
    slice: std::ops::Range<u32>,
    flow: PassCost,
) -> anyhow::Result<ClientFloor> {
    let bare_names = names.other();
    let setup_started = Instant::now();
    create_users(admin, &bare_names, slice.clone(), opts).await?;
    let setup_seconds = setup_started.elapsed().as_secs_f64();
    let n = slice.len() as u64;
    let path = DevicePath::open(cp, opts, Arc::new(RequestTimes::default())).await?;
    let progress = progress::Progress::start(opts.progress, "client floor", n);
    let ctx = Arc::new(FlowCtx::new(
        Simulation::BareClient,
        &path,
        connect_key.to_string(),
        bare_names,
        slice.clone(),
        progress.counter(),
    )?);
    let bare = pass(&ctx, opts.arrivals(), slice, progress).await?;
    if let Some(p) = path.proxy {
        p.shutdown();
    }
    let (mut completed, mut first_failure) = (0, None);
    let records = ctx.records.reader()?;
    while let Some(rec) = records.next_record() {
        match rec?.stopped {
            None => completed += 1,
            Some(why) => {
                first_failure.get_or_insert_with(|| why.to_string());
            }
        }
    }
    let calibration = *ctx
        .calibration
        .lock()
        .map_err(|_| anyhow::anyhow!("calibration lock poisoned"))?;
    Ok(ClientFloor::compare(
        flow,
        bare.cost(n, ctx.live.peak_in_flight.load(Ordering::Relaxed)),
        completed,
        first_failure,
        calibration.map(|c| c.map_or(0, |(requests, _)| requests)),
        ctx.link
            .observer
            .rows()
            .into_iter()
            .map(|r| (r.kind, r.count))
            .collect(),
        bare.seconds,
        setup_seconds,
        matches!(opts.control_plane, crate::ControlPlane::Embedded),
    ))
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

    // The measured flow, directly or through the delay proxy.
    let arrivals = opts.arrivals();
    let n = slice.len() as u64;
    let observer = Arc::new(RequestTimes::default());
    let path = DevicePath::open(cp, opts, observer.clone()).await?;
    let progress = progress::Progress::start(opts.progress, "flow", n);
    let ctx = Arc::new(FlowCtx::new(
        Simulation::Endpoints,
        &path,
        connect_key.clone(),
        names.clone(),
        slice.clone(),
        progress.counter(),
    )?);
    let flow = pass(&ctx, arrivals, slice.clone(), progress).await?;
    let (seconds, baseline_rss) = (flow.seconds, flow.baseline_rss);
    let proxy_stats = path.proxy.map(|p| p.shutdown());

    // `--client-floor`: the same requests from a bare client, on other users and devices.
    let client_floor = if opts.client_floor {
        let flow_cost = flow.cost(n, ctx.live.peak_in_flight.load(Ordering::Relaxed));
        Some(
            client_floor(
                cp,
                opts,
                &admin,
                &connect_key,
                &names,
                slice.clone(),
                flow_cost,
            )
            .await?,
        )
    } else {
        None
    };
    let timeline = flow.timeline;

    // Verification, `concurrency` calls in flight.
    let verify_started = Instant::now();
    let progress = progress::Progress::start(opts.progress, "verify", n);
    let seen = Arc::new(SeenUsers::new(&names, slice.clone()));
    let records = Arc::new(ctx.records.reader()?);
    let mut checks = Vec::with_capacity(opts.concurrency);
    for _ in 0..opts.concurrency {
        let (admin, seen, done) = (admin.clone(), seen.clone(), progress.counter());
        let records = records.clone();
        checks.push(tokio::spawn(async move {
            verify::verify(&admin, &records, &seen, &done).await
        }));
    }
    let mut tally = Tally::default();
    for c in checks {
        tally.merge(c.await.context("a verification worker panicked")??);
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
    // The closed model starts a device when it is due, so its two device rows would be the
    // same distribution: it gets one.
    let mut latency = if arrivals.offset(0, 1).is_some() {
        vec![
            LatencyRow::of("device flow, from due", l, 0),
            LatencyRow::of("device flow, from start", &times.service, 0),
        ]
    } else {
        vec![LatencyRow::of("device flow", &times.service, 0)]
    };
    latency.extend(observer.rows());
    let devices = n;
    let peak = stats::peak_rss_bytes().unwrap_or(0);
    let mut summary = FleetSummary {
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
        client_floor,
        thresholds: Vec::new(),
    };
    summary.thresholds = opts.thresholds.check(&summary.measured());
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
async fn closed_model(ctx: &Arc<FlowCtx>, concurrency: usize, n: u64) -> anyhow::Result<()> {
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..(concurrency as u64).min(n.max(1)) {
        let ctx = ctx.clone();
        workers.push(tokio::spawn(async move { flow_worker(&ctx).await }));
    }
    let mut result = Ok(());
    for w in workers {
        let r = w.await.context("a fleet worker panicked").and_then(|r| r);
        if result.is_ok() {
            result = r;
        }
    }
    result
}

/// Open model: device `k` of the slice starts at its scheduled offset from `t0`, whether or
/// not the earlier ones have finished; its latency counts from that offset.
async fn open_model(
    ctx: &Arc<FlowCtx>,
    arrivals: Arrivals,
    slice: std::ops::Range<u32>,
    t0: Instant,
) -> anyhow::Result<()> {
    let n = slice.len() as u64;
    let mut set = tokio::task::JoinSet::new();
    for (k, i) in slice.enumerate() {
        let due = t0 + arrivals.offset(k as u64, n).unwrap_or_default();
        tokio::time::sleep_until(due.into()).await;
        let device_ctx = ctx.clone();
        set.spawn(async move { device(&device_ctx, i, due).await });
        // Keep only the records, not the finished tasks.
        while let Some(r) = set.try_join_next() {
            ctx.records.push(&r.context("a device task panicked")?)?;
        }
    }
    while let Some(r) = set.join_next().await {
        ctx.records.push(&r.context("a device task panicked")?)?;
    }
    Ok(())
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
async fn flow_worker(ctx: &FlowCtx) -> anyhow::Result<()> {
    loop {
        let i = ctx.next.fetch_add(1, Ordering::Relaxed);
        if i >= ctx.end {
            return Ok(());
        }
        // `i < end <= u32::MAX`.
        ctx.records
            .push(&device(ctx, i as u32, Instant::now()).await)?;
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
    let base = match &ctx.link.own_connections {
        Some(url) => match Http::new(url, ctx.link.http_timeout) {
            Ok(h) => h.with_observer(ctx.link.observer.clone()),
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
        None => ctx.link.http.clone(),
    };
    // The first device of each OS counts its requests for the floor.
    let log = (!ctx.calibrating[slot].swap(true, Ordering::Relaxed)).then(ExchangeLog::default);
    let http = match &log {
        Some(l) => base.with_log(l.clone()),
        None => base,
    };
    let rec = match ctx.simulation {
        Simulation::Endpoints => {
            let mut ep = Endpoint::new(spec, http, ctx.connect_key.clone());
            flow::run_device(&mut ep, &ctx.names, i).await
        }
        Simulation::BareClient => {
            bare::run_device(http, &ctx.connect_key, &ctx.names, i, &spec).await
        }
    };
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
