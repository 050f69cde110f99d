//! `POST /api/device/authenticate`: a directory password checked for a single-use ticket,
//! behind the device throttle, revealing nothing before the password is proved (R62), and
//! locking the user after repeated wrong passwords (R42).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ssap_api::{codes, AuthenticateRequest, AuthenticateResponse, OrgSettings, User};

use super::refusals::{refusal_error, user_state_refusal, REFUSED, SUCCESS};
use crate::auth::{digest, new_secret, verify_password_async, DeviceAuth};
use crate::db;
use crate::error::{ApiError, ApiJson};
use crate::rules;
use crate::sql::Sql;
use crate::storage::Lock;
use crate::AppState;

/// How long an authentication ticket may be redeemed.
pub(crate) const TICKET_TTL_MS: i64 = ssap_api::limits::TICKET_TTL_SECS as i64 * 1000;
/// The lock threshold of the contract, as stored counters count (R42).
const LOCK_AFTER: i64 = ssap_api::limits::LOCK_AFTER_WRONG_PASSWORDS as i64;

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::INVALID_CREDENTIALS,
        "The email or password is incorrect",
    )
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
    let now = state.clock.now_ms(&auth.org);
    let email = req.email.trim().to_string();

    let (a, e, throttle) = (auth.clone(), email.clone(), state.throttle);
    let candidate = state
        .storage
        .run(move |c| {
            if let Some(wait) = throttle.check(c, &a.device, now)? {
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
    let proved = check_password(&state, &auth.org, checked, req.password).await && hash.is_some();
    let (user_id, hash) = match (candidate, hash) {
        (Some((user_id, _, _)), Some(hash)) if proved => (user_id, hash),
        (candidate, _) => {
            let user_id = candidate.map(|(id, _, _)| id);
            let throttle = state.throttle;
            // The device's throttle rows, and the user's count of wrong passwords (R42).
            let device = auth.device.clone();
            let mut locks = vec![Lock::Device(&device)];
            locks.extend(user_id.as_deref().map(Lock::User));
            let user_id_in_job = user_id.clone();
            state
                .storage
                .run_locked(&locks, move |c| {
                    throttle.record_failure(c, &auth.device, now)?;
                    failed_sign_in(c, &auth, user_id_in_job.as_deref(), &email, reason)?;
                    Ok(())
                })
                .await?;
            return Err(invalid_credentials());
        }
    };

    let ticket = new_secret("ssap_tk");
    let ticket_digest = digest(&ticket);
    // The user's lock: the reset below writes the whole row back (an admin's lock or
    // suspension made meanwhile on another server must not be undone).
    let locked_user = user_id.clone();
    let reply = state
        .storage
        .run_locked(&[Lock::User(&locked_user)], move |c| {
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
            // The whole row is written back only when there is something to reset: a sign-in
            // without earlier failures writes no user row.
            if row.failed_attempts != 0 {
                row.failed_attempts = 0;
                db::update_user(c, &auth.org, &row)?;
            }
            let expires = now + TICKET_TTL_MS;
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
            let d = db::device_or_404(c, &auth.org, &auth.device)?;
            Ok(Ok(authenticated(ticket, row.user, &settings, &d)))
        })
        .await??;
    Ok(Json(reply))
}

/// The throttle's refusal (R42): 429 with Retry-After, for password and federated sign-in.
pub(crate) fn too_many_attempts(wait: u64) -> ApiError {
    let mut err = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        codes::TOO_MANY_ATTEMPTS,
        format!("Too many failed sign-ins on this device; try again in {wait} seconds"),
    );
    err.retry_after = Some(wait);
    err
}

/// What a device learns of a user it may now provision, password or federated sign-in alike:
/// whether MFA will be asked at the next login folds in the device's MFA policy (R45).
pub(crate) fn authenticated(
    ticket: String,
    u: User,
    settings: &OrgSettings,
    device: &db::DeviceRow,
) -> AuthenticateResponse {
    AuthenticateResponse {
        mfa_enforced: rules::mfa_enforced(u.mfa_enforced, device.mfa_policy),
        ticket,
        display_name: u.display_name(),
        user_id: u.id,
        username: u.username,
        system_username: u.system_username,
        permission: settings.permission_level,
        password_sync: settings.password_sync,
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

/// Checks a password against a hash, counted for the org (R62: tests count that every attempt
/// before proof costs one check, see `crate::meters`).
async fn check_password(state: &AppState, org: &str, phc: String, password: String) -> bool {
    state.meters.password_checked(org);
    verify_password_async(phc, password).await
}
