//! The `ssap-harness` command as CI, QA engineers and operators use it, in one test binary
//! (one link of the runner's dependencies instead of one per file):
//!
//! - `commands`: exit codes, messages, reports, `serve`;
//! - `select`: FILE:LINE and --name selection, the preflight of a remote control plane;
//! - `modes`: the @smoke scenarios against `serve` and in mock mode;
//! - `shared_org`: remote mode with one org's keys;
//! - `steps_md`: features/STEPS.md is current and every step documented;
//! - `no_secrets`: no credential in any output or report;
//! - `crash_recovery`: `serve` killed twice during a fleet, nothing lost or doubled.
//!
//! One of them: `cargo test --release -p ssap-harness --test cli crash_recovery`.

mod commands;
mod common;
mod crash_recovery;
mod modes;
mod no_secrets;
mod select;
mod shared_org;
mod steps_md;
