//! The reference SSAP control plane: a real HTTP service (axum) over an embedded SQLite file or
//! a shared PostgreSQL database, multi-tenant, speaking exactly the contract of `ssap-api`.
//!
//! The harness runs it in-process for its default embedded mode and as `ssap-harness serve`;
//! either way every behaviour crosses a real socket and a real database, so what passes here
//! is what another control plane must also pass.
//!
//! Routes (bodies are the `ssap_api` types; every error is an `ApiErrorBody`):
//! - `GET /healthz`, `GET /openapi.json` (no auth; the document is `ssap_api::openapi::DOCUMENT`)
//! - `POST /api/operator/orgs` (`Authorization: Bearer <operator token>`)
//! - `x-api-key`: `GET|PATCH /api/admin/settings`, `GET|POST /api/admin/users`,
//!   `GET|PATCH|DELETE /api/admin/users/{id}`, `GET /api/admin/devices`, `GET /api/admin/devices/{id}`,
//!   `GET|POST /api/admin/devices/{id}/associations`,
//!   `DELETE /api/admin/devices/{id}/associations/{user_id}`,
//!   `PUT|DELETE /api/admin/devices/{id}/policies/login-window-text`,
//!   `PUT|DELETE /api/admin/devices/{id}/policies/windows-ssap`,
//!   `PUT|DELETE /api/admin/devices/{id}/policies/mfa`, `GET /api/admin/audit`,
//!   `GET|PUT|DELETE /api/admin/identity-provider`
//! - `x-connect-key`: `POST /api/device/register`
//! - `x-device-key`: `GET /api/device/login-window`, `GET /api/device/associations`,
//!   `POST /api/device/authenticate`, `POST /api/device/provision`, `POST /api/device/attempts`,
//!   `POST /api/device/sign-in-method`, `POST /api/device/authenticate/federated`,
//!   `POST /api/device/login/federated` (federated sign-in, R46: see `routes::federation`)

#![warn(missing_docs)]

mod auth;
mod clock;
mod db;
mod embedded;
mod error;
mod meters;
mod routes;
mod rules;
mod sql;
mod storage;

pub use embedded::EmbeddedServer;
pub use storage::Database;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Every path template the server routes (`/api/admin/devices/{id}`, ...), straight from the
/// router's own table. For contract tests: compare with `ssap_api::openapi::operations`.
pub fn route_paths() -> Vec<&'static str> {
    routes::paths()
}

/// What the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives: a SQLite file (created if missing; an existing one keeps its
    /// data) or a PostgreSQL database several servers may share.
    pub database: Database,
    /// Bearer token of the operator, the only one who may create orgs.
    pub operator_token: String,
    /// Password-hash cost: `Default` in real deployments, `Test` where speed matters more.
    pub hash_cost: HashCost,
    /// Gives every org a clock an admin can move forward (`/api/admin/clock`), so tests let
    /// time pass without waiting. Never for a real deployment.
    pub virtual_clock: bool,
}

/// Cost of argon2id password hashing. Configurable because a safe cost makes every test and
/// load-run user creation and sign-in take tens of milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashCost {
    /// argon2id m=19456 KiB, t=2, p=1 (the OWASP recommendation).
    #[default]
    Default,
    /// The cheapest parameters argon2 accepts; never for real passwords.
    Test,
}

/// Why the server could not start, naming the path or address involved.
#[derive(Debug, thiserror::Error)]
#[error("control plane could not start: {0}")]
pub struct StartError(pub(crate) String);

/// Shared by every handler.
#[derive(Clone)]
pub(crate) struct AppState {
    pub storage: storage::Storage,
    pub hash_cost: HashCost,
    pub operator_digest: Arc<Vec<u8>>,
    /// Hash verified against when the email is unknown, so both refusals cost the same (R40).
    pub dummy_hash: Arc<String>,
    pub creds: Arc<auth::CredentialCache>,
    /// Failed sign-ins per device (R42), counted in the database so all servers agree.
    pub throttle: auth::Throttle,
    /// Client of identity providers' token endpoints (R46): bounded, follows no redirects.
    pub idp_http: reqwest::Client,
    /// The clock time-bound rules read, per org.
    pub clock: clock::Clock,
    /// Work counters of a server started for testing (R62).
    pub meters: meters::Meters,
}

/// A started server. Call [`RunningServer::shutdown`] to stop it cleanly; dropping it leaves
/// the server running until the runtime ends.
pub struct RunningServer {
    url: String,
    stop: Option<oneshot::Sender<()>>,
    serve: JoinHandle<std::io::Result<()>>,
    storage: storage::StorageThreads,
}

impl std::fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningServer")
            .field("url", &self.url)
            .finish()
    }
}

/// How long the control plane waits for an identity provider's token endpoint (R46).
const IDP_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (or creates) the database, binds `addr` and serves in a background task.
pub async fn start(config: Config, addr: SocketAddr) -> Result<RunningServer, StartError> {
    if config.operator_token.trim().is_empty() {
        return Err(StartError("the operator token is empty".into()));
    }
    let database = config.database.clone();
    let (storage, threads) = tokio::task::spawn_blocking(move || storage::open(&database))
        .await
        .map_err(|e| StartError(format!("storage start-up task failed: {e}")))?
        .map_err(|e| StartError(format!("{}: {e}", config.database)))?;

    let cost = config.hash_cost;
    let dummy_hash = match tokio::task::spawn_blocking(move || {
        auth::hash_password(cost, "no such user: this hash only equalizes timing")
    })
    .await
    {
        Ok(Ok(h)) => h,
        _ => {
            threads.stop().await;
            return Err(StartError("cannot compute a password hash".into()));
        }
    };

    let idp_http = match reqwest::Client::builder()
        .timeout(IDP_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            threads.stop().await;
            return Err(StartError(format!(
                "cannot build the identity-provider HTTP client: {e}"
            )));
        }
    };

    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            threads.stop().await;
            return Err(StartError(format!("cannot listen on {addr}: {e}")));
        }
    };
    let local = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            threads.stop().await;
            return Err(StartError(format!("no local address for {addr}: {e}")));
        }
    };
    let host = if local.ip().is_unspecified() {
        match local {
            SocketAddr::V4(_) => "127.0.0.1".to_string(),
            SocketAddr::V6(_) => "[::1]".to_string(),
        }
    } else if local.is_ipv6() {
        format!("[{}]", local.ip())
    } else {
        local.ip().to_string()
    };
    let url = format!("http://{host}:{}", local.port());

    let state = AppState {
        storage,
        hash_cost: config.hash_cost,
        operator_digest: Arc::new(auth::digest(&config.operator_token)),
        dummy_hash: Arc::new(dummy_hash),
        creds: Arc::new(auth::CredentialCache::default()),
        throttle: auth::Throttle::new(
            Duration::from_secs(ssap_api::limits::THROTTLE_WINDOW_SECS),
            ssap_api::limits::THROTTLE_MAX_FAILURES,
        ),
        idp_http,
        clock: clock::Clock::new(config.virtual_clock),
        meters: meters::Meters::new(config.virtual_clock),
    };
    let app = routes::router(state);
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let serve = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            })
            .await
    });
    tracing::info!(%url, "SSAP control plane listening");
    Ok(RunningServer {
        url,
        stop: Some(stop_tx),
        serve,
        storage: threads,
    })
}

impl RunningServer {
    /// Base URL for clients, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops accepting connections, lets in-flight requests finish, then flushes and closes
    /// the database so another server can open the same file.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.serve).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "server stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "server task failed"),
        }
        self.storage.stop().await;
    }
}
