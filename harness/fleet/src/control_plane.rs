//! The control plane a fleet runs against: the reference server started in-process
//! ([`ssap_control_plane::EmbeddedServer`], as the suite starts it) or a remote one at a URL.

use ssap_control_plane::EmbeddedServer;

/// Where the fleet's control plane is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlPlane {
    /// The reference server in-process on 127.0.0.1, over a temporary SQLite file, with the
    /// test password-hash cost.
    Embedded,
    /// A running control plane. The operator token creates the fleet's org unless the org's
    /// keys are given (see [`OrgKeys`]).
    Remote {
        /// Base URL, e.g. `http://127.0.0.1:8080`.
        url: String,
        /// Creates the fleet's org; `None` when the org's keys are given instead.
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
    /// The org's admin API key: creates the fleet's users and verifies the devices.
    pub api_key: String,
    /// The org's connect key: what every device registers with.
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
    embedded: Option<EmbeddedServer>,
}

impl Connected {
    pub async fn open(cp: &ControlPlane) -> anyhow::Result<Self> {
        match cp {
            ControlPlane::Embedded => {
                let server = EmbeddedServer::start()
                    .await
                    .map_err(|e| anyhow::anyhow!("starting the embedded control plane: {e}"))?;
                Ok(Self {
                    url: server.url().to_string(),
                    operator_token: Some(server.operator_token().to_string()),
                    embedded: Some(server),
                })
            }
            ControlPlane::Remote {
                url,
                operator_token,
            } => {
                let url = url.trim_end_matches('/').to_string();
                reachable(&url).await?;
                Ok(Self {
                    url,
                    operator_token: operator_token.clone(),
                    embedded: None,
                })
            }
        }
    }

    pub async fn shutdown(self) {
        if let Some(server) = self.embedded {
            server.shutdown().await;
        }
    }
}

/// Fails, naming the URL and the cause, when nothing answers HTTP at `url`: said first, so a
/// wrong address is not reported as a missing token or key. Any HTTP answer will do (a
/// control plane without `/healthz` still answers 404).
async fn reachable(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| anyhow::anyhow!("building an HTTP client: {e}"))?;
    match client.get(format!("{url}/healthz")).send().await {
        Ok(_) => Ok(()),
        Err(e) => {
            let mut cause = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                cause = format!("{cause}: {s}");
                source = s.source();
            }
            anyhow::bail!(
                "nothing answers HTTP at {url} ({cause}); is a control plane running there \
                 (`ssap-harness serve --listen ...`)?"
            )
        }
    }
}
