//! Admin routes (`x-api-key`): org settings, directory users, devices, associations, policies
//! and the audit log. Every change is audited in the same transaction as the change (R07).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use ssap_api::{
    codes, Association, AuditEvent, BindSource, Device, LoginWindowText, MfaPolicy, NewAssociation,
    NewUser, OrgSettings, OrgSettingsPatch, Os, User, UserPatch, WindowsSsapPolicy,
};
use ssap_api::{AuditFilter, ListQuery, Page};

use crate::auth::{hash_password_async, new_id, AdminAuth};
use crate::db::{self, enum_text};
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::storage::Lock;
use crate::AppState;

const ADMIN: &str = "admin";

pub(crate) async fn settings(
    auth: AdminAuth,
    State(state): State<AppState>,
) -> Result<Json<OrgSettings>, ApiError> {
    let s = state
        .storage
        .run(move |c| db::settings(c, &auth.org))
        .await?;
    Ok(Json(s))
}

/// Applies a partial update; the audit line says what changed, from what to what.
pub(crate) async fn update_settings(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiJson(patch): ApiJson<OrgSettingsPatch>,
) -> Result<Json<OrgSettings>, ApiError> {
    let org = auth.org.clone();
    let s = state
        .storage
        .run_locked(&[Lock::Org(&org)], move |c| {
            let before = db::settings(c, &auth.org)?;
            let mut after = before.clone();
            if let Some(v) = patch.macos_ssap {
                after.macos_ssap = v;
            }
            if let Some(v) = patch.windows_ssap {
                after.windows_ssap = v;
            }
            if let Some(v) = patch.permission_level {
                after.permission_level = v;
            }
            if let Some(v) = patch.password_sync {
                after.password_sync = v;
            }
            if let Some(changes) = after.changes_since(&before) {
                db::save_settings(c, &auth.org, &after)?;
                db::audit(
                    c,
                    &auth.org,
                    ADMIN,
                    "settings.update",
                    "org settings",
                    "success",
                    Some(&changes),
                )?;
            }
            Ok(after)
        })
        .await?;
    Ok(Json(s))
}

