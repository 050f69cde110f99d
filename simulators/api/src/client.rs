//! The one HTTP client of the control-plane API. Simulated endpoints and step definitions both
//! go through it, so every behaviour crosses a real socket whatever serves the other end
//! (the embedded reference server, a remote one, or wiremock stubs).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::paging::{AuditFilter, ListQuery, Page};
use crate::types::*;

/// Header carrying the per-org admin API key (as the public JumpCloud API does).
pub const API_KEY_HEADER: &str = "x-api-key";
/// Header carrying the org connect key an agent presents once, to register its device.
pub const CONNECT_KEY_HEADER: &str = "x-connect-key";
/// Header carrying the per-device credential issued at registration.
pub const DEVICE_KEY_HEADER: &str = "x-device-key";

/// Why a call failed, with enough context to say which call and what came back.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No HTTP answer: connection refused or reset, or the client timeout passed.
    #[error("{method} {path}: no answer from the control plane at {base}: {detail}")]
    Transport {
        method: String,
        path: String,
        base: String,
        detail: String,
        timed_out: bool,
    },
    /// An HTTP answer with an error status.
    #[error("{method} {path}: HTTP {status} {code}: {message}")]
    Status {
        method: String,
        path: String,
        status: u16,
        code: String,
        message: String,
        retry_after_secs: Option<u64>,
    },
    /// A success status whose body is not what the contract says.
    #[error(
        "{method} {path}: HTTP {status} with a body that does not match the API contract: {detail}"
    )]
    Malformed {
        method: String,
        path: String,
        status: u16,
        detail: String,
    },
}

impl ApiError {
    /// The machine code of a refusal (`user_suspended`, `too_many_attempts`, ...), if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status { code, .. } => Some(code),
            _ => None,
        }
    }

    /// HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Worth retrying with the same request: nothing came back, the reply was unreadable,
    /// or the server said it is overloaded or broken (5xx, 429).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Transport { .. } | ApiError::Malformed { .. } => true,
            ApiError::Status { status, .. } => *status >= 500 || *status == 429,
        }
    }
}

/// One request and its answer, kept for the scenario's report. Secrets are redacted at
/// capture time, so nothing sensitive is ever held, let alone written.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub request_body: Option<String>,
    pub status: Option<u16>,
    pub response_body: Option<String>,
    pub millis: u64,
}

/// Shared list of exchanges; clone it into every client of one scenario.
#[derive(Debug, Clone, Default)]
pub struct ExchangeLog(Arc<Mutex<Vec<Exchange>>>);

impl ExchangeLog {
    pub fn push(&self, e: Exchange) {
        if let Ok(mut v) = self.0.lock() {
            v.push(e);
        }
    }
    pub fn snapshot(&self) -> Vec<Exchange> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// JSON keys whose values are replaced by "[redacted]" in captured exchanges.
const SECRET_KEYS: &[&str] = &[
    "password",
    "api_key",
    "connect_key",
    "device_credential",
    "ticket",
    "password_hash",
    "token",
    "client_secret",
    "id_token",
    "code",
    "nonce",
    "authorize_url",
    "secret",
    "otpauth_uri",
];

/// Keys that are secret only in a federated sign-in's bodies (R46), recognised by their
/// `redirect_uri`: there `state` is the single-use OAuth state, elsewhere (a user's `state`)
/// it is a lifecycle word worth showing.
const OAUTH_SECRET_KEYS: &[&str] = &["state"];

/// Replaces the values of secret-bearing keys anywhere in a JSON document.
pub fn redact_json(text: &str) -> String {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                let oauth = map.contains_key("redirect_uri");
                // An ApiErrorBody's `code` is a public refusal code, not an MFA or OAuth code.
                let refusal = map.len() == 2 && map.contains_key("message");
                for (k, val) in map.iter_mut() {
                    let secret = (SECRET_KEYS.contains(&k.as_str()) && !(refusal && k == "code"))
                        || (oauth && OAUTH_SECRET_KEYS.contains(&k.as_str()));
                    if secret && !val.is_null() {
                        *val = serde_json::Value::String("[redacted]".into());
                    } else {
                        walk(val);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            walk(&mut v);
            v.to_string()
        }
        // Not JSON: keep only its length, it might be anything.
        Err(_) => format!("[{} bytes, not JSON]", text.len()),
    }
}

/// Told the time of every API call (send to last byte of the reply), without bodies: how a
/// load run gets per-request latencies without the cost of an [`ExchangeLog`].
pub trait CallObserver: Send + Sync {
    /// `status` is `None` when no reply came (transport error or timeout).
    fn observe(&self, method: &str, path: &str, status: Option<u16>, took: Duration);
}

/// Connection settings shared by every credential's client.
#[derive(Clone)]
pub struct Http {
    inner: reqwest::Client,
    /// The device web view's browser: follows no redirects, so that the identity provider's
    /// redirect to the JumpCloud callback is seen, not chased (R46).
    browser: reqwest::Client,
    base: String,
    log: Option<ExchangeLog>,
    observer: Option<Arc<dyn CallObserver>>,
}

/// What a web page answered to a form POST: its status, where it redirects, its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormReply {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("base", &self.base).finish()
    }
}

