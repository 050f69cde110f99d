//! The three control-plane modes from the command line: the @smoke scenarios pass against a
//! remote control plane (`ssap-harness serve`) and in mock mode; fault steps explain what they
//! need; a broken stub file stops a mock run with its file and line.

use std::path::Path;
use std::process::Output;

use crate::common::{harness, repo, serve, text};

const TOKEN: &str = "operator-token-for-mode-tests-0123456789";

fn run(args: &[&str], reports: &Path) -> Output {
    harness()
        .current_dir(repo())
        .arg("run")
        .args(["--seed", "11", "--quiet", "--report-dir"])
        .arg(reports)
        .args(args)
        .env("SSAP_OPERATOR_TOKEN", TOKEN)
        .output()
        .expect("run")
}

#[test]
fn smoke_passes_against_a_remote_control_plane() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_served, url) = serve(&dir.path().join("cp.db"), "127.0.0.1:0", TOKEN);
    let out = run(
        &["--control-plane", &url, "--tags", "@smoke"],
        &dir.path().join("reports"),
    );
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("PASSED"), "{all}");
    assert!(all.contains(&format!("control plane {url}")), "{all}");
}

#[test]
fn smoke_passes_in_mock_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(
        &["--control-plane", "mock", "--tags", "@smoke"],
        &dir.path().join("reports"),
    );
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(all.contains("control plane mock"), "{all}");
    let junit =
        std::fs::read_to_string(dir.path().join("reports/junit.xml")).expect("junit written");
    assert!(
        junit.contains("down for maintenance"),
        "the @faults smoke ran"
    );
}

/// A fault step works in an untagged scenario of the embedded mode: the runner sees it and
/// puts a fault proxy in front of the control plane before the first step.
#[test]
fn a_fault_step_gets_its_scenario_a_fault_proxy_without_the_faults_tag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let features = dir.path().join("features");
    std::fs::create_dir(&features).expect("dir");
    std::fs::write(
        features.join("f.feature"),
        "Feature: f\n  Scenario: untagged fault\n    Given the macOS SSAP toggle is on\n    And a directory user \"Holly Flax\" with username \"holly.flax\" and password \"Sabre-2023!\"\n    And a macOS device at the login window\n    When the control plane becomes unreachable\n    And \"Holly Flax\" starts signing in with JumpCloud using password \"Sabre-2023!\"\n    Then the screen says \"Can't reach JumpCloud\"\n",
    )
    .expect("feature");
    let out = run(
        &["--features", features.to_str().expect("utf-8 path")],
        &dir.path().join("reports"),
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
}

#[test]
fn a_broken_stub_file_stops_a_mock_run_with_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stubs = dir.path().join("stubs");
    std::fs::create_dir(&stubs).expect("dir");
    std::fs::write(
        stubs.join("broken.yaml"),
        "- match: {method: GET, path: /healthz}\n  respond: {status: 200}\n- match: {method: POST, path: /x}\n  respond: {fault: explode}\n",
    )
    .expect("stub");
    let out = run(
        &[
            "--control-plane",
            "mock",
            "--mock-stubs",
            stubs.to_str().expect("utf-8 path"),
        ],
        &dir.path().join("reports"),
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(all.contains("broken.yaml:3: stub 2"), "{all}");
    assert!(all.contains("\"explode\" is not a fault"), "{all}");
}
