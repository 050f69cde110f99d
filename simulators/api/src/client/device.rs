//! The device agent's clients: before registration with the org's connect key
//! ([`EnrollmentClient`]), then with the device's own credential ([`DeviceClient`]).

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::ApiError;
use super::transport::{Http, CONNECT_KEY_HEADER, DEVICE_KEY_HEADER, NO_BODY};
use crate::types::*;

/// An agent before registration: holds only the org's connect key.
#[derive(Debug, Clone)]
pub struct EnrollmentClient {
    http: Http,
    connect_key: String,
}

impl EnrollmentClient {
    /// A client holding the org's connect key.
    pub fn new(http: Http, connect_key: impl Into<String>) -> Self {
        Self {
            http,
            connect_key: connect_key.into(),
        }
    }

    /// Registers the device and returns a client holding its own credential (keep it with
    /// [`DeviceClient::credential`] to survive reboots).
    pub async fn register(&self, facts: &DeviceFacts) -> Result<DeviceClient, ApiError> {
        let reg: DeviceRegistered = self
            .http
            .call(
                Method::POST,
                "/api/device/register",
                Some((CONNECT_KEY_HEADER, &self.connect_key)),
                Some(facts),
            )
            .await?;
        Ok(DeviceClient {
            http: self.http.clone(),
            device_id: reg.device_id,
            credential: reg.device_credential,
        })
    }
}

/// A registered device's agent.
#[derive(Debug, Clone)]
pub struct DeviceClient {
    http: Http,
    device_id: String,
    credential: String,
}

impl DeviceClient {
    /// Rebuilds a client from a stored registration (e.g. after a reboot).
    pub fn new(http: Http, device_id: impl Into<String>, credential: impl Into<String>) -> Self {
        Self {
            http,
            device_id: device_id.into(),
            credential: credential.into(),
        }
    }

    /// The device's id.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The device credential issued at registration. An agent persists it (with
    /// [`DeviceClient::device_id`]) so that after a reboot it can rebuild its client with
    /// [`DeviceClient::new`] instead of registering again; treat it as a secret.
    pub fn credential(&self) -> &str {
        &self.credential
    }

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<R, ApiError> {
        self.http
            .call(
                method,
                path,
                Some((DEVICE_KEY_HEADER, &self.credential)),
                body,
            )
            .await
    }

    /// What the login window should show.
    pub async fn login_window(&self) -> Result<LoginWindowConfig, ApiError> {
        self.call(Method::GET, "/api/device/login-window", NO_BODY)
            .await
    }

    /// The users bound to this device.
    pub async fn associations(&self) -> Result<Vec<Association>, ApiError> {
        self.call(Method::GET, "/api/device/associations", NO_BODY)
            .await
    }

    /// Checks a directory password and returns a single-use ticket (R40-R42).
    pub async fn authenticate(
        &self,
        req: &AuthenticateRequest,
    ) -> Result<AuthenticateResponse, ApiError> {
        self.call(Method::POST, "/api/device/authenticate", Some(req))
            .await
    }

    /// Redeems the ticket for an association, once (R44, R60).
    pub async fn provision(&self, req: &ProvisionRequest) -> Result<Association, ApiError> {
        self.call(Method::POST, "/api/device/provision", Some(req))
            .await
    }

    /// How an email signs in: password, or federated with the authorize URL (R46).
    pub async fn sign_in_method(
        &self,
        req: &SignInMethodRequest,
    ) -> Result<SignInMethod, ApiError> {
        self.call(Method::POST, "/api/device/sign-in-method", Some(req))
            .await
    }

    /// Redeems the identity provider's code for the same ticket as a password (R46).
    pub async fn authenticate_federated(
        &self,
        req: &FederatedSignIn,
    ) -> Result<AuthenticateResponse, ApiError> {
        self.call(
            Method::POST,
            "/api/device/authenticate/federated",
            Some(req),
        )
        .await
    }

    /// Confirms a login through federation to an account bound to this device (R46).
    pub async fn login_federated(&self, req: &FederatedSignIn) -> Result<Association, ApiError> {
        self.call(Method::POST, "/api/device/login/federated", Some(req))
            .await
    }

    /// Reports a refusal decided on the endpoint, for the audit log (R07).
    pub async fn report_attempt(&self, report: &AttemptReport) -> Result<(), ApiError> {
        self.call(Method::POST, "/api/device/attempts", Some(report))
            .await
    }

    /// Checks the MFA code a user typed at the next-login prompt (R45); `Ok` lets them in.
    pub async fn verify_mfa(&self, req: &MfaVerifyRequest) -> Result<(), ApiError> {
        self.call(Method::POST, "/api/device/mfa/verify", Some(req))
            .await
    }
}
