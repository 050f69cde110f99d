//! What the runner's command-line tests share: the built binary, the repository root, and
//! `ssap-harness serve` as a child process that dies with the test.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The `ssap-harness` binary cargo built for these tests.
pub fn harness() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ssap-harness"))
}

/// The repository root (where `features/` is).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Stdout then stderr of a finished command, for assertions and failure messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A `serve` child, killed when the test ends, even on panic.
pub struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Served {
    /// SIGKILL (what `Child::kill` sends on Unix): no graceful shutdown, no flush.
    pub fn sigkill(mut self) {
        self.0.kill().expect("SIGKILL the control plane");
        let status = self.0.wait().expect("reap the control plane");
        assert!(!status.success(), "killed, not exited: {status:?}");
    }
}

/// Starts `ssap-harness serve` on `listen` (port 0: any) over the SQLite file `db`, with the
/// operator `token`, the test hash cost and the virtual clock, and returns it with the URL its first stdout line
/// names.
pub fn serve(db: &Path, listen: &str, token: &str) -> (Served, String) {
    let mut child = harness()
        .args([
            "serve",
            "--listen",
            listen,
            "--hash-cost",
            "test",
            "--virtual-clock",
            "--db",
        ])
        .arg(db)
        .env("SSAP_OPERATOR_TOKEN", token)
        .env_remove("SSAP_DATABASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let served = Served(child);
    let mut first = String::new();
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("first line");
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no URL in the first line: {first:?}"))
        .to_string();
    (served, url)
}
