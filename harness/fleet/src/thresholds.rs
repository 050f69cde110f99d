//! Limits a run must also stay within (`--max-p99`, `--min-rate`, `--max-floor-ratio`), so a
//! CI job can gate a release on a performance target as well as on every device provisioned
//! exactly once. A limit missed fails the verdict and the exit code, and says which and by how
//! much; without limits only correctness decides.

use serde::Serialize;

/// The limits asked for; `None` is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Thresholds {
    /// The device flow's p99 in ms (from when each device was due, in the open model).
    pub max_p99_ms: Option<f64>,
    /// Devices provisioned per second of the flow, at least (refused ones do not count).
    pub min_rate: Option<f64>,
    /// Flow seconds over floor seconds, at most (needs `--floor`).
    pub max_floor_ratio: Option<f64>,
}

/// What the limits are held against (from the run's summary).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// The device flow's p99 latency, ms.
    pub p99_ms: f64,
    /// Devices provisioned per second of the flow.
    pub rate: f64,
    /// Flow seconds over floor seconds, when the floor ran.
    pub floor_ratio: Option<f64>,
}

/// One limit and what the run measured against it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThresholdResult {
    /// The flag that set it: `--max-p99`, `--min-rate` or `--max-floor-ratio`.
    pub flag: String,
    /// The limit.
    pub limit: f64,
    /// What the run measured.
    pub measured: f64,
    /// Whether the measurement is within the limit.
    pub met: bool,
}

impl Thresholds {
    /// Refuses limits that are not positive numbers, and a floor ratio without the floor.
    pub fn validate(&self, floor: bool) -> anyhow::Result<()> {
        for (flag, value) in self.flags() {
            anyhow::ensure!(
                value.is_finite() && value > 0.0,
                "{flag} must be a positive, finite number, got {value}"
            );
        }
        anyhow::ensure!(
            self.max_floor_ratio.is_none() || floor,
            "--max-floor-ratio needs --floor (the floor it is a ratio to)"
        );
        Ok(())
    }

    /// The limits set, with their flags, in a fixed order.
    pub fn flags(&self) -> Vec<(&'static str, f64)> {
        [
            ("--max-p99", self.max_p99_ms),
            ("--min-rate", self.min_rate),
            ("--max-floor-ratio", self.max_floor_ratio),
        ]
        .into_iter()
        .filter_map(|(flag, v)| v.map(|v| (flag, v)))
        .collect()
    }

    /// Each limit set, held against what the run measured: the device flow's p99, the devices
    /// provisioned per second, and the flow/floor ratio when the floor ran.
    pub fn check(&self, m: &Measured) -> Vec<ThresholdResult> {
        let mut out = Vec::new();
        let mut push = |flag: &str, limit: f64, measured: f64, met: bool| {
            out.push(ThresholdResult {
                flag: flag.to_string(),
                limit,
                measured,
                met,
            })
        };
        if let Some(limit) = self.max_p99_ms {
            push("--max-p99", limit, m.p99_ms, m.p99_ms <= limit);
        }
        if let Some(limit) = self.min_rate {
            push("--min-rate", limit, m.rate, m.rate >= limit);
        }
        if let Some(limit) = self.max_floor_ratio {
            // Validation asks for --floor; a floor that did not run is a limit not met.
            let measured = m.floor_ratio.unwrap_or(f64::NAN);
            push("--max-floor-ratio", limit, measured, measured <= limit);
        }
        out
    }
}

impl ThresholdResult {
    /// `--max-p99 50 ms: 71.2 ms, missed`.
    pub fn describe(&self) -> String {
        let unit = match self.flag.as_str() {
            "--max-p99" => " ms",
            "--min-rate" => " provisions/s",
            _ => "x",
        };
        format!(
            "{} {}{unit}: {:.2}{unit}, {}",
            self.flag,
            self.limit,
            self.measured,
            if self.met { "met" } else { "missed" }
        )
    }
}
