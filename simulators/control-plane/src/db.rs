//! Queries over the schema in `storage` (the same SQL for SQLite and PostgreSQL). Every function takes the org id and scopes its
//! query by it, so an object of another org is simply not found (R61).

use serde::{de::DeserializeOwned, Serialize};
use ssap_api::{paging, AuditFilter, ListQuery, Page};
use ssap_api::{
    Association, AuditEvent, BindSource, Device, DeviceFacts, IdentityProviderConfig, MfaFactor,
    OrgSettings, PermissionLevel, User, UserState, WindowsSsapMode,
};

use crate::error::ApiError;
use crate::rules;
use crate::sql::{args, Row, Sql, Value};

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
    c: &dyn Sql,
    org: &str,
    actor: &str,
    action: &str,
    target: &str,
    outcome: &str,
    reason: Option<&str>,
) -> Result<(), ApiError> {
    c.execute(
        "INSERT INTO audit (org_id, at_ms, actor, action, target, outcome, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![org, now_ms(), actor, action, target, outcome, reason],
    )?;
    Ok(())
}

/// One page of the org's audit log, oldest first, filtered (see `ssap_api::paging`).
pub(crate) fn audit_page(
    c: &dyn Sql,
    org: &str,
    filter: &AuditFilter,
    q: &ListQuery,
) -> Result<Page<AuditEvent>, ApiError> {
    let after = after_key(q)?;
    let mut sql = String::from(
        "SELECT seq, at_ms, actor, action, target, outcome, reason, seq FROM audit WHERE org_id = ?1 AND seq > ?2",
    );
    let mut values = vec![Value::Text(org.to_string()), Value::Int(after)];
    let mut and = |condition: &str, value: Value| {
        values.push(value);
        sql.push_str(&format!(" AND {condition} ?{}", values.len()));
    };
    if let Some(d) = &filter.device {
        and("actor =", Value::Text(format!("device:{d}")));
    }
    if let Some(t) = &filter.target {
        and("target =", Value::Text(t.clone()));
    }
    if let Some(a) = &filter.action {
        and("action =", Value::Text(a.clone()));
    }
    if let Some(since) = filter.since_ms {
        and("at_ms >=", Value::Int(since));
    }
    if let Some(until) = filter.until_ms {
        and("at_ms <", Value::Int(until));
    }
    values.push(Value::Int(fetch_limit(q)));
    sql.push_str(&format!(" ORDER BY seq LIMIT ?{}", values.len()));
    page(c.query(&sql, &values)?, q, |r| {
        Ok(AuditEvent {
            seq: r.get(0)?,
            at_ms: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            outcome: r.get(5)?,
            reason: r.get(6)?,
        })
    })
}

/// The ordering key after which a page starts (0: from the first).
fn after_key(q: &ListQuery) -> Result<i64, ApiError> {
    match &q.cursor {
        None => Ok(0),
        Some(c) => paging::key_of_cursor(c).map_err(|e| ApiError::bad_request(e.0)),
    }
}

/// One more row than the page holds, to know whether another page follows.
fn fetch_limit(q: &ListQuery) -> i64 {
    i64::try_from(q.limit().saturating_add(1)).unwrap_or(i64::MAX)
}

/// Rows whose last column is the ordering key, fetched with [`fetch_limit`], as a page.
fn page<T>(
    rows: Vec<Row>,
    q: &ListQuery,
    item: impl Fn(&Row) -> Result<T, ApiError>,
) -> Result<Page<T>, ApiError> {
    let more = rows.len() > q.limit();
    let kept = &rows[..rows.len().min(q.limit())];
    let next_cursor = match kept.last() {
        Some(last) if more => {
            let key: i64 = last.get(last.0.len().saturating_sub(1))?;
            Some(paging::cursor_after(key))
        }
        _ => None,
    };
    Ok(Page {
        items: kept.iter().map(item).collect::<Result<_, _>>()?,
        next_cursor,
    })
}

pub(crate) fn settings(c: &dyn Sql, org: &str) -> Result<OrgSettings, ApiError> {
    let r = c
        .query_opt(
            "SELECT macos_ssap, windows_ssap, permission_level, password_sync FROM orgs WHERE id = ?1",
            args![org],
        )?
        .ok_or_else(|| ApiError::unauthorized("this credential's org no longer exists"))?;
    Ok(OrgSettings {
        macos_ssap: r.get(0)?,
        windows_ssap: r.get(1)?,
        permission_level: parse_enum(&r.get::<String>(2)?)?,
        password_sync: r.get(3)?,
    })
}

