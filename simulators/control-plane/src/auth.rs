//! Credentials: generation, SHA-256 digests keyed by the secret's age (the only form stored),
//! argon2 password hashing, and the extractors that turn a header into an org or a device.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use ssap_api::client::{API_KEY_HEADER, DEVICE_KEY_HEADER};

use crate::error::ApiError;
use crate::sql::{args, Sql};
use crate::{AppState, HashCost};

/// What the database holds and looks up a secret by: SHA-256 of it, after the secret's
/// creation time when it has one. Secrets from [`new_secret`] begin with a time-ordered (v7)
/// UUID, so their keys sort by age: a new ticket or device credential lands at the end of its
/// index, and a ticket redeemed seconds later is on a page still in the cache, where a bare
/// digest put every insert and every look-up on a random page of an index that outgrows the
/// cache (100,000 devices: about 7 WAL frames written per device). The time is not secret (the
/// rows carry it too); the digest still is all that is stored of the secret itself. A secret
/// made before this (two v4 UUIDs) keeps its bare digest, so existing databases still match.
pub(crate) fn digest(secret: &str) -> Vec<u8> {
    let hash = Sha256::digest(secret.as_bytes());
    match creation_ms(secret) {
        Some(ms) => {
            let mut key = Vec::with_capacity(6 + hash.len());
            key.extend_from_slice(&ms.to_be_bytes()[2..]);
            key.extend_from_slice(&hash);
            key
        }
        None => hash.to_vec(),
    }
}

/// The 48-bit creation time in a `prefix_<v7 simple><v4 simple>` secret, or `None` for any
/// other shape (the version digit, the 13th hex digit of the UUID, tells v7 from v4).
fn creation_ms(secret: &str) -> Option<u64> {
    let (_, rest) = secret.rsplit_once('_')?;
    let hex = rest.get(..13)?;
    if !hex.ends_with('7') || rest.len() != 64 || !rest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(&hex[..12], 16).ok()
}

/// A fresh secret with a readable prefix: a time-ordered (v7) UUID, 74 random bits, then a v4
/// UUID, 122 more, all from the OS RNG: 196 random bits, keyed by age (see [`digest`]).
pub(crate) fn new_secret(prefix: &str) -> String {
    format!(
        "{prefix}_{}{}",
        uuid::Uuid::now_v7().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

pub(crate) fn new_id() -> String {
    // Time-ordered (v7): new rows land at the end of the id indexes instead of on a random
    // page each, so a batch commit writes far fewer pages. Ids are not secrets (credentials
    // are separate random values).
    uuid::Uuid::now_v7().to_string()
}

/// Equality that takes the same time wherever the inputs differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn params(cost: HashCost) -> Result<Params, ApiError> {
    match cost {
        // OWASP's argon2id recommendation.
        HashCost::Default => Params::new(19_456, 2, 1, None),
        // The least argon2 accepts: tests and load runs only.
        HashCost::Test => Params::new(8, 1, 1, None),
    }
    .map_err(|e| ApiError::internal(format!("bad argon2 parameters: {e}")))
}

fn argon2(cost: HashCost) -> Result<Argon2<'static>, ApiError> {
    Ok(Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        params(cost)?,
    ))
}

/// PHC string of `password`. CPU-bound: run it with `spawn_blocking`.
pub(crate) fn hash_password(cost: HashCost, password: &str) -> Result<String, ApiError> {
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| ApiError::internal(format!("cannot make a salt: {e}")))?;
    argon2(cost)?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("cannot hash the password: {e}")))
}

/// Checks `password` against a stored PHC string (its own parameters apply). CPU-bound.
pub(crate) fn verify_password(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| verify_parsed(&parsed, password))
}

fn verify_parsed(parsed: &PasswordHash<'_>, password: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), parsed)
        .is_ok()
}

/// Hashes off the async workers, unless the cost is cheap (see [`INLINE_MAX_KIB`]): a
/// fleet's setup creating users 64 at a time otherwise kept dozens of blocking threads alive,
/// each with its own allocator heap.
pub(crate) async fn hash_password_async(
    cost: HashCost,
    password: String,
) -> Result<String, ApiError> {
    if is_cheap(&params(cost)?) {
        return hash_password(cost, &password);
    }
    tokio::task::spawn_blocking(move || hash_password(cost, &password))
        .await
        .map_err(|_| ApiError::internal("password hashing failed"))?
}

/// Hashes whose memory cost is at most this many KiB are made and checked on the calling
/// worker: at the test cost (8 KiB, one pass) that takes microseconds, less than handing it to
/// a blocking thread and waking the worker again.
const INLINE_MAX_KIB: u32 = 64;

