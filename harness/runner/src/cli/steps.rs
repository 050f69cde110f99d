//! `ssap-harness steps`: the step library, as a list or as features/STEPS.md.

use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `ssap-harness steps`.
#[derive(clap::Args)]
pub(crate) struct StepsArgs {
    /// Feature files to take examples from.
    #[arg(long, default_value = "features")]
    features: PathBuf,
    /// Write the step reference as Markdown (what features/STEPS.md holds): every step with
    /// its doc comment and an example, then the test data scenarios rely on.
    #[arg(long)]
    markdown: bool,
}

/// Prints the step catalog.
pub(crate) fn steps(args: StepsArgs) -> anyhow::Result<ExitCode> {
    if args.markdown {
        let root = ssap_harness::step_doc::source_root()?;
        print!(
            "{}",
            ssap_harness::step_doc::markdown(&root, &args.features)?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut defs = ssap_harness::step_catalog::definitions();
    let problems = ssap_harness::step_catalog::attach_examples(&mut defs, &args.features);
    print!("{}", ssap_harness::step_catalog::render(&defs));
    for p in &problems {
        eprintln!("warning: no examples from {p}");
    }
    Ok(ExitCode::SUCCESS)
}
