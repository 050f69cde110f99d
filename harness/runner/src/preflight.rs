//! One call to a remote control plane before any scenario runs, so a wrong URL, nothing
//! listening, or a wrong operator token or org key is one clear message (exit 2) instead of
//! every scenario failing with the same transport error.
//!
//! The probes change nothing: each sends a request the control plane must refuse after
//! checking the credential (an org with an empty name, a device with no hostname), so
//! 400 means the credential was accepted and 401 that it was not.

use std::time::Duration;

use ssap_api::{AdminClient, ApiError, DeviceFacts, EnrollmentClient, Http, OperatorClient, Os};

use crate::control_plane::ControlPlaneMode;

/// How long the preflight waits for an answer: long enough for a slow staging server.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Checks that `mode`'s control plane answers and takes its credentials. Embedded and mock
/// modes start their own, so there is nothing to check.
pub async fn check(mode: &ControlPlaneMode) -> anyhow::Result<()> {
    match mode {
        ControlPlaneMode::Embedded | ControlPlaneMode::Mock { .. } => Ok(()),
        ControlPlaneMode::Remote {
            url,
            operator_token,
        } => {
            let http = http(url)?;
            let probe = OperatorClient::new(http, operator_token.clone())
                .create_org("")
                .await;
            judge(
                url,
                probe.map(|_| ()),
                "the operator token (SSAP_OPERATOR_TOKEN)",
            )
        }
        ControlPlaneMode::RemoteSharedOrg {
            url,
            api_key,
            connect_key,
        } => {
            let http = http(url)?;
            let settings = AdminClient::new(http.clone(), api_key.clone())
                .settings()
                .await;
            judge(
                url,
                settings.map(|_| ()),
                "the org API key (SSAP_ORG_API_KEY)",
            )?;
            // No hostname: refused as a bad request once the connect key has been checked.
            let facts = DeviceFacts {
                os: Os::Macos,
                edition: String::new(),
                architecture: String::new(),
                join_state: Default::default(),
                mdm: Default::default(),
                hostname: String::new(),
                serial: String::new(),
                mac: String::new(),
                ip: String::new(),
                os_version: String::new(),
            };
            let register = EnrollmentClient::new(http, connect_key.clone())
                .register(&facts)
                .await;
            judge(
                url,
                register.map(|_| ()),
                "the org connect key (SSAP_ORG_CONNECT_KEY)",
            )
        }
    }
}

fn http(url: &str) -> anyhow::Result<Http> {
    Http::new(url, TIMEOUT).map_err(|e| anyhow::anyhow!("control plane {url}: {e}"))
}

/// Accepted: success, or a refusal of the request's body (the credential passed).
fn judge(url: &str, probe: Result<(), ApiError>, credential: &str) -> anyhow::Result<()> {
    match probe {
        Ok(()) => Ok(()),
        Err(ApiError::Status { status: 400, .. }) => Ok(()),
        Err(ApiError::Status {
            status: 401,
            message,
            ..
        }) => anyhow::bail!(
            "the control plane at {url} refused {credential}: {message}. Check the value (no \
             scenario ran)"
        ),
        Err(ApiError::Transport { detail, .. }) => anyhow::bail!(
            "cannot reach a control plane at {url}: {detail}. Is it running (`ssap-harness \
             serve`), and are the host and port right? (no scenario ran)"
        ),
        Err(e) => {
            anyhow::bail!("{url} does not answer as an SSAP control plane: {e} (no scenario ran)")
        }
    }
}
