//! The reference control plane started in-process on a loopback port for one run, over a
//! temporary SQLite file that disappears with the run.

use anyhow::Context as _;
use ssap_control_plane::{Config, HashCost, RunningServer};

/// A running embedded control plane and the temporary folder holding its database.
pub struct EmbeddedControlPlane {
    server: RunningServer,
    token: String,
    _dir: tempfile::TempDir,
}

impl EmbeddedControlPlane {
    pub async fn start() -> anyhow::Result<Self> {
        let dir =
            tempfile::tempdir().context("creating a temporary folder for the embedded database")?;
        let token = format!("op-{:032x}", rand::random::<u128>());
        let config = Config {
            database: dir.path().join("control-plane.db").into(),
            operator_token: token.clone(),
            hash_cost: HashCost::Test,
        };
        let server = ssap_control_plane::start(config, ([127, 0, 0, 1], 0).into())
            .await
            .map_err(|e| anyhow::anyhow!("starting the embedded control plane: {e}"))?;
        Ok(Self {
            server,
            token,
            _dir: dir,
        })
    }

    pub fn url(&self) -> &str {
        self.server.url()
    }

    pub fn operator_token(&self) -> &str {
        &self.token
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
