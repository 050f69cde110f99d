//! Counting and ordering shared by every writer, so that all formats agree on the numbers and
//! on the order (which is what makes a merged report equal the unsharded one).

use crate::model::{FeatureResult, RunResult, ScenarioResult, Status, StepResult};
use crate::text::strip_ansi;

impl Status {
    /// The lowercase name used in every format ("passed", "flaky", ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Flaky => "flaky",
            Status::Undefined => "undefined",
            Status::Skipped => "skipped",
        }
    }
}

/// Scenario counts by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Passed on the first attempt.
    pub passed: usize,
    /// Passed on a retry.
    pub flaky: usize,
    /// Failed.
    pub failed: usize,
    /// Had an undefined step.
    pub undefined: usize,
    /// Had steps skipped without a failure.
    pub skipped: usize,
}

impl Counts {
    /// Counts one more scenario of `status`.
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Passed => self.passed += 1,
            Status::Flaky => self.flaky += 1,
            Status::Failed => self.failed += 1,
            Status::Undefined => self.undefined += 1,
            Status::Skipped => self.skipped += 1,
        }
    }

    /// Every scenario counted.
    pub fn total(&self) -> usize {
        self.passed + self.flaky + self.failed + self.undefined + self.skipped
    }

    /// Scenarios that fail the run (failed, undefined, skipped).
    pub fn failures(&self) -> usize {
        self.failed + self.undefined + self.skipped
    }

    /// Counts of a set of scenarios.
    pub fn of<'a>(scenarios: impl IntoIterator<Item = &'a ScenarioResult>) -> Self {
        let mut c = Counts::default();
        scenarios.into_iter().for_each(|s| c.add(s.status));
        c
    }
}

impl RunResult {
    /// A copy in the one canonical order: features by uri, scenarios by line (then name).
    /// Every writer renders this, never the order the scenarios happened to finish in.
    pub fn normalized(&self) -> RunResult {
        let mut run = self.clone();
        run.features.sort_by(|a, b| a.uri.cmp(&b.uri));
        for f in &mut run.features {
            f.scenarios
                .sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.name.cmp(&b.name)));
        }
        run
    }

    /// Every scenario with its feature, in stored order.
    pub fn scenarios(&self) -> impl Iterator<Item = (&FeatureResult, &ScenarioResult)> {
        self.features
            .iter()
            .flat_map(|f| f.scenarios.iter().map(move |s| (f, s)))
    }

    /// Scenarios of the whole run by outcome.
    pub fn counts(&self) -> Counts {
        Counts::of(self.scenarios().map(|(_, s)| s))
    }

    /// The verdict every report prints: no scenario failed, and at least one ran (an empty
    /// run proves nothing, so it must not read as a pass on a release gate).
    pub fn passed(&self) -> bool {
        let c = self.counts();
        c.failures() == 0 && c.total() > 0
    }

    /// Sum of the scenario durations. Unlike `duration_ms` (wall clock), this is the same for
    /// a merged run and the unsharded one, so the deterministic parts of reports use it.
    pub fn scenario_time_ms(&self) -> u64 {
        self.scenarios().map(|(_, s)| s.duration_ms).sum()
    }
}

impl FeatureResult {
    /// Scenarios of this feature by outcome.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.scenarios)
    }
}

impl StepResult {
    /// "Then the login window shows X (features/x.feature:12)": what CI shows as the failure.
    pub fn describe(&self, uri: &str) -> String {
        format!(
            "{} {} ({}:{})",
            self.keyword.trim(),
            self.text,
            uri,
            self.line
        )
    }
}

/// Human name of an `ScenarioResult::os` value.
pub fn os_label(os: &str) -> &'static str {
    match os {
        "macos" => "macOS",
        "windows" => "Windows",
        "both" => "macOS + Windows",
        _ => "No OS tag",
    }
}

/// The fixed order of OS rows in every table.
pub const OS_ORDER: [&str; 4] = ["macos", "windows", "both", "none"];

/// Counts per OS, in [`OS_ORDER`], omitting OSes with no scenario.
pub fn counts_by_os(run: &RunResult) -> Vec<(&'static str, Counts)> {
    OS_ORDER
        .iter()
        .map(|os| {
            let c = Counts::of(run.scenarios().map(|(_, s)| s).filter(|s| s.os() == *os));
            (os_label(os), c)
        })
        .filter(|(_, c)| c.total() > 0)
        .collect()
}

/// Why a scenario failed, in one line, and the longer detail: the first step that did not
/// pass, else whatever the scenario says (a hook can fail with no step to blame).
pub fn failure_reason(uri: &str, s: &ScenarioResult) -> (String, String) {
    match s.first_failing_step() {
        Some(step) => {
            let detail = match (&step.error, step.status) {
                (Some(e), _) => e.clone(),
                (None, Status::Undefined) => {
                    "step is undefined: no step definition matches it".into()
                }
                (None, Status::Skipped) => {
                    "step was skipped: an earlier step or hook did not pass".into()
                }
                (None, st) => format!("step {}", st.as_str()),
            };
            (step.describe(uri), strip_ansi(&detail))
        }
        None => (
            format!("Scenario {} ({}:{})", s.name, uri, s.line),
            format!(
                "scenario {} with no failing step recorded; see its log",
                s.status.as_str()
            ),
        ),
    }
}

/// Total seconds with millisecond precision, as JUnit and humans read them.
pub fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The one place where shard information reaches a rendered report (the summary and the HTML
/// footer). Everything else is shard-blind, so a merged report equals the unsharded one except
/// for this line and timings.
pub fn shard_note(run: &RunResult) -> Option<String> {
    if run.shards.is_empty() {
        None
    } else {
        Some(format!("Merged from shards: {}", run.shards.join(", ")))
    }
}