impl Http {
    /// `base` is the server root, e.g. `http://127.0.0.1:8080`. `timeout` bounds every call.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, ApiError> {
        let inner = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| ApiError::Transport {
                method: "-".into(),
                path: "-".into(),
                base: base.into(),
                detail: format!("cannot build the HTTP client: {e}"),
                timed_out: false,
            })?;
        let browser = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Transport {
                method: "-".into(),
                path: "-".into(),
                base: base.into(),
                detail: format!("cannot build the web view's HTTP client: {e}"),
                timed_out: false,
            })?;
        Ok(Self {
            inner,
            browser,
            base: base.trim_end_matches('/').to_string(),
            log: None,
            observer: None,
        })
    }

    /// Submits a web form, as the device's web view does on an identity provider's page
    /// (R46): `url` is absolute (another server than the control plane), redirects are
    /// returned, not followed. Recorded in the exchange log with secrets redacted.
    pub async fn submit_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<FormReply, ApiError> {
        let method = Method::POST;
        let shown_path = url.split('?').next().unwrap_or(url).to_string();
        let logged_form = {
            let map: serde_json::Map<String, serde_json::Value> = form
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect();
            serde_json::Value::Object(map).to_string()
        };
        let started = Instant::now();
        let sent = self
            .browser
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::federation::form_encode(form))
            .send()
            .await;
        let transport_err = |e: &reqwest::Error| {
            let mut err = transport(&method, &shown_path, url, e);
            if let ApiError::Transport { detail, .. } = &mut err {
                *detail = format!("the page did not answer: {detail}");
            }
            err
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                self.record(
                    &method,
                    &shown_path,
                    &Some(logged_form),
                    None,
                    None,
                    started,
                );
                return Err(transport_err(&e));
            }
        };
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = match resp.text().await {
            Ok(b) => b,
            Err(e) => {
                self.record(
                    &method,
                    &shown_path,
                    &Some(logged_form),
                    Some(status),
                    None,
                    started,
                );
                return Err(transport_err(&e));
            }
        };
        let shown_reply = match &location {
            Some(l) => {
                serde_json::json!({ "location": l.split('?').next().unwrap_or(l) }).to_string()
            }
            None => body.clone(),
        };
        self.record(
            &method,
            &shown_path,
            &Some(logged_form),
            Some(status),
            Some(&shown_reply),
            started,
        );
        Ok(FormReply {
            status: status.as_u16(),
            location,
            body,
        })
    }

    /// Same connection pool, with every exchange recorded into `log`.
    pub fn with_log(&self, log: ExchangeLog) -> Self {
        Self {
            inner: self.inner.clone(),
            browser: self.browser.clone(),
            base: self.base.clone(),
            log: Some(log),
            observer: self.observer.clone(),
        }
    }

    /// Same connection pool, with every API call's time told to `observer`.
    pub fn with_observer(&self, observer: Arc<dyn CallObserver>) -> Self {
        Self {
            observer: Some(observer),
            ..self.clone()
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        auth: Option<(&str, &str)>,
        body: Option<&B>,
    ) -> Result<R, ApiError> {
        let url = format!("{}{}", self.base, path);
        let mut req = self.inner.request(method.clone(), &url);
        if let Some((h, v)) = auth {
            req = req.header(h, v);
        }
        let body_text = match body {
            Some(b) => {
                let text = serde_json::to_string(b).map_err(|e| ApiError::Malformed {
                    method: method.to_string(),
                    path: path.into(),
                    status: 0,
                    detail: format!("cannot encode the request: {e}"),
                })?;
                req = req
                    .header("content-type", "application/json")
                    .body(text.clone());
                Some(text)
            }
            None => None,
        };
        let started = Instant::now();
        let outcome = req.send().await;
        let (status, text) = match outcome {
            Ok(resp) => {
                let status = resp.status();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                match resp.text().await {
                    Ok(text) => (status, Ok((text, retry_after))),
                    Err(e) => (status, Err(e)),
                }
            }
            Err(e) => {
                self.record(&method, path, &body_text, None, None, started);
                return Err(transport(&method, path, &self.base, &e));
            }
        };
        let (text, retry_after) = match text {
            Ok(t) => t,
            Err(e) => {
                self.record(&method, path, &body_text, Some(status), None, started);
                return Err(transport(&method, path, &self.base, &e));
            }
        };
        self.record(
            &method,
            path,
            &body_text,
            Some(status),
            Some(&text),
            started,
        );
        if status.is_success() {
            let text = if text.is_empty() { "null" } else { &text };
            serde_json::from_str(text).map_err(|e| ApiError::Malformed {
                method: method.to_string(),
                path: path.into(),
                status: status.as_u16(),
                detail: e.to_string(),
            })
        } else {
            Err(status_error(&method, path, status, &text, retry_after))
        }
    }

    fn record(
        &self,
        method: &Method,
        path: &str,
        req: &Option<String>,
        status: Option<StatusCode>,
        resp: Option<&str>,
        started: Instant,
    ) {
        if let Some(o) = &self.observer {
            o.observe(
                method.as_str(),
                path,
                status.map(|s| s.as_u16()),
                started.elapsed(),
            );
        }
        if let Some(log) = &self.log {
            log.push(Exchange {
                method: method.to_string(),
                path: path.to_string(),
                request_body: req.as_deref().map(redact_json),
                status: status.map(|s| s.as_u16()),
                response_body: resp.filter(|t| !t.is_empty()).map(redact_json),
                millis: started.elapsed().as_millis() as u64,
            });
        }
    }
}

