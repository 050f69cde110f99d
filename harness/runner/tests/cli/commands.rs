//! The `ssap-harness` binary as CI and QA engineers use it: exit codes, messages, reports.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn harness() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ssap-harness"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn run_in(dir: &Path, extra: &[&str]) -> Output {
    let features = dir.join("features");
    let reports = dir.join("reports");
    let mut cmd = harness();
    cmd.arg("run")
        .arg("--features")
        .arg(&features)
        .arg("--report-dir")
        .arg(&reports)
        .arg("--seed")
        .arg("7")
        .args(extra);
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const PASSING: &str = r#"@macos
Feature: tiny
  @smoke @R01
  Scenario: toggles start off
    Given a macOS device at the login window
    Then the org's macOS and Windows SSAP toggles are off
    And the login window does not offer "Sign in with JumpCloud"
"#;

#[test]
fn a_green_run_exits_zero_and_writes_every_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    write(&dir.path().join("features"), "tiny.feature", PASSING);
    let out = run_in(dir.path(), &[]);
    assert!(out.status.success(), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("seed 7"), "{all}");
    for f in [
        "junit.xml",
        "cucumber.json",
        "summary.md",
        "index.html",
        "results.json",
    ] {
        let p = dir.path().join("reports").join(f);
        assert!(p.exists(), "{f} missing; output:\n{all}");
    }
    let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).unwrap();
    assert!(junit.contains("toggles start off"), "{junit}");
}

#[test]
fn an_undefined_step_fails_the_run_and_prints_a_definition_to_paste() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    write(
        &dir.path().join("features"),
        "undefined.feature",
        "Feature: undefined\n  Scenario: nobody wrote this step\n    Given the moon is made of \"cheese\"\n",
    );
    let out = run_in(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("no step definition matches"), "{all}");
    assert!(
        all.contains(r##"#[given(regex = r#"^the moon is made of "([^"]*)"$"#)]"##),
        "{all}"
    );
}

#[test]
fn a_failing_step_fails_the_run_with_its_line_and_message() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    write(
        &dir.path().join("features"),
        "red.feature",
        "Feature: red\n  Scenario: expects a button that is not there\n    Given a macOS device at the login window\n    Then the login window offers \"Sign in with JumpCloud\"\n",
    );
    let out = run_in(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("line 4"), "{all}");
    assert!(
        all.contains("expected a \"Sign in with JumpCloud\" button"),
        "{all}"
    );
    assert!(all.contains("reproduce: ssap-harness run"), "{all}");
}

#[test]
fn a_malformed_feature_fails_the_run_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    write(&dir.path().join("features"), "tiny.feature", PASSING);
    write(
        &dir.path().join("features"),
        "broken.feature",
        "Feature: broken\n  Scenario: fine\n    Given a macOS device at the login window\n  Nonsense line here\n    Then what\n",
    );
    let out = run_in(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("broken.feature:4"), "{all}");
}

#[test]
fn a_tag_expression_that_selects_nothing_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    write(&dir.path().join("features"), "tiny.feature", PASSING);
    let out = run_in(dir.path(), &["--tags", "@windows"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no scenario ran"), "{}", text(&out));
    let out = run_in(dir.path(), &["--tags", "@smoke and @macos"]);
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn bad_flags_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), &["--shard", "3/2"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("expected I/N"), "{}", text(&out));
    let out = harness()
        .args(["run", "--features", "/nonexistent/features"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("no feature files at /nonexistent/features"));
}

#[test]
fn the_step_catalog_lists_definitions_with_places_and_examples() {
    let out = harness()
        .args(["steps", "--features"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../features"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("defined at harness/runner/src/steps/"),
        "{all}"
    );
    assert!(
        all.lines().any(|l| l.contains("e.g.  When \"")
            && l.contains("\" signs in with JumpCloud using password")),
        "{all}"
    );
    // Every definition has a real use in the features (outline rows expanded).
    assert!(!all.contains("(not used by any feature yet)"), "{all}");
}

#[test]
fn serve_prints_its_url_first_and_answers_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = harness()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--hash-cost",
            "test",
            "--db",
        ])
        .arg(dir.path().join("cp.db"))
        .env("SSAP_OPERATOR_TOKEN", "operator-token-for-tests-0123456789")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in the first line: {first:?}"))
        .to_string();
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(
            format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
}

#[test]
fn serve_refuses_a_short_operator_token() {
    let dir = tempfile::tempdir().unwrap();
    let out = harness()
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("cp.db"))
        .env("SSAP_OPERATOR_TOKEN", "short")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("at least 16 characters"),
        "{}",
        text(&out)
    );
}

