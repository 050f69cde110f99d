//! The device agent: the only code that talks to the control plane, always through
//! [`ssap_api::DeviceClient`] over real HTTP. It keeps the registration, the last login-window
//! configuration, and attempt reports that could not be delivered yet.

use ssap_api::federation::{form_decode, form_value, REDIRECT_URI};
use ssap_api::{
    codes, ApiError, Association, AttemptReport, AuthenticateRequest, AuthenticateResponse,
    DeviceClient, DeviceFacts, EnrollmentClient, FederatedSignIn, Http, LoginWindowConfig,
    ProvisionRequest, SignInMethod, SignInMethodRequest, SignInPurpose,
};

use crate::clock::VirtualClock;

/// Why the agent did not get an answer it can use.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No internet: no call was made (R21).
    #[error("the device is offline; no request was sent")]
    Offline,
    /// The device never managed to register.
    #[error("the device is not registered with the control plane")]
    NotRegistered,
    /// A real HTTP failure or refusal.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// Text for a refusal, as the screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The notice's title ("Can't create your account").
    pub title: String,
    /// The sentence the user reads: what happened and what to do.
    pub message: String,
    /// The same request may be sent again (lost reply, 5xx): the screen offers Try Again.
    pub retryable: bool,
    /// The API refusal code behind it, if the control plane refused.
    pub code: Option<String>,
}

/// What the identity provider's page did with the credentials typed into it (R46).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdpOutcome {
    /// It redirected back to JumpCloud with a code (and the state it was given).
    Redirected(FederatedSignIn),
    /// It refused the credentials and stays on its page with this sentence.
    Refused(String),
    /// It could not be reached, or answered something a browser would show as an error.
    Unreachable(String),
}

/// How many times provisioning is sent with one idempotency key before giving up (R60).
pub const MAX_PROVISION_ATTEMPTS: u32 = 4;

/// The agent of one device.
#[derive(Debug)]
pub struct Agent {
    http: Http,
    connect_key: String,
    client: Option<DeviceClient>,
    config: Option<LoginWindowConfig>,
    outbox: Vec<AttemptReport>,
    next_key: u64,
}

impl Agent {
    /// An agent not yet registered; it registers with `connect_key` through `http` when the device first boots online.
    pub fn new(http: Http, connect_key: String) -> Self {
        Self {
            http,
            connect_key,
            client: None,
            config: None,
            outbox: Vec::new(),
            next_key: 0,
        }
    }

    /// The control plane's id for this device, once registered.
    pub fn device_id(&self) -> Option<&str> {
        self.client.as_ref().map(|c| c.device_id())
    }

    /// The registered device's API client, for tests that call the control plane as this
    /// device would (e.g. to prove a rule is enforced on the server, not only on screen).
    pub fn device_client(&self) -> Option<&DeviceClient> {
        self.client.as_ref()
    }

    /// The last configuration fetched, if any (kept across reboots and while offline).
    pub fn config(&self) -> Option<&LoginWindowConfig> {
        self.config.as_ref()
    }

    pub(crate) fn config_mut(&mut self) -> Option<&mut LoginWindowConfig> {
        self.config.as_mut()
    }

    /// Refusals decided on the device that are still waiting to be reported.
    pub fn pending_reports(&self) -> &[AttemptReport] {
        &self.outbox
    }

    fn online_client(&self, online: bool) -> Result<&DeviceClient, CallError> {
        if !online {
            return Err(CallError::Offline);
        }
        self.client.as_ref().ok_or(CallError::NotRegistered)
    }

    /// Registers the device once (first boot with internet).
    pub async fn ensure_registered(
        &mut self,
        online: bool,
        facts: &DeviceFacts,
    ) -> Result<(), CallError> {
        if self.client.is_some() {
            return Ok(());
        }
        if !online {
            return Err(CallError::Offline);
        }
        let enrol = EnrollmentClient::new(self.http.clone(), self.connect_key.clone());
        self.client = Some(enrol.register(facts).await?);
        Ok(())
    }

