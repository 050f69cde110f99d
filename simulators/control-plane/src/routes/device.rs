//! Device-agent routes: registration (`x-connect-key`), then everything else with the
//! per-device credential (`x-device-key`): login-window config, associations, authenticate,
//! provision and endpoint-side refusal reports.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ssap_api::{
    codes, Association, AttemptReport, AuthenticateRequest, AuthenticateResponse, BindSource,
    DeviceFacts, DeviceRegistered, LoginWindowConfig, OrgSettings, Os, ProvisionRequest, User,
    UserState,
};

use crate::auth::{digest, new_id, new_secret, verify_password_async, ConnectAuth, DeviceAuth};
use crate::db::{self, UserRow};
use crate::error::{ApiError, ApiJson};
use crate::rules::{self, Refusal};
use crate::sql::{args, Sql};
use crate::AppState;

/// How long an authentication ticket may be redeemed.
pub(crate) const TICKET_TTL_MS: i64 = 10 * 60 * 1000;
/// Consecutive wrong passwords after which the user is locked, as the directory would (R42).
const LOCK_AFTER: i64 = 5;

pub(crate) const SUCCESS: &str = "success";
pub(crate) const REFUSED: &str = "refused";

pub(crate) fn refusal_error(r: Refusal, os: Os) -> ApiError {
    let status = match r {
        Refusal::Disabled | Refusal::NotSupported => StatusCode::FORBIDDEN,
        Refusal::HasManagedUsers => StatusCode::CONFLICT,
    };
    ApiError::new(status, r.code(), r.message(os))
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::INVALID_CREDENTIALS,
        "The email or password is incorrect",
    )
}

fn ticket_invalid() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::TICKET_INVALID,
        "The sign-in has expired or was not made on this device; sign in again",
    )
}

/// R41 and R47 refusals, checked only after the password (or, for a federated user, the
/// identity provider) confirmed who is signing in. Federated users (R46) need no directory
/// password and their password cannot expire here: it lives at the identity provider.
pub(crate) fn user_state_refusal(row: &UserRow) -> Option<ApiError> {
    let u = &row.user;
    if row.password_hash.is_none() && !u.federated {
        return Some(ApiError::forbidden(
            codes::NO_PASSWORD,
            "Your account has no password yet; ask your admin to set one",
        ));
    }
    match u.state {
        UserState::Staged => {
            return Some(ApiError::forbidden(
                codes::USER_STAGED,
                "Your account is not activated yet; contact your admin",
            ))
        }
        UserState::Suspended => {
            return Some(ApiError::forbidden(
                codes::USER_SUSPENDED,
                "Your account is suspended; contact your admin",
            ))
        }
        UserState::Active => {}
    }
    if u.locked {
        return Some(ApiError::forbidden(
            codes::USER_LOCKED,
            "Your account is locked; contact your admin",
        ));
    }
    if u.password_expired && !u.federated {
        return Some(ApiError::forbidden(
            codes::PASSWORD_EXPIRED,
            "Your password has expired; change it in the User Portal, then try again",
        ));
    }
    None
}

pub(crate) async fn register(
    auth: ConnectAuth,
    State(state): State<AppState>,
    ApiJson(facts): ApiJson<DeviceFacts>,
) -> Result<(StatusCode, Json<DeviceRegistered>), ApiError> {
    let reg = DeviceRegistered {
        device_id: new_id(),
        device_credential: new_secret("ssap_dk"),
    };
    let cred_digest = digest(&reg.device_credential);
    let (org, id, d) = (auth.org.clone(), reg.device_id.clone(), cred_digest.clone());
    state
        .storage
        .run(move |c| {
            db::insert_device(c, &org, &id, &d, &facts)?;
            db::audit(
                c,
                &org,
                &format!("device:{id}"),
                "device.register",
                &facts.hostname,
                SUCCESS,
                Some(&format!("{} {}", facts.os, facts.os_version)),
            )
        })
        .await?;
    state.creds.remember_device(
        cred_digest,
        DeviceAuth {
            org: auth.org,
            device: reg.device_id.clone(),
        },
    );
    Ok((StatusCode::CREATED, Json(reg)))
}

