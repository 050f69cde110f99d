//! How the runner names feature files and the scenarios in them: the `.feature` files under a
//! path, a feature's URI (relative, '/'-separated, as reports and `FILE:LINE` show it), the key
//! of a scenario across the run, and a file that does not parse as "path:line:col: ...".
//!
//! A leaf: the selection, the collector, the journal and the World all name scenarios the same
//! way through it, without depending on each other.

use std::path::{Path, PathBuf};

use cucumber::gherkin;

/// Identifies a scenario (or an Examples row) across the run: feature path and line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScenarioKey {
    /// The feature's URI ([`feature_uri`]).
    pub uri: String,
    /// The scenario's line (an Examples row's own line for an outline).
    pub line: usize,
}

impl ScenarioKey {
    /// The key of `scenario` in `feature`.
    pub fn of(feature: &gherkin::Feature, scenario: &gherkin::Scenario) -> Self {
        Self {
            uri: feature_uri(feature),
            line: scenario.position.line,
        }
    }
}

/// The feature's path relative to the working directory, with '/' separators.
pub fn feature_uri(feature: &gherkin::Feature) -> String {
    let Some(path) = &feature.path else {
        return feature.name.clone();
    };
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| path.clone());
    rel.to_string_lossy().replace('\\', "/")
}

/// Lists the `.feature` files under `path` (for messages and the step catalog).
pub fn feature_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "feature") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A feature file that cannot be read or parsed, as "path:line:col: what was expected".
pub fn parse_file_error_text(err: &gherkin::ParseFileError) -> String {
    match err {
        gherkin::ParseFileError::Reading { path, source } => {
            format!("{}: cannot read the feature file: {source}", path.display())
        }
        gherkin::ParseFileError::Parsing {
            path,
            error,
            source,
        } => {
            // ParseError displays as "Error at LINE:COL: {expected tokens}".
            let detail = source.to_string();
            let detail = detail.trim_start_matches("Error at ");
            let path = std::env::current_dir()
                .ok()
                .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.to_path_buf()))
                .unwrap_or_else(|| path.clone());
            let mut msg = format!(
                "{}:{detail} (not valid Gherkin: the tokens listed are what may stand there)",
                path.display()
            );
            if let Some(err) = error {
                msg.push_str(&format!(" ({err})"));
            }
            msg
        }
    }
}