fn transport(method: &Method, path: &str, base: &str, e: &reqwest::Error) -> ApiError {
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        src = s.source();
    }
    ApiError::Transport {
        method: method.to_string(),
        path: path.into(),
        base: base.into(),
        detail,
        timed_out: e.is_timeout(),
    }
}

fn status_error(
    method: &Method,
    path: &str,
    status: StatusCode,
    text: &str,
    retry_after_secs: Option<u64>,
) -> ApiError {
    let (code, message) = match serde_json::from_str::<ApiErrorBody>(text) {
        Ok(b) => (b.code, b.message),
        Err(_) => (
            "unexpected_reply".to_string(),
            format!(
                "{} (body not in the API's error format)",
                status.canonical_reason().unwrap_or("error")
            ),
        ),
    };
    ApiError::Status {
        method: method.to_string(),
        path: path.into(),
        status: status.as_u16(),
        code,
        message,
        retry_after_secs,
    }
}

const NO_BODY: Option<&()> = None;

/// The operator: creates orgs, nothing else.
#[derive(Debug, Clone)]
pub struct OperatorClient {
    http: Http,
    token: String,
}

impl OperatorClient {
    pub fn new(http: Http, token: impl Into<String>) -> Self {
        Self {
            http,
            token: token.into(),
        }
    }

    pub async fn create_org(&self, name: &str) -> Result<OrgCreated, ApiError> {
        let auth = format!("Bearer {}", self.token);
        self.http
            .call(
                Method::POST,
                "/api/operator/orgs",
                Some(("authorization", &auth)),
                Some(&NewOrg { name: name.into() }),
            )
            .await
    }
}

