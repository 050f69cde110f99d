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
    /// How the figures read (` ms`, ` provisions/s`, `x`).
    #[serde(skip)]
    unit: &'static str,
}

/// The kinds of limit: each knows its flag, its unit, what it is held against and which way.
#[derive(Debug, Clone, Copy)]
enum Limit {
    MaxP99,
    MinRate,
    MaxFloorRatio,
}

impl Limit {
    /// In the order they are checked, printed and written into the rerun command.
    const ALL: [Limit; 3] = [Limit::MaxP99, Limit::MinRate, Limit::MaxFloorRatio];

    fn flag(self) -> &'static str {
        match self {
            Limit::MaxP99 => "--max-p99",
            Limit::MinRate => "--min-rate",
            Limit::MaxFloorRatio => "--max-floor-ratio",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Limit::MaxP99 => " ms",
            Limit::MinRate => " provisions/s",
            Limit::MaxFloorRatio => "x",
        }
    }

    fn asked(self, t: &Thresholds) -> Option<f64> {
        match self {
            Limit::MaxP99 => t.max_p99_ms,
            Limit::MinRate => t.min_rate,
            Limit::MaxFloorRatio => t.max_floor_ratio,
        }
    }

    fn measured(self, m: &Measured) -> f64 {
        match self {
            Limit::MaxP99 => m.p99_ms,
            Limit::MinRate => m.rate,
            // Validation asks for --floor; a floor that did not run is a limit not met (NaN
            // compares false).
            Limit::MaxFloorRatio => m.floor_ratio.unwrap_or(f64::NAN),
        }
    }

    fn met(self, limit: f64, measured: f64) -> bool {
        match self {
            Limit::MinRate => measured >= limit,
            Limit::MaxP99 | Limit::MaxFloorRatio => measured <= limit,
        }
    }
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
        Limit::ALL
            .into_iter()
            .filter_map(|l| l.asked(self).map(|v| (l.flag(), v)))
            .collect()
    }

    /// Each limit set, held against what the run measured: the device flow's p99, the devices
    /// provisioned per second, and the flow/floor ratio when the floor ran.
    pub fn check(&self, m: &Measured) -> Vec<ThresholdResult> {
        Limit::ALL
            .into_iter()
            .filter_map(|l| {
                let limit = l.asked(self)?;
                let measured = l.measured(m);
                Some(ThresholdResult {
                    flag: l.flag().to_string(),
                    limit,
                    measured,
                    met: l.met(limit, measured),
                    unit: l.unit(),
                })
            })
            .collect()
    }
}

impl ThresholdResult {
    /// `--max-p99 50 ms: 71.20 ms, missed`.
    pub fn describe(&self) -> String {
        let unit = self.unit;
        format!(
            "{} {}{unit}: {:.2}{unit}, {}",
            self.flag,
            self.limit,
            self.measured,
            if self.met { "met" } else { "missed" }
        )
    }
}