/// What the login window should show. `ssap_enabled` is the effective switch: the org toggle
/// for the device's OS, or, on Windows, a bound SSAP policy (see `rules::ssap_enabled`).
pub(crate) async fn login_window(
    auth: DeviceAuth,
    State(state): State<AppState>,
) -> Result<Json<LoginWindowConfig>, ApiError> {
    let cfg = state
        .storage
        .run(move |c| {
            let d = db::device_or_404(c, &auth.org, &auth.device)?;
            let settings = db::settings(c, &auth.org)?;
            let managed_users = db::associations(c, &auth.org, &auth.device)?;
            let facts = &d.device.facts;
            Ok(LoginWindowConfig {
                ssap_enabled: rules::ssap_enabled(facts.os, &settings, d.windows_mode),
                offer_sign_in: rules::eligibility(
                    facts,
                    &settings,
                    d.windows_mode,
                    managed_users.len(),
                )
                .is_ok(),
                login_window_text: d.login_window_text,
                managed_users,
                identity_provider: db::identity_provider(c, &auth.org)?.map(|p| p.name),
            })
        })
        .await?;
    Ok(Json(cfg))
}

pub(crate) async fn associations(
    auth: DeviceAuth,
    State(state): State<AppState>,
) -> Result<Json<Vec<Association>>, ApiError> {
    Ok(Json(
        state
            .storage
            .run(move |c| db::associations(c, &auth.org, &auth.device))
            .await?,
    ))
}

/// Checks a user's directory password before provisioning (R40-R42, R45, R47).
///
/// Order: device throttle (429), device eligibility (nothing to sign in to otherwise), then the
/// password, and only after a correct password the user's state, so that the API reveals
/// nothing about an account to someone without its password (R62). MFA is never asked here
/// (R45).
pub(crate) async fn authenticate(
    auth: DeviceAuth,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<AuthenticateRequest>,
) -> Result<Json<AuthenticateResponse>, ApiError> {
    let email = req.email.trim().to_string();

    let (a, e, throttle) = (auth.clone(), email.clone(), state.throttle);
    let candidate = state
        .storage
        .run(move |c| {
            if let Some(wait) = throttle.check(c, &a.device, db::now_ms())? {
                db::audit(
                    c,
                    &a.org,
                    &a.actor(),
                    "authenticate",
                    &e,
                    REFUSED,
                    Some(codes::TOO_MANY_ATTEMPTS),
                )?;
                return Ok(Err(too_many_attempts(wait)));
            }
            let d = db::device_or_404(c, &a.org, &a.device)?;
            let settings = db::settings(c, &a.org)?;
            let count = db::association_count(c, &a.org, &a.device)?;
            if let Err(r) = rules::eligibility(&d.device.facts, &settings, d.windows_mode, count) {
                db::audit(
                    c,
                    &a.org,
                    &a.actor(),
                    "authenticate",
                    &e,
                    REFUSED,
                    Some(r.code()),
                )?;
                return Ok(Err(refusal_error(r, d.device.facts.os)));
            }
            let user = db::user_by_email(c, &a.org, &e)?;
            if user.as_ref().is_some_and(|u| u.user.federated) {
                // R46: the identity provider holds their password, not the directory. Saying
                // so is home-realm discovery, the one thing an email reveals before proof
                // (features/catalog.md, R62).
                db::audit(
                    c,
                    &a.org,
                    &a.actor(),
                    "authenticate",
                    &e,
                    REFUSED,
                    Some(codes::USE_FEDERATION),
                )?;
                return Ok(Err(ApiError::forbidden(
                    codes::USE_FEDERATION,
                    "Your account signs in through your organization's identity provider",
                )));
            }
            Ok(Ok(user.map(|u| {
                let refused_for = user_state_refusal(&u).map(|err| err.code);
                (u.user.id, u.password_hash, refused_for)
            })))
        })
        .await??;

    // R62: until the password has proved who is signing in, every refusal is the same one
    // after the same work (one password hash check, one audit write), whether the email is
    // unknown, has no password, or belongs to a user in a refused state. The audit log keeps
    // the real reason for the admin.
    let (hash, reason) = match &candidate {
        None => (None, "unknown_user"),
        Some((_, None, _)) => (None, codes::NO_PASSWORD),
        Some((_, Some(h), refused_for)) => {
            (Some(h.clone()), refused_for.unwrap_or("wrong_password"))
        }
    };
    let checked = hash.clone().unwrap_or_else(|| (*state.dummy_hash).clone());
    let proved = verify_password_async(checked, req.password).await && hash.is_some();
    let (user_id, hash) = match (candidate, hash) {
        (Some((user_id, _, _)), Some(hash)) if proved => (user_id, hash),
        (candidate, _) => {
            let user_id = candidate.map(|(id, _, _)| id);
            let throttle = state.throttle;
            state
                .storage
                .run(move |c| {
                    throttle.record_failure(c, &auth.device, db::now_ms())?;
                    failed_sign_in(c, &auth, user_id.as_deref(), &email, reason)?;
                    Ok(())
                })
                .await?;
            return Err(invalid_credentials());
        }
    };

    let ticket = new_secret("ssap_tk");
    let ticket_digest = digest(&ticket);
    let reply = state
        .storage
        .run(move |c| {
            let Some(mut row) = db::user_by_id(c, &auth.org, &user_id)? else {
                db::audit(
                    c,
                    &auth.org,
                    &auth.actor(),
                    "authenticate",
                    &email,
                    REFUSED,
                    Some("unknown_user"),
                )?;
                return Ok(Err(invalid_credentials()));
            };
            if row.password_hash.as_deref() != Some(hash.as_str()) {
                // The password changed while this one was being checked.
                failed_sign_in(c, &auth, Some(&user_id), &email, "wrong_password")?;
                return Ok(Err(invalid_credentials()));
            }
            if let Some(err) = user_state_refusal(&row) {
                db::audit(
                    c,
                    &auth.org,
                    &auth.actor(),
                    "authenticate",
                    &email,
                    REFUSED,
                    Some(err.code),
                )?;
                return Ok(Err(err));
            }
            row.failed_attempts = 0;
            db::update_user(c, &auth.org, &row)?;
            let expires = db::now_ms() + TICKET_TTL_MS;
            db::insert_ticket(
                c,
                &ticket_digest,
                &auth.org,
                &auth.device,
                &user_id,
                expires,
            )?;
            db::audit(
                c,
                &auth.org,
                &auth.actor(),
                "authenticate",
                &email,
                SUCCESS,
                None,
            )?;
            let settings = db::settings(c, &auth.org)?;
            Ok(Ok(authenticated(ticket, row.user, &settings)))
        })
        .await??;
    Ok(Json(reply))
}