/// What must agree between a merged sharded run and an unsharded one: every scenario, its
/// status and its steps (timings, org and device ids legitimately differ between runs).
fn projection(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap();
    let run: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut out = Vec::new();
    for f in run["features"].as_array().unwrap() {
        for s in f["scenarios"].as_array().unwrap() {
            let steps: Vec<String> = s["steps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|st| format!("{}{} {}", st["keyword"], st["text"], st["status"]))
                .collect();
            out.push(format!(
                "{}:{} {} {} {:?} [{}]",
                f["uri"],
                s["line"],
                s["name"],
                s["status"],
                s["tags"],
                steps.join("; ")
            ));
        }
    }
    out
}

#[test]
fn two_merged_shards_equal_the_unsharded_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], out: &str| {
        let o = harness()
            .current_dir(&root)
            .args([
                "run",
                "-q",
                "--seed",
                "11",
                "--tags",
                "@smoke",
                "--report-dir",
            ])
            .arg(dir.path().join(out))
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
    };
    run(&[], "all");
    run(&["--shard", "1/2"], "s1");
    run(&["--shard", "2/2"], "s2");
    let s1 = projection(&dir.path().join("s1"));
    let s2 = projection(&dir.path().join("s2"));
    assert!(!s1.is_empty() && !s2.is_empty(), "a shard ran nothing");
    let out = harness()
        .args(["report", "merge"])
        .arg(dir.path().join("s1"))
        .arg(dir.path().join("s2"))
        .arg("--out")
        .arg(dir.path().join("merged"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        projection(&dir.path().join("merged")),
        projection(&dir.path().join("all"))
    );
    // The coverage gate reads the merged results like any run's.
    let cov = harness()
        .args(["coverage", "--results"])
        .arg(dir.path().join("merged/results.json"))
        .output()
        .unwrap();
    assert!(text(&cov).contains("coverage: "), "{}", text(&cov));
}

/// A control plane that answers the preflight probe and then never answers again: the step
/// waiting on it is named with its file and line, the reports are still written, and the run
/// ends (exit 1) instead of hanging its CI job.
#[test]
fn a_stuck_step_stops_the_run_naming_its_line() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (n, conn) in listener.incoming().enumerate() {
            let Ok(mut conn) = conn else { continue };
            if n == 0 {
                let mut buf = [0u8; 65536];
                let _ = conn.read(&mut buf);
                let body = r#"{"code":"bad_request","message":"no body"}"#;
                let _ = write!(
                    conn,
                    "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            } else {
                held.push(conn);
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    write(
        &dir.path().join("features"),
        "stuck.feature",
        "Feature: stuck\n  Scenario: waits\n    Given the macOS SSAP toggle is on\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "--control-plane",
            &url,
            "--operator-token",
            "operator-token-for-tests-0123456789",
            "--step-timeout",
            "2",
        ],
    );
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("stuck.feature:2: step \"Given the macOS SSAP toggle is on\""),
        "{all}"
    );
    assert!(dir.path().join("reports/junit.xml").exists(), "{all}");
}

#[test]
fn a_directory_user_table_with_an_unknown_field_names_the_field_and_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("features")).unwrap();
    write(
        &dir.path().join("features"),
        "table.feature",
        "Feature: table\n  Scenario: a typo in a field\n    Given a directory user with these fields:\n      | name     | Holly Flax |\n      | usrname  | holly.flax |\n",
    );
    let out = run_in(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("line 5: unknown field \"usrname\""), "{all}");
}

/// `ssap-harness steps | head -1`: the reader leaves after one line; the command ends quietly
/// (no panic about a broken pipe on stderr).
#[test]
fn a_printing_command_ends_quietly_when_its_reader_leaves() {
    let mut child = harness()
        .current_dir(crate::common::repo())
        .args(["steps", "--markdown"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is dropped here, as `head` exits.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with("# Step reference"), "{first}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
}

#[test]
fn fleet_names_what_is_wrong_with_its_flags_and_its_server() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = |args: &[&str]| {
        let out = harness()
            .arg("fleet")
            .arg("--report-dir")
            .arg(dir.path())
            .args(args)
            .env_remove("SSAP_OPERATOR_TOKEN")
            .env_remove("SSAP_ORG_API_KEY")
            .env_remove("SSAP_ORG_CONNECT_KEY")
            .output()
            .unwrap();
        // `fleet --help`: 2 on a usage error or a control plane that cannot be reached.
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        text(&out)
    };
    // A negative number is read as a value and refused for what it is.
    let rtt = fleet(&["--devices", "3", "--rtt", "-5"]);
    assert!(
        rtt.contains("--rtt must be between 0 and 600000 ms, got -5"),
        "{rtt}"
    );
    let rate = fleet(&["--devices", "3", "--rate", "-3"]);
    assert!(rate.contains("--rate must be a positive number"), "{rate}");
    // Nothing listening: said before any complaint about a missing token.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let down = fleet(&["--devices", "3", "--control-plane", &url]);
    assert!(
        down.contains(&format!("nothing answers HTTP at {url}")),
        "{down}"
    );
    assert!(!down.contains("operator token"), "{down}");
    // A report folder that cannot be made is said before the run, not after it.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = harness()
        .args(["fleet", "--devices", "3", "--report-dir"])
        .arg(file.join("reports"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("creating the report folder"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("verdict"), "{}", text(&out));
}
