//! The traceability of the behaviour catalog: which scenarios check each requirement id, and
//! whether they pass. Shared by the HTML matrix, the Markdown summary and `ssap-harness coverage`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{RunResult, Status};

/// Where a requirement stands in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageStatus {
    /// At least one scenario covers it and every one of them passed (flaky counts as passed).
    CoveredPassing,
    /// At least one covering scenario failed: the requirement is not met, whatever else passed.
    Failing,
    /// No scenario carries its tag.
    NotCovered,
}

impl CoverageStatus {
    /// The word reports print for it.
    pub fn as_str(self) -> &'static str {
        match self {
            CoverageStatus::CoveredPassing => "covered-passing",
            CoverageStatus::Failing => "failing",
            CoverageStatus::NotCovered => "not covered",
        }
    }
}

/// A scenario covering a requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScenarioRef {
    /// The feature file.
    pub uri: String,
    /// The scenario's line.
    pub line: usize,
    /// The scenario's name.
    pub name: String,
    /// How it ended.
    pub status: Status,
}

/// One row of the traceability matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    /// The catalog id, e.g. "R11".
    pub id: String,
    /// The behaviour in the catalog's words.
    pub text: String,
    /// "Scenario name (features/x.feature:12)", in report order.
    pub scenarios: Vec<String>,
    /// Covered and passing, failing, or not covered.
    pub status: CoverageStatus,
    /// The same scenarios, structured, for writers that link to them.
    pub refs: Vec<ScenarioRef>,
}

/// One row per catalog entry, in catalog order.
pub fn coverage(run: &RunResult) -> Vec<CoverageRow> {
    let run = run.normalized();
    let mut by_id: BTreeMap<&str, Vec<ScenarioRef>> = BTreeMap::new();
    for (f, s) in run.scenarios() {
        for id in s.requirement_ids() {
            by_id.entry(id).or_default().push(ScenarioRef {
                uri: f.uri.clone(),
                line: s.line,
                name: s.name.clone(),
                status: s.status,
            });
        }
    }
    run.catalog
        .iter()
        .map(|entry| {
            let refs = by_id.get(entry.id.as_str()).cloned().unwrap_or_default();
            let status = if refs.is_empty() {
                CoverageStatus::NotCovered
            } else if refs.iter().any(|r| r.status.is_failure()) {
                CoverageStatus::Failing
            } else {
                CoverageStatus::CoveredPassing
            };
            CoverageRow {
                id: entry.id.clone(),
                text: entry.text.clone(),
                scenarios: refs
                    .iter()
                    .map(|r| format!("{} ({}:{})", r.name, r.uri, r.line))
                    .collect(),
                status,
                refs,
            }
        })
        .collect()
}

/// Requirement tags used by scenarios that name no catalog entry (typos such as @R99), each
/// with the scenarios using it: a tag that matches nothing silently covers nothing.
pub fn unknown_ids(run: &RunResult) -> Vec<(String, Vec<String>)> {
    let run = run.normalized();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (f, s) in run.scenarios() {
        for id in s.requirement_ids() {
            if !run.catalog.iter().any(|c| c.id == id) {
                found
                    .entry(id.to_string())
                    .or_default()
                    .push(format!("{} ({}:{})", s.name, f.uri, s.line));
            }
        }
    }
    found.into_iter().collect()
}

/// Counts of rows by status: (covered-passing, failing, not covered).
pub fn tally(rows: &[CoverageRow]) -> (usize, usize, usize) {
    let n = |st| rows.iter().filter(|r| r.status == st).count();
    (
        n(CoverageStatus::CoveredPassing),
        n(CoverageStatus::Failing),
        n(CoverageStatus::NotCovered),
    )
}