/// The throttle's refusal (R42): 429 with Retry-After, for password and federated sign-in.
pub(super) fn too_many_attempts(wait: u64) -> ApiError {
    let mut err = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        codes::TOO_MANY_ATTEMPTS,
        format!("Too many failed sign-ins on this device; try again in {wait} seconds"),
    );
    err.retry_after = Some(wait);
    err
}

/// What a device learns of a user it may now provision, password or federated sign-in alike.
pub(super) fn authenticated(
    ticket: String,
    u: User,
    settings: &OrgSettings,
) -> AuthenticateResponse {
    AuthenticateResponse {
        ticket,
        display_name: u.display_name(),
        user_id: u.id,
        username: u.username,
        system_username: u.system_username,
        permission: settings.permission_level,
        password_sync: settings.password_sync,
        mfa_enforced: u.mfa_enforced,
        mfa_enrolled: u.mfa_enrolled,
    }
}

/// Audits a sign-in the password did not prove, with the real reason (R07, R62), and counts it
/// against a user who has a password, locking them at the limit as the directory would (R42).
fn failed_sign_in(
    c: &dyn Sql,
    auth: &DeviceAuth,
    user_id: Option<&str>,
    email: &str,
    reason: &str,
) -> Result<(), ApiError> {
    db::audit(
        c,
        &auth.org,
        &auth.actor(),
        "authenticate",
        email,
        REFUSED,
        Some(reason),
    )?;
    let Some(user_id) = user_id else {
        return Ok(());
    };
    if let Some(mut row) = db::user_by_id(c, &auth.org, user_id)? {
        if row.password_hash.is_none() {
            return Ok(());
        }
        row.failed_attempts += 1;
        if row.failed_attempts >= LOCK_AFTER && !row.user.locked {
            row.user.locked = true;
            db::audit(
                c,
                &auth.org,
                &auth.actor(),
                "user.lock",
                email,
                SUCCESS,
                Some(&format!("{LOCK_AFTER} consecutive wrong passwords")),
            )?;
        }
        db::update_user(c, &auth.org, &row)?;
    }
    Ok(())
}

/// Binds the authenticated user to this device (R44, R60), in one transaction that re-checks
/// eligibility, so two users racing on one device cannot both provision. A repeat with the same
/// idempotency key returns the first reply (replays change nothing and are not audited again).
pub(crate) async fn provision(
    auth: DeviceAuth,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ProvisionRequest>,
) -> Result<Json<Association>, ApiError> {
    if req.ticket.is_empty() || req.ticket.len() > 512 {
        return Err(ticket_invalid());
    }
    let ticket_digest = digest(&req.ticket);
    let now = db::now_ms();
    let a = state
        .storage
        .run(move |c| provision_tx(c, &auth, &ticket_digest, &req, now))
        .await??;
    Ok(Json(a))
}

