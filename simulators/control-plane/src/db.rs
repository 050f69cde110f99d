//! Queries over the schema in `storage.rs`. Every function takes the org id and scopes its
//! query by it, so an object of another org is simply not found (R61).

use rusqlite::{params, Connection, OptionalExtension};
use serde::{de::DeserializeOwned, Serialize};
use ssap_api::{
    Association, AuditEvent, BindSource, Device, DeviceFacts, IdentityProviderConfig, OrgSettings,
    PermissionLevel, User, WindowsSsapMode,
};

use crate::error::ApiError;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Wire spelling of a unit enum (`"macos"`, `"first_user_only"`), reused as its stored text.
pub(crate) fn enum_text<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn parse_enum<T: DeserializeOwned>(s: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|e| {
        tracing::error!(value = s, error = %e, "unreadable value in the database");
        ApiError::internal("the control plane's storage holds an unreadable value")
    })
}

/// Appends one audit event (R07).
pub(crate) fn audit(
    c: &Connection,
    org: &str,
    actor: &str,
    action: &str,
    target: &str,
    outcome: &str,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    c.prepare_cached(
        "INSERT INTO audit (org_id, at_ms, actor, action, target, outcome, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![org, now_ms(), actor, action, target, outcome, reason])?;
    Ok(())
}

pub(crate) fn audit_log(c: &Connection, org: &str) -> Result<Vec<AuditEvent>, ApiError> {
    let mut stmt = c.prepare_cached(
        "SELECT seq, at_ms, actor, action, target, outcome, reason FROM audit WHERE org_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map(params![org], |r| {
        Ok(AuditEvent {
            seq: r.get(0)?,
            at_ms: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            outcome: r.get(5)?,
            reason: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub(crate) fn settings(c: &Connection, org: &str) -> Result<OrgSettings, ApiError> {
    let raw: Option<(bool, bool, String, bool)> = c
        .prepare_cached(
            "SELECT macos_ssap, windows_ssap, permission_level, password_sync FROM orgs WHERE id = ?1",
        )?
        .query_row(params![org], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let (macos_ssap, windows_ssap, level, password_sync) =
        raw.ok_or_else(|| ApiError::unauthorized("this credential's org no longer exists"))?;
    Ok(OrgSettings {
        macos_ssap,
        windows_ssap,
        permission_level: parse_enum(&level)?,
        password_sync,
    })
}

pub(crate) fn save_settings(c: &Connection, org: &str, s: &OrgSettings) -> Result<(), ApiError> {
    c.prepare_cached(
        "UPDATE orgs SET macos_ssap = ?2, windows_ssap = ?3, permission_level = ?4, password_sync = ?5 WHERE id = ?1",
    )?
    .execute(params![
        org,
        s.macos_ssap,
        s.windows_ssap,
        enum_text(&s.permission_level),
        s.password_sync
    ])?;
    Ok(())
}

/// A user with the fields that never leave the server.
pub(crate) struct UserRow {
    pub user: User,
    pub password_hash: Option<String>,
    pub failed_attempts: i64,
}

const USER_COLS: &str = "id, email, username, system_username, firstname, lastname, password_hash, state, locked, password_expired, mfa_enforced, mfa_enrolled, failed_attempts, federated";

type RawUser = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    bool,
    bool,
    bool,
    bool,
    i64,
    bool,
);

fn raw_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ))
}

fn user_row(raw: RawUser) -> Result<UserRow, ApiError> {
    let (
        id,
        email,
        username,
        system_username,
        firstname,
        lastname,
        password_hash,
        state,
        locked,
        password_expired,
        mfa_enforced,
        mfa_enrolled,
        failed_attempts,
        federated,
    ) = raw;
    Ok(UserRow {
        user: User {
            id,
            email,
            username,
            system_username,
            firstname,
            lastname,
            has_password: password_hash.is_some(),
            state: parse_enum(&state)?,
            locked,
            password_expired,
            mfa_enforced,
            mfa_enrolled,
            federated,
        },
        password_hash,
        failed_attempts,
    })
}

pub(crate) fn user_by_id(c: &Connection, org: &str, id: &str) -> Result<Option<UserRow>, ApiError> {
    let raw = c
        .prepare_cached(&format!(
            "SELECT {USER_COLS} FROM users WHERE org_id = ?1 AND id = ?2"
        ))?
        .query_row(params![org, id], raw_user)
        .optional()?;
    raw.map(user_row).transpose()
}

pub(crate) fn user_by_email(
    c: &Connection,
    org: &str,
    email: &str,
) -> Result<Option<UserRow>, ApiError> {
    let raw = c
        .prepare_cached(&format!(
            "SELECT {USER_COLS} FROM users WHERE org_id = ?1 AND email_key = ?2"
        ))?
        .query_row(params![org, fold(email)], raw_user)
        .optional()?;
    raw.map(user_row).transpose()
}

pub(crate) fn users(c: &Connection, org: &str) -> Result<Vec<User>, ApiError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {USER_COLS} FROM users WHERE org_id = ?1 ORDER BY rowid"
    ))?;
    let raws = stmt
        .query_map(params![org], raw_user)?
        .collect::<Result<Vec<_>, _>>()?;
    raws.into_iter()
        .map(|r| user_row(r).map(|u| u.user))
        .collect()
}