pub(crate) fn save_settings(c: &dyn Sql, org: &str, s: &OrgSettings) -> Result<(), ApiError> {
    c.execute(
        "UPDATE orgs SET macos_ssap = ?2, windows_ssap = ?3, permission_level = ?4, password_sync = ?5 WHERE id = ?1",
        args![
            org,
            s.macos_ssap,
            s.windows_ssap,
            enum_text(&s.permission_level),
            s.password_sync,
        ],
    )?;
    Ok(())
}

/// A user with the fields that never leave the server.
pub(crate) struct UserRow {
    pub user: User,
    pub password_hash: Option<String>,
    pub failed_attempts: i64,
}

const USER_COLS: &str = "id, email, username, system_username, firstname, lastname, password_hash, state, locked, password_expired, mfa_enforced, mfa_enrolled, failed_attempts, federated";

fn user_row(r: &Row) -> Result<UserRow, ApiError> {
    let password_hash: Option<String> = r.get(6)?;
    Ok(UserRow {
        user: User {
            id: r.get(0)?,
            email: r.get(1)?,
            username: r.get(2)?,
            system_username: r.get(3)?,
            firstname: r.get(4)?,
            lastname: r.get(5)?,
            has_password: password_hash.is_some(),
            state: parse_enum(&r.get::<String>(7)?)?,
            locked: r.get(8)?,
            password_expired: r.get(9)?,
            mfa_enforced: r.get(10)?,
            mfa_enrolled: r.get(11)?,
            federated: r.get(13)?,
        },
        password_hash,
        failed_attempts: r.get(12)?,
    })
}

/// Ids, emails and keys are stored only without control characters (`ssap_api::input`), so one
/// that has any (a path segment like `%00`) is not found without asking the database, which
/// for PostgreSQL could not even compare text holding NUL.
fn never_stored(s: &str) -> bool {
    s.chars().any(char::is_control)
}

pub(crate) fn user_by_id(c: &dyn Sql, org: &str, id: &str) -> Result<Option<UserRow>, ApiError> {
    if never_stored(id) {
        return Ok(None);
    }
    c.query_opt(
        &format!(
            "SELECT {USER_COLS} FROM users WHERE org_id = ?1 AND id = ?2 AND state <> '{REMOVED}'"
        ),
        args![org, id],
    )?
    .as_ref()
    .map(user_row)
    .transpose()
}

pub(crate) fn user_by_email(
    c: &dyn Sql,
    org: &str,
    email: &str,
) -> Result<Option<UserRow>, ApiError> {
    if never_stored(email) {
        return Ok(None);
    }
    c.query_opt(
        &format!("SELECT {USER_COLS} FROM users WHERE org_id = ?1 AND email_key = ?2 AND state <> '{REMOVED}'"),
        args![org, fold(email)],
    )?
    .as_ref()
    .map(user_row)
    .transpose()
}

/// One page of the org's users, in creation order.
pub(crate) fn users_page(c: &dyn Sql, org: &str, q: &ListQuery) -> Result<Page<User>, ApiError> {
    let rows = c.query(
        &format!("SELECT {USER_COLS}, rowid FROM users WHERE org_id = ?1 AND state <> '{REMOVED}' AND rowid > ?2 ORDER BY rowid LIMIT ?3"),
        args![org, after_key(q)?, fetch_limit(q)],
    )?;
    page(rows, q, |r| user_row(r).map(|u| u.user))
}

/// Case-insensitive comparison key for emails and usernames.
pub(crate) fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

pub(crate) fn insert_user(
    c: &dyn Sql,
    org: &str,
    user: &User,
    password_hash: Option<&str>,
) -> Result<(), ApiError> {
    c.execute(
        "INSERT INTO users (id, org_id, email, email_key, username, username_key, system_username, firstname, lastname, password_hash, state, locked, password_expired, mfa_enforced, mfa_enrolled, federated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
        args![
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
        ],
    )?;
    Ok(())
}

