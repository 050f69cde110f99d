//! `ssap-harness run` as a scenario writer uses it: FILE:LINE and --name selection, exit codes
//! (0 passed, 1 failed/undefined/nothing ran, 2 usage or infrastructure), the preflight of a
//! remote control plane, and what an undefined step says.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{harness, text};

/// Lines matter: the tests select scenarios by them.
const AREA: &str = "\
Feature: area

  Scenario: first
    Given a macOS device at the login window
    Then the org's macOS and Windows SSAP toggles are off

  @tagged
  Scenario: second
    Given a macOS device at the login window
    Then the login window does not offer \"Sign in with JumpCloud\"

  Scenario Outline: outline <os>
    Given the <os> SSAP toggle is off
    Then the org's macOS and Windows SSAP toggles are off

    Examples:
      | os      |
      | macOS   |
      | Windows |
";

const OTHER: &str = "\
Feature: other

  Scenario: elsewhere
    Given a Windows device at the login window
    Then the org's macOS and Windows SSAP toggles are off
";

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("features")).expect("features dir");
        for (name, body) in files {
            std::fs::write(dir.path().join("features").join(name), body).expect("write");
        }
        Self { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Runs in the folder, so paths are as a QA engineer types them.
    fn run(&self, args: &[&str]) -> Output {
        harness()
            .current_dir(self.dir.path())
            .env_remove("SSAP_OPERATOR_TOKEN")
            .env_remove("SSAP_ORG_API_KEY")
            .env_remove("SSAP_ORG_CONNECT_KEY")
            .args(["run", "--seed", "3", "--report-dir", "reports"])
            .args(args)
            .output()
            .expect("runs")
    }

    /// "uri:line name status" of every scenario in results.json.
    fn ran(&self) -> Vec<String> {
        ran(&self.path("reports"))
    }
}

fn ran(reports: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(reports.join("results.json")).expect("results.json");
    let run: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut out = Vec::new();
    for f in run["features"].as_array().into_iter().flatten() {
        for s in f["scenarios"].as_array().into_iter().flatten() {
            out.push(format!(
                "{}:{} {} {}",
                f["uri"].as_str().unwrap_or_default(),
                s["line"],
                s["name"].as_str().unwrap_or_default(),
                s["status"].as_str().unwrap_or_default()
            ));
        }
    }
    out
}

