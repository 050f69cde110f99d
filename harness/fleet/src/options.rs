//! What `ssap-harness fleet` is asked to do ([`FleetOptions`]), the command line that reruns
//! it, and the parameters as the report shows them.

use std::time::Duration;

use ssap_shard::Shard;

use crate::arrivals::Arrivals;
use crate::control_plane::{ControlPlane, OrgKeys};
use crate::progress::ProgressMode;
use crate::report;
use crate::thresholds::Thresholds;

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
    /// Embedded (default) or a running control plane.
    pub control_plane: ControlPlane,
    /// Use this org instead of creating one (so shards can share an org).
    pub org: Option<OrgKeys>,
    /// Also measure the floor and report the flow's cost as a ratio to it.
    pub floor: bool,
    /// Also run a bare client's pass and report the harness's CPU and memory per device next
    /// to it (see [`crate::cost`]).
    pub client_floor: bool,
    /// Run only this slice of the fleet.
    pub shard: Option<Shard>,
    /// Names, passwords and device facts derive from it and the global device index.
    pub seed: u64,
    /// How progress is shown while the flow runs.
    pub progress: ProgressMode,
    /// Bounds every HTTP call.
    pub http_timeout: Duration,
    /// Limits the run must also stay within to pass (`--max-p99`, ...).
    pub thresholds: Thresholds,
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
            client_floor: false,
            shard: None,
            seed: 1,
            progress: ProgressMode::Auto,
            http_timeout: Duration::from_secs(60),
            thresholds: Thresholds::default(),
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
    /// Credentials are never in it: a remote run names the variables to set instead. Where
    /// the reports go and how the summary is printed (`--report-dir`, `--json`) do not change
    /// the run and are left out.
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
        // Always written: the default has changed between versions, and in the open model it
        // still sets the setup's and the verification's calls in flight.
        c.push_str(&format!(" --concurrency {}", self.concurrency));
        if !self.rtt.is_zero() {
            c.push_str(&format!(" --rtt {}", ms(self.rtt)));
            if !self.jitter.is_zero() {
                c.push_str(&format!(" --jitter {}", ms(self.jitter)));
            }
        }
        if self.floor {
            c.push_str(" --floor");
        }
        if self.client_floor {
            c.push_str(" --client-floor");
        }
        if let Some(s) = self.shard {
            c.push_str(&format!(" --shard {s}"));
        }
        if let ControlPlane::Remote { url, .. } = &self.control_plane {
            c.push_str(&format!(" --control-plane {url}"));
        }
        for (flag, limit) in self.thresholds.flags() {
            c.push_str(&format!(" {flag} {limit}"));
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
            client_floor: self.client_floor,
            command: self.command(),
        }
    }
}

/// A duration in milliseconds, as the report and the command line give them.
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Flows in flight that keep both cores of the 2-core reference machine busy. The embedded
/// control plane's storage thread runs one batch of jobs at a time; while it does, the tokio
/// workers only have work if enough other devices are between requests. With 64 in flight
/// the storage thread ran alone (the other core idle) for 28 % of a second sampled at about
/// 70 % of a 100,000-device flow, with 256 for 15 % (`perf sched`), and the flow was 7 %
/// faster (5 runs each, alternating); 384 and 512 gave nothing more here, and latency grows
/// with the number (README, *Fleet*).
pub const DEFAULT_CONCURRENCY: usize = 256;
