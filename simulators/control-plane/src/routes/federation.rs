//! Federated sign-in (R46): the org's identity provider (admin), and the device routes that
//! send a federated user's web view to the provider and redeem the code it comes back with.
//!
//! Flow: `POST /api/device/sign-in-method` answers `federated` with an authorize URL carrying
//! a fresh single-use `state` and `nonce` (stored as a digest, bound to the device, the user
//! and the purpose, ten minutes); the web view signs in at the provider, which redirects to
//! [`REDIRECT_URI`] with a code; `POST /api/device/authenticate/federated` (to provision) or
//! `POST /api/device/login/federated` (to log in to an account already bound here) spends the
//! state, exchanges the code at `{issuer}/token` with the client credentials, and checks the
//! HS256 ID token (signature with the client secret, `iss`, `aud` = client id, `exp`, `nonce`,
//! `email` = the user's). Then the same rules as a password sign-in apply (throttle, device
//! eligibility, user state); MFA is not asked (R45). Every refusal is audited with its reason
//! (R07): `federation_state_invalid`, `idp_refused_code`, `idp_unavailable`, or the ID token's
//! problem (`id_token_signature`, `id_token_audience`, ...).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ssap_api::federation::{self, form_encode, Expected, REDIRECT_URI};
use ssap_api::{
    codes, Association, AuthenticateResponse, FederatedSignIn, IdentityProvider,
    IdentityProviderConfig, SignInKind, SignInMethod, SignInMethodRequest, SignInPurpose,
};

use super::device::{
    authenticated, refusal_error, too_many_attempts, user_state_refusal, REFUSED, SUCCESS,
    TICKET_TTL_MS,
};
use crate::auth::{digest, new_secret, AdminAuth, DeviceAuth};
use crate::db;
use crate::error::{ApiError, ApiJson};
use crate::rules;
use crate::sql::Sql;
use crate::storage::Lock;
use crate::AppState;

/// How long a federated sign-in may take between the authorize URL and the code.
const STATE_TTL_MS: i64 = TICKET_TTL_MS;

fn public(p: &IdentityProviderConfig) -> IdentityProvider {
    IdentityProvider {
        name: p.name.clone(),
        issuer: p.issuer.clone(),
        client_id: p.client_id.clone(),
    }
}

fn not_configured() -> ApiError {
    ApiError::forbidden(
        codes::FEDERATION_NOT_CONFIGURED,
        "Your account signs in through an identity provider, but none is set up for your organization; contact your admin",
    )
}

pub(crate) async fn identity_provider(
    auth: AdminAuth,
    State(state): State<AppState>,
) -> Result<Json<IdentityProvider>, ApiError> {
    let p = state
        .storage
        .run(move |c| db::identity_provider(c, &auth.org))
        .await?
        .ok_or_else(|| ApiError::not_found("no identity provider is set up for this org"))?;
    Ok(Json(public(&p)))
}

/// Sets or replaces the provider; the audit line names it but never holds the secret.
pub(crate) async fn set_identity_provider(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiJson(config): ApiJson<IdentityProviderConfig>,
) -> Result<Json<IdentityProvider>, ApiError> {
    // The issuer's form (`ssap_api::input::ISSUER`, checked with the body) makes every one
    // a URL the token exchange can call.
    let issuer = config.issuer.trim_end_matches('/').to_string();
    let config = IdentityProviderConfig {
        name: config.name.trim().to_string(),
        issuer,
        client_id: config.client_id.trim().to_string(),
        client_secret: config.client_secret,
    };
    let shown = public(&config);
    let org = auth.org.clone();
    state
        .storage
        .run_locked(&[Lock::Org(&org)], move |c| {
            db::set_identity_provider(c, &auth.org, Some(&config))?;
            db::audit(
                c,
                &auth.org,
                "admin",
                "identity_provider.set",
                &config.name,
                SUCCESS,
                Some(&format!(
                    "issuer {}, client {}",
                    config.issuer, config.client_id
                )),
            )
        })
        .await?;
    Ok(Json(shown))
}

