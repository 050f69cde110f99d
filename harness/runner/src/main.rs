//! `ssap-harness`: conformance tests for Self-Service Account Provisioning on simulated macOS
//! and Windows endpoints. See the README for the two commands a newcomer needs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod explore_cmd;

use ssap_harness::control_plane::ControlPlaneMode;
use ssap_harness::run::RunOptions;
use ssap_shard::Shard;

#[derive(Parser)]
#[command(
    name = "ssap-harness",
    version,
    about = "Conformance harness for Self-Service Account Provisioning (SSAP)",
    long_about = "Runs Gherkin scenarios on simulated macOS and Windows endpoints against a \
                  control plane (the embedded reference server by default), and writes JUnit, \
                  Cucumber JSON, Markdown and HTML reports.\n\n\
                  Quick start:\n  ssap-harness run                 # whole suite, reports in reports/\n  \
                  ssap-harness run --tags @smoke   # the fast subset\n  \
                  ssap-harness serve --listen 127.0.0.1:8080 --db ssap.db"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the feature files and write the reports. Exit code 0: every scenario passed; 1: a
    /// scenario failed, had an undefined step, or nothing ran; 2: a usage or infrastructure
    /// error (bad flag, a feature file that does not parse, a control plane that cannot be
    /// reached or refuses the credentials), before any scenario ran.
    Run(RunArgs),
    /// Run the reference control plane on its own (for remote mode, staging, or several
    /// servers sharing PostgreSQL). Warnings and errors go to stderr (`RUST_LOG=info` for more);
    /// Ctrl-C or SIGTERM stops it cleanly.
    Serve(ServeArgs),
    /// List every step definition with where it is defined and an example from the features.
    Steps(StepsArgs),
    /// Print the catalog's traceability matrix (id, text, scenarios, last result) from the
    /// last run's results.json. Exits 1 when any id has no passing scenario.
    Coverage(CoverageArgs),
    /// Work with written reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Load mode: N simulated endpoints run the whole first-use flow, either C at a time
    /// (closed model, --concurrency) or R per second on a schedule (open model, --rate),
    /// optionally over internet latency (--rtt); then every device is checked for exactly one
    /// association. Writes fleet.json and fleet.html into --report-dir. Exits 1 unless all
    /// were provisioned exactly once.
    Fleet(FleetArgs),
    /// Random walks over the API played on the control plane and on the mock's model at once,
    /// compared after every action; a disagreement is shrunk to the shortest sequence that
    /// still disagrees and printed with its seed. Exits 1 on a disagreement.
    Explore(explore_cmd::ExploreArgs),
}

