//! Unit tests of the options, the summary and the run's bookkeeping.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::{stats, ControlPlane, FleetOptions, FleetSummary, OrgKeys};

fn summary() -> FleetSummary {
    FleetSummary {
        devices: 4,
        macos: 2,
        windows: 2,
        provisioned: 4,
        refused: 0,
        refused_by_reason: BTreeMap::new(),
        duplicates: 0,
        half_made: 0,
        mismatched: 0,
        unverified: 0,
        incomplete: 0,
        seconds: 2.0,
        provisions_per_sec: stats::per_sec(4, 2.0),
        p50_ms: 1.0,
        p95_ms: 2.0,
        p99_ms: 3.0,
        p999_ms: 4.0,
        max_ms: 5.0,
        service_p50_ms: 1.0,
        service_p99_ms: 3.0,
        model: "closed".into(),
        offered_rate: None,
        achieved_rate: 2.0,
        late_starts: 0,
        max_start_lag_ms: 0.0,
        peak_in_flight: 4,
        rss_bytes_per_in_flight: 100,
        rtt_ms: 0.0,
        jitter_ms: 0.0,
        proxy: None,
        peak_rss_bytes: 4096,
        rss_bytes_per_device: 1024,
        http_requests_per_macos: 5,
        http_requests_per_windows: 5,
        setup_seconds: 1.0,
        verify_seconds: 1.0,
        concurrency: 32,
        seed: 1,
        shard: "1/1".into(),
        control_plane: "embedded".into(),
        floor: None,
        floor_ratio: None,
        client_floor: None,
        thresholds: Vec::new(),
    }
}

#[test]
fn passes_only_when_every_device_was_provisioned_exactly_once() {
    assert!(summary().passed());
    let failing = [
        FleetSummary {
            provisioned: 3,
            refused: 1,
            ..summary()
        },
        FleetSummary {
            half_made: 1,
            provisioned: 3,
            ..summary()
        },
        FleetSummary {
            duplicates: 1,
            provisioned: 3,
            ..summary()
        },
        FleetSummary {
            incomplete: 1,
            ..summary()
        },
    ];
    for s in failing {
        assert!(!s.passed(), "{}", s.render_text());
        assert!(s.render_text().contains("verdict: FAIL"));
    }
}

#[test]
fn the_command_reruns_the_same_fleet_without_secrets() {
    let opts = FleetOptions {
        devices: 5000,
        seed: 9,
        rate: Some(800.0),
        ramp: true,
        rtt: Duration::from_millis(100),
        jitter: Duration::from_millis(20),
        control_plane: ControlPlane::Remote {
            url: "http://10.0.0.1:8080".into(),
            operator_token: Some("op-secret-token".into()),
        },
        org: Some(OrgKeys {
            api_key: "ssap_ak_secret".into(),
            connect_key: "ssap_ck_secret".into(),
        }),
        ..Default::default()
    };
    let c = opts.command();
    assert_eq!(
        c,
        "SSAP_ORG_API_KEY=... SSAP_ORG_CONNECT_KEY=... ssap-harness fleet --devices 5000 \
         --seed 9 --rate 800 --ramp --concurrency 256 --rtt 100 --jitter 20 --control-plane http://10.0.0.1:8080"
    );
    assert!(!c.contains("secret"));
    let closed = FleetOptions {
        concurrency: 128,
        ..Default::default()
    };
    assert_eq!(
        closed.command(),
        "ssap-harness fleet --devices 1000 --seed 1 --concurrency 128"
    );
    assert_eq!(closed.parameters().model, "closed");
    assert_eq!(opts.parameters().model, "open (ramp)");
}

#[test]
fn running_out_of_descriptors_is_blamed_on_the_generator() {
    assert!(!summary().render_text().contains("file descriptors"));
    let s = FleetSummary {
        provisioned: 3,
        refused: 1,
        refused_by_reason: BTreeMap::from([(
            "registration refused: tcp open error: Too many open files (os error 24)".into(),
            1,
        )]),
        ..summary()
    };
    assert!(
        s.render_text().contains("ran out of file descriptors"),
        "{}",
        s.render_text()
    );
}

#[test]
fn the_json_line_names_every_figure() {
    let line = summary().to_json_line().expect("json");
    let v: serde_json::Value = serde_json::from_str(&line).expect("parses");
    assert_eq!(v["provisions_per_sec"], 2.0);
    assert_eq!(v["floor_ratio"], serde_json::Value::Null);
    assert!(summary()
        .render_text()
        .contains("not part of the measured flow"));
}

fn page(summary: FleetSummary) -> String {
    crate::report::html::render(&crate::report::FleetReport {
        parameters: FleetOptions::default().parameters(),
        summary,
        timeline: Vec::new(),
        latency: Vec::new(),
        buckets: Vec::new(),
    })
}