/// An org's administrator, authenticated by the org's API key.
#[derive(Debug, Clone)]
pub struct AdminClient {
    http: Http,
    api_key: String,
}

impl AdminClient {
    pub fn new(http: Http, api_key: impl Into<String>) -> Self {
        Self {
            http,
            api_key: api_key.into(),
        }
    }

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<R, ApiError> {
        self.http
            .call(method, path, Some((API_KEY_HEADER, &self.api_key)), body)
            .await
    }

    pub async fn settings(&self) -> Result<OrgSettings, ApiError> {
        self.call(Method::GET, "/api/admin/settings", NO_BODY).await
    }

    pub async fn update_settings(&self, patch: &OrgSettingsPatch) -> Result<OrgSettings, ApiError> {
        self.call(Method::PATCH, "/api/admin/settings", Some(patch))
            .await
    }

    pub async fn create_user(&self, user: &NewUser) -> Result<User, ApiError> {
        self.call(Method::POST, "/api/admin/users", Some(user))
            .await
    }

    pub async fn update_user(&self, id: &str, patch: &UserPatch) -> Result<User, ApiError> {
        self.call(
            Method::PATCH,
            &format!("/api/admin/users/{id}"),
            Some(patch),
        )
        .await
    }

    pub async fn user(&self, id: &str) -> Result<User, ApiError> {
        self.call(Method::GET, &format!("/api/admin/users/{id}"), NO_BODY)
            .await
    }

    /// One page of a list at `path` (`extra`: more query parameters, already encoded).
    async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        extra: &str,
        q: &ListQuery,
    ) -> Result<Page<T>, ApiError> {
        let query = [extra.to_string(), q.to_query()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        let url = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        };
        self.call(Method::GET, &url, NO_BODY).await
    }

    /// Every item of a paged list, following `next_cursor` from page to page.
    async fn all<T: DeserializeOwned>(&self, path: &str, extra: &str) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut q = ListQuery::default();
        loop {
            let page: Page<T> = self.page(path, extra, &q).await?;
            items.extend(page.items);
            match page.next_cursor {
                // A cursor that does not move would loop for ever: stop at a repeat.
                Some(next) if q.cursor.as_deref() != Some(next.as_str()) => q.cursor = Some(next),
                _ => return Ok(items),
            }
        }
    }

    /// Every user of the org, in creation order (all pages).
    pub async fn users(&self) -> Result<Vec<User>, ApiError> {
        self.all("/api/admin/users", "").await
    }

    /// One page of users (`GET /api/admin/users?limit=&cursor=`).
    pub async fn users_page(&self, q: &ListQuery) -> Result<Page<User>, ApiError> {
        self.page("/api/admin/users", "", q).await
    }

    /// Every device of the org, in registration order (all pages).
    pub async fn devices(&self) -> Result<Vec<Device>, ApiError> {
        self.all("/api/admin/devices", "").await
    }

    /// One page of devices.
    pub async fn devices_page(&self, q: &ListQuery) -> Result<Page<Device>, ApiError> {
        self.page("/api/admin/devices", "", q).await
    }

    /// One page of a device's associations.
    pub async fn associations_page(
        &self,
        device_id: &str,
        q: &ListQuery,
    ) -> Result<Page<Association>, ApiError> {
        self.page(
            &format!("/api/admin/devices/{device_id}/associations"),
            "",
            q,
        )
        .await
    }

    /// The audit events that pass `filter`, oldest first (all pages).
    pub async fn audit_filtered(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, ApiError> {
        self.all("/api/admin/audit", &filter.to_query()).await
    }

    /// One page of the audit events that pass `filter`.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        q: &ListQuery,
    ) -> Result<Page<AuditEvent>, ApiError> {
        self.page("/api/admin/audit", &filter.to_query(), q).await
    }

    pub async fn device(&self, id: &str) -> Result<Device, ApiError> {
        self.call(Method::GET, &format!("/api/admin/devices/{id}"), NO_BODY)
            .await
    }

    /// Every association of the device (all pages).
    pub async fn associations(&self, device_id: &str) -> Result<Vec<Association>, ApiError> {
        self.all(&format!("/api/admin/devices/{device_id}/associations"), "")
            .await
    }

    pub async fn bind(
        &self,
        device_id: &str,
        assoc: &NewAssociation,
    ) -> Result<Association, ApiError> {
        self.call(
            Method::POST,
            &format!("/api/admin/devices/{device_id}/associations"),
            Some(assoc),
        )
        .await
    }

    pub async fn unbind(&self, device_id: &str, user_id: &str) -> Result<(), ApiError> {
        self.call(
            Method::DELETE,
            &format!("/api/admin/devices/{device_id}/associations/{user_id}"),
            NO_BODY,
        )
        .await
    }

    pub async fn set_login_window_text(
        &self,
        device_id: &str,
        text: Option<&str>,
    ) -> Result<(), ApiError> {
        let path = format!("/api/admin/devices/{device_id}/policies/login-window-text");
        match text {
            Some(t) => {
                self.call(
                    Method::PUT,
                    &path,
                    Some(&LoginWindowText { text: t.into() }),
                )
                .await
            }
            None => self.call(Method::DELETE, &path, NO_BODY).await,
        }
    }

    pub async fn set_windows_policy(
        &self,
        device_id: &str,
        mode: Option<WindowsSsapMode>,
    ) -> Result<(), ApiError> {
        let path = format!("/api/admin/devices/{device_id}/policies/windows-ssap");
        match mode {
            Some(mode) => {
                self.call(Method::PUT, &path, Some(&WindowsSsapPolicy { mode }))
                    .await
            }
            None => self.call(Method::DELETE, &path, NO_BODY).await,
        }
    }

    /// The org's whole audit log, oldest first (all pages).
    pub async fn audit(&self) -> Result<Vec<AuditEvent>, ApiError> {
        self.all("/api/admin/audit", "").await
    }

    /// The org's identity provider (R46); 404 `not_found` when none is set up.
    pub async fn identity_provider(&self) -> Result<IdentityProvider, ApiError> {
        self.call(Method::GET, "/api/admin/identity-provider", NO_BODY)
            .await
    }

    pub async fn set_identity_provider(
        &self,
        config: &IdentityProviderConfig,
    ) -> Result<IdentityProvider, ApiError> {
        self.call(Method::PUT, "/api/admin/identity-provider", Some(config))
            .await
    }

    pub async fn clear_identity_provider(&self) -> Result<(), ApiError> {
        self.call(Method::DELETE, "/api/admin/identity-provider", NO_BODY)
            .await
    }
}