/// Writes back every mutable field of a user.
pub(crate) fn update_user(c: &dyn Sql, org: &str, row: &UserRow) -> Result<(), ApiError> {
    let u = &row.user;
    c.execute(
        "UPDATE users SET system_username = ?3, password_hash = ?4, state = ?5, locked = ?6, password_expired = ?7, mfa_enforced = ?8, mfa_enrolled = ?9, failed_attempts = ?10, federated = ?11 WHERE org_id = ?1 AND id = ?2",
        args![
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
        ],
    )?;
    Ok(())
}

/// The `state` of a user removed from the directory (R63): stored only, never an API
/// [`UserState`], so every query that returns users leaves such rows out. The row stays for
/// the associations that name it, which devices then see disabled.
const REMOVED: &str = "removed";

/// Removes a user from the directory (R63): their state becomes [`REMOVED`] and their email
/// and username keys are freed (replaced by one a real value can never be: input rules refuse
/// control characters). Returns the email, or `None` if there was no such user.
pub(crate) fn remove_user(c: &dyn Sql, org: &str, id: &str) -> Result<Option<String>, ApiError> {
    let Some(row) = user_by_id(c, org, id)? else {
        return Ok(None);
    };
    let freed = format!("\u{1}removed:{id}");
    c.execute(
        &format!("UPDATE users SET state = '{REMOVED}', email_key = ?3, username_key = ?3, failed_attempts = 0 WHERE org_id = ?1 AND id = ?2"),
        args![org, id, freed],
    )?;
    Ok(Some(row.user.email))
}

/// The email of a user, removed or not (an admin may still unbind a removed user's device).
pub(crate) fn user_email_any(c: &dyn Sql, org: &str, id: &str) -> Result<Option<String>, ApiError> {
    if never_stored(id) {
        return Ok(None);
    }
    c.query_opt(
        "SELECT email FROM users WHERE org_id = ?1 AND id = ?2",
        args![org, id],
    )?
    .map(|r| r.get(0))
    .transpose()
}

/// Whether an email or username (case-insensitive) is taken in the org.
pub(crate) fn taken(
    c: &dyn Sql,
    org: &str,
    email: &str,
    username: &str,
) -> Result<(bool, bool), ApiError> {
    let email_taken = c.exists(
        "SELECT 1 FROM users WHERE org_id = ?1 AND email_key = ?2",
        args![org, fold(email)],
    )?;
    let username_taken = c.exists(
        "SELECT 1 FROM users WHERE org_id = ?1 AND username_key = ?2",
        args![org, fold(username)],
    )?;
    Ok((email_taken, username_taken))
}

/// A device with its bound policies.
pub(crate) struct DeviceRow {
    pub device: Device,
    pub login_window_text: Option<String>,
    pub windows_mode: Option<WindowsSsapMode>,
    /// The MFA policy (R45), when bound.
    pub mfa_policy: Option<MfaFactor>,
}

const DEVICE_COLS: &str = "id, os, edition, architecture, join_state, hostname, serial, mac, ip, os_version, login_window_text, windows_mode, mdm, mfa_policy";

fn device_row(r: &Row) -> Result<DeviceRow, ApiError> {
    let windows_mode: Option<String> = r.get(11)?;
    let mfa_policy: Option<String> = r.get(13)?;
    Ok(DeviceRow {
        device: Device {
            id: r.get(0)?,
            facts: DeviceFacts {
                os: parse_enum(&r.get::<String>(1)?)?,
                edition: r.get(2)?,
                architecture: r.get(3)?,
                join_state: parse_enum(&r.get::<String>(4)?)?,
                mdm: parse_enum(&r.get::<String>(12)?)?,
                hostname: r.get(5)?,
                serial: r.get(6)?,
                mac: r.get(7)?,
                ip: r.get(8)?,
                os_version: r.get(9)?,
            },
        },
        login_window_text: r.get(10)?,
        windows_mode: windows_mode.as_deref().map(parse_enum).transpose()?,
        mfa_policy: mfa_policy.as_deref().map(parse_enum).transpose()?,
    })
}

