//! Fleet load mode (`ssap-harness fleet`): N simulated macOS and Windows endpoints, each with
//! its own directory user, all running the whole first-use flow over real HTTP at once
//! (bounded by a concurrency limit), then a check against the control plane that every device
//! has exactly one association and that every local account store agrees with it.
//!
//! Phases: setup (the org and N users through the admin API; not measured), the measured flow
//! (power on, sign-in through the screen model, provisioning, first login), verification, and
//! optionally the floor (see [`floor`]). Only a compact [`flow::DeviceRecord`] outlives each
//! device's flow, so memory grows by about two hundred bytes per device, not by an endpoint.

pub mod control_plane;
pub mod floor;
pub mod flow;
pub mod naming;
pub mod progress;
pub mod stats;
pub mod verify;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;
use ssap_api::{AdminClient, ExchangeLog, Http, OperatorClient, OrgSettingsPatch, Os};
use ssap_endpoint::Endpoint;

pub use control_plane::{ControlPlane, OrgKeys};
pub use floor::FloorSummary;
pub use naming::{FleetNames, Shard};
pub use progress::ProgressMode;

use control_plane::Connected;
use flow::DeviceRecord;
use stats::Latencies;
use verify::{SeenUsers, Tally};

/// Everything `ssap-harness fleet` was asked to do.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Devices in the whole fleet (all shards together).
    pub devices: u32,
    /// Share of Windows devices, 0..=1; the rest are Macs.
    pub windows_share: f64,
    /// Device flows (and setup and verification calls) in flight at once.
    pub concurrency: usize,
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
    /// Per-device flow latency percentiles, power-on to desktop.
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
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
        s.push_str(&format!(
            "flow: {:.2} s, {:.0} provisions/s, latency p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms\n",
            self.seconds, self.provisions_per_sec, self.p50_ms, self.p95_ms, self.p99_ms
        ));
        s.push_str(&format!(
            "outcome: provisioned {}, refused {}, duplicates {}, half-made {}, mismatched {}, unverified {}, incomplete {}\n",
            self.provisioned, self.refused, self.duplicates, self.half_made, self.mismatched, self.unverified, self.incomplete
        ));
        for (why, n) in &self.refused_by_reason {
            s.push_str(&format!("  {n:>8}  {why}\n"));
        }
        s.push_str(&format!(
            "verification: {:.2} s; peak RSS {:.1} MiB ({} bytes/device)\n",
            self.verify_seconds,
            mb(self.peak_rss_bytes),
            self.rss_bytes_per_device
        ));
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

/// Runs a fleet: setup, the measured flow, verification, optionally the floor.
pub async fn run(opts: FleetOptions) -> anyhow::Result<FleetSummary> {
    anyhow::ensure!(opts.devices > 0, "--devices must be at least 1");
    anyhow::ensure!(opts.concurrency > 0, "--concurrency must be at least 1");
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
    connect_key: String,
    names: FleetNames,
    next: AtomicU64,
    end: u64,
    latencies: Mutex<Latencies>,
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

async fn run_on(cp: &Connected, opts: &FleetOptions) -> anyhow::Result<FleetSummary> {
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

    // The measured flow.
    let progress = progress::Progress::start(opts.progress, "flow", slice.len() as u64);
    let ctx = Arc::new(FlowCtx {
        http: http.clone(),
        connect_key,
        names: names.clone(),
        next: AtomicU64::new(u64::from(slice.start)),
        end: u64::from(slice.end),
        latencies: Mutex::new(Latencies::new()?),
        done: progress.counter(),
        calibrating: [AtomicBool::new(false), AtomicBool::new(false)],
        calibration: Mutex::new([None, None]),
    });
    let flow_started = Instant::now();
    let mut workers = Vec::with_capacity(opts.concurrency);
    for _ in 0..opts.concurrency.min(slice.len().max(1)) {
        let ctx = ctx.clone();
        workers.push(tokio::spawn(async move { flow_worker(&ctx).await }));
    }
    let mut per_worker: Vec<Vec<DeviceRecord>> = Vec::with_capacity(workers.len());
    for w in workers {
        per_worker.push(w.await.context("a fleet worker panicked")?);
    }
    let seconds = flow_started.elapsed().as_secs_f64();
    progress.finish().await;

    // Verification.
    let verify_started = Instant::now();
    let progress = progress::Progress::start(opts.progress, "verify", slice.len() as u64);
    let seen = Arc::new(SeenUsers::default());
    let mut checks = Vec::with_capacity(per_worker.len());
    for records in per_worker {
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

    let (p50, p95, p99) = {
        let l = ctx
            .latencies
            .lock()
            .map_err(|_| anyhow::anyhow!("latency lock poisoned"))?;
        (
            l.quantile_ms(0.50),
            l.quantile_ms(0.95),
            l.quantile_ms(0.99),
        )
    };
    let devices = slice.len() as u64;
    let peak = stats::peak_rss_bytes().unwrap_or(0);
    Ok(FleetSummary {
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
        p50_ms: p50,
        p95_ms: p95,
        p99_ms: p99,
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
    })
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
        let i = i as u32;
        let spec = ctx.names.spec(i);
        let slot = os_slot(spec.os);
        // The first device of each OS counts its requests for the floor.
        let log = (!ctx.calibrating[slot].swap(true, Ordering::Relaxed)).then(ExchangeLog::default);
        let http = match &log {
            Some(l) => ctx.http.with_log(l.clone()),
            None => ctx.http.clone(),
        };
        let started = Instant::now();
        let mut ep = Endpoint::new(spec, http, ctx.connect_key.clone());
        let rec = flow::run_device(&mut ep, &ctx.names, i).await;
        drop(ep);
        let took = started.elapsed();
        if let Ok(mut l) = ctx.latencies.lock() {
            l.record(took);
        }
        if let Some(log) = log {
            let exchanges = log.snapshot();
            let jobs = exchanges.iter().map(floor::storage_jobs).sum();
            if let Ok(mut c) = ctx.calibration.lock() {
                c[slot] = Some((exchanges.len() as u64, jobs));
            }
        }
        records.push(rec);
        ctx.done.fetch_add(1, Ordering::Relaxed);
    }
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