/// An agent before registration: holds only the org's connect key.
#[derive(Debug, Clone)]
pub struct EnrollmentClient {
    http: Http,
    connect_key: String,
}

impl EnrollmentClient {
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

    pub async fn login_window(&self) -> Result<LoginWindowConfig, ApiError> {
        self.call(Method::GET, "/api/device/login-window", NO_BODY)
            .await
    }

    pub async fn associations(&self) -> Result<Vec<Association>, ApiError> {
        self.call(Method::GET, "/api/device/associations", NO_BODY)
            .await
    }

    pub async fn authenticate(
        &self,
        req: &AuthenticateRequest,
    ) -> Result<AuthenticateResponse, ApiError> {
        self.call(Method::POST, "/api/device/authenticate", Some(req))
            .await
    }

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

/// The JumpCloud User Portal, as far as the harness needs it: a signed-in user enrolls in MFA
/// and gets the authenticator secret (R45). The user's password proves who they are.
#[derive(Debug, Clone)]
pub struct PortalClient {
    http: Http,
}

impl PortalClient {
    pub fn new(http: Http) -> Self {
        Self { http }
    }

    /// Enrolls the user in TOTP MFA and returns the secret their authenticator app keeps.
    pub async fn enroll_mfa(
        &self,
        user_id: &str,
        req: &MfaEnrollRequest,
    ) -> Result<MfaEnrollment, ApiError> {
        self.http
            .call(
                Method::POST,
                &format!("/api/portal/users/{user_id}/mfa/enroll"),
                None,
                Some(req),
            )
            .await
    }
}