pub(crate) fn device_by_id(
    c: &dyn Sql,
    org: &str,
    id: &str,
) -> Result<Option<DeviceRow>, ApiError> {
    if never_stored(id) {
        return Ok(None);
    }
    c.query_opt(
        &format!("SELECT {DEVICE_COLS} FROM devices WHERE org_id = ?1 AND id = ?2"),
        args![org, id],
    )?
    .as_ref()
    .map(device_row)
    .transpose()
}

/// The device or a 404 naming it.
pub(crate) fn device_or_404(c: &dyn Sql, org: &str, id: &str) -> Result<DeviceRow, ApiError> {
    device_by_id(c, org, id)?
        .ok_or_else(|| ApiError::not_found(format!("no device {id} in this org")))
}

/// The user or a 404 naming it.
pub(crate) fn user_or_404(c: &dyn Sql, org: &str, id: &str) -> Result<UserRow, ApiError> {
    user_by_id(c, org, id)?.ok_or_else(|| ApiError::not_found(format!("no user {id} in this org")))
}

/// One page of the org's devices, in registration order.
pub(crate) fn devices_page(
    c: &dyn Sql,
    org: &str,
    q: &ListQuery,
) -> Result<Page<Device>, ApiError> {
    let rows = c.query(
        &format!("SELECT {DEVICE_COLS}, rowid FROM devices WHERE org_id = ?1 AND rowid > ?2 ORDER BY rowid LIMIT ?3"),
        args![org, after_key(q)?, fetch_limit(q)],
    )?;
    page(rows, q, |r| device_row(r).map(|d| d.device))
}

pub(crate) fn insert_device(
    c: &dyn Sql,
    org: &str,
    id: &str,
    credential_digest: &[u8],
    f: &DeviceFacts,
) -> Result<(), ApiError> {
    c.execute(
        "INSERT INTO devices (id, org_id, credential_digest, os, edition, architecture, join_state, hostname, serial, mac, ip, os_version, mdm) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        args![
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
            enum_text(&f.mdm),
        ],
    )?;
    Ok(())
}

pub(crate) fn set_login_window_text(
    c: &dyn Sql,
    org: &str,
    device: &str,
    text: Option<&str>,
) -> Result<(), ApiError> {
    c.execute(
        "UPDATE devices SET login_window_text = ?3 WHERE org_id = ?1 AND id = ?2",
        args![org, device, text],
    )?;
    Ok(())
}

pub(crate) fn set_windows_mode(
    c: &dyn Sql,
    org: &str,
    device: &str,
    mode: Option<WindowsSsapMode>,
) -> Result<(), ApiError> {
    c.execute(
        "UPDATE devices SET windows_mode = ?3 WHERE org_id = ?1 AND id = ?2",
        args![org, device, mode.map(|m| enum_text(&m))],
    )?;
    Ok(())
}

pub(crate) fn set_mfa_policy(
    c: &dyn Sql,
    org: &str,
    device: &str,
    factor: Option<MfaFactor>,
) -> Result<(), ApiError> {
    c.execute(
        "UPDATE devices SET mfa_policy = ?3 WHERE org_id = ?1 AND id = ?2",
        args![org, device, factor.map(|f| enum_text(&f))],
    )?;
    Ok(())
}

/// An association with its user's details and its device's MFA policy (R45), which the
/// association's `mfa_enforced` folds in (`rules::mfa_enforced`).
const ASSOC_SELECT: &str = "SELECT a.device_id, a.user_id, u.username, u.system_username, u.firstname, u.lastname, a.permission, a.source, a.password_sync, u.mfa_enforced, u.mfa_enrolled, a.local_name, u.state, u.locked, d.mfa_policy FROM associations a JOIN users u ON u.id = a.user_id AND u.org_id = a.org_id JOIN devices d ON d.id = a.device_id AND d.org_id = a.org_id";

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

fn assoc(r: &Row) -> Result<Association, ApiError> {
    let username: String = r.get(2)?;
    Ok(Association {
        device_id: r.get(0)?,
        user_id: r.get(1)?,
        display_name: display_name(&r.get::<String>(4)?, &r.get::<String>(5)?, &username),
        username,
        system_username: r.get(3)?,
        permission: parse_enum(&r.get::<String>(6)?)?,
        source: parse_enum(&r.get::<String>(7)?)?,
        password_sync: r.get(8)?,
        mfa_enforced: rules::mfa_enforced(
            r.get(9)?,
            r.get::<Option<String>>(14)?
                .as_deref()
                .map(parse_enum::<MfaFactor>)
                .transpose()?,
        ),
        mfa_enrolled: r.get(10)?,
        local_name: r.get(11)?,
        disabled: r.get::<String>(12)? != enum_text(&UserState::Active) || r.get::<bool>(13)?,
    })
}