/// Case-insensitive comparison key for emails and usernames.
pub(crate) fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

pub(crate) fn insert_user(
    c: &Connection,
    org: &str,
    user: &User,
    password_hash: Option<&str>,
) -> Result<(), ApiError> {
    c.prepare_cached(
        "INSERT INTO users (id, org_id, email, email_key, username, username_key, system_username, firstname, lastname, password_hash, state, locked, password_expired, mfa_enforced, mfa_enrolled, federated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        user.id,
        org,
        user.email,
        fold(&user.email),
        user.username,
        fold(&user.username),
        user.system_username,
        user.firstname,
        user.lastname,
        password_hash,
        enum_text(&user.state),
        user.locked,
        user.password_expired,
        user.mfa_enforced,
        user.mfa_enrolled,
        user.federated,
    ])?;
    Ok(())
}

/// Writes back every mutable field of a user.
pub(crate) fn update_user(c: &Connection, org: &str, row: &UserRow) -> Result<(), ApiError> {
    let u = &row.user;
    c.prepare_cached(
        "UPDATE users SET system_username = ?3, password_hash = ?4, state = ?5, locked = ?6, password_expired = ?7, mfa_enforced = ?8, mfa_enrolled = ?9, failed_attempts = ?10, federated = ?11 WHERE org_id = ?1 AND id = ?2",
    )?
    .execute(params![
        org,
        u.id,
        u.system_username,
        row.password_hash,
        enum_text(&u.state),
        u.locked,
        u.password_expired,
        u.mfa_enforced,
        u.mfa_enrolled,
        row.failed_attempts,
        u.federated,
    ])?;
    Ok(())
}

/// Whether an email or username (case-insensitive) is taken in the org.
pub(crate) fn taken(
    c: &Connection,
    org: &str,
    email: &str,
    username: &str,
) -> Result<(bool, bool), ApiError> {
    let email_taken = c
        .prepare_cached("SELECT 1 FROM users WHERE org_id = ?1 AND email_key = ?2")?
        .exists(params![org, fold(email)])?;
    let username_taken = c
        .prepare_cached("SELECT 1 FROM users WHERE org_id = ?1 AND username_key = ?2")?
        .exists(params![org, fold(username)])?;
    Ok((email_taken, username_taken))
}

/// A device with its bound policies.
pub(crate) struct DeviceRow {
    pub device: Device,
    pub login_window_text: Option<String>,
    pub windows_mode: Option<WindowsSsapMode>,
}

const DEVICE_COLS: &str = "id, os, edition, architecture, join_state, hostname, serial, mac, ip, os_version, login_window_text, windows_mode";

type RawDevice = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn raw_device(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawDevice> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

fn device_row(raw: RawDevice) -> Result<DeviceRow, ApiError> {
    let (
        id,
        os,
        edition,
        architecture,
        join_state,
        hostname,
        serial,
        mac,
        ip,
        os_version,
        login_window_text,
        windows_mode,
    ) = raw;
    Ok(DeviceRow {
        device: Device {
            id,
            facts: DeviceFacts {
                os: parse_enum(&os)?,
                edition,
                architecture,
                join_state: parse_enum(&join_state)?,
                hostname,
                serial,
                mac,
                ip,
                os_version,
            },
        },
        login_window_text,
        windows_mode: windows_mode.as_deref().map(parse_enum).transpose()?,
    })
}

pub(crate) fn device_by_id(
    c: &Connection,
    org: &str,
    id: &str,
) -> Result<Option<DeviceRow>, ApiError> {
    let raw = c
        .prepare_cached(&format!(
            "SELECT {DEVICE_COLS} FROM devices WHERE org_id = ?1 AND id = ?2"
        ))?
        .query_row(params![org, id], raw_device)
        .optional()?;
    raw.map(device_row).transpose()
}

/// The device or a 404 naming it.
pub(crate) fn device_or_404(c: &Connection, org: &str, id: &str) -> Result<DeviceRow, ApiError> {
    device_by_id(c, org, id)?
        .ok_or_else(|| ApiError::not_found(format!("no device {id} in this org")))
}

/// The user or a 404 naming it.
pub(crate) fn user_or_404(c: &Connection, org: &str, id: &str) -> Result<UserRow, ApiError> {
    user_by_id(c, org, id)?.ok_or_else(|| ApiError::not_found(format!("no user {id} in this org")))
}

pub(crate) fn devices(c: &Connection, org: &str) -> Result<Vec<Device>, ApiError> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {DEVICE_COLS} FROM devices WHERE org_id = ?1 ORDER BY rowid"
    ))?;
    let raws = stmt
        .query_map(params![org], raw_device)?
        .collect::<Result<Vec<_>, _>>()?;
    raws.into_iter()
        .map(|r| device_row(r).map(|d| d.device))
        .collect()
}

