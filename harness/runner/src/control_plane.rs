//! Which control plane a run talks to ([`ControlPlaneMode`]), for the run and its preflight.

use std::path::PathBuf;
use std::time::Duration;

/// Which control plane the scenarios run against.
#[derive(Debug, Clone)]
pub enum ControlPlaneMode {
    /// The reference server, started in-process on 127.0.0.1 over a temporary SQLite file.
    Embedded,
    /// A running control plane; every scenario gets its own org through the operator token.
    Remote {
        /// Base URL, e.g. `http://127.0.0.1:8080`.
        url: String,
        /// Creates each scenario's org.
        operator_token: String,
    },
    /// A running control plane where the harness has one org's keys (as a staging account
    /// gives): scenarios share the org, run one at a time (org settings are shared), start
    /// from the default settings, and use names made unique per scenario and run.
    RemoteSharedOrg {
        /// Base URL.
        url: String,
        /// The org's admin API key.
        api_key: String,
        /// The org's connect key.
        connect_key: String,
    },
    /// wiremock, one server per scenario: the stubs in `stubs/*.yaml` over the mock's own
    /// in-memory model (`ssap-mock`); scripts for fault steps come from `stubs/scripts/`.
    Mock {
        /// The stub folder (`fixtures/mock` by default, when it exists); `None`: no stubs,
        /// the mock's own model answers every request.
        stubs: Option<PathBuf>,
    },
}

/// Client timeout in mock mode: the model answers in microseconds, and a short timeout keeps
/// "reply later than the client's timeout" faults fast.
pub const MOCK_HTTP_TIMEOUT: Duration = Duration::from_millis(300);
