//! What every fleet run leaves behind in its report folder: `fleet.json` (everything measured,
//! for scripts and for comparing runs) and `fleet.html` (the same as pictures, one
//! self-contained file; see [`crate::report_html`]).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Serialize;

use crate::timing::{LatencyRow, Sample};
use crate::FleetSummary;

/// The run's parameters as asked, and the command that reproduces it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Parameters {
    /// `closed`, `open (steady)` or `open (ramp)`.
    pub model: String,
    pub devices: u64,
    pub windows_share: f64,
    /// Closed model: flows in flight at once. Both models: setup and verification calls.
    pub concurrency: u64,
    /// Open model: devices started per second (the peak, with `ramp`).
    pub rate: Option<f64>,
    pub ramp: bool,
    pub rtt_ms: f64,
    pub jitter_ms: f64,
    pub seed: u64,
    pub shard: String,
    pub control_plane: String,
    pub floor: bool,
    /// `ssap-harness fleet ...` with every flag that changes the run (secrets never).
    pub command: String,
}

/// One verification bucket with its count, for the bar chart.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bucket {
    pub name: String,
    pub devices: u64,
}

/// Everything a fleet run measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FleetReport {
    pub parameters: Parameters,
    pub summary: FleetSummary,
    /// Starts, completions, devices in flight and memory, every 100 ms of the flow.
    pub timeline: Vec<Sample>,
    /// Per-device flow latency (from when each device was due; then from when it started),
    /// then each request kind's.
    pub latency: Vec<LatencyRow>,
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

    /// Writes `fleet.json` and `fleet.html` into `dir` (created if missing).
    pub fn write(&self, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the report folder {}", dir.display()))?;
        let json_path = dir.join("fleet.json");
        let json = serde_json::to_string_pretty(self).context("encoding fleet.json")?;
        std::fs::write(&json_path, json)
            .with_context(|| format!("writing {}", json_path.display()))?;
        let html_path = dir.join("fleet.html");
        std::fs::write(&html_path, crate::report_html::render(self))
            .with_context(|| format!("writing {}", html_path.display()))?;
        Ok(vec![json_path, html_path])
    }
}