pub(crate) fn insert_device(
    c: &Connection,
    org: &str,
    id: &str,
    credential_digest: &[u8],
    f: &DeviceFacts,
) -> Result<(), ApiError> {
    c.prepare_cached(
        "INSERT INTO devices (id, org_id, credential_digest, os, edition, architecture, join_state, hostname, serial, mac, ip, os_version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        org,
        credential_digest,
        enum_text(&f.os),
        f.edition,
        f.architecture,
        enum_text(&f.join_state),
        f.hostname,
        f.serial,
        f.mac,
        f.ip,
        f.os_version,
    ])?;
    Ok(())
}

pub(crate) fn set_login_window_text(
    c: &Connection,
    org: &str,
    device: &str,
    text: Option<&str>,
) -> Result<(), ApiError> {
    c.prepare_cached("UPDATE devices SET login_window_text = ?3 WHERE org_id = ?1 AND id = ?2")?
        .execute(params![org, device, text])?;
    Ok(())
}

pub(crate) fn set_windows_mode(
    c: &Connection,
    org: &str,
    device: &str,
    mode: Option<WindowsSsapMode>,
) -> Result<(), ApiError> {
    c.prepare_cached("UPDATE devices SET windows_mode = ?3 WHERE org_id = ?1 AND id = ?2")?
        .execute(params![org, device, mode.map(|m| enum_text(&m))])?;
    Ok(())
}

const ASSOC_SELECT: &str = "SELECT a.device_id, a.user_id, u.username, u.system_username, u.firstname, u.lastname, a.permission, a.source, a.password_sync, u.mfa_enforced, u.mfa_enrolled, a.local_name FROM associations a JOIN users u ON u.id = a.user_id AND u.org_id = a.org_id";

type RawAssoc = (
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    bool,
    bool,
    bool,
    Option<String>,
);

