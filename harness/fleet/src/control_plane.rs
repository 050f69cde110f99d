//! The control plane a fleet runs against: the reference server started in-process (embedded,
//! test hash cost) or a remote one at a URL. The runner's `embedded` module does the same for
//! the suite; it is not reused because the runner depends on this crate, not the reverse.

use anyhow::Context as _;
use ssap_control_plane::{Config, HashCost, RunningServer};

/// Where the fleet's control plane is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlPlane {
    /// The reference server in-process on 127.0.0.1, over a temporary SQLite file, with the
    /// test password-hash cost.
    Embedded,
    /// A running control plane. The operator token creates the fleet's org unless the org's
    /// keys are given (see [`OrgKeys`]).
    Remote {
        url: String,
        operator_token: Option<String>,
    },
}

impl std::fmt::Display for ControlPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlPlane::Embedded => f.write_str("embedded"),
            ControlPlane::Remote { url, .. } => f.write_str(url),
        }
    }
}

/// An existing org's keys, so several shards can share one org on a remote control plane.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgKeys {
    pub api_key: String,
    pub connect_key: String,
}

impl std::fmt::Debug for OrgKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OrgKeys([redacted])")
    }
}

/// A reachable control plane for the run; stops the embedded server on [`Self::shutdown`].
pub(crate) struct Connected {
    pub url: String,
    pub operator_token: Option<String>,
    embedded: Option<(RunningServer, tempfile::TempDir)>,
}

impl Connected {
    pub async fn open(cp: &ControlPlane) -> anyhow::Result<Self> {
        match cp {
            ControlPlane::Embedded => {
                let dir = tempfile::tempdir()
                    .context("creating a temporary folder for the embedded database")?;
                let token = format!("op-{:032x}", rand::random::<u128>());
                let server = ssap_control_plane::start(
                    Config {
                        database: dir.path().join("fleet-control-plane.db").into(),
                        operator_token: token.clone(),
                        hash_cost: HashCost::Test,
                    },
                    ([127, 0, 0, 1], 0).into(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("starting the embedded control plane: {e}"))?;
                Ok(Self {
                    url: server.url().to_string(),
                    operator_token: Some(token),
                    embedded: Some((server, dir)),
                })
            }
            ControlPlane::Remote {
                url,
                operator_token,
            } => Ok(Self {
                url: url.trim_end_matches('/').to_string(),
                operator_token: operator_token.clone(),
                embedded: None,
            }),
        }
    }

    pub async fn shutdown(self) {
        if let Some((server, dir)) = self.embedded {
            server.shutdown().await;
            drop(dir);
        }
    }
}
