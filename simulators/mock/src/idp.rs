//! A mock identity provider on wiremock, for federated sign-in (R46).
//!
//! It speaks the small OIDC-shaped protocol of [`ssap_api::federation`]:
//! - `POST {issuer}/authorize?client_id&redirect_uri&state&nonce&response_type=code[&login_hint]`
//!   with the form `username`, `password` (the IdP's own sign-in page, submitted by the
//!   device's web view): `302` to `redirect_uri?code=..&state=..`, `401` for a wrong password,
//!   `400` for an unknown client or redirect URI;
//! - `POST {issuer}/token` with the form `grant_type=authorization_code`, `code`,
//!   `redirect_uri`, `client_id`, `client_secret`: `{"id_token", "access_token", "token_type",
//!   "expires_in"}`; codes are single-use and bound to their client and redirect URI.
//!
//! [`TokenMode`] makes it misbehave on purpose (tampered, foreign or stale tokens), which is
//! how tests prove the control plane checks every claim. One IdP per scenario or test: no
//! global state.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ssap_api::federation::{self, form_decode, form_value, IdTokenClaims};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Path under the server root where the issuer lives (as Okta's `/oauth2/default`).
const ISSUER_PATH: &str = "/oauth2/default";

/// How the IdP signs and fills the ID tokens it issues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenMode {
    /// Correct tokens.
    #[default]
    Honest,
    /// Signed with a key that is not the client secret (a foreign or forged token).
    ForeignKey,
    /// Issued for another client (`aud`).
    WrongAudience,
    /// Claiming another issuer (`iss`).
    WrongIssuer,
    /// Expired an hour ago.
    Expired,
    /// With a nonce other than the one the authorize request carried.
    WrongNonce,
    /// For another email than the one that signed in.
    WrongEmail,
    /// Answers the token request with HTTP 500.
    ServerError,
}

#[derive(Debug, Clone)]
struct Grant {
    email: String,
    nonce: String,
    redirect_uri: String,
}

#[derive(Debug, Default)]
struct IdpState {
    /// email (lowercase) -> password.
    users: HashMap<String, String>,
    codes: HashMap<String, Grant>,
    mode: TokenMode,
}

#[derive(Clone)]
struct Shared {
    issuer: String,
    client_id: String,
    client_secret: String,
    state: Arc<Mutex<IdpState>>,
    token_requests: Arc<AtomicUsize>,
    next_code: Arc<AtomicUsize>,
}

/// A running mock identity provider.
pub struct MockIdp {
    /// Held so the IdP keeps serving; dropping the `MockIdp` stops it (an "IdP down" test).
    _server: MockServer,
    name: String,
    shared: Shared,
}

impl std::fmt::Debug for MockIdp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockIdp")
            .field("name", &self.name)
            .field("issuer", &self.shared.issuer)
            .finish()
    }
}

impl MockIdp {
    /// Starts an IdP named `name` ("Okta") with one client; the secret is random per IdP.
    pub async fn start(name: &str) -> Self {
        // Not from wiremock's pool: a dropped IdP must stop answering ("IdP down" tests).
        let server = MockServer::builder().start().await;
        let shared = Shared {
            issuer: format!("{}{ISSUER_PATH}", server.uri()),
            client_id: format!("jumpcloud-ssap-{}", uuid::Uuid::new_v4().simple()),
            client_secret: format!("idp_cs_{}", uuid::Uuid::new_v4().simple()),
            state: Arc::new(Mutex::new(IdpState::default())),
            token_requests: Arc::new(AtomicUsize::new(0)),
            next_code: Arc::new(AtomicUsize::new(0)),
        };
        Mock::given(method("POST"))
            .and(path(format!("{ISSUER_PATH}/authorize")))
            .respond_with(Authorize(shared.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(format!("{ISSUER_PATH}/token")))
            .respond_with(Token(shared.clone()))
            .mount(&server)
            .await;
        Self {
            _server: server,
            name: name.to_string(),
            shared,
        }
    }

    /// The provider's display name, as the login window shows it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The issuer base URL: `{issuer}/authorize` and `{issuer}/token`.
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The OAuth client id the control plane is configured with.
    pub fn client_id(&self) -> &str {
        &self.shared.client_id
    }

    /// The OAuth client secret the code exchange must present.
    pub fn client_secret(&self) -> &str {
        &self.shared.client_secret
    }

    /// The configuration an admin gives the control plane for this IdP.
    pub fn config(&self) -> ssap_api::IdentityProviderConfig {
        ssap_api::IdentityProviderConfig {
            name: self.name.clone(),
            issuer: self.shared.issuer.clone(),
            client_id: self.shared.client_id.clone(),
            client_secret: self.shared.client_secret.clone(),
        }
    }

    /// A user the IdP knows, with their IdP password.
    pub fn add_user(&self, email: &str, password: &str) {
        if let Ok(mut st) = self.shared.state.lock() {
            st.users
                .insert(email.trim().to_lowercase(), password.to_string());
        }
    }

    /// From now on, issue tokens this way.
    pub fn set_mode(&self, mode: TokenMode) {
        if let Ok(mut st) = self.shared.state.lock() {
            st.mode = mode;
        }
    }

    /// How many token requests (code exchanges) the IdP has received.
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::Relaxed)
    }
}

