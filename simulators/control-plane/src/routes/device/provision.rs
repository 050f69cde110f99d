//! `POST /api/device/provision`: the ticket redeemed for an association, once, idempotently
//! (R44, R60); and `POST /api/device/attempts`, refusals decided on the endpoint (R07).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ssap_api::{codes, Association, AttemptReport, BindSource, ProvisionRequest};

use super::refusals::{refusal_error, user_state_refusal, REFUSED, SUCCESS};
use crate::auth::{digest, DeviceAuth};
use crate::db;
use crate::error::{ApiError, ApiJson};
use crate::rules;
use crate::sql::{args, Sql};
use crate::storage::Lock;
use crate::AppState;

fn ticket_invalid() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        codes::TICKET_INVALID,
        "The sign-in has expired or was not made on this device; sign in again",
    )
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
    let now = state.clock.now_ms(&auth.org);
    // Everything provisioning re-checks is the device's: its associations and policy, its
    // tickets and idempotency keys (see `storage` for the rules).
    let device = auth.device.clone();
    let a = state
        .storage
        .run_locked(&[Lock::Device(&device)], move |c| {
            provision_tx(c, &auth, &ticket_digest, &req, now)
        })
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