    /// Fetches and keeps the login-window configuration; also delivers queued reports.
    pub async fn fetch_config(&mut self, online: bool) -> Result<&LoginWindowConfig, CallError> {
        let cfg = self.online_client(online)?.login_window().await?;
        self.config = Some(cfg);
        self.flush_reports(online).await;
        self.config.as_ref().ok_or(CallError::NotRegistered)
    }

    /// Asks the control plane whether an MFA code opens this user's login (R45).
    pub async fn verify_mfa(
        &self,
        online: bool,
        user_id: &str,
        code: &str,
    ) -> Result<(), CallError> {
        let req = ssap_api::MfaVerifyRequest {
            user_id: user_id.to_string(),
            code: code.to_string(),
        };
        Ok(self.online_client(online)?.verify_mfa(&req).await?)
    }

    /// The device's current associations.
    pub async fn associations(&self, online: bool) -> Result<Vec<Association>, CallError> {
        Ok(self.online_client(online)?.associations().await?)
    }

    /// Checks directory credentials (R40-R42, R47); MFA is not asked for (R45).
    pub async fn authenticate(
        &self,
        online: bool,
        email: &str,
        password: &str,
    ) -> Result<AuthenticateResponse, CallError> {
        let req = AuthenticateRequest {
            email: email.to_string(),
            password: password.to_string(),
        };
        Ok(self.online_client(online)?.authenticate(&req).await?)
    }

    /// How an email signs in (R46): password, or federated with the IdP's authorize URL.
    pub async fn sign_in_method(
        &self,
        online: bool,
        email: &str,
        purpose: SignInPurpose,
    ) -> Result<SignInMethod, CallError> {
        let req = SignInMethodRequest {
            email: email.to_string(),
            purpose,
        };
        Ok(self.online_client(online)?.sign_in_method(&req).await?)
    }

    /// Submits the identity provider's sign-in page as the web view does: a form POST to the
    /// authorize URL, whose redirect to the JumpCloud callback carries the code. A redirect
    /// elsewhere, or with another `state` than the one sent, is not followed (R46).
    pub async fn submit_idp_page(
        &self,
        online: bool,
        authorize_url: &str,
        expected_state: &str,
        username: &str,
        password: &str,
    ) -> IdpOutcome {
        if !online {
            return IdpOutcome::Unreachable(OFFLINE_MESSAGE.to_string());
        }
        let reply = match self
            .http
            .submit_form(
                authorize_url,
                &[("username", username), ("password", password)],
            )
            .await
        {
            Ok(r) => r,
            Err(e) => {
                return IdpOutcome::Unreachable(format!("The sign-in page did not load ({e})."))
            }
        };
        match (reply.status, reply.location) {
            (300..=399, Some(location)) => {
                let Some((base, query)) = location.split_once('?') else {
                    return IdpOutcome::Unreachable(
                        "The sign-in page sent the browser somewhere unexpected.".into(),
                    );
                };
                let pairs = form_decode(query);
                let (code, state) = (form_value(&pairs, "code"), form_value(&pairs, "state"));
                match (base == REDIRECT_URI, code, state) {
                    (true, Some(code), Some(state)) if state == expected_state => {
                        IdpOutcome::Redirected(FederatedSignIn {
                            code: code.to_string(),
                            state: state.to_string(),
                            redirect_uri: REDIRECT_URI.to_string(),
                        })
                    }
                    _ => IdpOutcome::Unreachable(
                        "The sign-in page sent the browser somewhere unexpected.".into(),
                    ),
                }
            }
            (400..=499, _) => IdpOutcome::Refused(
                Some(reply.body.trim().to_string())
                    .filter(|b| !b.is_empty() && b.len() < 200 && !b.starts_with('{'))
                    .unwrap_or_else(|| "Incorrect username or password.".into()),
            ),
            (status, _) => IdpOutcome::Unreachable(format!(
                "The sign-in page answered with an error (HTTP {status})."
            )),
        }
    }