fn query_value(req: &Request, key: &str) -> Option<String> {
    req.url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn page(status: u16, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "text/plain; charset=utf-8")
        .set_body_string(text.to_string())
}

fn oauth_error(status: u16, error: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(serde_json::json!({ "error": error, "error_description": description }))
}

struct Authorize(Shared);

impl Respond for Authorize {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let s = &self.0;
        let (Some(client_id), Some(redirect_uri), Some(state), Some(nonce)) = (
            query_value(req, "client_id"),
            query_value(req, "redirect_uri"),
            query_value(req, "state"),
            query_value(req, "nonce"),
        ) else {
            return page(
                400,
                "Bad request: client_id, redirect_uri, state and nonce are required.",
            );
        };
        if client_id != s.client_id || redirect_uri != federation::REDIRECT_URI {
            return page(400, "Bad request: unknown client or redirect URI.");
        }
        let form = form_decode(&String::from_utf8_lossy(&req.body));
        let username = form_value(&form, "username").unwrap_or_default().trim();
        let password = form_value(&form, "password").unwrap_or_default();
        let Ok(mut st) = s.state.lock() else {
            return page(500, "The identity provider failed.");
        };
        let known = st
            .users
            .get(&username.to_lowercase())
            .is_some_and(|p| p == password);
        if !known {
            return page(401, "Incorrect username or password.");
        }
        let n = s.next_code.fetch_add(1, Ordering::Relaxed);
        let code = format!("code-{n}-{}", uuid::Uuid::new_v4().simple());
        st.codes.insert(
            code.clone(),
            Grant {
                email: username.to_string(),
                nonce,
                redirect_uri: redirect_uri.clone(),
            },
        );
        let location = format!(
            "{redirect_uri}?{}",
            federation::form_encode(&[("code", &code), ("state", &state)])
        );
        ResponseTemplate::new(302).insert_header("location", location.as_str())
    }
}

struct Token(Shared);

impl Respond for Token {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let s = &self.0;
        s.token_requests.fetch_add(1, Ordering::Relaxed);
        let form = form_decode(&String::from_utf8_lossy(&req.body));
        let get = |k: &str| form_value(&form, k).unwrap_or_default().to_string();
        let Ok(mut st) = s.state.lock() else {
            return oauth_error(500, "server_error", "the identity provider failed");
        };
        if st.mode == TokenMode::ServerError {
            return oauth_error(500, "server_error", "the identity provider is failing");
        }
        if get("client_id") != s.client_id || get("client_secret") != s.client_secret {
            return oauth_error(401, "invalid_client", "unknown client or wrong secret");
        }
        if get("grant_type") != "authorization_code" {
            return oauth_error(400, "unsupported_grant_type", "only authorization_code");
        }
        // Single-use: the code is gone whatever happens next.
        let Some(grant) = st.codes.remove(&get("code")) else {
            return oauth_error(400, "invalid_grant", "unknown or used code");
        };
        if grant.redirect_uri != get("redirect_uri") {
            return oauth_error(400, "invalid_grant", "redirect_uri differs from authorize");
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let mut claims = IdTokenClaims {
            iss: s.issuer.clone(),
            aud: s.client_id.clone(),
            sub: format!("idp|{}", grant.email.to_lowercase()),
            email: grant.email.clone(),
            nonce: grant.nonce.clone(),
            iat: now,
            exp: now + 300,
        };
        let mut key = s.client_secret.clone();
        match st.mode {
            TokenMode::Honest | TokenMode::ServerError => {}
            TokenMode::ForeignKey => key = "a key that is not the client secret".into(),
            TokenMode::WrongAudience => claims.aud = "some-other-client".into(),
            TokenMode::WrongIssuer => claims.iss = "https://idp.attacker.test".into(),
            TokenMode::Expired => {
                claims.iat = now - 7200;
                claims.exp = now - 3600;
            }
            TokenMode::WrongNonce => claims.nonce = "not-the-nonce-that-was-sent".into(),
            TokenMode::WrongEmail => claims.email = "someone.else@example.test".into(),
        }
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id_token": federation::sign_id_token(&claims, &key),
            "access_token": format!("at-{}", uuid::Uuid::new_v4().simple()),
            "token_type": "Bearer",
            "expires_in": 3600,
        }))
    }
}