#[derive(clap::Args)]
struct FleetArgs {
    /// Devices in the fleet (all shards together).
    #[arg(long)]
    devices: u32,
    /// Share of Windows devices, 0 to 1 (the rest are Macs).
    #[arg(long, default_value_t = 0.5)]
    windows_share: f64,
    /// Closed model: device flows in flight at once; the next device starts when one ends
    /// (for throughput runs). Also the admin calls in flight during setup and verification.
    #[arg(long, default_value_t = ssap_fleet::DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Open model: start R devices per second on a schedule, whether or not earlier ones have
    /// finished, as real endpoints do. Latency then counts from each device's scheduled start,
    /// so an overloaded server shows up in the percentiles (and in "late starts").
    #[arg(long, value_name = "R")]
    rate: Option<f64>,
    /// With --rate: grow the rate linearly from 0 to R over the run (which then lasts 2N/R s).
    #[arg(long, requires = "rate")]
    ramp: bool,
    /// Round-trip time in ms between every device and the control plane: devices connect
    /// through a loopback proxy that delays bytes by rtt/2 each way (and a new connection by
    /// one round trip), and each device opens its own connections. Thousands of devices in
    /// flight need thousands of descriptors: see `ulimit -n`.
    #[arg(long, value_name = "MS", default_value_t = 0.0)]
    rtt: f64,
    /// With --rtt: each round trip varies uniformly by ±MS/2 (seeded by --seed).
    #[arg(long, value_name = "MS", default_value_t = 0.0, requires = "rtt")]
    jitter: f64,
    /// Where fleet.json and fleet.html go.
    #[arg(long, default_value = "reports/fleet")]
    report_dir: PathBuf,
    /// `embedded` or the URL of a running control plane.
    #[arg(long, default_value = "embedded")]
    control_plane: String,
    /// Print the summary as one JSON object on the last line of stdout.
    #[arg(long)]
    json: bool,
    /// Also time as many bare HTTP round trips and SQLite transactions as the flow made, and
    /// print the flow's cost as a ratio to that floor.
    #[arg(long)]
    floor: bool,
    /// Run only slice I of N (1-based), e.g. 2/4, for several machines on one control plane.
    #[arg(long)]
    shard: Option<Shard>,
    /// Seed of the fleet's names; slices of one fleet must share it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Operator token of a remote control plane (creates the fleet's org).
    #[arg(long, env = "SSAP_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
    /// Admin API key of an existing org to run in (with --org-connect-key), so shards share
    /// it. The same variables as `run` takes for one org.
    #[arg(
        long = "org-api-key",
        alias = "api-key",
        env = "SSAP_ORG_API_KEY",
        hide_env_values = true,
        requires = "connect_key"
    )]
    api_key: Option<String>,
    /// Connect key of that org.
    #[arg(
        long = "org-connect-key",
        alias = "connect-key",
        env = "SSAP_ORG_CONNECT_KEY",
        hide_env_values = true,
        requires = "api_key"
    )]
    connect_key: Option<String>,
}

#[derive(clap::Args)]
struct CoverageArgs {
    /// The results of the run to judge (written by every `run`).
    #[arg(long, default_value = "reports/results.json")]
    results: PathBuf,
}

