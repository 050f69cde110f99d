//! `ssap-harness run`: the suite, against the control plane the flags name.

use std::path::PathBuf;
use std::process::ExitCode;

use ssap_harness::control_plane::ControlPlaneMode;
use ssap_harness::run::RunOptions;
use ssap_shard::Shard;

/// Flags of `ssap-harness run`.
#[derive(clap::Args)]
pub(crate) struct RunArgs {
    /// Feature files, folders, or FILE:LINE (a line of a scenario, an outline or an Examples
    /// row runs that scenario, outline or row; an `Examples:` line or header runs the whole
    /// outline, use --tags to pick one table), e.g. `features/x.feature:12 features/y.feature`.
    /// Default: features/.
    #[arg(value_name = "PATH[:LINE]")]
    paths: Vec<ssap_harness::select::Target>,
    /// Feature file or folder of them (the same as a PATH argument).
    #[arg(long)]
    features: Option<PathBuf>,
    /// Only scenarios whose name matches this regular expression, e.g. "lockout|PIN".
    #[arg(long, value_name = "REGEX")]
    name: Option<String>,
    /// Where the reports go (junit.xml, cucumber.json, summary.md, index.html, results.json).
    #[arg(long, default_value = "reports")]
    report_dir: PathBuf,
    /// `embedded` (the reference server in-process on loopback), `mock` (wiremock stubs over
    /// the mock's own model, one server per scenario), or the URL of a running control plane,
    /// e.g. http://127.0.0.1:8080 (then SSAP_OPERATOR_TOKEN must be set).
    #[arg(long, default_value = "embedded")]
    control_plane: String,
    /// Mock mode: folder of stub files (*.yaml, mounted for every scenario) and scripts/.
    /// Default: fixtures/mock when it exists, else none (the mock's own model answers).
    #[arg(long)]
    mock_stubs: Option<PathBuf>,
    /// Seed of the fake data; a run prints its seed, and rerunning with it reproduces the data.
    #[arg(long)]
    seed: Option<u64>,
    /// Scenarios in flight at once (default: the number of cores).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Only scenarios matching this cucumber tag expression, e.g. "@smoke and not @windows".
    #[arg(long)]
    tags: Option<String>,
    /// Rerun a failed scenario up to N times; one that passes on a retry is reported flaky.
    #[arg(long, default_value_t = 0)]
    retries: usize,
    /// Run only slice I of N (1-based), e.g. 2/4, to split the suite across CI machines.
    #[arg(long)]
    shard: Option<Shard>,
    /// Print only failures while running.
    #[arg(long, short)]
    quiet: bool,
    /// Seconds a single step may run (or the run may go without any event) before the run is
    /// stopped: the stuck steps are named with file:line, the reports keep what ran, exit 1.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    step_timeout: u64,
    /// Operator token for a remote control plane.
    #[arg(long, env = "SSAP_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
    /// Admin API key of one existing org (with --org-connect-key, and no operator token):
    /// all scenarios share that org, as on a staging account.
    #[arg(long, env = "SSAP_ORG_API_KEY", hide_env_values = true)]
    org_api_key: Option<String>,
    /// The connect key of that org, which simulated agents register with.
    #[arg(long, env = "SSAP_ORG_CONNECT_KEY", hide_env_values = true)]
    org_connect_key: Option<String>,
}

/// Runs the suite; exit 0 when every scenario passed, 1 otherwise.
pub(crate) async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let control_plane = if args.control_plane == "embedded" {
        ControlPlaneMode::Embedded
    } else if args.control_plane == "mock" {
        ControlPlaneMode::Mock {
            stubs: args.mock_stubs.clone().or_else(|| {
                let default = PathBuf::from("fixtures/mock");
                default.is_dir().then_some(default)
            }),
        }
    } else if args.control_plane.starts_with("http://")
        || args.control_plane.starts_with("https://")
    {
        match (
            args.operator_token.clone(),
            args.org_api_key.clone(),
            args.org_connect_key.clone(),
        ) {
            (Some(token), _, _) => ControlPlaneMode::Remote {
                url: args.control_plane.clone(),
                operator_token: token,
            },
            (None, Some(api_key), Some(connect_key)) => ControlPlaneMode::RemoteSharedOrg {
                url: args.control_plane.clone(),
                api_key,
                connect_key,
            },
            _ => anyhow::bail!(
                "--control-plane {} needs either SSAP_OPERATOR_TOKEN (every scenario gets its \
                 own org, all run at once) or both SSAP_ORG_API_KEY and SSAP_ORG_CONNECT_KEY \
                 (one org, as a staging account gives; scenarios then run one at a time)",
                args.control_plane
            ),
        }
    } else {
        anyhow::bail!(
            "--control-plane {:?}: expected `embedded`, `mock` or a URL like http://127.0.0.1:8080",
            args.control_plane
        );
    };
    let mut targets = args.paths;
    if let Some(path) = args.features {
        targets.push(ssap_harness::select::Target {
            path,
            lines: Vec::new(),
        });
    }
    if targets.is_empty() {
        targets.push(ssap_harness::select::Target {
            path: PathBuf::from("features"),
            lines: Vec::new(),
        });
    }
    let options = RunOptions {
        targets,
        name: args.name,
        report_dir: args.report_dir,
        control_plane,
        seed: args
            .seed
            .unwrap_or_else(|| u64::from(rand::random::<u32>())),
        concurrency: args.concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2)
        }),
        tags: args.tags,
        retries: args.retries,
        shard: args.shard,
        quiet: args.quiet,
        step_timeout: std::time::Duration::from_secs(args.step_timeout.max(1)),
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let outcome = ssap_harness::run::run(options).await?;
    Ok(if outcome.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
