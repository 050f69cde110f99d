//! What a fleet run found ([`FleetSummary`]): every device in one bucket, the rates and
//! latencies, and the verdict, as JSON and as a few lines for people.

use std::collections::BTreeMap;

use anyhow::Context as _;
use serde::Serialize;

use crate::cost::ClientFloor;
use crate::delay_proxy::ProxyStats;
use crate::floor::FloorSummary;
use crate::thresholds::ThresholdResult;

/// The outcome of a fleet run. Every device of the slice is in exactly one of provisioned,
/// refused, duplicates, half_made, mismatched, unverified.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FleetSummary {
    /// Devices run (this slice).
    pub devices: u64,
    /// Of those, macOS devices.
    pub macos: u64,
    /// Of those, Windows devices.
    pub windows: u64,
    /// One association, one managed local account, and they agree.
    pub provisioned: u64,
    /// Nothing made on either side.
    pub refused: u64,
    /// Why devices were refused, stopped early or not verified (numbers and ids folded to N).
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
    /// Provisioned devices per second of the flow.
    pub provisions_per_sec: f64,
    /// Per-device flow latency percentiles, power-on to desktop, counted from when the device
    /// was due (open model) or started (closed model).
    pub p50_ms: f64,
    /// 95th percentile of the flow latency.
    pub p95_ms: f64,
    /// 99th percentile of the flow latency.
    pub p99_ms: f64,
    /// 99.9th percentile of the flow latency.
    pub p999_ms: f64,
    /// The slowest device's flow.
    pub max_ms: f64,
    /// The same from when each device actually started (service time alone).
    pub service_p50_ms: f64,
    /// 99th percentile of the service time.
    pub service_p99_ms: f64,
    /// `closed`, `open (steady)` or `open (ramp)`.
    pub model: String,
    /// Devices offered per second (open model; the mean over a ramp); `None` when closed.
    pub offered_rate: Option<f64>,
    /// Devices finished per second of the flow.
    pub achieved_rate: f64,
    /// Devices that started more than 10 ms after they were due (open model).
    pub late_starts: u64,
    /// How far behind its due time the latest start was.
    pub max_start_lag_ms: f64,
    /// Most devices between power-on and desktop at once.
    pub peak_in_flight: u64,
    /// Growth of the process's RSS over its size at the flow's start, at the busiest sample,
    /// per device then in flight.
    pub rss_bytes_per_in_flight: u64,
    /// Round trip added by the delay proxy (0 without `--rtt`).
    pub rtt_ms: f64,
    /// Spread of that round trip.
    pub jitter_ms: f64,
    /// What the delay proxy saw (with `rtt_ms > 0`).
    pub proxy: Option<ProxyStats>,
    /// The whole process's peak RSS (VmHWM), embedded control plane included; 0 if unknown.
    pub peak_rss_bytes: u64,
    /// Growth of the process's RSS per device of the slice.
    pub rss_bytes_per_device: u64,
    /// HTTP requests one device's flow makes (counted on the first Mac and Windows device).
    pub http_requests_per_macos: u64,
    /// The same for one Windows device.
    pub http_requests_per_windows: u64,
    /// Setup: the org and the users through the admin API. Not part of the measured flow.
    pub setup_seconds: f64,
    /// Verification: every device's associations against its local accounts.
    pub verify_seconds: f64,
    /// Flows (closed model) or setup and verification calls in flight at once.
    pub concurrency: u64,
    /// The seed that reproduces the names and schedule.
    pub seed: u64,
    /// `I/N`; `1/1` unsharded.
    pub shard: String,
    /// `embedded` or the URL.
    pub control_plane: String,
    /// The floor, when measured (`--floor`).
    pub floor: Option<FloorSummary>,
    /// `seconds / floor.seconds`.
    pub floor_ratio: Option<f64>,
    /// The harness's own cost next to a bare client's, when measured (`--client-floor`).
    pub client_floor: Option<ClientFloor>,
    /// The limits asked for (`--max-p99`, `--min-rate`, `--max-floor-ratio`) and what the run
    /// measured against each; empty without limits.
    pub thresholds: Vec<ThresholdResult>,
}

impl FleetSummary {
    /// Every device provisioned exactly once and its user at the desktop, and every limit
    /// asked for met.
    pub fn passed(&self) -> bool {
        self.provisioned_exactly_once() && self.thresholds.iter().all(|t| t.met)
    }

    /// Every device provisioned and reached the desktop, nothing duplicated, half-made,
    /// mismatched or unchecked.
    pub fn provisioned_exactly_once(&self) -> bool {
        self.provisioned == self.devices
            && self.incomplete == 0
            && self.duplicates == 0
            && self.half_made == 0
            && self.mismatched == 0
            && self.unverified == 0
    }

    /// What [`crate::Thresholds`] are held against.
    pub fn measured(&self) -> crate::thresholds::Measured {
        crate::thresholds::Measured {
            p99_ms: self.p99_ms,
            rate: self.provisions_per_sec,
            floor_ratio: self.floor_ratio,
        }
    }

    /// The summary as one JSON object on one line.
    pub fn to_json_line(&self) -> anyhow::Result<String> {
        serde_json::to_string(self).context("encoding the fleet summary as JSON")
    }

    /// A few lines for people.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        let mb = |b: u64| b as f64 / (1024.0 * 1024.0);
        // The open model's devices in flight follow the schedule; `concurrency` then bounds
        // only the setup's and the verification's calls, so it is not named here.
        let in_flight = match self.offered_rate {
            Some(_) => String::new(),
            None => format!(", {} in flight", self.concurrency),
        };
        s.push_str(&format!(
            "fleet: {} devices ({} macOS, {} Windows), shard {}, seed {}{in_flight}, control plane {}\n",
            self.devices, self.macos, self.windows, self.shard, self.seed, self.control_plane
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
        // In the closed model a device starts when it is due: the two distributions are one.
        let (due, from_start) = match self.offered_rate {
            Some(_) => (
                " from due",
                format!(
                    " (from each device's real start: p50 {:.1}, p99 {:.1} ms)",
                    self.service_p50_ms, self.service_p99_ms
                ),
            ),
            None => ("", String::new()),
        };
        s.push_str(&format!(
            "flow: {:.2} s, {:.0} provisions/s, latency{due} p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, p99.9 {:.1} ms, max {:.1} ms{from_start}\n",
            self.seconds,
            self.provisions_per_sec,
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.p999_ms,
            self.max_ms,
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
        if let Some(c) = &self.client_floor {
            s.push_str(&c.render_text());
        }
        if !self.thresholds.is_empty() {
            let each: Vec<String> = self.thresholds.iter().map(|t| t.describe()).collect();
            s.push_str(&format!("thresholds: {}\n", each.join("; ")));
        }
        let mut why = Vec::new();
        if !self.provisioned_exactly_once() {
            why.push("not every device was provisioned exactly once".to_string());
        }
        why.extend(
            self.thresholds
                .iter()
                .filter(|t| !t.met)
                .map(|t| format!("{} missed", t.flag)),
        );
        if why.is_empty() {
            s.push_str("verdict: PASS\n");
        } else {
            s.push_str(&format!("verdict: FAIL ({})\n", why.join("; ")));
        }
        s
    }
}