pub(crate) fn associations(
    c: &dyn Sql,
    org: &str,
    device: &str,
) -> Result<Vec<Association>, ApiError> {
    c.query(
        &format!("{ASSOC_SELECT} WHERE a.org_id = ?1 AND a.device_id = ?2 ORDER BY a.seq"),
        args![org, device],
    )?
    .iter()
    .map(assoc)
    .collect()
}

/// One page of a device's associations, oldest first.
pub(crate) fn associations_page(
    c: &dyn Sql,
    org: &str,
    device: &str,
    q: &ListQuery,
) -> Result<Page<Association>, ApiError> {
    let select = ASSOC_SELECT.replacen(" FROM associations", ", a.seq FROM associations", 1);
    let rows = c.query(
        &format!("{select} WHERE a.org_id = ?1 AND a.device_id = ?2 AND a.seq > ?3 ORDER BY a.seq LIMIT ?4"),
        args![org, device, after_key(q)?, fetch_limit(q)],
    )?;
    page(rows, q, assoc)
}

pub(crate) fn association(
    c: &dyn Sql,
    org: &str,
    device: &str,
    user: &str,
) -> Result<Option<Association>, ApiError> {
    if never_stored(device) || never_stored(user) {
        return Ok(None);
    }
    c.query_opt(
        &format!("{ASSOC_SELECT} WHERE a.org_id = ?1 AND a.device_id = ?2 AND a.user_id = ?3"),
        args![org, device, user],
    )?
    .as_ref()
    .map(assoc)
    .transpose()
}

pub(crate) fn association_count(c: &dyn Sql, org: &str, device: &str) -> Result<usize, ApiError> {
    let n: i64 = c
        .query_one(
            "SELECT COUNT(*) FROM associations WHERE org_id = ?1 AND device_id = ?2",
            args![org, device],
        )?
        .get(0)?;
    Ok(usize::try_from(n).unwrap_or(0))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_association(
    c: &dyn Sql,
    org: &str,
    device: &str,
    user: &str,
    permission: PermissionLevel,
    source: BindSource,
    password_sync: bool,
    local_name: Option<&str>,
) -> Result<(), ApiError> {
    c.execute(
        "INSERT INTO associations (org_id, device_id, user_id, permission, source, password_sync, local_name) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![
            org,
            device,
            user,
            enum_text(&permission),
            enum_text(&source),
            password_sync,
            local_name,
        ],
    )?;
    Ok(())
}

pub(crate) fn delete_association(
    c: &dyn Sql,
    org: &str,
    device: &str,
    user: &str,
) -> Result<bool, ApiError> {
    if never_stored(device) || never_stored(user) {
        return Ok(false);
    }
    let n = c.execute(
        "DELETE FROM associations WHERE org_id = ?1 AND device_id = ?2 AND user_id = ?3",
        args![org, device, user],
    )?;
    Ok(n > 0)
}

/// A single-use ticket for `user`'s provision from `device`, stored as the digest of the secret
/// the device holds.
pub(crate) fn insert_ticket(
    c: &dyn Sql,
    digest: &[u8],
    org: &str,
    device: &str,
    user: &str,
    expires_ms: i64,
) -> Result<(), ApiError> {
    c.execute(
        "INSERT INTO tickets (digest, org_id, device_id, user_id, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        args![digest, org, device, user, expires_ms],
    )?;
    Ok(())
}

/// The org's identity provider with its client secret (R46).
pub(crate) fn identity_provider(
    c: &dyn Sql,
    org: &str,
) -> Result<Option<IdentityProviderConfig>, ApiError> {
    c.query_opt(
        "SELECT name, issuer, client_id, client_secret FROM identity_providers WHERE org_id = ?1",
        args![org],
    )?
    .map(|r| {
        Ok(IdentityProviderConfig {
            name: r.get(0)?,
            issuer: r.get(1)?,
            client_id: r.get(2)?,
            client_secret: r.get(3)?,
        })
    })
    .transpose()
}

