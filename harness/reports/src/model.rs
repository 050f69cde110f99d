//! The result of one run, as every report writer reads it. The runner fills it from cucumber's
//! events; `report merge` rebuilds it from the `results.json` of several shards. Keeping one
//! model (rather than letting each writer listen to cucumber) is what makes merged and
//! unsharded reports identical, and lets flaky scenarios be told apart from passed ones.

use serde::{Deserialize, Serialize};
use ssap_api::Exchange;

/// Outcome of a scenario or step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every step passed on the first attempt.
    Passed,
    /// A step failed (after every retry).
    Failed,
    /// Failed at first, passed on a retry: never counted as plain passed.
    Flaky,
    /// A step had no definition: a failure of the run.
    Undefined,
    /// Not run because an earlier step failed or was undefined.
    Skipped,
}

impl Status {
    /// Does this outcome fail the run? (Flaky passes the gate but is reported.)
    pub fn is_failure(self) -> bool {
        matches!(self, Status::Failed | Status::Undefined | Status::Skipped)
    }
}

/// A whole run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The fake-data seed; rerunning with it reproduces the data.
    pub seed: u64,
    /// The command line that reproduces this run.
    pub command: String,
    /// "embedded", "mock" or the remote URL.
    pub control_plane: String,
    /// Shards merged into this result, e.g. ["1/2", "2/2"]; empty for an unsharded run.
    pub shards: Vec<String>,
    /// The features that ran, in path order.
    pub features: Vec<FeatureResult>,
    /// The behaviour catalog (R01..R61) for the traceability matrix.
    pub catalog: Vec<CatalogEntry>,
    /// Wall time of the whole run.
    pub duration_ms: u64,
    /// The last `ssap-harness explore` run into the same report directory, added by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explore: Option<ExploreDigest>,
}

/// What an exploration did, for the HTML report's Explore section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExploreDigest {
    /// The exploration's seed.
    pub seed: u64,
    /// The command that reproduces it.
    pub command: String,
    /// The two control planes compared, e.g. "reference server (embedded)", "mock model".
    pub sides: [String; 2],
    /// Actions played, episodes, wall time.
    pub actions_run: usize,
    /// Episodes (fresh orgs) started.
    pub episodes: usize,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Actions sent per kind ("Authenticate": 15000).
    pub actions_by_kind: Vec<(String, usize)>,
    /// Actions sent per catalog id they exercise ("R42": 9000).
    pub actions_by_id: Vec<(String, usize)>,
    /// Simulated devices' screens left on screen by device actions, by title: how deep the
    /// walks got into sign-ins.
    #[serde(default)]
    pub screens_reached: Vec<(String, usize)>,
    /// The shrunk disagreement, when there was one.
    pub counterexample: Option<ExploreCounterexample>,
}

/// A shrunk disagreement as the report shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExploreCounterexample {
    /// The episode that disagreed and how many actions it had played.
    pub episode: usize,
    /// Actions before shrinking.
    pub original_len: usize,
    /// The shrunk actions as the steps' sentences.
    pub actions: Vec<String>,
    /// The action (0-based) answered differently.
    pub index: usize,
    /// Each side's answer to it.
    pub answers: [String; 2],
    /// Where the `.feature` file was written.
    pub feature: String,
}

/// One catalog row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// "R01".."R63".
    pub id: String,
    /// The behaviour in the catalog's words.
    pub text: String,
}

/// One .feature file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureResult {
    /// Path relative to the working directory, e.g. "features/macos_first_use.feature".
    pub uri: String,
    /// The feature's name.
    pub name: String,
    /// The text under the Feature line.
    pub description: String,
    /// The feature's tags, without '@'.
    pub tags: Vec<String>,
    /// Its scenarios that ran, in line order.
    pub scenarios: Vec<ScenarioResult>,
}

/// One scenario (or one Examples row of an outline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: String,
    /// Its line (an Examples row's own line for an outline).
    pub line: usize,
    /// Tags without '@', the feature's included.
    pub tags: Vec<String>,
    /// How it ended.
    pub status: Status,
    /// 1 + retries taken.
    pub attempts: u32,
    /// Wall time of all attempts.
    pub duration_ms: u64,
    /// Steps of the last attempt (the first failed attempt's steps are in `log`).
    pub steps: Vec<StepResult>,
    /// Free-form log: seed, org, device ids, failed earlier attempts.
    pub log: String,
    /// HTTP exchanges of the scenario, secrets already redacted.
    pub exchanges: Vec<Exchange>,
}

impl ScenarioResult {
    /// Catalog ids this scenario covers (tags like "R11").
    pub fn requirement_ids(&self) -> impl Iterator<Item = &str> {
        self.tags.iter().map(String::as_str).filter(|t| {
            t.len() > 1 && t.starts_with('R') && t[1..].chars().all(|c| c.is_ascii_digit())
        })
    }

    /// "macos", "windows", or "both"/"none" from the @macos / @windows tags.
    pub fn os(&self) -> &'static str {
        let mac = self.tags.iter().any(|t| t == "macos");
        let win = self.tags.iter().any(|t| t == "windows");
        match (mac, win) {
            (true, false) => "macos",
            (false, true) => "windows",
            (true, true) => "both",
            (false, false) => "none",
        }
    }

    /// The first step that did not pass, if any.
    pub fn first_failing_step(&self) -> Option<&StepResult> {
        self.steps.iter().find(|s| s.status != Status::Passed)
    }
}

/// One step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// "Given ", "When ", "Then ", "And ", "But " as written.
    pub keyword: String,
    /// The step's text after the keyword.
    pub text: String,
    /// Its line in the feature file.
    pub line: usize,
    /// How it ended.
    pub status: Status,
    /// How long it took.
    pub duration_ns: u64,
    /// The assertion's message or the error, for failed and undefined steps.
    pub error: Option<String>,
    /// The endpoint screen after this step, when the step changed it.
    pub screen: Option<Screen>,
}

/// A rendered endpoint screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Screen {
    /// Which device, e.g. "macOS mac-01".
    pub device: String,
    /// The screen as text.
    pub text: String,
    /// A self-contained SVG document.
    pub svg: String,
}
