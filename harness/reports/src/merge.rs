//! results.json (the machine-readable result of a run) and the merge of shard results into one
//! run, so that `report merge` can produce the reports of the whole suite.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};

use crate::model::{FeatureResult, RunResult};
use crate::text::{redact_body, redact_path};

/// File name of the machine-readable result.
pub const RESULTS_FILE: &str = "results.json";

/// Reads a results.json written by [`write_results`].
pub fn read_results(path: &Path) -> anyhow::Result<RunResult> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a results.json of ssap-harness", path.display()))
}

/// Writes `dir/results.json` atomically. Exchange bodies and paths are redacted once more on
/// the way out, like in every other report.
pub fn write_results(run: &RunResult, dir: &Path) -> anyhow::Result<PathBuf> {
    let mut run = run.normalized();
    for f in &mut run.features {
        for s in &mut f.scenarios {
            for e in &mut s.exchanges {
                e.path = redact_path(&e.path);
                e.request_body = e.request_body.as_deref().map(redact_body);
                e.response_body = e.response_body.as_deref().map(redact_body);
            }
        }
    }
    let mut json = serde_json::to_string_pretty(&run).context("cannot serialize the run")?;
    json.push('\n');
    crate::write_atomic(&dir.join(RESULTS_FILE), json.as_bytes())
}

/// Drops a `--shard X/Y` (or `--shard=X/Y`) argument, so the merged run's reproduce command
/// runs the whole suite.
fn without_shard_arg(command: &str) -> String {
    let mut out = Vec::new();
    let mut words = command.split_whitespace();
    while let Some(w) = words.next() {
        if w == "--shard" {
            words.next();
        } else if !w.starts_with("--shard=") {
            out.push(w);
        }
    }
    if out.len() == command.split_whitespace().count() {
        // Nothing dropped: keep the command exactly as written.
        command.to_string()
    } else {
        out.join(" ")
    }
}

/// Merges the results of shards of one run. They must share the seed and the catalog (else
/// they are not shards of one run, and the error says what differs). Features are merged by
/// uri, scenarios ordered by line; a scenario found in two shards is an error, since counting
/// it twice would misstate the run. The run's `duration_ms` is the longest shard's (shards run
/// side by side); `shards` lists every shard merged.
pub fn merge(runs: Vec<RunResult>) -> anyhow::Result<RunResult> {
    let Some(first) = runs.first() else {
        bail!("nothing to merge: no results given");
    };
    for (i, r) in runs.iter().enumerate().skip(1) {
        if r.seed != first.seed {
            bail!(
                "cannot merge: result {} ({}) has seed {} but result 1 ({}) has seed {}",
                i + 1,
                label(r, i),
                r.seed,
                label(first, 0),
                first.seed
            );
        }
        if r.catalog != first.catalog {
            let ids = |r: &RunResult| r.catalog.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
            let (a, b) = (ids(first), ids(r));
            let differing: Vec<String> = a
                .iter()
                .filter(|id| !b.contains(id))
                .chain(b.iter().filter(|id| !a.contains(id)))
                .cloned()
                .chain(first.catalog.iter().filter_map(|c| {
                    r.catalog
                        .iter()
                        .find(|d| d.id == c.id && d.text != c.text)
                        .map(|_| c.id.clone())
                }))
                .collect();
            bail!(
                "cannot merge: result {} ({}) has a different catalog from result 1 ({}): {} entries vs {}, differing ids: {}",
                i + 1,
                label(r, i),
                label(first, 0),
                r.catalog.len(),
                first.catalog.len(),
                if differing.is_empty() { "(order only)".to_string() } else { differing.join(", ") }
            );
        }
    }

    let mut control_planes: Vec<&str> = Vec::new();
    for r in &runs {
        if !control_planes.contains(&r.control_plane.as_str()) {
            control_planes.push(&r.control_plane);
        }
    }
    let mut merged = RunResult {
        seed: first.seed,
        command: without_shard_arg(&first.command),
        control_plane: control_planes.join(" + "),
        shards: Vec::new(),
        features: Vec::new(),
        catalog: first.catalog.clone(),
        duration_ms: runs.iter().map(|r| r.duration_ms).max().unwrap_or(0),
        explore: None,
    };

    let mut features: BTreeMap<String, FeatureResult> = BTreeMap::new();
    // Which shard each scenario came from, to name both in a duplicate error.
    let mut seen: BTreeMap<(String, usize, String), String> = BTreeMap::new();
    for (i, r) in runs.into_iter().enumerate() {
        let this = label(&r, i);
        if r.shards.is_empty() {
            merged.shards.push(this.clone());
        } else {
            merged.shards.extend(r.shards.iter().cloned());
        }
        for f in r.features {
            for s in &f.scenarios {
                let key = (f.uri.clone(), s.line, s.name.clone());
                if let Some(other) = seen.insert(key, this.clone()) {
                    bail!(
                        "cannot merge: scenario {:?} ({}:{}) is in both {} and {}",
                        s.name,
                        f.uri,
                        s.line,
                        other,
                        this
                    );
                }
            }
            match features.get_mut(&f.uri) {
                Some(existing) => existing.scenarios.extend(f.scenarios),
                None => {
                    features.insert(f.uri.clone(), f);
                }
            }
        }
    }
    merged.features = features.into_values().collect();
    // "2/3" sorts before "10/12": by shard number when there is one, so the order the shards
    // were given in does not show.
    merged.shards.sort_by_key(|s| {
        let n = s
            .split('/')
            .next()
            .and_then(|n| n.trim().parse::<u64>().ok());
        (n.is_none(), n, s.clone())
    });
    Ok(merged.normalized())
}

/// How a result is named in messages: its shards, else its position.
fn label(r: &RunResult, index: usize) -> String {
    if r.shards.is_empty() {
        format!("run {}", index + 1)
    } else {
        format!("shard {}", r.shards.join("+"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_argument_is_dropped() {
        assert_eq!(
            without_shard_arg("ssap-harness run --seed 7 --shard 1/2 --tags @macos"),
            "ssap-harness run --seed 7 --tags @macos"
        );
        assert_eq!(
            without_shard_arg("ssap-harness run --shard=2/2"),
            "ssap-harness run"
        );
    }
}