pub(crate) fn set_identity_provider(
    c: &dyn Sql,
    org: &str,
    idp: Option<&IdentityProviderConfig>,
) -> Result<(), ApiError> {
    c.execute(
        "DELETE FROM identity_providers WHERE org_id = ?1",
        args![org],
    )?;
    if let Some(p) = idp {
        c.execute(
            "INSERT INTO identity_providers (org_id, name, issuer, client_id, client_secret) VALUES (?1, ?2, ?3, ?4, ?5)",
            args![org, p.name, p.issuer, p.client_id, p.client_secret],
        )?;
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
    c: &dyn Sql,
    digest: &[u8],
    org: &str,
    device: &str,
    user_id: &str,
    purpose: &str,
    nonce: &str,
    redirect_uri: &str,
    expires_ms: i64,
) -> Result<(), ApiError> {
    c.execute(
        "INSERT INTO federation_states (digest, org_id, device_id, user_id, purpose, nonce, redirect_uri, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        args![digest, org, device, user_id, purpose, nonce, redirect_uri, expires_ms],
    )?;
    Ok(())
}

/// Reads a state of this org and device and marks it used in the same transaction, so a
/// state is redeemed at most once whatever happens next.
pub(crate) fn take_federation_state(
    c: &dyn Sql,
    digest: &[u8],
    org: &str,
    device: &str,
) -> Result<Option<FederationState>, ApiError> {
    let found = c
        .query_opt(
            "SELECT user_id, purpose, nonce, redirect_uri, expires_ms, used FROM federation_states WHERE digest = ?1 AND org_id = ?2 AND device_id = ?3",
            args![digest, org, device],
        )?
        .map(|r| {
            Ok::<_, ApiError>(FederationState {
                user_id: r.get(0)?,
                purpose: r.get(1)?,
                nonce: r.get(2)?,
                redirect_uri: r.get(3)?,
                expires_ms: r.get(4)?,
                used: r.get(5)?,
            })
        })
        .transpose()?;
    if found.is_some() {
        c.execute(
            "UPDATE federation_states SET used = TRUE WHERE digest = ?1",
            args![digest],
        )?;
    }
    Ok(found)
}

/// The org a user id belongs to (ids are unique across orgs); for the User Portal, which a
/// signed-in user reaches without any org's key.
pub(crate) fn org_of_user(c: &dyn Sql, id: &str) -> Result<Option<String>, ApiError> {
    if never_stored(id) {
        return Ok(None);
    }
    c.query_opt(
        &format!("SELECT org_id FROM users WHERE id = ?1 AND state <> '{REMOVED}'"),
        args![id],
    )?
    .map(|r| r.get(0))
    .transpose()
}

/// A user's TOTP secret and the last step a login used (R45), if they enrolled.
pub(crate) fn mfa_secret(
    c: &dyn Sql,
    org: &str,
    user: &str,
) -> Result<Option<(String, i64)>, ApiError> {
    c.query_opt(
        "SELECT secret, last_step FROM mfa WHERE org_id = ?1 AND user_id = ?2",
        args![org, user],
    )?
    .map(|r| Ok((r.get(0)?, r.get(1)?)))
    .transpose()
}

/// Replaces a user's TOTP secret; a new secret has no used step.
pub(crate) fn set_mfa_secret(
    c: &dyn Sql,
    org: &str,
    user: &str,
    secret: &str,
) -> Result<(), ApiError> {
    c.execute(
        "DELETE FROM mfa WHERE org_id = ?1 AND user_id = ?2",
        args![org, user],
    )?;
    c.execute(
        "INSERT INTO mfa (user_id, org_id, secret, last_step) VALUES (?1, ?2, ?3, 0)",
        args![user, org, secret],
    )?;
    Ok(())
}

/// Records the step of the code a login just used, so that code cannot open another (R45).
pub(crate) fn use_mfa_step(c: &dyn Sql, org: &str, user: &str, step: i64) -> Result<(), ApiError> {
    c.execute(
        "UPDATE mfa SET last_step = ?3 WHERE org_id = ?1 AND user_id = ?2",
        args![org, user, step],
    )?;
    Ok(())
}
