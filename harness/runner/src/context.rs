//! What every scenario of a run shares: where the control plane is and how to reach it.
//! cucumber builds Worlds with no arguments, so the run installs this before it starts.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::journal::Journal;

/// Settings of the current run.
#[derive(Debug)]
pub struct RunContext {
    /// The control plane's base URL (unused in mock mode).
    pub base_url: String,
    /// Creates each scenario's org (empty with a shared org or in mock mode).
    pub operator_token: String,
    /// The fake-data seed of the run.
    pub seed: u64,
    /// Bounds every HTTP call of the scenarios.
    pub http_timeout: Duration,
    /// Where Worlds deposit screens, exchanges and logs for the collector.
    pub journal: Journal,
    /// Mock mode: each scenario starts its own mock control plane with these stubs, and
    /// `base_url`/`operator_token` are unused.
    pub mock: Option<Arc<Vec<ssap_mock::Stub>>>,
    /// Where `Given the control plane follows the script "NAME"` reads `NAME.yaml`.
    pub scripts: PathBuf,
    /// Remote mode with one org's keys and no operator token (a staging account): every
    /// scenario shares this org, runs alone, and gets unique names.
    pub shared_org: Option<SharedOrg>,
}

/// The keys of the one org a staging account gives.
#[derive(Debug, Clone)]
pub struct SharedOrg {
    /// The org's admin API key.
    pub api_key: String,
    /// The org's connect key.
    pub connect_key: String,
    /// Random per run, so names stay unique across runs against a persistent org.
    pub run_nonce: u64,
}

static CURRENT: Mutex<Option<Arc<RunContext>>> = Mutex::new(None);

/// Makes `ctx` the context of Worlds created from now on.
pub fn install(ctx: Arc<RunContext>) {
    if let Ok(mut slot) = CURRENT.lock() {
        *slot = Some(ctx);
    }
}

/// The context of the running suite.
pub fn current() -> Option<Arc<RunContext>> {
    CURRENT.lock().ok().and_then(|slot| slot.clone())
}