pub(crate) async fn clear_identity_provider(
    auth: AdminAuth,
    State(state): State<AppState>,
) -> Result<StatusCode, ApiError> {
    let org = auth.org.clone();
    state
        .storage
        .run_locked(&[Lock::Org(&org)], move |c| {
            db::set_identity_provider(c, &auth.org, None)?;
            db::audit(
                c,
                &auth.org,
                "admin",
                "identity_provider.delete",
                "identity provider",
                SUCCESS,
                None,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn password_method() -> SignInMethod {
    SignInMethod {
        method: SignInKind::Password,
        identity_provider: None,
        authorize_url: None,
        state: None,
        redirect_uri: None,
    }
}

fn purpose_text(p: SignInPurpose) -> &'static str {
    match p {
        SignInPurpose::Provision => "provision",
        SignInPurpose::Login => "login",
    }
}

/// The audit action of a federated sign-in: the same as a password one when provisioning.
fn action(p: SignInPurpose) -> &'static str {
    match p {
        SignInPurpose::Provision => "authenticate",
        SignInPurpose::Login => "login",
    }
}

/// How an email signs in. Unknown emails and users with a password answer `password`, so
/// this route tells no more about who exists than the password step would.
pub(crate) async fn sign_in_method(
    auth: DeviceAuth,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignInMethodRequest>,
) -> Result<Json<SignInMethod>, ApiError> {
    let now = state.clock.now_ms(&auth.org);
    let email = req.email.trim().to_string();
    let st = new_secret("ssap_st");
    let nonce = new_secret("ssap_nc");
    let st_digest = digest(&st);
    let purpose = req.purpose;
    let reply = state
        .storage
        .run(move |c| {
            let Some(row) = db::user_by_email(c, &auth.org, &email)? else {
                return Ok(Ok(password_method()));
            };
            if !row.user.federated {
                return Ok(Ok(password_method()));
            }
            let Some(idp) = db::identity_provider(c, &auth.org)? else {
                db::audit(
                    c,
                    &auth.org,
                    &auth.actor(),
                    action(purpose),
                    &email,
                    REFUSED,
                    Some(codes::FEDERATION_NOT_CONFIGURED),
                )?;
                return Ok(Err(not_configured()));
            };
            db::insert_federation_state(
                c,
                &st_digest,
                &auth.org,
                &auth.device,
                &row.user.id,
                purpose_text(purpose),
                &nonce,
                REDIRECT_URI,
                now + STATE_TTL_MS,
            )?;
            let url = format!(
                "{}/authorize?{}",
                idp.issuer.trim_end_matches('/'),
                form_encode(&[
                    ("response_type", "code"),
                    ("scope", "openid email"),
                    ("client_id", &idp.client_id),
                    ("redirect_uri", REDIRECT_URI),
                    ("state", &st),
                    ("nonce", &nonce),
                    ("login_hint", &row.user.email),
                ])
            );
            Ok(Ok(SignInMethod {
                method: SignInKind::Federated,
                identity_provider: Some(idp.name),
                authorize_url: Some(url),
                state: Some(st),
                redirect_uri: Some(REDIRECT_URI.to_string()),
            }))
        })
        .await??;
    Ok(Json(reply))
}

/// A federated sign-in the identity provider vouched for.
struct Redeemed {
    user_id: String,
    email: String,
    idp_name: String,
}

fn federation_failed(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, codes::FEDERATION_FAILED, message)
}

fn state_invalid() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::FEDERATION_STATE_INVALID,
        "This sign-in has expired or was already used; start again",
    )
}

/// Audits a refused federated sign-in and, when the refusal is the device's doing (a code the
/// provider refused, a token that failed the checks), counts it towards the throttle (R42).
async fn audit_refusal(
    state: &AppState,
    auth: &DeviceAuth,
    purpose: SignInPurpose,
    target: &str,
    reason: &str,
    counts_as_failure: bool,
) -> Result<(), ApiError> {
    let now = state.clock.now_ms(&auth.org);
    let (a, t, r) = (auth.clone(), target.to_string(), reason.to_string());
    let throttle = state.throttle;
    let device = [Lock::Device(&auth.device)];
    let locks: &[Lock] = if counts_as_failure { &device } else { &[] };
    state
        .storage
        .run_locked(locks, move |c| {
            if counts_as_failure {
                throttle.record_failure(c, &a.device, now)?;
            }
            db::audit(
                c,
                &a.org,
                &a.actor(),
                action(purpose),
                &t,
                REFUSED,
                Some(&r),
            )
        })
        .await
}