/// Verifies off the async workers, unless the hash is cheap (see [`INLINE_MAX_KIB`]).
pub(crate) async fn verify_password_async(phc: String, password: String) -> bool {
    if let Ok(parsed) = PasswordHash::new(&phc) {
        if Params::try_from(&parsed).is_ok_and(|p| is_cheap(&p)) {
            return verify_parsed(&parsed, &password);
        }
    }
    tokio::task::spawn_blocking(move || verify_password(&phc, &password))
        .await
        .unwrap_or(false)
}

/// Whether argon2 with these parameters asks for so little memory (and so few passes) that
/// hashing or checking is cheaper than a thread hop. One rule for making and for checking,
/// decided by the parameters, not by which cost was configured.
fn is_cheap(p: &Params) -> bool {
    p.m_cost() <= INLINE_MAX_KIB && p.t_cost() <= 2 && p.p_cost() == 1
}

/// Credential digests already seen, so most requests skip a storage round trip for auth.
/// Credentials are never revoked by this API, so a cached entry cannot go stale. Each map
/// is bounded, so a server that has met a million devices holds only the recent ones.
#[derive(Default)]
pub(crate) struct CredentialCache {
    api_keys: RwLock<Recent<String>>,
    connect_keys: RwLock<Recent<String>>,
    devices: RwLock<Recent<DeviceAuth>>,
}

/// Entries per generation of a [`Recent`] map: a device's requests come within seconds of
/// each other, so this covers every device in flight with room to spare (an entry is about
/// 200 bytes, so a full map is a few MiB).
const RECENT_PER_GENERATION: usize = 16_384;

/// A map that forgets: when the young generation fills, it becomes the old one and the
/// previous old one is dropped. What was used in the last generation or two stays.
struct Recent<V> {
    young: HashMap<Vec<u8>, V>,
    old: HashMap<Vec<u8>, V>,
}

impl<V> Default for Recent<V> {
    fn default() -> Self {
        Self {
            young: HashMap::new(),
            old: HashMap::new(),
        }
    }
}

impl<V> Recent<V> {
    fn get(&self, key: &[u8]) -> Option<&V> {
        self.young.get(key).or_else(|| self.old.get(key))
    }

    fn insert(&mut self, key: Vec<u8>, value: V) {
        if self.young.len() >= RECENT_PER_GENERATION && !self.young.contains_key(&key) {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, value);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }
}

fn cached<V: Clone>(map: &RwLock<Recent<V>>, key: &[u8]) -> Option<V> {
    map.read().ok().and_then(|m| m.get(key).cloned())
}

fn remember<V>(map: &RwLock<Recent<V>>, key: Vec<u8>, value: V) {
    if let Ok(mut m) = map.write() {
        m.insert(key, value);
    }
}

impl CredentialCache {
    pub fn remember_org(&self, api_key: Vec<u8>, connect_key: Vec<u8>, org: &str) {
        remember(&self.api_keys, api_key, org.to_string());
        remember(&self.connect_keys, connect_key, org.to_string());
    }

    pub fn remember_device(&self, credential: Vec<u8>, device: DeviceAuth) {
        remember(&self.devices, credential, device);
    }
}

/// The one value of a credential header. Sent twice, it is no credential: which copy a proxy
/// and this server would each read is anybody's guess, so neither is trusted.
fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    let mut values = parts.headers.get_all(name).iter();
    let first = values.next();
    if values.next().is_some() {
        return None;
    }
    first
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// An admin request: the org of the `x-api-key`.
#[derive(Debug, Clone)]
pub(crate) struct AdminAuth {
    pub org: String,
}

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = header(parts, API_KEY_HEADER).ok_or_else(|| {
            ApiError::unauthorized(format!(
                "admin routes need the org's API key in the {API_KEY_HEADER} header"
            ))
        })?;
        let d = digest(key);
        if let Some(org) = cached(&state.creds.api_keys, &d) {
            return Ok(AdminAuth { org });
        }
        let lookup = d.clone();
        let org: Option<String> = state
            .storage
            .run(move |c| {
                c.query_opt(
                    "SELECT id FROM orgs WHERE api_key_digest = ?1",
                    args![lookup],
                )?
                .map(|r| r.get(0))
                .transpose()
            })
            .await?;
        let org = org.ok_or_else(|| ApiError::unauthorized("unknown API key"))?;
        remember(&state.creds.api_keys, d, org.clone());
        Ok(AdminAuth { org })
    }
}

/// An agent registering its device: the org of the `x-connect-key`.
#[derive(Debug, Clone)]
pub(crate) struct ConnectAuth {
    pub org: String,
}

