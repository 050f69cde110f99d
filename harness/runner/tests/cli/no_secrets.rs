//! No secret in any log or report: the whole suite (against `ssap-harness serve` and embedded)
//! and a fleet run, then every line they and the server printed and every report file are
//! searched for every kind of credential the control plane hands out (API keys, connect keys,
//! device credentials, tickets, federation state and nonces: all `ssap_<kind>_<64 hex>`),
//! password hashes, the operator token, and the fleet users' passwords.
//!
//! Passwords written in feature files are not searched for in reports, whose step text quotes
//! the feature file; they are searched for in the server's output.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::{harness, repo};

const TOKEN: &str = "operator-token-for-the-secret-scan-5d41402abc4b2a76";

struct Served {
    child: Child,
    /// Everything the server printed after its URL line (joined when it is stopped).
    rest: Option<std::thread::JoinHandle<String>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path, stderr: &Path) -> (Served, String, String) {
    let mut child = harness()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--hash-cost",
            "test",
            "--virtual-clock",
            "--db",
        ])
        .arg(db)
        .env("SSAP_OPERATOR_TOKEN", TOKEN)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).expect("stderr file"))
        .spawn()
        .expect("serve starts");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    out.read_line(&mut first).expect("first line");
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in the first line: {first:?}"))
        .to_string();
    (
        Served {
            child,
            rest: Some(rest),
        },
        first,
        url,
    )
}

/// Stdout and stderr of one command, as one text.
fn output(cmd: &mut Command) -> String {
    let o = cmd
        .current_dir(repo())
        .env("SSAP_OPERATOR_TOKEN", TOKEN)
        .env("RUST_LOG", "trace")
        .output()
        .expect("runs");
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Every `ssap_<kind>_<64 hex>` credential in `text`.
fn credentials(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("ssap_") {
        let rest = &text[at + 5..];
        let kind_ok = ["ak_", "ck_", "dk_", "tk_", "st_", "nc_"]
            .iter()
            .any(|k| rest.starts_with(k));
        let hex = rest
            .get(3..)
            .map(|h| h.bytes().take_while(u8::is_ascii_hexdigit).count())
            .unwrap_or(0);
        if kind_ok && hex >= 64 {
            found.push(text[at..at + 8 + 64].to_string());
        }
    }
    found
}

/// The quoted values after `password "` in a feature file.
fn quoted_passwords(text: &str) -> Vec<String> {
    text.match_indices("password \"")
        .filter_map(|(at, m)| {
            let rest = &text[at + m.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .filter(|p| p.len() >= 6)
        .collect()
}

#[test]
fn no_credential_password_or_hash_reaches_a_log_or_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut served, first, url) = serve(&dir.path().join("cp.db"), &dir.path().join("serve.err"));

    let remote = dir.path().join("reports-remote");
    let embedded = dir.path().join("reports-embedded");
    let fleet_reports = dir.path().join("reports-fleet");
    let mut logs: Vec<(String, String)> = Vec::new();
    logs.push((
        "run against serve".into(),
        output(
            harness()
                .args([
                    "run",
                    "--seed",
                    "11",
                    "--control-plane",
                    &url,
                    "--report-dir",
                ])
                .arg(&remote),
        ),
    ));
    logs.push((
        "run embedded".into(),
        output(
            harness()
                .args(["run", "--seed", "11", "--report-dir"])
                .arg(&embedded),
        ),
    ));
    let fleet_seed = 5u64;
    logs.push((
        "fleet".into(),
        output(harness().args([
            "fleet",
            "--devices",
            "100",
            "--seed",
            &fleet_seed.to_string(),
            "--control-plane",
            &url,
            "--json",
            "--report-dir",
            &fleet_reports.display().to_string(),
        ])),
    ));
    let _ = served.child.kill();
    let _ = served.child.wait();
    let rest = served
        .rest
        .take()
        .map(|h| h.join().unwrap_or_default())
        .unwrap_or_default();
    let serve_log = format!(
        "{first}\n{rest}\n{}",
        std::fs::read_to_string(dir.path().join("serve.err")).unwrap_or_default()
    );

    let mut reports = Vec::new();
    files(&remote, &mut reports);
    files(&embedded, &mut reports);
    files(&fleet_reports, &mut reports);
    assert!(
        reports.iter().any(|p| p.ends_with("fleet.json")),
        "the fleet wrote no report: {logs:?}"
    );
    assert!(
        reports.iter().any(|p| p.ends_with("junit.xml")),
        "the runs wrote no reports: {logs:?}"
    );
    assert!(
        logs[2].1.contains("\"provisioned\":100"),
        "fleet: {}",
        logs[2].1
    );

    // What must appear nowhere.
    let names = ssap_fleet::FleetNames::new(fleet_seed, 0.5);
    let mut forbidden: Vec<String> = (0..100).map(|i| names.password(i)).collect();
    forbidden.push(TOKEN.to_string());
    forbidden.push("$argon2".to_string());
    // Passwords of the feature files: not in the server's output.
    let mut feature_passwords = Vec::new();
    let mut features = Vec::new();
    files(&repo().join("features"), &mut features);
    for f in features
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "feature"))
    {
        let text = std::fs::read_to_string(f).expect("feature");
        feature_passwords.extend(quoted_passwords(&text));
    }
    assert!(feature_passwords.len() > 10, "{feature_passwords:?}");

    let mut texts: Vec<(String, String)> = logs;
    texts.push(("serve".into(), serve_log.clone()));
    for p in &reports {
        let mut bytes = Vec::new();
        std::fs::File::open(p)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .expect("report file");
        texts.push((
            p.display().to_string(),
            String::from_utf8_lossy(&bytes).into(),
        ));
    }
    let mut leaks = Vec::new();
    for (what, text) in &texts {
        for c in credentials(text) {
            leaks.push(format!("{what}: credential {c}"));
        }
        for f in &forbidden {
            if text.contains(f.as_str()) {
                leaks.push(format!("{what}: {f:?}"));
            }
        }
    }
    for p in &feature_passwords {
        if serve_log.contains(p.as_str()) {
            leaks.push(format!("serve: feature password {p:?}"));
        }
    }
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    eprintln!(
        "secret scan: {} texts ({} report files), {} bytes, no credential, hash, operator token or password",
        texts.len(),
        reports.len(),
        texts.iter().map(|(_, t)| t.len()).sum::<usize>()
    );
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    let key = format!("ssap_dk_{}", "0123456789abcdef".repeat(4));
    assert_eq!(credentials(&format!("x-device-key: {key}\n")), vec![key]);
    assert!(credentials("ssap_dk_redacted ssap_xx_0000").is_empty());
    assert_eq!(
        quoted_passwords(r#"with username "kevin" and password "Chili-2023!""#),
        vec!["Chili-2023!"]
    );
}