/// Spends the state, exchanges the code and checks the ID token. Every refusal is audited
/// and, once the state was valid, counts towards the device's throttle like a wrong password.
async fn redeem(
    state: &AppState,
    auth: &DeviceAuth,
    req: FederatedSignIn,
    purpose: SignInPurpose,
) -> Result<Redeemed, ApiError> {
    let now = state.clock.now_ms(&auth.org);
    let st_digest = digest(&req.state);
    let (a, throttle) = (auth.clone(), state.throttle);
    let redirect_uri = req.redirect_uri.clone();
    let (user_id, email, nonce, idp) = state
        .storage
        .run_locked(&[Lock::Device(&auth.device)], move |c| {
            let refuse = |c: &dyn Sql, target: &str, err: ApiError| {
                db::audit(
                    c,
                    &a.org,
                    &a.actor(),
                    action(purpose),
                    target,
                    REFUSED,
                    Some(err.code),
                )?;
                Ok(Err(err))
            };
            // Before the state is spent: a throttled attempt leaves it usable.
            if let Some(wait) = throttle.check(c, &a.device, now)? {
                return refuse(c, "federated sign-in", too_many_attempts(wait));
            }
            let Some(s) = db::take_federation_state(c, &st_digest, &a.org, &a.device)? else {
                return refuse(c, "federated sign-in", state_invalid());
            };
            let email = db::user_by_id(c, &a.org, &s.user_id)?
                .map(|r| r.user.email)
                .unwrap_or_else(|| "federated sign-in".to_string());
            if s.used
                || s.expires_ms <= now
                || s.purpose != purpose_text(purpose)
                || s.redirect_uri != redirect_uri
            {
                return refuse(c, &email, state_invalid());
            }
            let Some(idp) = db::identity_provider(c, &a.org)? else {
                return refuse(c, &email, not_configured());
            };
            if purpose == SignInPurpose::Provision {
                let d = db::device_or_404(c, &a.org, &a.device)?;
                let settings = db::settings(c, &a.org)?;
                let count = db::association_count(c, &a.org, &a.device)?;
                if let Err(r) =
                    rules::eligibility(&d.device.facts, &settings, d.windows_mode, count)
                {
                    return refuse(c, &email, refusal_error(r, d.device.facts.os));
                }
            }
            Ok(Ok((s.user_id, email, s.nonce, idp)))
        })
        .await??;

    // The code exchange, outside the storage thread: the provider may be slow or down.
    let token_url = format!("{}/token", idp.issuer.trim_end_matches('/'));
    let sent = state
        .idp_http
        .post(&token_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(form_encode(&[
            ("grant_type", "authorization_code"),
            ("code", &req.code),
            ("redirect_uri", &req.redirect_uri),
            ("client_id", &idp.client_id),
            ("client_secret", &idp.client_secret),
        ]))
        .send()
        .await;
    let unavailable = |detail: String| {
        tracing::warn!(idp = %idp.name, %token_url, %detail, "identity provider unavailable");
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            codes::IDP_UNAVAILABLE,
            format!(
                "{} did not answer the sign-in ({detail}); try again later",
                idp.name
            ),
        )
    };
    let outcome = match sent {
        Err(e) => Err(unavailable(if e.is_timeout() {
            "no answer in time".to_string()
        } else {
            "cannot connect".to_string()
        })),
        Ok(resp) => {
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            if status.is_server_error() {
                Err(unavailable(format!("HTTP {}", status.as_u16())))
            } else if !status.is_success() {
                Err(federation_failed(format!(
                    "{} refused the sign-in code (HTTP {}); start again",
                    idp.name,
                    status.as_u16()
                )))
            } else {
                serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("id_token")?.as_str().map(str::to_string))
                    .ok_or_else(|| unavailable("a reply without an id_token".to_string()))
            }
        }
    };
    let token = match outcome {
        Ok(t) => t,
        Err(err) => {
            let reason = if err.code == codes::IDP_UNAVAILABLE {
                codes::IDP_UNAVAILABLE
            } else {
                "idp_refused_code"
            };
            let counts = reason != codes::IDP_UNAVAILABLE;
            audit_refusal(state, auth, purpose, &email, reason, counts).await?;
            return Err(err);
        }
    };
    let now_secs = db::now_ms() / 1000;
    let expected = Expected {
        issuer: &idp.issuer,
        client_id: &idp.client_id,
        client_secret: &idp.client_secret,
        nonce: &nonce,
        email: &email,
    };
    if let Err(problem) = federation::validate_id_token(&token, &expected, now_secs) {
        audit_refusal(state, auth, purpose, &email, problem.reason(), true).await?;
        return Err(federation_failed(format!(
            "The answer from {} could not be trusted ({problem}); start again",
            idp.name
        )));
    }
    Ok(Redeemed {
        user_id,
        email,
        idp_name: idp.name,
    })
}

