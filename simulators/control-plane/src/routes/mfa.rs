//! Next-login MFA (R45): the User Portal issues a TOTP secret to a user who proves who they are
//! with their password, and a device asks whether the code a user typed opens the login. A
//! code is good for one login: the step it belongs to is remembered and refused afterwards.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ssap_api::{codes, mfa, MfaEnrollRequest, MfaEnrollment, MfaVerifyRequest};

use super::device::{too_many_attempts, user_state_refusal, REFUSED, SUCCESS};
use crate::auth::{verify_password_async, DeviceAuth};
use crate::db;
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::storage::Lock;
use crate::AppState;

fn portal_refusal() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::INVALID_CREDENTIALS,
        "The password is incorrect",
    )
}

fn code_invalid() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::MFA_CODE_INVALID,
        "That code is not valid; enter the current code from your authenticator app",
    )
}

/// A fresh 160-bit secret from the OS RNG (two v4 UUIDs, as the other secrets are made).
fn new_totp_secret() -> String {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.truncate(mfa::SECRET_BYTES);
    mfa::encode_secret(&bytes)
}

/// `POST /api/portal/users/{id}/mfa/enroll`: the user, signed in to the User Portal with their
/// directory password, enrolls in TOTP MFA. Enrolling again replaces the secret.
pub(crate) async fn enroll(
    State(state): State<AppState>,
    ApiPath(user_id): ApiPath<String>,
    ApiJson(req): ApiJson<MfaEnrollRequest>,
) -> Result<Json<MfaEnrollment>, ApiError> {
    let id = user_id.clone();
    let found = state
        .storage
        .run(move |c| {
            let Some(org) = db::org_of_user(c, &id)? else {
                return Ok(None);
            };
            Ok(db::user_by_id(c, &org, &id)?.map(|row| (org, row)))
        })
        .await?;
    let hash = found
        .as_ref()
        .and_then(|(_, row)| row.password_hash.clone());
    // The same work whether or not the user exists, so the portal does not tell who does.
    let checked = hash.clone().unwrap_or_else(|| (*state.dummy_hash).clone());
    let proved = verify_password_async(checked, req.password).await && hash.is_some();
    let Some((org, row)) = found.filter(|_| proved) else {
        return Err(portal_refusal());
    };
    if let Some(err) = user_state_refusal(&row) {
        return Err(err);
    }
    let secret = new_totp_secret();
    let (s, email) = (secret.clone(), row.user.email.clone());
    state
        .storage
        .run_locked(&[Lock::User(&user_id)], move |c| {
            let mut row = row;
            db::set_mfa_secret(c, &org, &row.user.id, &s)?;
            row.user.mfa_enrolled = true;
            db::update_user(c, &org, &row)?;
            db::audit(
                c,
                &org,
                &format!("user:{}", row.user.id),
                "mfa.enroll",
                &row.user.email,
                SUCCESS,
                None,
            )
        })
        .await?;
    Ok(Json(MfaEnrollment {
        otpauth_uri: mfa::otpauth_uri(&secret, &email),
        secret,
    }))
}

/// `POST /api/device/mfa/verify`: whether the code opens the login of a user bound to this
/// device. Wrong and replayed codes count against the device's throttle like wrong passwords
/// (R42), since six digits are guessable otherwise; every answer is audited (R07).
pub(crate) async fn verify(
    auth: DeviceAuth,
    State(state): State<AppState>,
    ApiJson(req): ApiJson<MfaVerifyRequest>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now_ms(&auth.org);
    let now_secs = state.clock.now_secs(&auth.org);
    let (a, throttle) = (auth.clone(), state.throttle);
    let user = req.user_id.clone();
    let verdict = state
        .storage
        .run_locked(&[Lock::Device(&auth.device), Lock::User(&user)], move |c| {
            if let Some(wait) = throttle.check(c, &a.device, now)? {
                return Ok(Err(too_many_attempts(wait)));
            }
            if db::association(c, &a.org, &a.device, &req.user_id)?.is_none() {
                return Ok(Err(ApiError::not_found(
                    "that user is not bound to this device",
                )));
            }
            let Some(row) = db::user_by_id(c, &a.org, &req.user_id)? else {
                return Ok(Err(ApiError::not_found("no such user in this org")));
            };
            let stored = db::mfa_secret(c, &a.org, &req.user_id)?;
            let outcome = match stored {
                None => Err("not_enrolled"),
                Some((secret, last)) => match mfa::matching_step(&secret, &req.code, now_secs) {
                    Ok(Some(step)) if step as i64 > last => Ok(step as i64),
                    Ok(Some(_)) => Err("replayed_code"),
                    Ok(None) | Err(_) => Err("wrong_code"),
                },
            };
            let email = row.user.email;
            match outcome {
                Ok(step) => {
                    db::use_mfa_step(c, &a.org, &req.user_id, step)?;
                    db::audit(c, &a.org, &a.actor(), "mfa.verify", &email, SUCCESS, None)?;
                    Ok(Ok(true))
                }
                Err(reason) => {
                    throttle.record_failure(c, &a.device, now)?;
                    db::audit(
                        c,
                        &a.org,
                        &a.actor(),
                        "mfa.verify",
                        &email,
                        REFUSED,
                        Some(reason),
                    )?;
                    Ok(Ok(false))
                }
            }
        })
        .await??;
    if verdict {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(code_invalid())
    }
}