    /// Redeems the IdP's code for a provisioning ticket (R46).
    pub async fn authenticate_federated(
        &self,
        online: bool,
        back: &FederatedSignIn,
    ) -> Result<AuthenticateResponse, CallError> {
        Ok(self
            .online_client(online)?
            .authenticate_federated(back)
            .await?)
    }

    /// Confirms a login through federation to an account bound here (R46).
    pub async fn login_federated(
        &self,
        online: bool,
        back: &FederatedSignIn,
    ) -> Result<Association, CallError> {
        Ok(self.online_client(online)?.login_federated(back).await?)
    }

    /// A fresh provisioning request with a new idempotency key.
    pub fn provision_request(&mut self, ticket: &str, local_name: &str) -> ProvisionRequest {
        self.next_key += 1;
        let id = self.device_id().unwrap_or("unregistered");
        ProvisionRequest {
            ticket: ticket.to_string(),
            local_name: local_name.to_string(),
            idempotency_key: format!("{id}-provision-{}", self.next_key),
        }
    }

    /// Sends a provisioning request, repeating the SAME request (same idempotency key) on
    /// retryable failures up to [`MAX_PROVISION_ATTEMPTS`] times, waiting Retry-After (or 1, 2,
    /// 4 s) on the virtual clock between tries (R60).
    pub async fn provision(
        &self,
        online: bool,
        req: &ProvisionRequest,
        clock: &VirtualClock,
    ) -> Result<Association, CallError> {
        let client = self.online_client(online)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match client.provision(req).await {
                Ok(a) => return Ok(a),
                Err(e) if e.is_retryable() && attempt < MAX_PROVISION_ATTEMPTS => {
                    let wait = match &e {
                        ApiError::Status {
                            retry_after_secs: Some(s),
                            ..
                        } => *s,
                        _ => 1u64 << (attempt - 1),
                    };
                    clock.advance_secs(wait);
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Records a refusal decided on the device (R07); kept and re-sent later if it cannot be
    /// delivered now.
    pub async fn report_attempt(&mut self, online: bool, email: &str, reason: &str) {
        self.outbox.push(AttemptReport {
            email: email.to_string(),
            reason: reason.to_string(),
        });
        self.flush_reports(online).await;
    }

    async fn flush_reports(&mut self, online: bool) {
        let Ok(client) = self.online_client(online) else {
            return;
        };
        let client = client.clone();
        while let Some(r) = self.outbox.first() {
            match client.report_attempt(r).await {
                Ok(()) => {
                    self.outbox.remove(0);
                }
                // Refused for good (bad request): keeping it would block the queue forever.
                Err(e) if !e.is_retryable() => {
                    self.outbox.remove(0);
                }
                Err(_) => return,
            }
        }
    }
}

/// The sentence shown when there is no internet (R21).
pub const OFFLINE_MESSAGE: &str =
    "You're offline. Connect to the internet, then try again. Nothing was created.";

/// Maps a failed call to what the screen says (refusal codes from `ssap_api::codes`).
pub fn refusal_for(err: &CallError) -> Refusal {
    let mut out = refusal_text(err);
    if let CallError::Api(e) = err {
        out.code = e.code().map(str::to_string);
    }
    out
}

fn refusal_text(err: &CallError) -> Refusal {
    let r = |title: &str, message: String, retryable: bool| Refusal {
        title: title.to_string(),
        message,
        retryable,
        code: None,
    };
    let api = match err {
        CallError::Offline => return r("You're offline", OFFLINE_MESSAGE.to_string(), false),
        CallError::NotRegistered => {
            return r(
                "Device not enrolled",
                "This device has not finished enrolling with JumpCloud. Connect to the internet and restart it, or contact your admin.".to_string(),
                false,
            )
        }
        CallError::Api(e) => e,
    };
    let code = match api {
        ApiError::Status { code, .. } => code.as_str(),
        _ => {
            return r(
                "Can't reach JumpCloud",
                "JumpCloud did not answer. Nothing was created on this device. Try again."
                    .to_string(),
                true,
            )
        }
    };
    if code == codes::IDP_UNAVAILABLE {
        return r(
            "Can't reach your identity provider",
            "Your identity provider did not answer JumpCloud. Nothing was created on this device. Try again later."
                .to_string(),
            false,
        );
    }
    if api.is_retryable() && code != codes::TOO_MANY_ATTEMPTS {
        return r(
            "Can't reach JumpCloud",
            "JumpCloud is not available right now. Nothing was created on this device. Try again."
                .to_string(),
            true,
        );
    }
    let m = |s: &str| s.to_string();
    match code {
        codes::INVALID_CREDENTIALS => r("Can't sign in", m("Incorrect email or password."), false),
        codes::NO_PASSWORD => r(
            "Can't sign in",
            m("Your JumpCloud account has no password yet. Contact your admin."),
            false,
        ),
        codes::USER_STAGED => r(
            "Can't sign in",
            m("Your JumpCloud account has not been activated yet. Contact your admin."),
            false,
        ),
        codes::USER_SUSPENDED => r(
            "Can't sign in",
            m("Your JumpCloud account is suspended. Contact your admin."),
            false,
        ),
        codes::USER_LOCKED => r(
            "Can't sign in",
            m("Your JumpCloud account is locked. Contact your admin."),
            false,
        ),
        codes::PASSWORD_EXPIRED => r(
            "Can't sign in",
            m("Your JumpCloud password has expired. Reset it in the JumpCloud User Portal, then try again."),
            false,
        ),
        codes::TOO_MANY_ATTEMPTS => {
            let wait = match api {
                ApiError::Status {
                    retry_after_secs: Some(s),
                    ..
                } => format!(
                    " Try again in {s} second{}.",
                    if *s == 1 { "" } else { "s" }
                ),
                _ => " Try again later.".to_string(),
            };
            r(
                "Can't sign in",
                format!("Too many failed sign-in attempts.{wait}"),
                false,
            )
        }
        codes::SSAP_DISABLED => r(
            "Not available",
            m("Sign in with JumpCloud is turned off for this device. Contact your admin."),
            false,
        ),
        codes::DEVICE_NOT_SUPPORTED => r(
            "Not available",
            m("This device does not support Sign in with JumpCloud. Contact your admin."),
            false,
        ),
        codes::DEVICE_HAS_MANAGED_USERS => r(
            "Not available",
            m("This device already has a JumpCloud user. Contact your admin."),
            false,
        ),
        codes::TICKET_INVALID => r(
            "Sign-in expired",
            m("Your sign-in expired before your account was created. Sign in again."),
            false,
        ),
        codes::ALREADY_BOUND => r(
            "Already set up",
            m("Your account is already set up on this device. Contact your admin."),
            false,
        ),
        codes::FEDERATION_FAILED => r(
            "Can't sign in",
            m("Your identity provider's answer could not be verified. Nothing was created. Start again."),
            false,
        ),
        codes::FEDERATION_STATE_INVALID => r(
            "Sign-in expired",
            m("This sign-in expired or was already used. Nothing was created. Start again."),
            false,
        ),
        codes::FEDERATION_NOT_CONFIGURED => r(
            "Not available",
            m("Your account signs in through an identity provider that is not set up for your organization. Contact your admin."),
            false,
        ),
        codes::USE_FEDERATION => r(
            "Can't sign in",
            m("Your account signs in through your organization's identity provider."),
            false,
        ),
        codes::NOT_BOUND => r(
            "Can't sign in",
            m("Your account is not set up on this device. Contact your admin."),
            false,
        ),
        codes::UNAUTHORIZED => r(
            "Device not recognised",
            m("JumpCloud does not recognise this device. Contact your admin."),
            false,
        ),
        other => r(
            "Can't sign in",
            format!("JumpCloud refused the request ({other}). Contact your admin."),
            false,
        ),
    }
}
