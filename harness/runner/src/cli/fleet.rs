//! `ssap-harness fleet`: the load mode.

use std::path::PathBuf;
use std::process::ExitCode;

use ssap_shard::Shard;

/// Flags of `ssap-harness fleet`.
#[derive(clap::Args)]
pub(crate) struct FleetArgs {
    /// Devices in the fleet (all shards together).
    #[arg(long)]
    devices: u32,
    /// Share of Windows devices, 0 to 1 (the rest are Macs).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    windows_share: f64,
    /// Closed model: device flows in flight at once; the next device starts when one ends
    /// (for throughput runs). Also the admin calls in flight during setup and verification.
    #[arg(long, default_value_t = ssap_fleet::DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Open model: start R devices per second on a schedule, whether or not earlier ones have
    /// finished, as real endpoints do. Latency then counts from each device's scheduled start,
    /// so an overloaded server shows up in the percentiles (and in "late starts").
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    rate: Option<f64>,
    /// With --rate: grow the rate linearly from 0 to R over the run (which then lasts 2N/R s).
    #[arg(long, requires = "rate")]
    ramp: bool,
    /// Round-trip time in ms between every device and the control plane: devices connect
    /// through a loopback proxy that delays bytes by rtt/2 each way (and a new connection by
    /// one round trip), and each device opens its own connections. Thousands of devices in
    /// flight need thousands of descriptors: see `ulimit -n`.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    rtt: f64,
    /// With --rtt: each round trip varies uniformly by ±MS/2 (seeded by --seed).
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 0.0,
        requires = "rtt",
        allow_negative_numbers = true
    )]
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
    /// Also time as many bare HTTP round trips and SQLite transactions as the flow made, at the
    /// same concurrency, the two side by side (the floor's time is the later to finish), and
    /// print the flow's time as a ratio to that floor. Closed model only: with --rate the
    /// schedule sets the flow's length.
    #[arg(long)]
    floor: bool,
    /// After the flow, run the same devices' requests (same arrivals, same --rtt path) from a
    /// bare HTTP client on a second set of users, and print this process's CPU time and
    /// memory per simulated device next to the bare client's: the harness's own cost. Use it
    /// with `--control-plane URL` (a server in another process), else the CPU includes the
    /// embedded server's.
    #[arg(long)]
    client_floor: bool,
    /// Also fail (exit 1) when the device flow's p99 latency is over MS milliseconds: from when
    /// each device was due with --rate; else from its start, which is mostly queueing behind
    /// --concurrency (pin it in a gate).
    #[arg(long, value_name = "MS", allow_negative_numbers = true)]
    max_p99: Option<f64>,
    /// Also fail (exit 1) when fewer than R devices were provisioned per second of the flow
    /// (refused devices do not count; with --rate the flow cannot beat R, and with --ramp its
    /// mean is R/2).
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    min_rate: Option<f64>,
    /// Also fail (exit 1) when the flow took more than X times its floor (needs --floor).
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    max_floor_ratio: Option<f64>,
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

/// Runs the fleet; exit 0 when every device was provisioned exactly once, its user reached the
/// desktop, and every limit asked for was met ([`ssap_fleet::FleetSummary::passed`]).
pub(crate) async fn fleet(args: FleetArgs) -> anyhow::Result<ExitCode> {
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
        client_floor: args.client_floor,
        shard: args.shard,
        seed: args.seed,
        thresholds: ssap_fleet::Thresholds {
            max_p99_ms: args.max_p99,
            min_rate: args.min_rate,
            max_floor_ratio: args.max_floor_ratio,
        },
        ..Default::default()
    };
    ssap_fleet::FleetReport::check_writable(&args.report_dir)?;
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