pub(crate) async fn create_user(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let hash = match &new.password {
        Some(p) => Some(hash_password_async(state.hash_cost, p.clone()).await?),
        None => None,
    };
    let user = User {
        id: new_id(),
        email: new.email.trim().to_string(),
        username: new.username.trim().to_string(),
        system_username: new.system_username.map(|s| s.trim().to_string()),
        firstname: new.firstname,
        lastname: new.lastname,
        has_password: hash.is_some(),
        state: new.state,
        locked: new.locked,
        password_expired: new.password_expired,
        mfa_enforced: new.mfa_enforced,
        mfa_enrolled: new.mfa_enrolled,
        federated: new.federated,
    };
    let (email_key, username_key) = (db::fold(&user.email), db::fold(&user.username));
    let org = auth.org.clone();
    let locks = [
        Lock::Email {
            org: &org,
            email: &email_key,
        },
        Lock::Username {
            org: &org,
            username: &username_key,
        },
    ];
    let created = state
        .storage
        .run_locked(&locks, move |c| {
            let (email_taken, username_taken) =
                db::taken(c, &auth.org, &user.email, &user.username)?;
            if email_taken {
                return Err(ApiError::conflict(
                    codes::CONFLICT,
                    format!(
                        "a user with email {} already exists in this org",
                        user.email
                    ),
                ));
            }
            if username_taken {
                return Err(ApiError::conflict(
                    codes::CONFLICT,
                    format!(
                        "a user with username {} already exists in this org",
                        user.username
                    ),
                ));
            }
            db::insert_user(c, &auth.org, &user, hash.as_deref())?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "user.create",
                &user.email,
                "success",
                None,
            )?;
            Ok(user)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `limit` and `cursor` of a list request; a bad one is 400 `bad_request`.
fn list_query(query: &Option<String>) -> Result<ListQuery, ApiError> {
    ListQuery::parse(query.as_deref()).map_err(|e| ApiError::bad_request(e.0))
}

pub(crate) async fn users(
    auth: AdminAuth,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<User>>, ApiError> {
    let q = list_query(&query)?;
    Ok(Json(
        state
            .storage
            .run(move |c| db::users_page(c, &auth.org, &q))
            .await?,
    ))
}

pub(crate) async fn user(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<User>, ApiError> {
    let u = state
        .storage
        .run(move |c| db::user_or_404(c, &auth.org, &id).map(|r| r.user))
        .await?;
    Ok(Json(u))
}

/// Removes the user from the directory (R63): they sign in as an unknown email from then on,
/// their email and username are free again, and their associations stay (disabled) so each
/// device disables the account at its next check-in and never deletes it.
pub(crate) async fn remove_user(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    // The user's lock, as for a patch: a wrong-password count or a patch landing at the same
    // moment on another server writes the row either before the removal or not at all.
    let locked = id.clone();
    state
        .storage
        .run_locked(&[Lock::User(&locked)], move |c| {
            let email = db::remove_user(c, &auth.org, &id)?
                .ok_or_else(|| ApiError::not_found(format!("no user {id} in this org")))?;
            db::audit(c, &auth.org, ADMIN, "user.delete", &email, "success", None)
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Partial update. Unlocking or setting a new password also clears the wrong-password count
/// (R42), as a directory's admin unlock does. An empty `system_username` clears it.
pub(crate) async fn update_user(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<User>, ApiError> {
    let new_hash = match &patch.password {
        Some(p) => Some(hash_password_async(state.hash_cost, p.clone()).await?),
        None => None,
    };
    let locked = id.clone();
    let u = state
        .storage
        .run_locked(&[Lock::User(&locked)], move |c| {
            let mut row = db::user_or_404(c, &auth.org, &id)?;
            let mut changes = Vec::new();
            let u = &mut row.user;
            if let Some(v) = patch.state {
                if v != u.state {
                    changes.push(format!(
                        "state: {} -> {}",
                        enum_text(&u.state),
                        enum_text(&v)
                    ));
                    u.state = v;
                }
            }
            if let Some(v) = patch.locked {
                if v != u.locked {
                    changes.push(format!("locked: {} -> {v}", u.locked));
                    u.locked = v;
                }
                if !v {
                    row.failed_attempts = 0;
                }
            }
            if let Some(v) = patch.password_expired {
                if v != u.password_expired {
                    changes.push(format!("password_expired: {} -> {v}", u.password_expired));
                    u.password_expired = v;
                }
            }
            if let Some(v) = patch.mfa_enforced {
                if v != u.mfa_enforced {
                    changes.push(format!("mfa_enforced: {} -> {v}", u.mfa_enforced));
                    u.mfa_enforced = v;
                }
            }
            if let Some(v) = patch.mfa_enrolled {
                if v != u.mfa_enrolled {
                    changes.push(format!("mfa_enrolled: {} -> {v}", u.mfa_enrolled));
                    u.mfa_enrolled = v;
                }
            }
            if let Some(v) = patch.federated {
                if v != u.federated {
                    changes.push(format!("federated: {} -> {v}", u.federated));
                    u.federated = v;
                }
            }
            if let Some(v) = patch.system_username {
                let v = Some(v.trim().to_string()).filter(|s| !s.is_empty());
                if v != u.system_username {
                    changes.push(format!(
                        "system_username: {} -> {}",
                        u.system_username.as_deref().unwrap_or("(none)"),
                        v.as_deref().unwrap_or("(none)")
                    ));
                    u.system_username = v;
                }
            }
            if let Some(h) = new_hash {
                changes.push("password set".to_string());
                row.password_hash = Some(h);
                row.user.has_password = true;
                row.failed_attempts = 0;
            }
            db::update_user(c, &auth.org, &row)?;
            if !changes.is_empty() {
                db::audit(
                    c,
                    &auth.org,
                    ADMIN,
                    "user.update",
                    &row.user.email,
                    "success",
                    Some(&changes.join(", ")),
                )?;
            }
            Ok(row.user)
        })
        .await?;
    Ok(Json(u))
}

pub(crate) async fn devices(
    auth: AdminAuth,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Device>>, ApiError> {
    let q = list_query(&query)?;
    Ok(Json(
        state
            .storage
            .run(move |c| db::devices_page(c, &auth.org, &q))
            .await?,
    ))
}

pub(crate) async fn device(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Device>, ApiError> {
    let d = state
        .storage
        .run(move |c| db::device_or_404(c, &auth.org, &id).map(|d| d.device))
        .await?;
    Ok(Json(d))
}

pub(crate) async fn associations(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<Association>>, ApiError> {
    let q = list_query(&query)?;
    let list = state
        .storage
        .run(move |c| {
            db::device_or_404(c, &auth.org, &id)?;
            db::associations_page(c, &auth.org, &id, &q)
        })
        .await?;
    Ok(Json(list))
}

/// Admin bind (R05, R49): allowed whatever the SSAP toggles and managed-user count; the
/// permission defaults to the org's level and password sync follows the org setting, both
/// fixed at bind time like the account they describe.
pub(crate) async fn bind(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
    ApiJson(new): ApiJson<NewAssociation>,
) -> Result<(StatusCode, Json<Association>), ApiError> {
    let locked = device_id.clone();
    let a = state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            db::device_or_404(c, &auth.org, &device_id)?;
            let user = db::user_or_404(c, &auth.org, &new.user_id)?.user;
            if db::association(c, &auth.org, &device_id, &user.id)?.is_some() {
                return Err(ApiError::conflict(
                    codes::ALREADY_BOUND,
                    format!("user {} is already bound to device {device_id}", user.email),
                ));
            }
            let settings = db::settings(c, &auth.org)?;
            let permission = new.permission.unwrap_or(settings.permission_level);
            db::insert_association(
                c,
                &auth.org,
                &device_id,
                &user.id,
                permission,
                BindSource::Admin,
                settings.password_sync,
                None,
            )?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "association.create",
                &format!("device {device_id} / user {}", user.email),
                "success",
                Some(&format!("permission {}", enum_text(&permission))),
            )?;
            db::association(c, &auth.org, &device_id, &user.id)?
                .ok_or_else(|| ApiError::internal("the new association could not be read back"))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// Removes a binding; the local account on the device is the endpoint's business (R04).
pub(crate) async fn unbind(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath((device_id, user_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let locked = device_id.clone();
    state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            db::device_or_404(c, &auth.org, &device_id)?;
            // A user removed from the directory is still unbound by id (R63).
            let email = db::user_email_any(c, &auth.org, &user_id)?
                .ok_or_else(|| ApiError::not_found(format!("no user {user_id} in this org")))?;
            if !db::delete_association(c, &auth.org, &device_id, &user_id)? {
                return Err(ApiError::not_found(format!(
                    "user {email} is not bound to device {device_id}"
                )));
            }
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "association.delete",
                &format!("device {device_id} / user {email}"),
                "success",
                None,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn set_login_window_text(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
    ApiJson(body): ApiJson<LoginWindowText>,
) -> Result<StatusCode, ApiError> {
    let locked = device_id.clone();
    state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            db::device_or_404(c, &auth.org, &device_id)?;
            db::set_login_window_text(c, &auth.org, &device_id, Some(&body.text))?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "policy.login_window_text.set",
                &format!("device {device_id}"),
                "success",
                None,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn clear_login_window_text(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let locked = device_id.clone();
    state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            db::device_or_404(c, &auth.org, &device_id)?;
            db::set_login_window_text(c, &auth.org, &device_id, None)?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "policy.login_window_text.delete",
                &format!("device {device_id}"),
                "success",
                None,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Binds the Windows SSAP policy (R03); refused on macOS devices, where it never applies.
pub(crate) async fn set_windows_policy(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
    ApiJson(body): ApiJson<WindowsSsapPolicy>,
) -> Result<StatusCode, ApiError> {
    let locked = device_id.clone();
    state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            let d = db::device_or_404(c, &auth.org, &device_id)?;
            if d.device.facts.os != Os::Windows {
                return Err(ApiError::bad_request(format!(
                    "device {device_id} runs {}: the Windows SSAP policy applies to Windows devices only",
                    d.device.facts.os
                )));
            }
            db::set_windows_mode(c, &auth.org, &device_id, Some(body.mode))?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "policy.windows_ssap.set",
                &format!("device {device_id}"),
                "success",
                Some(&format!("mode {}", enum_text(&body.mode))),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn clear_windows_policy(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let locked = device_id.clone();
    state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            db::device_or_404(c, &auth.org, &device_id)?;
            db::set_windows_mode(c, &auth.org, &device_id, None)?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "policy.windows_ssap.delete",
                &format!("device {device_id}"),
                "success",
                None,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Binds the MFA policy (R45), on macOS and Windows devices alike: every user bound to the
/// device answers MFA at their next login there (`rules::mfa_enforced`).
pub(crate) async fn set_mfa_policy(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
    ApiJson(body): ApiJson<MfaPolicy>,
) -> Result<StatusCode, ApiError> {
    let locked = device_id.clone();
    state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            db::device_or_404(c, &auth.org, &device_id)?;
            db::set_mfa_policy(c, &auth.org, &device_id, Some(body.factor))?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "policy.mfa.set",
                &format!("device {device_id}"),
                "success",
                Some(&format!("factor {}", enum_text(&body.factor))),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn clear_mfa_policy(
    auth: AdminAuth,
    State(state): State<AppState>,
    ApiPath(device_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let locked = device_id.clone();
    state
        .storage
        .run_locked(&[Lock::Device(&locked)], move |c| {
            db::device_or_404(c, &auth.org, &device_id)?;
            db::set_mfa_policy(c, &auth.org, &device_id, None)?;
            db::audit(
                c,
                &auth.org,
                ADMIN,
                "policy.mfa.delete",
                &format!("device {device_id}"),
                "success",
                None,
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/admin/audit`: one page of the org's audit log, oldest first, filtered by
/// `device`, `target`, `action`, `since` and `until` (see `ssap_api::paging`).
pub(crate) async fn audit(
    auth: AdminAuth,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<AuditEvent>>, ApiError> {
    let q = list_query(&query)?;
    let filter = AuditFilter::parse(query.as_deref()).map_err(|e| ApiError::bad_request(e.0))?;
    Ok(Json(
        state
            .storage
            .run(move |c| db::audit_page(c, &auth.org, &filter, &q))
            .await?,
    ))
}
