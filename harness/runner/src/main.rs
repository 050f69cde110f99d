//! `ssap-harness`: conformance tests for Self-Service Account Provisioning on simulated macOS
//! and Windows endpoints. See the README for the two commands a newcomer needs.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

use cli::{explore, fleet, report, run, serve, steps};

/// mimalloc instead of glibc's malloc: a fleet and its embedded control plane allocate on
/// every request from several threads at once, where glibc's arenas spent about a seventh of
/// the process's time (`perf`, see the README's *Fleet* section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Run(run::RunArgs),
    /// Run the reference control plane on its own (for remote mode, staging, or several
    /// servers sharing PostgreSQL). Warnings and errors go to stderr (`RUST_LOG=info` for more);
    /// Ctrl-C or SIGTERM stops it cleanly.
    Serve(serve::ServeArgs),
    /// List every step definition with where it is defined and an example from the features.
    Steps(steps::StepsArgs),
    /// Print the catalog's traceability matrix (id, text, scenarios, last result) from the
    /// last run's results.json. Exits 1 when any id is failing (one of its scenarios failed) or not covered.
    Coverage(report::CoverageArgs),
    /// Work with written reports.
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Load mode: N simulated endpoints run the whole first-use flow, either C at a time
    /// (closed model, --concurrency) or R per second on a schedule (open model, --rate),
    /// optionally over internet latency (--rtt); then every device is checked for exactly one
    /// association. Writes fleet.json and fleet.html into --report-dir. Exits 1 unless every
    /// device was provisioned exactly once and its user reached the desktop (and the run met
    /// --max-p99, --min-rate and --max-floor-ratio, when given); 2 on a usage
    /// error or when the control plane cannot be reached or refuses the fleet's keys.
    Fleet(fleet::FleetArgs),
    /// Random walks of API calls and of people at simulated Macs and Windows PCs, played on the
    /// control plane and on the mock's model at once, compared after every action, with the
    /// device rules (PIN, names, takeover, one self-service account) checked after every device
    /// action; a disagreement or broken rule is shrunk to the shortest sequence that still
    /// shows it, written as a .feature and printed with its seed. Exits 1 on either.
    Explore(explore::ExploreArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(
        cli.command,
        Command::Steps(_) | Command::Coverage(_) | Command::Report(_)
    ) {
        quit_quietly_when_the_reader_goes();
    }
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
            Command::Run(args) => run::run(args).await,
            Command::Serve(args) => serve::serve(args).await,
            Command::Steps(args) => steps::steps(args),
            Command::Coverage(args) => report::coverage(args),
            Command::Report(command) => report::report(command),
            Command::Fleet(args) => fleet::fleet(args).await,
            Command::Explore(args) => explore::explore(args).await,
        }
    });
    // Do not wait for tasks that are still running (a step the watchdog gave up on, a
    // blocking call): the work is done and reported; waiting could hang the exit.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// For the commands that only print (`steps`, `coverage`, `report`): when the reader of
/// stdout goes away (`ssap-harness steps | head`), end quietly as other command-line tools do,
/// instead of panicking on a broken pipe. Rust ignores SIGPIPE by default; these commands make
/// no network calls, so taking the default action back cannot end a connection's writer.
fn quit_quietly_when_the_reader_goes() {
    #[cfg(unix)]
    {
        extern "C" {
            fn signal(signum: std::os::raw::c_int, handler: usize) -> usize;
        }
        const SIGPIPE: std::os::raw::c_int = 13;
        const SIG_DFL: usize = 0;
        // SAFETY: called once at start, before any thread is spawned; SIG_DFL is a valid
        // disposition for SIGPIPE and no Rust state depends on the signal being ignored.
        unsafe {
            signal(SIGPIPE, SIG_DFL);
        }
    }
}