#[test]
fn the_memory_card_names_the_figure_that_means_something_for_the_run() {
    // A closed run with a few hundred in flight: the peak over the fleet's devices.
    let closed = page(summary());
    assert!(
        closed.contains("1024 B per device of the fleet (peak ÷ devices)"),
        "{closed}"
    );
    assert!(!closed.contains("per device in flight"));
    // Thousands in flight: what each costs.
    let open = page(FleetSummary {
        peak_in_flight: 5000,
        rss_bytes_per_in_flight: 30_000,
        ..summary()
    });
    assert!(open.contains("30000 B per device in flight"), "{open}");
}

#[test]
fn the_page_shows_what_the_delay_proxy_saw() {
    assert!(!page(summary()).contains("delay proxy"));
    let with_proxy = page(FleetSummary {
        proxy: Some(crate::delay_proxy::ProxyStats {
            connections: 12_345,
            upstream_failures: 2,
            accept_errors: 1,
        }),
        ..summary()
    });
    assert!(
        with_proxy.contains("12345 connections, 2 failed upstream, 1 accept errors"),
        "{with_proxy}"
    );
}

#[test]
fn the_page_shows_the_floor_only_when_one_was_measured() {
    assert!(!page(summary()).contains("flow / floor"));
    let with_floor = page(FleetSummary {
        floor: Some(crate::FloorSummary {
            http_round_trips: 20,
            sqlite_transactions: 24,
            seconds: 1.25,
            http_seconds: 1.25,
            sqlite_seconds: 0.5,
        }),
        floor_ratio: Some(1.6),
        ..summary()
    });
    assert!(with_floor.contains("1.60x (floor 1.25 s)"), "{with_floor}");
}

#[test]
fn the_summary_names_flows_in_flight_and_the_second_latency_only_where_they_mean_something() {
    let closed = summary().render_text();
    assert!(closed.contains("seed 1, 32 in flight,"), "{closed}");
    assert!(!closed.contains("real start"), "{closed}");
    let open = FleetSummary {
        model: "open".into(),
        offered_rate: Some(100.0),
        service_p50_ms: 0.5,
        ..summary()
    }
    .render_text();
    // The schedule, not --concurrency, sets an open run's devices in flight.
    assert!(!open.contains("32 in flight"), "{open}");
    assert!(open.contains("latency from due p50 1.0 ms"), "{open}");
    assert!(
        open.contains("(from each device's real start: p50 0.5, p99 3.0 ms)"),
        "{open}"
    );
}

#[test]
fn a_missed_limit_fails_the_verdict_and_says_which() {
    let limits = crate::Thresholds {
        max_p99_ms: Some(2.5),
        min_rate: Some(1.0),
        max_floor_ratio: None,
    };
    let mut s = summary();
    s.thresholds = limits.check(&s.measured());
    // p99 3.0 ms over a 2.5 ms limit; 2 devices/s over a 1/s floor.
    assert_eq!(
        s.thresholds.iter().map(|t| t.met).collect::<Vec<_>>(),
        [false, true]
    );
    assert!(s.provisioned_exactly_once());
    assert!(!s.passed());
    let text = s.render_text();
    assert!(
        text.contains(
            "--max-p99 2.5 ms: 3.00 ms, missed; --min-rate 1 provisions/s: 2.00 provisions/s, met"
        ),
        "{text}"
    );
    assert!(text.contains("verdict: FAIL (--max-p99 missed)"), "{text}");
    assert!(page(s).contains("<li class=\"missed\">--max-p99 2.5 ms"));

    let mut within = summary();
    within.thresholds = crate::Thresholds {
        max_p99_ms: Some(3.0),
        ..Default::default()
    }
    .check(&within.measured());
    assert!(within.passed(), "{}", within.render_text());

    // Refused devices finish too, but --min-rate counts only the provisioned ones.
    let refused = FleetSummary {
        provisioned: 0,
        refused: 4,
        provisions_per_sec: 0.0,
        ..summary()
    };
    let rate = crate::Thresholds {
        min_rate: Some(1.0),
        ..Default::default()
    }
    .check(&refused.measured());
    assert!(!rate[0].met, "{rate:?}");
}

#[test]
fn limits_are_checked_and_named_in_the_rerun_command() {
    let floor_ratio = crate::Thresholds {
        max_floor_ratio: Some(2.0),
        ..Default::default()
    };
    let err = floor_ratio.validate(false).expect_err("no floor");
    assert!(err.to_string().contains("--max-floor-ratio needs --floor"));
    assert!(floor_ratio.validate(true).is_ok());
    let negative = crate::Thresholds {
        min_rate: Some(-1.0),
        ..Default::default()
    };
    assert!(negative
        .validate(false)
        .expect_err("negative")
        .to_string()
        .contains("--min-rate must be a positive, finite number"));
    let opts = FleetOptions {
        floor: true,
        thresholds: crate::Thresholds {
            max_p99_ms: Some(80.0),
            max_floor_ratio: Some(2.0),
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(
        opts.command()
            .ends_with(" --floor --max-p99 80 --max-floor-ratio 2"),
        "{}",
        opts.command()
    );
}