#[derive(Subcommand)]
enum ReportCommand {
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

#[derive(clap::Args)]
struct StepsArgs {
    /// Feature files to take examples from.
    #[arg(long, default_value = "features")]
    features: PathBuf,
    /// Write the step reference as Markdown (what features/STEPS.md holds): every step with
    /// its doc comment and an example, then the test data scenarios rely on.
    #[arg(long)]
    markdown: bool,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Feature files, folders, or FILE:LINE (a line of a scenario, an outline or an Examples
    /// row runs that scenario, outline or row), e.g. `features/x.feature:12 features/y.feature`.
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
    #[arg(long, default_value = "fixtures/mock")]
    mock_stubs: PathBuf,
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

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free one. The first line printed is the URL.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// Where the data lives: a SQLite file (created if missing; data survives restarts), or a
    /// PostgreSQL URL `postgres://USER:PASSWORD@HOST:PORT/DB` that several `serve` instances
    /// behind a load balancer may share (tables are created if missing). TLS as libpq's
    /// `?sslmode=` says: disable, prefer (default), require, verify-ca, verify-full; the CA
    /// in `&sslrootcert=PATH` or --db-ca-file. Prefer the environment variable for a URL with
    /// a password: command lines are visible to `ps`.
    #[arg(
        long,
        env = "SSAP_DATABASE",
        hide_env_values = true,
        default_value = "ssap-control-plane.db"
    )]
    db: String,
    /// PostgreSQL only: PEM file of the CA that signed the database server's certificate,
    /// checked against it (same as `sslrootcert=PATH` in the URL; without an `sslmode` there,
    /// verify-full).
    #[arg(long, env = "SSAP_DATABASE_CA_FILE")]
    db_ca_file: Option<std::path::PathBuf>,
    /// Token that may create orgs (POST /api/operator/orgs).
    #[arg(long, env = "SSAP_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: String,
    /// Password hash cost: `default` (safe) or `test` (cheap, for test and load runs only).
    #[arg(long, default_value = "default", value_parser = ["default", "test"])]
    hash_cost: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Run(args) => run(args).await,
            Command::Serve(args) => serve(args).await,
            Command::Steps(args) => steps(args),
            Command::Coverage(args) => coverage(args),
            Command::Report(ReportCommand::Merge { dirs, out }) => merge(dirs, out),
            Command::Fleet(args) => fleet(args).await,
            Command::Explore(args) => explore_cmd::explore(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let control_plane = if args.control_plane == "embedded" {
        ControlPlaneMode::Embedded
    } else if args.control_plane == "mock" {
        ControlPlaneMode::Mock {
            stubs: args.mock_stubs.clone(),
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
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let outcome = ssap_harness::run::run(options).await?;
    Ok(if outcome.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    use ssap_control_plane::{Config, HashCost};
    init_server_log();
    if args.operator_token.trim().len() < 16 {
        anyhow::bail!("the operator token must be at least 16 characters");
    }
    let mut database = ssap_control_plane::Database::parse(&args.db);
    if let Some(ca) = &args.db_ca_file {
        database = database
            .with_ca_file(ca)
            .map_err(|e| anyhow::anyhow!("--db-ca-file: {e}"))?;
    }
    let config = Config {
        database: database.clone(),
        operator_token: args.operator_token,
        hash_cost: if args.hash_cost == "test" {
            HashCost::Test
        } else {
            HashCost::Default
        },
    };
    let server = ssap_control_plane::start(config, args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot start the control plane: {e}"))?;
    println!(
        "ssap control plane listening on {} ({database})",
        server.url()
    );
    let signal = stop_signal().await;
    eprintln!("{signal}: shutting down");
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// The server's warnings and errors (a failed storage job, a database reconnect) on stderr;
/// `RUST_LOG` (e.g. `RUST_LOG=info`, `RUST_LOG=ssap_control_plane=debug`) shows more.
fn init_server_log() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Waits for Ctrl-C or, on Unix, SIGTERM (what service managers and CI scripts send), so either
/// stops the server cleanly: in-flight requests finish and the database is flushed.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "interrupted",
                _ = term.recv() => "terminated",
            };
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    "interrupted"
}

async fn fleet(args: FleetArgs) -> anyhow::Result<ExitCode> {
    let control_plane = match args.control_plane.as_str() {
        "embedded" => ssap_fleet::ControlPlane::Embedded,
        url if url.starts_with("http://") || url.starts_with("https://") => {
            ssap_fleet::ControlPlane::Remote {
                url: url.to_string(),
                operator_token: args.operator_token,
            }
        }
        other => anyhow::bail!(
            "--control-plane {other:?}: expected `embedded` or a URL like http://127.0.0.1:8080"
        ),
    };
    let org = match (args.api_key, args.connect_key) {
        (Some(api_key), Some(connect_key)) => Some(ssap_fleet::OrgKeys {
            api_key,
            connect_key,
        }),
        _ => None,
    };
    let millis = |name: &str, ms: f64| -> anyhow::Result<std::time::Duration> {
        anyhow::ensure!(
            ms.is_finite() && (0.0..=600_000.0).contains(&ms),
            "--{name} must be between 0 and 600000 ms, got {ms}"
        );
        Ok(std::time::Duration::from_secs_f64(ms / 1000.0))
    };
    let options = ssap_fleet::FleetOptions {
        devices: args.devices,
        windows_share: args.windows_share,
        concurrency: args.concurrency,
        rate: args.rate,
        ramp: args.ramp,
        rtt: millis("rtt", args.rtt)?,
        jitter: millis("jitter", args.jitter)?,
        control_plane,
        org,
        floor: args.floor,
        shard: args.shard,
        seed: args.seed,
        ..Default::default()
    };
    let run = ssap_fleet::run_detailed(options.clone()).await?;
    let summary = &run.summary;
    print!("{}", summary.render_text());
    let files = run.report(&options).write(&args.report_dir)?;
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    println!("reports: {}", names.join(", "));
    if args.json {
        println!("{}", summary.to_json_line()?);
    }
    Ok(if summary.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn steps(args: StepsArgs) -> anyhow::Result<ExitCode> {
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

fn coverage(args: CoverageArgs) -> anyhow::Result<ExitCode> {
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
        println!("ids without a passing scenario: {}", gaps.join(", "));
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
