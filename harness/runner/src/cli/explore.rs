//! `ssap-harness explore`: the command-line face of `ssap-explore` (differential random walks
//! over the API and simulated devices, device rules checked, shrunk counterexamples).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use ssap_explore::{Options, Pair, Side};

/// Flags of `ssap-harness explore`.
#[derive(clap::Args)]
pub struct ExploreArgs {
    /// Actions to play in all (episodes of 150 actions, each in a fresh org).
    #[arg(long, default_value_t = 20_000)]
    actions: usize,
    /// Stop after this many seconds even if fewer actions ran.
    #[arg(long)]
    time: Option<u64>,
    /// Seed of the walk; a failing run prints it, and the same seed replays the same walk.
    #[arg(long)]
    seed: Option<u64>,
    /// The control plane checked against the mock's model: `embedded` (the reference server
    /// in-process) or the URL of a running one (then SSAP_OPERATOR_TOKEN must be set).
    #[arg(long, default_value = "embedded")]
    control_plane: String,
    /// Operator token for a control plane at a URL.
    #[arg(long, env = "SSAP_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
    /// Devices an episode registers at most (over the API or simulated, macOS and Windows,
    /// supported and not, drawn at random): 1 to 255. More devices spread the same actions
    /// thinner; fewer make each device's history longer.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=255))]
    devices: u64,
    /// Where `explore/summary.json` and any counterexample go.
    #[arg(long, default_value = "reports")]
    report_dir: PathBuf,
}

/// Runs the exploration; exit 0 when the two sides agreed throughout and no device broke a
/// rule, 1 otherwise.
pub async fn explore(args: ExploreArgs) -> anyhow::Result<ExitCode> {
    let seed = args
        .seed
        .unwrap_or_else(|| u64::from(rand::random::<u32>()));
    let left = match args.control_plane.as_str() {
        "embedded" => Side::embedded().await?,
        url if url.starts_with("http://") || url.starts_with("https://") => Side::Remote {
            url: url.trim_end_matches('/').to_string(),
            token: args.operator_token.clone().context(
                "--control-plane URL needs the operator token (--operator-token or SSAP_OPERATOR_TOKEN)",
            )?,
        },
        other => anyhow::bail!(
            "--control-plane {other:?}: expected `embedded` or a URL like http://127.0.0.1:8080"
        ),
    };
    let pair = Pair::new(left, Side::mock().await?)?.with_devices(args.devices as usize);
    println!(
        "ssap-harness explore: {} against the {}, seed {seed} (rerun with --seed {seed}), {} actions",
        pair.left.name(),
        pair.right.name(),
        args.actions
    );
    let opts = Options {
        seed,
        actions: args.actions,
        time_limit: args.time.map(Duration::from_secs),
    };
    let summary = ssap_explore::explore(&pair, &opts).await?;
    let dir = args.report_dir.join("explore");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("summary.json");
    let text = serde_json::to_string_pretty(&summary).context("encoding the summary")?;
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    let rate = summary.actions_run as f64 / summary.seconds.max(1e-9);
    println!(
        "{} actions in {} episodes, {:.1} s ({rate:.0} actions/s); summary: {}",
        summary.actions_run,
        summary.episodes,
        summary.seconds,
        path.display()
    );
    let devices = if args.devices == 4 {
        String::new()
    } else {
        format!(" --devices {}", args.devices)
    };
    let explored = format!(
        "ssap-harness explore --seed {seed} --actions {}{devices} --control-plane {}",
        args.actions, args.control_plane
    );
    let mut digest = ssap_reports::ExploreDigest {
        seed,
        command: explored.clone(),
        sides: [pair.left.name().to_string(), pair.right.name().to_string()],
        actions_run: summary.actions_run,
        episodes: summary.episodes,
        seconds: summary.seconds,
        actions_by_kind: summary.coverage.clone().into_iter().collect(),
        actions_by_id: summary.catalog.clone().into_iter().collect(),
        screens_reached: summary.screens.clone().into_iter().collect(),
        counterexample: None,
    };
    let Some(c) = &summary.counterexample else {
        println!(
            "AGREED: the two control planes answered every action alike, and no device broke a rule"
        );
        add_to_suite_report(&args.report_dir, digest)?;
        return Ok(ExitCode::SUCCESS);
    };
    let verdict = if c.divergence.left.is_failure() || c.divergence.right.is_failure() {
        "A DEVICE BROKE A RULE"
    } else {
        "DISAGREED"
    };
    println!(
        "{verdict} in episode {} after {} actions; shrunk to {}:",
        c.episode,
        c.original_len,
        c.actions.len()
    );
    for (i, a) in c.actions.iter().enumerate() {
        println!("  {:>3}. {a}", i + 1);
    }
    let one_line = |o: &ssap_explore::Observation| {
        serde_json::to_string(o).unwrap_or_else(|e| format!("(not JSON: {e})"))
    };
    println!(
        "  action {}, {}: {}",
        c.divergence.index + 1,
        c.left,
        one_line(&c.divergence.left)
    );
    println!(
        "  action {}, {}: {}",
        c.divergence.index + 1,
        c.right,
        one_line(&c.divergence.right)
    );
    let feature = dir.join(ssap_explore::counterexample::file_name(c));
    let run = match args.control_plane.as_str() {
        "embedded" => format!("ssap-harness run --features {}", feature.display()),
        url => format!(
            "ssap-harness run --features {} --control-plane {url}",
            feature.display()
        ),
    };
    let text = ssap_explore::counterexample::feature_text(c, &explored, &run);
    std::fs::write(&feature, text).with_context(|| format!("writing {}", feature.display()))?;
    println!("reproduce: {explored}");
    println!("as a scenario: {} (run it: {run})", feature.display());
    let answer = ssap_explore::Observation::readable;
    digest.counterexample = Some(ssap_reports::ExploreCounterexample {
        episode: c.episode,
        original_len: c.original_len,
        actions: c.actions.iter().map(ToString::to_string).collect(),
        index: c.divergence.index,
        answers: [answer(&c.divergence.left), answer(&c.divergence.right)],
        feature: feature.display().to_string(),
    });
    add_to_suite_report(&args.report_dir, digest)?;
    Ok(ExitCode::from(1))
}

/// Adds the Explore section to the suite's reports in `dir` (rewritten from its results.json)
/// when a suite ran there; otherwise says where the section would go.
fn add_to_suite_report(
    dir: &std::path::Path,
    digest: ssap_reports::ExploreDigest,
) -> anyhow::Result<()> {
    let results = dir.join("results.json");
    if !results.exists() {
        println!(
            "no suite report in {} to add an Explore section to (run the suite with --report-dir {} first)",
            dir.display(),
            dir.display()
        );
        return Ok(());
    }
    let mut run = ssap_reports::read_results(&results)?;
    run.explore = Some(digest);
    ssap_reports::write_all(&run, dir)?;
    println!(
        "Explore section added to {}",
        dir.join("index.html").display()
    );
    Ok(())
}