fn raw_assoc(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAssoc> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

/// "Firstname Lastname", or the username when the directory has no name (as `User::display_name`).
pub(crate) fn display_name(firstname: &str, lastname: &str, username: &str) -> String {
    let full = format!("{firstname} {lastname}");
    let full = full.trim();
    if full.is_empty() {
        username.to_string()
    } else {
        full.to_string()
    }
}

fn assoc(raw: RawAssoc) -> Result<Association, ApiError> {
    let (
        device_id,
        user_id,
        username,
        system_username,
        firstname,
        lastname,
        permission,
        source,
        password_sync,
        mfa_enforced,
        mfa_enrolled,
        local_name,
    ) = raw;
    Ok(Association {
        device_id,
        user_id,
        display_name: display_name(&firstname, &lastname, &username),
        username,
        system_username,
        permission: parse_enum(&permission)?,
        source: parse_enum(&source)?,
        password_sync,
        mfa_enforced,
        mfa_enrolled,
        local_name,
    })
}

pub(crate) fn associations(
    c: &Connection,
    org: &str,
    device: &str,
) -> Result<Vec<Association>, ApiError> {
    let mut stmt = c.prepare_cached(&format!(
        "{ASSOC_SELECT} WHERE a.org_id = ?1 AND a.device_id = ?2 ORDER BY a.seq"
    ))?;
    let raws = stmt
        .query_map(params![org, device], raw_assoc)?
        .collect::<Result<Vec<_>, _>>()?;
    raws.into_iter().map(assoc).collect()
}

pub(crate) fn association(
    c: &Connection,
    org: &str,
    device: &str,
    user: &str,
) -> Result<Option<Association>, ApiError> {
    let raw = c
        .prepare_cached(&format!(
            "{ASSOC_SELECT} WHERE a.org_id = ?1 AND a.device_id = ?2 AND a.user_id = ?3"
        ))?
        .query_row(params![org, device, user], raw_assoc)
        .optional()?;
    raw.map(assoc).transpose()
}

pub(crate) fn association_count(
    c: &Connection,
    org: &str,
    device: &str,
) -> Result<usize, ApiError> {
    let n: i64 = c
        .prepare_cached("SELECT COUNT(*) FROM associations WHERE org_id = ?1 AND device_id = ?2")?
        .query_row(params![org, device], |r| r.get(0))?;
    Ok(usize::try_from(n).unwrap_or(0))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_association(
    c: &Connection,
    org: &str,
    device: &str,
    user: &str,
    permission: PermissionLevel,
    source: BindSource,
    password_sync: bool,
    local_name: Option<&str>,
) -> Result<(), ApiError> {
    c.prepare_cached(
        "INSERT INTO associations (org_id, device_id, user_id, permission, source, password_sync, local_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        org,
        device,
        user,
        enum_text(&permission),
        enum_text(&source),
        password_sync,
        local_name
    ])?;
    Ok(())
}

pub(crate) fn delete_association(
    c: &Connection,
    org: &str,
    device: &str,
    user: &str,
) -> Result<bool, ApiError> {
    let n = c
        .prepare_cached(
            "DELETE FROM associations WHERE org_id = ?1 AND device_id = ?2 AND user_id = ?3",
        )?
        .execute(params![org, device, user])?;
    Ok(n > 0)
}

/// The org's identity provider with its client secret (R46).
pub(crate) fn identity_provider(
    c: &Connection,
    org: &str,
) -> Result<Option<IdentityProviderConfig>, ApiError> {
    Ok(c.prepare_cached(
        "SELECT name, issuer, client_id, client_secret FROM identity_providers WHERE org_id = ?1",
    )?
    .query_row(params![org], |r| {
        Ok(IdentityProviderConfig {
            name: r.get(0)?,
            issuer: r.get(1)?,
            client_id: r.get(2)?,
            client_secret: r.get(3)?,
        })
    })
    .optional()?)
}

pub(crate) fn set_identity_provider(
    c: &Connection,
    org: &str,
    idp: Option<&IdentityProviderConfig>,
) -> Result<(), ApiError> {
    c.prepare_cached("DELETE FROM identity_providers WHERE org_id = ?1")?
        .execute(params![org])?;
    if let Some(p) = idp {
        c.prepare_cached(
            "INSERT INTO identity_providers (org_id, name, issuer, client_id, client_secret) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![org, p.name, p.issuer, p.client_id, p.client_secret])?;
    }
    Ok(())
}

/// A pending federated sign-in, keyed by the digest of its `state` (R46).
pub(crate) struct FederationState {
    pub user_id: String,
    pub purpose: String,
    pub nonce: String,
    pub redirect_uri: String,
    pub expires_ms: i64,
    pub used: bool,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_federation_state(
    c: &Connection,
    digest: &[u8],
    org: &str,
    device: &str,
    user_id: &str,
    purpose: &str,
    nonce: &str,
    redirect_uri: &str,
    expires_ms: i64,
) -> Result<(), ApiError> {
    c.prepare_cached(
        "INSERT INTO federation_states (digest, org_id, device_id, user_id, purpose, nonce, redirect_uri, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![digest, org, device, user_id, purpose, nonce, redirect_uri, expires_ms])?;
    Ok(())
}

/// Reads a state of this org and device and marks it used in the same transaction, so a
/// state is redeemed at most once whatever happens next.
pub(crate) fn take_federation_state(
    c: &Connection,
    digest: &[u8],
    org: &str,
    device: &str,
) -> Result<Option<FederationState>, ApiError> {
    let found = c
        .prepare_cached(
            "SELECT user_id, purpose, nonce, redirect_uri, expires_ms, used FROM federation_states WHERE digest = ?1 AND org_id = ?2 AND device_id = ?3",
        )?
        .query_row(params![digest, org, device], |r| {
            Ok(FederationState {
                user_id: r.get(0)?,
                purpose: r.get(1)?,
                nonce: r.get(2)?,
                redirect_uri: r.get(3)?,
                expires_ms: r.get(4)?,
                used: r.get(5)?,
            })
        })
        .optional()?;
    if found.is_some() {
        c.prepare_cached("UPDATE federation_states SET used = 1 WHERE digest = ?1")?
            .execute(params![digest])?;
    }
    Ok(found)
}
