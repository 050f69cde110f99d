//! What a fleet report holds: the run's parameters, its summary, timeline, latencies and
//! verification buckets.

use serde::Serialize;

use crate::summary::FleetSummary;
use crate::timing::{LatencyRow, Sample};

/// The run's parameters as asked, and the command that reproduces it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Parameters {
    /// `closed`, `open (steady)` or `open (ramp)`.
    pub model: String,
    /// Devices in the whole fleet (all shards).
    pub devices: u64,
    /// Share of Windows devices, 0..=1.
    pub windows_share: f64,
    /// Closed model: flows in flight at once. Both models: setup and verification calls.
    pub concurrency: u64,
    /// Open model: devices started per second (the peak, with `ramp`).
    pub rate: Option<f64>,
    /// Open model: the rate grew from 0 to `rate`.
    pub ramp: bool,
    /// Round trip added between devices and control plane, 0 without `--rtt`.
    pub rtt_ms: f64,
    /// Spread of that round trip.
    pub jitter_ms: f64,
    /// The seed every name and password derives from.
    pub seed: u64,
    /// `I/N`; `1/1` unsharded.
    pub shard: String,
    /// `embedded` or the URL.
    pub control_plane: String,
    /// Whether the floor was measured.
    pub floor: bool,
    /// Whether the bare client's pass ran (`--client-floor`).
    pub client_floor: bool,
    /// `ssap-harness fleet ...` with every flag that changes the run (secrets never).
    pub command: String,
}

/// One verification bucket with its count, for the bar chart.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    /// The verdict bucket (`provisioned`, `refused: <reason>`, ...).
    pub name: String,
    /// Devices in it.
    pub devices: u64,
}

/// Everything a fleet run measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FleetReport {
    /// What was asked.
    pub parameters: Parameters,
    /// What was found.
    pub summary: FleetSummary,
    /// Starts, completions, devices in flight and memory, every 100 ms of the flow.
    pub timeline: Vec<Sample>,
    /// Per-device flow latency (from when each device was due; then from when it started),
    /// then each request kind's.
    pub latency: Vec<LatencyRow>,
    /// The verification buckets, for the bar chart.
    pub buckets: Vec<Bucket>,
}

impl FleetReport {
    /// Every device lands in one of the first six; `incomplete` is a subset of provisioned,
    /// and each refusal reason is listed under `refused`.
    pub fn buckets_of(s: &FleetSummary) -> Vec<Bucket> {
        let b = |name: &str, devices| Bucket {
            name: name.to_string(),
            devices,
        };
        let mut v = vec![
            b("provisioned", s.provisioned),
            b("refused", s.refused),
            b("duplicates", s.duplicates),
            b("half_made", s.half_made),
            b("mismatched", s.mismatched),
            b("unverified", s.unverified),
            b("incomplete (of provisioned)", s.incomplete),
        ];
        for (why, n) in &s.refused_by_reason {
            v.push(b(&format!("refused: {why}"), *n));
        }
        v
    }
}