impl FromRequestParts<AppState> for ConnectAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = header(parts, ssap_api::client::CONNECT_KEY_HEADER).ok_or_else(|| {
            ApiError::unauthorized(format!(
                "registration needs the org's connect key in the {} header",
                ssap_api::client::CONNECT_KEY_HEADER
            ))
        })?;
        let d = digest(key);
        if let Some(org) = cached(&state.creds.connect_keys, &d) {
            return Ok(ConnectAuth { org });
        }
        let lookup = d.clone();
        let org: Option<String> = state
            .storage
            .run(move |c| {
                c.query_opt(
                    "SELECT id FROM orgs WHERE connect_key_digest = ?1",
                    args![lookup],
                )?
                .map(|r| r.get(0))
                .transpose()
            })
            .await?;
        let org = org.ok_or_else(|| ApiError::unauthorized("unknown connect key"))?;
        remember(&state.creds.connect_keys, d, org.clone());
        Ok(ConnectAuth { org })
    }
}

/// A device agent's request: the device of the `x-device-key` and its org.
#[derive(Debug, Clone)]
pub(crate) struct DeviceAuth {
    pub org: String,
    pub device: String,
}

impl DeviceAuth {
    /// Audit actor name of this device.
    pub fn actor(&self) -> String {
        format!("device:{}", self.device)
    }
}

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let key = header(parts, DEVICE_KEY_HEADER).ok_or_else(|| {
            ApiError::unauthorized(format!(
                "device routes need the device credential in the {DEVICE_KEY_HEADER} header"
            ))
        })?;
        let d = digest(key);
        if let Some(dev) = cached(&state.creds.devices, &d) {
            return Ok(dev);
        }
        let lookup = d.clone();
        let found: Option<(String, String)> = state
            .storage
            .run(move |c| {
                c.query_opt(
                    "SELECT org_id, id FROM devices WHERE credential_digest = ?1",
                    args![lookup],
                )?
                .map(|r| Ok((r.get(0)?, r.get(1)?)))
                .transpose()
            })
            .await?;
        let (org, device) =
            found.ok_or_else(|| ApiError::unauthorized("unknown device credential"))?;
        let dev = DeviceAuth { org, device };
        remember(&state.creds.devices, d, dev.clone());
        Ok(dev)
    }
}

/// Failed sign-ins per device within a sliding window (R42), kept in the database
/// (`sign_in_failures`), so every server sharing it counts the same failures: behind a load
/// balancer, spreading guesses over the servers gains nothing. It guards against guessing; it
/// is not a record (the audit log is). Times are the servers' wall clocks in ms.
///
/// The calls take the storage job's connection, so a check or a record joins the job that
/// audits the attempt instead of costing a round trip of its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Throttle {
    window_ms: i64,
    max_failures: usize,
}

impl Throttle {
    pub fn new(window: Duration, max_failures: usize) -> Self {
        Self {
            window_ms: i64::try_from(window.as_millis()).unwrap_or(i64::MAX),
            max_failures: max_failures.max(1),
        }
    }

    /// `Some(seconds to wait)` when the device already used up its failures in the window.
    pub fn check(&self, c: &dyn Sql, device: &str, now_ms: i64) -> Result<Option<u64>, ApiError> {
        // The newest `max_failures` failures still inside the window; the oldest of them is
        // the one whose leaving frees an attempt.
        let limit = i64::try_from(self.max_failures).unwrap_or(i64::MAX);
        let rows = c.query(
            "SELECT at_ms FROM sign_in_failures WHERE device_id = ?1 AND at_ms > ?2 \
             ORDER BY at_ms DESC LIMIT ?3",
            args![device, now_ms.saturating_sub(self.window_ms), limit],
        )?;
        if rows.len() < self.max_failures {
            return Ok(None);
        }
        let Some(oldest) = rows.last() else {
            return Ok(None);
        };
        let oldest: i64 = oldest.get(0)?;
        let wait_ms = self
            .window_ms
            .saturating_sub(now_ms.saturating_sub(oldest))
            .max(0);
        // Whole seconds, rounded up, at least one (Retry-After).
        let wait = (wait_ms.saturating_add(999) / 1000).max(1);
        Ok(Some(u64::try_from(wait).unwrap_or(1)))
    }