fn provision_tx(
    c: &dyn Sql,
    auth: &DeviceAuth,
    ticket_digest: &[u8],
    req: &ProvisionRequest,
    now: i64,
) -> Result<Result<Association, ApiError>, ApiError> {
    let refuse = |target: &str, err: ApiError| -> Result<Result<Association, ApiError>, ApiError> {
        db::audit(
            c,
            &auth.org,
            &auth.actor(),
            "provision",
            target,
            REFUSED,
            Some(err.code),
        )?;
        Ok(Err(err))
    };
    let ticket: Option<(String, i64, bool)> = c
        .query_opt(
            "SELECT user_id, expires_ms, used FROM tickets WHERE digest = ?1 AND org_id = ?2 AND device_id = ?3",
            args![ticket_digest, auth.org, auth.device],
        )?
        .map(|r| Ok::<_, ApiError>((r.get(0)?, r.get(1)?, r.get(2)?)))
        .transpose()?;

    let earlier: Option<(String, Vec<u8>, String)> = c
        .query_opt(
            "SELECT user_id, ticket_digest, reply FROM idempotency WHERE device_id = ?1 AND key = ?2",
            args![auth.device, req.idempotency_key],
        )?
        .map(|r| Ok::<_, ApiError>((r.get(0)?, r.get(1)?, r.get(2)?)))
        .transpose()?;
    if let Some((first_user, first_ticket, reply)) = earlier {
        let same_user = first_ticket == ticket_digest
            || ticket.as_ref().is_some_and(|(u, _, _)| *u == first_user);
        if !same_user {
            return match ticket {
                None => refuse("ticket", ticket_invalid()),
                Some(_) => refuse(
                    &format!("idempotency key {}", req.idempotency_key),
                    ApiError::conflict(
                        codes::IDEMPOTENCY_MISMATCH,
                        "This idempotency key was already used to provision another user",
                    ),
                ),
            };
        }
        return serde_json::from_str(&reply)
            .map(Ok)
            .map_err(|_| ApiError::internal("the stored reply of this request is unreadable"));
    }

    let Some((user_id, expires_ms, used)) = ticket else {
        return refuse("ticket", ticket_invalid());
    };
    let Some(row) = db::user_by_id(c, &auth.org, &user_id)? else {
        return refuse("ticket", ticket_invalid());
    };
    let email = row.user.email.clone();
    if used || expires_ms <= now {
        return refuse(&email, ticket_invalid());
    }
    if let Some(err) = user_state_refusal(&row) {
        return refuse(&email, err);
    }

    let (assoc, reason) = match db::association(c, &auth.org, &auth.device, &user_id)? {
        Some(existing) => (existing, Some("already bound to this device")),
        None => {
            let d = db::device_or_404(c, &auth.org, &auth.device)?;
            let settings = db::settings(c, &auth.org)?;
            let count = db::association_count(c, &auth.org, &auth.device)?;
            if let Err(r) = rules::eligibility(&d.device.facts, &settings, d.windows_mode, count) {
                return refuse(&email, refusal_error(r, d.device.facts.os));
            }
            db::insert_association(
                c,
                &auth.org,
                &auth.device,
                &user_id,
                settings.permission_level,
                BindSource::SelfService,
                settings.password_sync,
                Some(req.local_name.trim()),
            )?;
            let a = db::association(c, &auth.org, &auth.device, &user_id)?
                .ok_or_else(|| ApiError::internal("the new association could not be read back"))?;
            (a, None)
        }
    };
    c.execute(
        "UPDATE tickets SET used = TRUE WHERE digest = ?1",
        args![ticket_digest],
    )?;
    let reply = serde_json::to_string(&assoc)
        .map_err(|e| ApiError::internal(format!("cannot encode the reply: {e}")))?;
    c.execute(
        "INSERT INTO idempotency (device_id, key, user_id, ticket_digest, reply) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![auth.device, req.idempotency_key, user_id, ticket_digest, reply],
    )?;
    db::audit(
        c,
        &auth.org,
        &auth.actor(),
        "provision",
        &email,
        SUCCESS,
        reason,
    )?;
    Ok(Ok(assoc))
}

/// Records a refusal decided on the endpoint (name collision, invalid local name, offline)
/// so the audit log holds every attempt (R07).
pub(crate) async fn report_attempt(
    auth: DeviceAuth,
    State(state): State<AppState>,
    ApiJson(report): ApiJson<AttemptReport>,
) -> Result<StatusCode, ApiError> {
    state
        .storage
        .run(move |c| {
            db::audit(
                c,
                &auth.org,
                &auth.actor(),
                "provision",
                report.email.trim(),
                REFUSED,
                Some(report.reason.trim()),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
