//! What every fleet run leaves behind in its report folder: `fleet.json` (everything measured,
//! for scripts and for comparing runs) and `fleet.html` (the same as pictures, one
//! self-contained file).
//!
//! - [`model`]: what the report holds ([`FleetReport`]);
//! - [`html`]: `fleet.html`, drawn from it.

pub mod html;
pub mod model;

use std::path::{Path, PathBuf};

use anyhow::Context as _;

pub use model::{Bucket, FleetReport, Parameters};

impl FleetReport {
    /// Checks before a run that `dir` can take the reports (created if missing, a file written
    /// and removed), so a long run does not end unable to save what it measured.
    pub fn check_writable(dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the report folder {}", dir.display()))?;
        let probe = dir.join(".fleet-write-check");
        std::fs::write(&probe, b"")
            .with_context(|| format!("the report folder {} cannot be written", dir.display()))?;
        let _ = std::fs::remove_file(&probe);
        Ok(())
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
        std::fs::write(&html_path, html::render(self))
            .with_context(|| format!("writing {}", html_path.display()))?;
        Ok(vec![json_path, html_path])
    }
}