    /// Counts one failure of `device` and forgets its failures that left the window.
    pub fn record_failure(&self, c: &dyn Sql, device: &str, now_ms: i64) -> Result<(), ApiError> {
        c.execute(
            "DELETE FROM sign_in_failures WHERE device_id = ?1 AND at_ms <= ?2",
            args![device, now_ms.saturating_sub(self.window_ms)],
        )?;
        c.execute(
            "INSERT INTO sign_in_failures (device_id, at_ms) VALUES (?1, ?2)",
            args![device, now_ms],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_test_cost_hashes_are_checked_inline() {
        let cheap = hash_password(HashCost::Test, "pw").expect("test-cost hash");
        let dear = hash_password(HashCost::Default, "pw").expect("default-cost hash");
        let parsed =
            |phc| Params::try_from(&PasswordHash::new(phc).expect("a PHC string")).expect("params");
        assert!(is_cheap(&parsed(&cheap)), "{cheap}");
        assert!(!is_cheap(&parsed(&dear)), "{dear}");
        // Making and checking follow the same rule.
        assert!(is_cheap(&params(HashCost::Test).expect("test params")));
        assert!(!is_cheap(
            &params(HashCost::Default).expect("default params")
        ));
        assert!(verify_password(&cheap, "pw") && !verify_password(&cheap, "wrong"));
    }

    #[test]
    fn the_credential_cache_keeps_recent_entries_and_stays_bounded() {
        let mut m = Recent::default();
        let total = RECENT_PER_GENERATION * 5 + 7;
        for i in 0..total {
            m.insert(i.to_le_bytes().to_vec(), i);
            assert!(m.len() <= 2 * RECENT_PER_GENERATION, "bounded at {i}");
        }
        let last = total - 1;
        assert_eq!(
            m.get(&last.to_le_bytes()),
            Some(&last),
            "the newest is kept"
        );
        let recent = total - RECENT_PER_GENERATION;
        assert_eq!(
            m.get(&recent.to_le_bytes()),
            Some(&recent),
            "one generation back is kept"
        );
        assert_eq!(
            m.get(&0usize.to_le_bytes()),
            None,
            "the oldest are forgotten"
        );
        m.insert(last.to_le_bytes().to_vec(), 0);
        assert_eq!(
            m.get(&last.to_le_bytes()),
            Some(&0),
            "a key inserted again is updated"
        );
    }

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password(HashCost::Test, "pw").expect("hash");
        let b = hash_password(HashCost::Test, "pw").expect("hash");
        assert_ne!(a, b, "salted");
        assert!(verify_password(&a, "pw"));
        assert!(!verify_password(&a, "Pw"));
        assert!(!verify_password("not a phc string", "pw"));
    }

    #[test]
    fn default_cost_is_argon2id_owasp() {
        let h = hash_password(HashCost::Default, "pw").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
    }

    #[test]
    fn new_secrets_are_keyed_by_age_and_old_ones_by_their_bare_digest() {
        let at = |ms: u64| {
            let ts = uuid::Timestamp::from_unix(
                uuid::NoContext,
                ms / 1000,
                (ms % 1000) as u32 * 1_000_000,
            );
            format!(
                "ssap_tk_{}{}",
                uuid::Uuid::new_v7(ts).simple(),
                uuid::Uuid::new_v4().simple()
            )
        };
        // 255 ms then 256: the order holds across a byte boundary of the time.
        let (older, newer) = (at(1_700_000_000_255), at(1_700_000_000_256));
        let (a, b) = (digest(&older), digest(&newer));
        assert_eq!(a.len(), 6 + 32, "{older}");
        assert_eq!(
            digest(&new_secret("ssap_dk")).len(),
            6 + 32,
            "new_secret's shape"
        );
        assert!(
            a < b,
            "a later secret sorts after an earlier one: {older} {newer}"
        );
        assert_eq!(&a[6..], Sha256::digest(older.as_bytes()).as_slice());
        // A secret from before (two v4 UUIDs), and any other shape, keeps its bare digest, so
        // keys stored by an earlier version still match.
        let v4 = format!(
            "ssap_dk_{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        for other in [
            v4.as_str(),
            "op-token",
            "ssap_tk_7",
            &newer[..newer.len() - 1],
        ] {
            assert_eq!(
                digest(other),
                Sha256::digest(other.as_bytes()).to_vec(),
                "{other}"
            );
        }
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn throttle_allows_ten_then_waits_out_the_window() {
        let c = rusqlite::Connection::open_in_memory().expect("in-memory SQLite");
        c.execute_batch(crate::storage::SQLITE_SCHEMA)
            .expect("schema");
        let t = Throttle::new(Duration::from_secs(60), 10);
        let start = 1_700_000_000_000_i64;
        for i in 0..10 {
            assert_eq!(t.check(&c, "d", start).expect("check"), None, "attempt {i}");
            t.record_failure(&c, "d", start + i * 1000).expect("record");
        }
        let now = start + 10_000;
        assert_eq!(t.check(&c, "d", now).expect("check"), Some(50));
        assert_eq!(t.check(&c, "other", now).expect("check"), None);
        // 59.5 s after the first failure: half a second left, said as one.
        assert_eq!(t.check(&c, "d", start + 59_500).expect("check"), Some(1));
        assert_eq!(t.check(&c, "d", start + 60_000).expect("check"), None);
        // A new failure then forgets the ones that left the window.
        t.record_failure(&c, "d", start + 61_000).expect("record");
        let kept: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sign_in_failures WHERE device_id = 'd'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(
            kept, 9,
            "the two older than 60 s are gone, the new one counted"
        );
    }
}
