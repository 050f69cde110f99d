//! `ssap-harness`: conformance tests for Self-Service Account Provisioning on simulated macOS
//! and Windows endpoints. See the README for the two commands a newcomer needs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use ssap_harness::run::{ControlPlaneMode, RunOptions, Shard};

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
    /// Run the feature files and write the reports. Exits 1 when any scenario fails, has an
    /// undefined step or was skipped, or a feature file does not parse.
    Run(RunArgs),
    /// Run the reference control plane on its own (for remote mode or staging).
    Serve(ServeArgs),
    /// List every step definition with where it is defined and an example from the features.
    Steps(StepsArgs),
}

#[derive(clap::Args)]
struct StepsArgs {
    /// Feature files to take examples from.
    #[arg(long, default_value = "features")]
    features: PathBuf,
}

#[derive(clap::Args)]
struct RunArgs {
    /// Feature file or folder of them.
    #[arg(long, default_value = "features")]
    features: PathBuf,
    /// Where the reports go (junit.xml, cucumber.json, summary.md, index.html, results.json).
    #[arg(long, default_value = "reports")]
    report_dir: PathBuf,
    /// `embedded` (the reference server in-process on loopback) or the URL of a running
    /// control plane, e.g. http://127.0.0.1:8080 (then SSAP_OPERATOR_TOKEN must be set).
    #[arg(long, default_value = "embedded")]
    control_plane: String,
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
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free one. The first line printed is the URL.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// SQLite database file (created if missing; data survives restarts).
    #[arg(long, default_value = "ssap-control-plane.db")]
    db: PathBuf,
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
    } else if args.control_plane.starts_with("http://")
        || args.control_plane.starts_with("https://")
    {
        let token = args.operator_token.clone().ok_or_else(|| {
            anyhow::anyhow!(
                "--control-plane {} needs SSAP_OPERATOR_TOKEN (or --operator-token) so every \
                 scenario can get its own org",
                args.control_plane
            )
        })?;
        ControlPlaneMode::Remote {
            url: args.control_plane.clone(),
            operator_token: token,
        }
    } else {
        anyhow::bail!(
            "--control-plane {:?}: expected `embedded` or a URL like http://127.0.0.1:8080",
            args.control_plane
        );
    };
    let options = RunOptions {
        features: args.features,
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
    if args.operator_token.trim().len() < 16 {
        anyhow::bail!("the operator token must be at least 16 characters");
    }
    let config = Config {
        db_path: args.db.clone(),
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
        "ssap control plane listening on {} (db {})",
        server.url(),
        args.db.display()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| anyhow::anyhow!("cannot wait for Ctrl-C: {e}"))?;
    eprintln!("shutting down");
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

fn steps(args: StepsArgs) -> anyhow::Result<ExitCode> {
    let mut defs = ssap_harness::step_catalog::definitions();
    let problems = ssap_harness::step_catalog::attach_examples(&mut defs, &args.features);
    print!("{}", ssap_harness::step_catalog::render(&defs));
    for p in &problems {
        eprintln!("warning: no examples from {p}");
    }
    Ok(ExitCode::SUCCESS)
}
