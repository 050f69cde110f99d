//! `ssap-harness serve`: the reference control plane on its own.

use std::process::ExitCode;

/// Flags of `ssap-harness serve`.
#[derive(clap::Args)]
pub(crate) struct ServeArgs {
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
    /// Give every org a clock its admin can move forward (`POST /api/admin/clock/advance`),
    /// so scenarios with `When N seconds pass` run against this server. For test servers
    /// only: it lets an admin end throttle windows and expire tickets at will.
    #[arg(long)]
    virtual_clock: bool,
}

/// Serves until Ctrl-C or SIGTERM.
pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
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
        virtual_clock: args.virtual_clock,
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
