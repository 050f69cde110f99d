//! Small fleets against real control planes. No timing is asserted: only that every device is
//! provisioned exactly once and the summary carries what the issue names.

use std::time::Duration;

use ssap_api::{Http, OperatorClient};
use ssap_control_plane::{Config, HashCost};
use ssap_fleet::{ControlPlane, FleetOptions, OrgKeys, ProgressMode, Shard};

const OPERATOR: &str = "operator-token-for-fleet-tests";

fn options(devices: u32) -> FleetOptions {
    FleetOptions {
        devices,
        windows_share: 0.5,
        concurrency: 16,
        progress: ProgressMode::Off,
        seed: 7,
        ..FleetOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_fleet_of_200_provisions_every_device_exactly_once() {
    let summary = ssap_fleet::run(FleetOptions {
        floor: true,
        ..options(200)
    })
    .await
    .expect("the fleet runs");
    let text = summary.render_text();
    assert_eq!(summary.devices, 200, "{text}");
    assert_eq!((summary.macos, summary.windows), (100, 100), "{text}");
    assert_eq!(summary.provisioned, summary.devices, "{text}");
    assert_eq!(summary.duplicates, 0, "{text}");
    assert_eq!(summary.half_made, 0, "{text}");
    assert_eq!(summary.mismatched, 0, "{text}");
    assert_eq!(summary.incomplete, 0, "{text}");
    assert!(summary.refused_by_reason.is_empty(), "{text}");
    assert!(summary.passed(), "{text}");
    assert!(summary.http_requests_per_macos > 0, "{text}");
    assert!(summary.http_requests_per_windows > 0, "{text}");
    let floor = summary.floor.as_ref().expect("the floor was asked for");
    assert_eq!(
        floor.http_round_trips,
        100 * summary.http_requests_per_macos + 100 * summary.http_requests_per_windows
    );
    assert!(summary.floor_ratio.is_some_and(|r| r > 0.0), "{text}");

    let line = summary.to_json_line().expect("json");
    assert!(!line.contains('\n'), "one line");
    let v: serde_json::Value = serde_json::from_str(&line).expect("the JSON line parses");
    for field in [
        "devices",
        "provisioned",
        "refused",
        "refused_by_reason",
        "duplicates",
        "half_made",
        "seconds",
        "provisions_per_sec",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "peak_rss_bytes",
        "floor_ratio",
    ] {
        assert!(v.get(field).is_some(), "{field} missing from {line}");
    }
    assert_eq!(v["provisioned"], 200);
    assert!(v["peak_rss_bytes"].as_u64().is_some_and(|b| b > 0));
}

/// `--client-floor`: a bare client's pass on a second set of users makes the same requests,
/// all of them succeed, and the harness's cost is reported next to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_floor_runs_the_same_requests_on_other_users() {
    let run = ssap_fleet::run_detailed(FleetOptions {
        client_floor: true,
        ..options(40)
    })
    .await
    .expect("the fleet runs");
    let summary = &run.summary;
    let text = summary.render_text();
    assert!(summary.passed(), "{text}");
    let c = summary
        .client_floor
        .as_ref()
        .expect("the client floor was asked for");
    assert_eq!(c.bare.devices, 40, "{text}");
    assert_eq!(
        c.bare_completed, 40,
        "every bare device provisioned: {text}"
    );
    assert_eq!(c.bare_first_failure, None, "{text}");
    assert_eq!(
        c.bare_requests_per_device,
        [
            summary.http_requests_per_macos,
            summary.http_requests_per_windows
        ],
        "the bare client sends what a simulated device sends: {text}"
    );
    // Closed model: a device starts when it is due, so one device row, not two equal ones.
    let device_rows: Vec<&str> = run
        .latency
        .iter()
        .filter(|r| r.kind.starts_with("device flow"))
        .map(|r| r.kind.as_str())
        .collect();
    assert_eq!(device_rows, ["device flow"], "{text}");
    let flow_kinds: std::collections::BTreeMap<String, u64> = run
        .latency
        .iter()
        .filter(|r| !r.kind.starts_with("device flow"))
        .map(|r| (r.kind.clone(), r.count))
        .collect();
    assert!(!flow_kinds.is_empty(), "{text}");
    assert_eq!(
        c.bare_requests_by_kind, flow_kinds,
        "the same requests, kind by kind: {text}"
    );
    assert!(c.includes_control_plane, "embedded: {text}");
    assert!(text.contains("harness cost"), "{text}");
    let v: serde_json::Value =
        serde_json::from_str(&summary.to_json_line().expect("json")).expect("parses");
    assert!(
        v["client_floor"]["flow"]["cpu_us_per_device"].is_number(),
        "{v}"
    );
}

/// Two shards against one running control plane, in one shared org: names come from the seed
/// and the global index, so the slices never collide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_share_one_control_plane_and_one_org_without_colliding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = ssap_control_plane::start(
        Config {
            database: dir.path().join("cp.db").into(),
            operator_token: OPERATOR.into(),
            hash_cost: HashCost::Test,
            virtual_clock: false,
        },
        ([127, 0, 0, 1], 0).into(),
    )
    .await
    .expect("control plane");
    let http = Http::new(server.url(), Duration::from_secs(30)).expect("http");
    let org = OperatorClient::new(http, OPERATOR)
        .create_org("shared fleet org")
        .await
        .expect("org");
    let keys = OrgKeys {
        api_key: org.api_key,
        connect_key: org.connect_key,
    };
    let remote = ControlPlane::Remote {
        url: server.url().to_string(),
        operator_token: None,
    };
    let mut total = 0;
    for index in 1..=2 {
        let s = ssap_fleet::run(FleetOptions {
            control_plane: remote.clone(),
            org: Some(keys.clone()),
            shard: Some(Shard { index, count: 2 }),
            windows_share: 0.25,
            ..options(41)
        })
        .await
        .expect("the shard runs");
        let text = s.render_text();
        assert!(s.passed(), "{text}");
        assert_eq!(s.shard, format!("{index}/2"));
        total += s.devices;
    }
    assert_eq!(total, 41, "the slices cover the fleet exactly once");

    // A shard that is given no org needs the operator token to create one.
    let err = ssap_fleet::run(FleetOptions {
        control_plane: remote,
        ..options(1)
    })
    .await
    .expect_err("no token, no org");
    assert!(format!("{err:#}").contains("operator token"), "{err:#}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_are_checked_before_anything_starts() {
    for (opts, needle) in [
        (options(0), "--devices"),
        (
            FleetOptions {
                concurrency: 0,
                ..options(1)
            },
            "--concurrency",
        ),
        (
            FleetOptions {
                windows_share: 1.5,
                ..options(1)
            },
            "--windows-share",
        ),
        (
            FleetOptions {
                floor: true,
                rate: Some(100.0),
                ..options(1)
            },
            "with --rate the schedule sets how long the flow lasts",
        ),
    ] {
        let err = ssap_fleet::run(opts).await.expect_err(needle);
        assert!(err.to_string().contains(needle), "{err}");
    }
}