#[test]
fn a_scenario_line_runs_exactly_that_scenario() {
    let d = Dir::new(&[("area.feature", AREA), ("other.feature", OTHER)]);
    // Line 10 is a step of "second"; line 7, its tag, selects it as well.
    for line in ["10", "7", "8"] {
        let out = d.run(&[&format!("features/area.feature:{line}")]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(
            d.ran(),
            vec!["features/area.feature:8 second passed"],
            "line {line}"
        );
    }
}

#[test]
fn an_examples_row_runs_that_row_and_the_outline_line_every_row() {
    let d = Dir::new(&[("area.feature", AREA)]);
    let out = d.run(&["features/area.feature:19"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        d.ran(),
        vec!["features/area.feature:19 outline Windows passed"]
    );
    let out = d.run(&["features/area.feature:12"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        d.ran(),
        vec![
            "features/area.feature:18 outline macOS passed",
            "features/area.feature:19 outline Windows passed"
        ]
    );
}

#[test]
fn several_paths_run_together_and_name_filters_them() {
    let d = Dir::new(&[("area.feature", AREA), ("other.feature", OTHER)]);
    let out = d.run(&["features/area.feature:3", "features/other.feature"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        d.ran(),
        vec![
            "features/area.feature:3 first passed",
            "features/other.feature:3 elsewhere passed"
        ]
    );
    let out = d.run(&["features", "--name", "^(sec|else)"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        d.ran(),
        vec![
            "features/area.feature:8 second passed",
            "features/other.feature:3 elsewhere passed"
        ]
    );
    // The old flag still works, and the reproduce line names what was asked for.
    let out = d.run(&["--features", "features/other.feature"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(d.ran(), vec!["features/other.feature:3 elsewhere passed"]);
}

#[test]
fn a_line_in_no_scenario_or_a_bad_regex_is_a_usage_error() {
    let d = Dir::new(&[("area.feature", AREA)]);
    let out = d.run(&["features/area.feature:1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("features/area.feature:1: line 1 is in no scenario")
            && all.contains("scenarios start at lines 3, 8, 12"),
        "{all}"
    );
    assert!(!d.path("reports/results.json").exists(), "{all}");
    let out = d.run(&["--name", "("]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("--name \"(\" is not a regular expression"));
}

#[test]
fn a_name_that_matches_nothing_exits_one() {
    let d = Dir::new(&[("area.feature", AREA)]);
    let out = d.run(&["--name", "no such scenario"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no scenario ran"), "{}", text(&out));
}

#[test]
fn a_feature_that_does_not_parse_exits_two_with_file_and_line_before_anything_runs() {
    let d = Dir::new(&[
        ("area.feature", AREA),
        (
            "broken.feature",
            "Feature: broken\n  Scenario: fine\n    Given a macOS device at the login window\n  Nonsense line here\n",
        ),
    ]);
    let out = d.run(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("features/broken.feature:4"), "{all}");
    assert!(!all.contains("PASS"), "nothing should run: {all}");
}

#[test]
fn nothing_listening_at_the_control_plane_url_is_one_message_and_exit_two() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let d = Dir::new(&[("area.feature", AREA)]);
    let url = format!("http://127.0.0.1:{port}");
    let out = harness()
        .current_dir(d.dir.path())
        .env("SSAP_OPERATOR_TOKEN", "operator-token-for-tests-0123456789")
        .args(["run", "--report-dir", "reports", "--control-plane", &url])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains(&format!("cannot reach a control plane at {url}")),
        "{all}"
    );
    assert_eq!(
        all.matches("cannot reach").count(),
        1,
        "one message, not one per scenario: {all}"
    );
    assert!(!all.contains("FAIL"), "{all}");
}

#[test]
fn a_wrong_operator_token_is_one_message_and_exit_two() {
    let cp = tempfile::tempdir().expect("temp dir");
    let (_served, url) = crate::common::serve(
        &cp.path().join("cp.db"),
        "127.0.0.1:0",
        "operator-token-for-tests-0123456789",
    );
    let d = Dir::new(&[("area.feature", AREA)]);
    let out = harness()
        .current_dir(d.dir.path())
        .env("SSAP_OPERATOR_TOKEN", "not-the-operator-token-0123456789")
        .args(["run", "--report-dir", "reports", "--control-plane", &url])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("refused the operator token (SSAP_OPERATOR_TOKEN)"),
        "{all}"
    );
    assert!(!all.contains("FAIL"), "{all}");
}

#[test]
fn a_given_written_as_then_is_named_as_such_not_offered_as_new_rust() {
    let d = Dir::new(&[(
        "wrong.feature",
        "Feature: wrong keyword\n  Scenario: toggle as an outcome\n    Given a macOS device at the login window\n    Then the macOS SSAP toggle is on\n",
    )]);
    let out = d.run(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("this text is a Given step; write it as Given/And after a Given"),
        "{all}"
    );
    assert!(!all.contains("#[then("), "{all}");
    assert!(
        all.contains("0 failed, 1 undefined"),
        "the summary counts undefined apart: {all}"
    );
}

#[test]
fn the_summary_counts_failed_and_undefined_apart_and_suggestions_capture_numbers() {
    let d = Dir::new(&[(
        "mixed.feature",
        "Feature: mixed\n  Scenario: red\n    Given a macOS device at the login window\n    Then the login window offers \"Sign in with JumpCloud\"\n\n  Scenario: not written\n    Given the org allows 3 devices for \"Holly\"\n",
    )]);
    let out = d.run(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("FAILED: 2 scenarios, 0 passed, 1 failed, 1 undefined"),
        "{all}"
    );
    assert!(all.contains("FAIL  features/mixed.feature:2"), "{all}");
    assert!(all.contains("UNDEF features/mixed.feature:6"), "{all}");
    assert!(
        all.contains(r##"#[given(regex = r#"^the org allows (\d+) devices for "([^"]*)"$"#)]"##),
        "{all}"
    );
    assert!(all.contains("arg1: u32, arg2: String"), "{all}");
}

#[tokio::test]
async fn wrong_org_keys_are_named_before_any_scenario_runs() {
    const TOKEN: &str = "operator-token-for-tests-0123456789";
    let cp = tempfile::tempdir().expect("temp dir");
    let (_served, url) = crate::common::serve(&cp.path().join("cp.db"), "127.0.0.1:0", TOKEN);
    let http = ssap_api::Http::new(&url, std::time::Duration::from_secs(10)).expect("client");
    let org = ssap_api::OperatorClient::new(http, TOKEN)
        .create_org("staging")
        .await
        .expect("org");
    let d = Dir::new(&[("area.feature", AREA)]);
    let run = |api_key: &str, connect_key: &str| {
        harness()
            .current_dir(d.dir.path())
            .env_remove("SSAP_OPERATOR_TOKEN")
            .env("SSAP_ORG_API_KEY", api_key)
            .env("SSAP_ORG_CONNECT_KEY", connect_key)
            .args(["run", "--report-dir", "reports", "--control-plane", &url])
            .output()
            .expect("runs")
    };
    let out = run("ssap_ak_wrong", &org.connect_key);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("refused the org API key (SSAP_ORG_API_KEY)"),
        "{}",
        text(&out)
    );
    let out = run(&org.api_key, "ssap_ck_wrong");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("refused the org connect key (SSAP_ORG_CONNECT_KEY)"),
        "{}",
        text(&out)
    );
    // The right keys pass the preflight and run.
    let out = run(&org.api_key, &org.connect_key);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
