//! `ssap-harness coverage` and `ssap-harness report merge`: working with written results.

use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `ssap-harness coverage`.
#[derive(clap::Args)]
pub(crate) struct CoverageArgs {
    /// The results of the run to judge (written by every `run`).
    #[arg(long, default_value = "reports/results.json")]
    results: PathBuf,
}

#[derive(clap::Subcommand)]
pub(crate) enum ReportCommand {
    /// Merge the results of shards (`run --shard I/N --report-dir DIR`) into one set of
    /// reports. Exits 1 when the merged run failed.
    Merge {
        /// Report folders of the shards, each holding a results.json.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where the merged reports go.
        #[arg(long, default_value = "reports")]
        out: PathBuf,
    },
}

/// Runs a `report` subcommand.
pub(crate) fn report(command: ReportCommand) -> anyhow::Result<ExitCode> {
    match command {
        ReportCommand::Merge { dirs, out } => merge(dirs, out),
    }
}

/// Prints the traceability matrix; exit 1 while an id is failing (any of its scenarios
/// failed) or not covered (none carries it).
pub(crate) fn coverage(args: CoverageArgs) -> anyhow::Result<ExitCode> {
    use ssap_reports::coverage::{coverage, tally, unknown_ids, CoverageStatus};
    if !args.results.exists() {
        anyhow::bail!(
            "no results at {}: run `ssap-harness run` first (or pass --results PATH)",
            args.results.display()
        );
    }
    let run = ssap_reports::read_results(&args.results)?;
    if run.catalog.is_empty() {
        anyhow::bail!(
            "{} holds no catalog: the run found no features/catalog.md",
            args.results.display()
        );
    }
    let rows = coverage(&run);
    for row in &rows {
        println!("{}  {:<15}  {}", row.id, row.status.as_str(), row.text);
        for s in &row.scenarios {
            println!("       - {s}");
        }
    }
    for (id, users) in unknown_ids(&run) {
        println!(
            "warning: tag @{id} is not in the catalog; used by {}",
            users.join(", ")
        );
    }
    let (passing, failing, missing) = tally(&rows);
    println!(
        "\ncoverage: {passing}/{} ids with passing scenarios, {failing} failing, {missing} not covered (seed {})",
        rows.len(),
        run.seed
    );
    let gaps: Vec<&str> = rows
        .iter()
        .filter(|r| r.status != CoverageStatus::CoveredPassing)
        .map(|r| r.id.as_str())
        .collect();
    if gaps.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "ids failing (a scenario failed or had an undefined step) or not covered (no scenario): {}",
            gaps.join(", ")
        );
        Ok(ExitCode::from(1))
    }
}

fn merge(dirs: Vec<PathBuf>, out: PathBuf) -> anyhow::Result<ExitCode> {
    let mut runs = Vec::new();
    for d in &dirs {
        runs.push(ssap_reports::read_results(&d.join("results.json"))?);
    }
    let merged = ssap_reports::merge(runs)?;
    let files = ssap_reports::write_all(&merged, &out)?;
    let passed = merged.passed();
    println!(
        "{}: merged {} shard(s) into {}",
        if passed { "PASSED" } else { "FAILED" },
        dirs.len(),
        files
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