/// The open model over a delayed path: every device provisioned once through the proxy, the
/// summary names the model, rates and in-flight peak, and the report folder holds a fleet.json
/// that parses with its fields and a fleet.html that fetches nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_model_fleet_over_a_delayed_path_writes_its_report() {
    let opts = FleetOptions {
        rate: Some(400.0),
        rtt: Duration::from_millis(2),
        jitter: Duration::from_millis(1),
        ..options(60)
    };
    let run = ssap_fleet::run_detailed(opts.clone())
        .await
        .expect("the fleet runs");
    let s = &run.summary;
    let text = s.render_text();
    assert!(s.passed(), "{text}");
    assert_eq!(s.model, "open (steady)", "{text}");
    assert_eq!(s.offered_rate, Some(400.0), "{text}");
    assert!(s.achieved_rate > 0.0, "{text}");
    assert!(s.peak_in_flight >= 1, "{text}");
    assert!(text.contains("late starts"), "{text}");
    let proxy = s.proxy.as_ref().expect("the proxy ran");
    assert!(
        proxy.connections >= 60,
        "each device its own connection: {text}"
    );
    assert_eq!(proxy.upstream_failures, 0, "{text}");
    assert_eq!(run.latency[0].kind, "device flow, from due");
    assert_eq!(run.latency[0].count, 60);
    assert_eq!(run.latency[1].kind, "device flow, from start");
    assert_eq!(run.latency[1].count, 60);
    for kind in ["register", "authenticate", "provision", "login-window"] {
        assert!(
            run.latency.iter().any(|r| r.kind == kind && r.count > 0),
            "no {kind} latencies: {:?}",
            run.latency.iter().map(|r| &r.kind).collect::<Vec<_>>()
        );
    }
    assert!(!run.timeline.is_empty());
    assert_eq!(run.timeline.last().map(|x| x.finished), Some(60));

    let dir = tempfile::tempdir().expect("tempdir");
    let files = run.report(&opts).write(dir.path()).expect("report written");
    assert_eq!(files.len(), 2);
    let json = std::fs::read_to_string(dir.path().join("fleet.json")).expect("fleet.json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("fleet.json parses");
    assert_eq!(v["parameters"]["model"], "open (steady)");
    assert_eq!(v["parameters"]["rate"], 400.0);
    assert_eq!(v["parameters"]["rtt_ms"], 2.0);
    assert!(v["parameters"]["command"]
        .as_str()
        .is_some_and(|c| c.contains("--rate 400")
            && c.contains("--rtt 2")
            && c.contains("--seed 7")));
    for field in [
        "provisioned",
        "achieved_rate",
        "late_starts",
        "peak_in_flight",
        "p99_ms",
    ] {
        assert!(v["summary"].get(field).is_some(), "{field} missing");
    }
    assert!(v["timeline"].as_array().is_some_and(|t| !t.is_empty()));
    assert!(v["latency"][0]["percentiles"]
        .as_array()
        .is_some_and(|p| p.len() == ssap_fleet::timing::PERCENTILES.len()));
    assert_eq!(v["buckets"][0]["name"], "provisioned");
    assert_eq!(v["buckets"][0]["devices"], 60);

    let html = std::fs::read_to_string(dir.path().join("fleet.html")).expect("fleet.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "inline charts");
    assert!(html.contains("--rate 400"), "the command is on the page");
    let lower = html.to_lowercase();
    for external in [
        "<script",
        "src=\"http",
        "href=\"http",
        "url(http",
        "@import",
    ] {
        assert!(
            !lower.contains(external),
            "fleet.html must not load {external}"
        );
    }
    assert!(
        html.contains("<th>p99.99</th>"),
        "HDR percentiles in the table"
    );
    // Every line of every chart stays inside its picture.
    let mut charts = 0;
    for svg in html.split("<svg viewBox=\"0 0 ").skip(1) {
        charts += 1;
        let mut size = svg.split(['"', ' ']).take(2).map(|v| v.parse::<f64>());
        let (w, h) = match (size.next(), size.next()) {
            (Some(Ok(w)), Some(Ok(h))) => (w, h),
            other => panic!("no viewBox size: {other:?}"),
        };
        let body = svg.split("</svg>").next().unwrap_or_default();
        for points in body.split("points=\"").skip(1) {
            let points = points.split('"').next().unwrap_or_default();
            assert!(!points.is_empty(), "an empty line");
            for pt in points.split(' ') {
                let xy: Vec<f64> = pt
                    .split(',')
                    .map(|v| v.parse().expect("a number"))
                    .collect();
                assert!(
                    xy.len() == 2 && (0.0..=w).contains(&xy[0]) && (0.0..=h).contains(&xy[1]),
                    "{pt} outside {w}x{h}"
                );
            }
        }
    }
    assert_eq!(charts, 4, "throughput, in flight, memory, percentiles");
    // An embedded run names no server at all: no address a browser could fetch.
    assert!(!lower.contains("http://") && !lower.contains("https://"));
}

/// `--min-rate` and friends: a limit the run cannot meet fails it (exit 1 in the CLI) with every
/// device still provisioned once; limits it meets leave it passing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_misses_a_limit_fails_though_every_device_was_provisioned() {
    let missed = ssap_fleet::run(FleetOptions {
        thresholds: ssap_fleet::Thresholds {
            min_rate: Some(1e12),
            ..Default::default()
        },
        ..options(20)
    })
    .await
    .expect("the fleet runs");
    let text = missed.render_text();
    assert!(missed.provisioned_exactly_once(), "{text}");
    assert!(!missed.passed(), "{text}");
    assert!(text.contains("verdict: FAIL (--min-rate missed)"), "{text}");

    let met = ssap_fleet::run(FleetOptions {
        thresholds: ssap_fleet::Thresholds {
            max_p99_ms: Some(600_000.0),
            min_rate: Some(0.001),
            ..Default::default()
        },
        ..options(20)
    })
    .await
    .expect("the fleet runs");
    assert!(met.passed(), "{}", met.render_text());
    assert_eq!(met.thresholds.len(), 2);
}
