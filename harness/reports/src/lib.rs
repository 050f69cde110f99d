//! Report writers of ssap-harness. Each reads a [`RunResult`]; none listens to the runner.
//!
//! Every writer is a pure function from a [`RunResult`] to a `String`, rendering the run in
//! one canonical order ([`RunResult::normalized`]) so that the report of merged shards equals
//! the report of the unsharded run apart from timings and the one shard line
//! ([`stats::shard_note`]). [`write_all`] writes them all, each file atomically.

#![warn(missing_docs)]

pub mod coverage;
pub mod cucumber_json;
mod explore_section;
pub mod html;
pub mod junit;
pub mod merge;
pub mod model;
pub mod stats;
pub mod summary_md;
pub mod text;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

pub use coverage::{coverage, CoverageRow, CoverageStatus};
pub use merge::{merge, read_results, write_results};
pub use model::*;
pub use stats::Counts;

/// A report writer: a pure function of the run.
pub type Render = fn(&RunResult) -> String;

/// File names written by [`write_all`], with their renderers.
pub const REPORTS: &[(&str, Render)] = &[
    ("junit.xml", junit::render),
    ("cucumber.json", cucumber_json::render),
    ("summary.md", summary_md::render),
    ("index.html", html::render),
];

/// Writes every report and results.json into `dir` (created if missing), returning the paths
/// written. Each file is replaced atomically, so a crash or a full disk never leaves half a
/// report where CI or a person would read it.
pub fn write_all(run: &RunResult, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the report directory {}", dir.display()))?;
    let mut written = Vec::new();
    for (name, render) in REPORTS {
        written.push(write_atomic(&dir.join(name), render(run).as_bytes())?);
    }
    written.push(write_results(run, dir)?);
    Ok(written)
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk, then renames it over
/// `path`. Rename within one directory is atomic on the filesystems CI uses.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .with_context(|| format!("{} names no file", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> anyhow::Result<()> {
        let mut f =
            fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot flush {}", tmp.display()))?;
        fs::rename(&tmp, path)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        // Best effort: the error being reported matters more than a leftover temp file.
        let _ = fs::remove_file(&tmp);
    }
    result.map(|()| path.to_path_buf())
}