/// Redeems the provider's code for the same ticket a password gives (R46), so provisioning
/// is unchanged. The user's state and the device's eligibility are checked again in the
/// ticket's own transaction.
pub(crate) async fn authenticate_federated(
    auth: DeviceAuth,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<FederatedSignIn>,
) -> Result<Json<AuthenticateResponse>, ApiError> {
    let now = state.clock.now_ms(&auth.org);
    let r = redeem(&state, &auth, req, SignInPurpose::Provision).await?;
    let ticket = new_secret("ssap_tk");
    let ticket_digest = digest(&ticket);
    let reply = state
        .storage
        .run(move |c| {
            let refuse = |c: &dyn Sql, err: ApiError| {
                db::audit(
                    c,
                    &auth.org,
                    &auth.actor(),
                    "authenticate",
                    &r.email,
                    REFUSED,
                    Some(err.code),
                )?;
                Ok(Err(err))
            };
            let Some(row) = db::user_by_id(c, &auth.org, &r.user_id)? else {
                return refuse(c, federation_failed("This account no longer exists"));
            };
            if !row.user.federated {
                return refuse(
                    c,
                    federation_failed(
                        "This account no longer signs in through an identity provider",
                    ),
                );
            }
            if let Some(err) = user_state_refusal(&row) {
                return refuse(c, err);
            }
            let d = db::device_or_404(c, &auth.org, &auth.device)?;
            let settings = db::settings(c, &auth.org)?;
            let count = db::association_count(c, &auth.org, &auth.device)?;
            if let Err(e) = rules::eligibility(&d.device.facts, &settings, d.windows_mode, count) {
                return refuse(c, refusal_error(e, d.device.facts.os));
            }
            let expires = now + TICKET_TTL_MS;
            db::insert_ticket(
                c,
                &ticket_digest,
                &auth.org,
                &auth.device,
                &r.user_id,
                expires,
            )?;
            db::audit(
                c,
                &auth.org,
                &auth.actor(),
                "authenticate",
                &r.email,
                SUCCESS,
                Some(&format!("federated ({})", r.idp_name)),
            )?;
            Ok(Ok(authenticated(ticket, row.user, &settings, &d)))
        })
        .await??;
    Ok(Json(reply))
}

/// Confirms a login through federation at the login window (R46): the provider vouched for
/// the user, who must still be allowed to sign in and be bound to this device.
pub(crate) async fn login_federated(
    auth: DeviceAuth,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<FederatedSignIn>,
) -> Result<Json<Association>, ApiError> {
    let r = redeem(&state, &auth, req, SignInPurpose::Login).await?;
    let assoc = state
        .storage
        .run(move |c| {
            let refuse = |c: &dyn Sql, err: ApiError| {
                db::audit(
                    c,
                    &auth.org,
                    &auth.actor(),
                    "login",
                    &r.email,
                    REFUSED,
                    Some(err.code),
                )?;
                Ok(Err(err))
            };
            let Some(row) = db::user_by_id(c, &auth.org, &r.user_id)? else {
                return refuse(c, federation_failed("This account no longer exists"));
            };
            if let Some(err) = user_state_refusal(&row) {
                return refuse(c, err);
            }
            let Some(a) = db::association(c, &auth.org, &auth.device, &r.user_id)? else {
                return refuse(
                    c,
                    ApiError::forbidden(
                        codes::NOT_BOUND,
                        "Your account is not set up on this device; contact your admin",
                    ),
                );
            };
            db::audit(
                c,
                &auth.org,
                &auth.actor(),
                "login",
                &r.email,
                SUCCESS,
                Some(&format!("federated ({})", r.idp_name)),
            )?;
            Ok(Ok(a))
        })
        .await??;
    Ok(Json(assoc))
}
