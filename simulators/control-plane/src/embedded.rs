//! The reference server as the harness embeds it: in-process on a loopback port, over a
//! SQLite file in a temporary folder that disappears with it, with the test password-hash cost
//! and a random operator token. The suite, the fleet and explore start it the same way, so it
//! is written once here, below all three.

use crate::{start, Config, HashCost, RunningServer, StartError};

/// A running embedded control plane and the temporary folder holding its database.
pub struct EmbeddedServer {
    server: RunningServer,
    token: String,
    // Dropped after the server: the database lives as long as the server does.
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for EmbeddedServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The operator token stays out of logs.
        f.debug_struct("EmbeddedServer")
            .field("url", &self.server.url())
            .finish()
    }
}

impl EmbeddedServer {
    /// Starts the server on 127.0.0.1 (a free port) over a new temporary database.
    pub async fn start() -> Result<Self, StartError> {
        let dir = tempfile::tempdir().map_err(|e| {
            StartError(format!(
                "creating a temporary folder for the embedded database: {e}"
            ))
        })?;
        let token = format!("op-{}", uuid::Uuid::new_v4().simple());
        let config = Config {
            database: dir.path().join("control-plane.db").into(),
            operator_token: token.clone(),
            hash_cost: HashCost::Test,
            virtual_clock: true,
        };
        let server = start(config, ([127, 0, 0, 1], 0).into()).await?;
        Ok(Self {
            server,
            token,
            _dir: dir,
        })
    }

    /// Base URL for clients, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// The operator token that creates orgs on this server.
    pub fn operator_token(&self) -> &str {
        &self.token
    }

    /// Stops the server cleanly, then removes its database.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
