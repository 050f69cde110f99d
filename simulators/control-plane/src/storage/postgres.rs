//! The PostgreSQL backend: one database that several servers may share.
//!
//! Each server's storage thread keeps one connection and runs its batches as transactions
//! (READ COMMITTED) that begin by taking the transaction-scoped advisory locks its jobs asked
//! for (`storage::Lock`: a device, a user, an org, an email or username), sorted, in the same
//! round trip as the BEGIN. Batches of different servers therefore run side by side unless
//! they touch the same entity, and then one after the other; see `storage` for the rule each
//! lock guards. Jobs take no lock once their batch has begun, and every write a rule depends
//! on is made under the lock of its entity, so no two batches can wait for each other
//! (no deadlock); should one happen anyway (a write left outside its lock), PostgreSQL ends
//! that statement, the job's savepoint is rolled back, and its caller is asked to try again:
//! nothing half-written, nothing doubled. [`WRITER_LOCK`] now only serializes creating the
//! schema.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error as StdError;
use std::str::FromStr;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, Statement};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::pg_tls;

use crate::error::ApiError;
use crate::sql::{dollar_placeholders, Row, Sql, Value};

/// How long a connection attempt may take unless the URL says (`?connect_timeout=`).
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Advisory-lock key taken while creating the schema ("SSAP" in ASCII), so servers starting
/// together do not race on it.
const WRITER_LOCK: i64 = 0x5353_4150;

/// The same tables as the SQLite schema, in PostgreSQL's types: flags are BOOLEAN, digests
/// BYTEA, sequences BIGSERIAL; `rowid` keeps the insertion order SQLite's implicit rowid gives.
pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    api_key_digest BYTEA NOT NULL UNIQUE,
    connect_key_digest BYTEA NOT NULL UNIQUE,
    macos_ssap BOOLEAN NOT NULL DEFAULT FALSE,
    windows_ssap BOOLEAN NOT NULL DEFAULT FALSE,
    permission_level TEXT NOT NULL DEFAULT 'standard',
    password_sync BOOLEAN NOT NULL DEFAULT TRUE,
    created_ms BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    rowid BIGSERIAL,
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    system_username TEXT,
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    password_hash TEXT,
    state TEXT NOT NULL,
    locked BOOLEAN NOT NULL,
    password_expired BOOLEAN NOT NULL,
    mfa_enforced BOOLEAN NOT NULL,
    mfa_enrolled BOOLEAN NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    federated BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users(org_id, email_key);
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users(org_id, username_key);
CREATE INDEX IF NOT EXISTS users_order ON users(org_id, rowid);
CREATE TABLE IF NOT EXISTS devices (
    rowid BIGSERIAL,
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    credential_digest BYTEA NOT NULL UNIQUE,
    os TEXT NOT NULL,
    edition TEXT NOT NULL,
    architecture TEXT NOT NULL,
    join_state TEXT NOT NULL,
    hostname TEXT NOT NULL,
    serial TEXT NOT NULL,
    mac TEXT NOT NULL,
    ip TEXT NOT NULL,
    os_version TEXT NOT NULL,
    login_window_text TEXT,
    windows_mode TEXT,
    mdm TEXT NOT NULL DEFAULT 'none',
    mfa_policy TEXT
);
CREATE INDEX IF NOT EXISTS devices_org ON devices(org_id, rowid);
CREATE TABLE IF NOT EXISTS mfa (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES orgs(id),
    secret TEXT NOT NULL,
    last_step BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS associations (
    seq BIGSERIAL PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    permission TEXT NOT NULL,
    source TEXT NOT NULL,
    password_sync BOOLEAN NOT NULL,
    local_name TEXT,
    UNIQUE(device_id, user_id)
);
CREATE TABLE IF NOT EXISTS tickets (
    digest BYTEA PRIMARY KEY,
    org_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS tickets_expiry ON tickets(expires_ms);
CREATE TABLE IF NOT EXISTS idempotency (
    device_id TEXT NOT NULL,
    key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    ticket_digest BYTEA NOT NULL,
    reply TEXT NOT NULL,
    PRIMARY KEY(device_id, key)
);
CREATE TABLE IF NOT EXISTS audit (
    seq BIGSERIAL PRIMARY KEY,
    org_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS audit_org ON audit(org_id, seq);
CREATE TABLE IF NOT EXISTS identity_providers (
    org_id TEXT PRIMARY KEY REFERENCES orgs(id),
    name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS federation_states (
    digest BYTEA PRIMARY KEY,
    org_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    nonce TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS federation_states_expiry ON federation_states(expires_ms);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    device_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_failures_device ON sign_in_failures(device_id, at_ms);
"#;

/// The storage thread's connection, with its prepared statements.
pub(super) struct Connection {
    config: postgres::Config,
    /// TLS as the URL's `sslmode` and `sslrootcert` say (see `pg_tls`); kept for reconnects.
    tls: MakeRustlsConnect,
    client: RefCell<Client>,
    /// Prepared statements by their SQL text as written in `db.rs` (placeholders `?N`).
    statements: RefCell<HashMap<String, Statement>>,
}

/// `postgres://user:password@host/db` as `postgres://user@host/db`, for messages and logs.
pub(super) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "(unparsable URL)".into();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    // Query parameters may hold a password too (`?password=`): drop them.
    let path = tail.split('?').next().unwrap_or_default();
    format!("{scheme}://{authority}{path}")
}

impl Connection {
    /// Connects, creates the schema if missing (under the writer lock, so servers starting
    /// together do not race on it) and purges what expired. Errors name the database without
    /// its password.
    pub(super) fn open(url: &str) -> Result<Connection, String> {
        let shown = redact(url);
        let (url, tls_options) = pg_tls::split_url(url).map_err(|e| format!("{shown}: {e}"))?;
        let mut config = postgres::Config::from_str(&url)
            .map_err(|e| format!("{shown} is not a PostgreSQL URL: {e}"))?;
        let (ssl_mode, tls) =
            pg_tls::connector(&tls_options).map_err(|e| format!("{shown}: {e}"))?;
        config.ssl_mode(ssl_mode);
        if matches!(
            tls_options.effective(),
            pg_tls::SslMode::Prefer | pg_tls::SslMode::Require
        ) {
            tracing::warn!(
                database = %shown,
                "the database server's certificate is not checked: set sslmode=verify-full and \
                 a CA file (sslrootcert=PATH or --db-ca-file) unless the network is trusted"
            );
        }
        if config.get_connect_timeout().is_none() {
            // Without one, a database host that drops packets would hang start-up and every
            // reconnect; the URL's `connect_timeout` wins when given.
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let mut client = config
            .connect(tls.clone())
            .map_err(|e| format!("cannot connect to PostgreSQL at {shown}: {}", chain(&e)))?;
        create_schema(&mut client)
            .and_then(|_| add_missing_columns(&mut client))
            .map_err(|e| format!("cannot create the schema in {shown}: {}", chain(&e)))?;
        let conn = Connection {
            config,
            tls,
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
        };
        super::purge_expired(&conn)?;
        Ok(conn)
    }

    /// Begins a batch's transaction holding the advisory locks `locks` (sorted: every server
    /// takes them in the same order). A connection the database closed (restart, failover,
    /// `pg_terminate_backend`) is noticed only when used; nothing of the batch has run yet
    /// then, so it is reopened and the transaction begun again, once.
    pub(super) fn begin(&mut self, locks: &[i64]) -> Result<(), ApiError> {
        if self.client.get_mut().is_closed() {
            self.reconnect()?;
        }
        let sql = begin_sql(locks);
        match self.try_begin(&sql) {
            Err(_) if self.client.get_mut().is_closed() => {
                self.reconnect()?;
                self.try_begin(&sql)
            }
            other => other,
        }
    }

    /// BEGIN and the locks in one round trip.
    fn try_begin(&self, sql: &str) -> Result<(), ApiError> {
        if let Err(e) = self.batch(sql) {
            let _ = self.batch("ROLLBACK");
            return Err(e);
        }
        Ok(())
    }

    /// A new connection; the old one's prepared statements go with it.
    fn reconnect(&mut self) -> Result<(), ApiError> {
        tracing::warn!("the PostgreSQL connection was closed; reconnecting");
        let client = self
            .config
            .connect(self.tls.clone())
            .map_err(storage_error)?;
        *self.client.get_mut() = client;
        self.statements.get_mut().clear();
        Ok(())
    }

    fn statement(&self, sql: &str) -> Result<Statement, ApiError> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let prepared = self
            .client
            .borrow_mut()
            .prepare(&dollar_placeholders(sql))
            .map_err(storage_error)?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), prepared.clone());
        Ok(prepared)
    }
}

/// Times the schema's creation is tried when PostgreSQL ends it for a deadlock.
const SCHEMA_ATTEMPTS: usize = 5;

/// Creates whatever of [`SCHEMA`] is missing. When nothing is (every start but the first),
/// no DDL runs: `CREATE INDEX IF NOT EXISTS` locks its table before it finds the index, and
/// other servers' batches, which no longer share one lock with this, would deadlock with it.
/// When something is missing, the DDL runs under [`WRITER_LOCK`] (servers starting together)
/// and is run again if it deadlocks with a running server's batch anyway (it is idempotent).
fn create_schema(client: &mut Client) -> Result<(), postgres::Error> {
    let names = schema_objects(SCHEMA);
    const MISSING: &str =
        "SELECT count(*) FROM unnest($1::text[]) AS n WHERE to_regclass(n) IS NULL";
    let missing: i64 = client.query_one(MISSING, &[&names])?.try_get(0)?;
    if missing == 0 {
        return Ok(());
    }
    let mut attempt = 1;
    loop {
        let mut tx = client.transaction()?;
        let done = tx
            .execute("SELECT pg_advisory_xact_lock($1)", &[&WRITER_LOCK])
            // A server that started at the same time may have made it all meanwhile.
            .and_then(|_| tx.query_one(MISSING, &[&names])?.try_get::<_, i64>(0))
            .and_then(|missing| {
                if missing == 0 {
                    Ok(())
                } else {
                    tx.batch_execute(SCHEMA)
                }
            })
            .and_then(|_| tx.commit());
        match done {
            Err(e)
                if attempt < SCHEMA_ATTEMPTS
                    && e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED) =>
            {
                tracing::warn!(
                    attempt,
                    "creating the schema deadlocked with another server; again"
                );
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Columns added after a database may have been created: (table, column, definition).
/// `CREATE TABLE IF NOT EXISTS` leaves an existing table as it was, so these are added here.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("users", "federated", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("devices", "mfa_policy", "TEXT"),
];

/// Adds what of [`ADDED_COLUMNS`] a database made before them lacks. Looked up first, so that
/// every start but the one after an upgrade runs no DDL (see [`create_schema`]).
fn add_missing_columns(client: &mut Client) -> Result<(), postgres::Error> {
    const HAS: &str = "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2";
    for (table, column, definition) in ADDED_COLUMNS {
        if client.query_opt(HAS, &[table, column])?.is_none() {
            client.batch_execute(&format!(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {definition}"
            ))?;
        }
    }
    Ok(())
}

/// The tables and indexes a schema creates, by name.
fn schema_objects(schema: &str) -> Vec<String> {
    schema
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let rest = line
                .strip_prefix("CREATE TABLE IF NOT EXISTS ")
                .or_else(|| line.strip_prefix("CREATE INDEX IF NOT EXISTS "))
                .or_else(|| line.strip_prefix("CREATE UNIQUE INDEX IF NOT EXISTS "))?;
            rest.split_whitespace().next().map(str::to_string)
        })
        .collect()
}

/// `BEGIN` then one `pg_advisory_xact_lock` per key, in the order given: separate statements
/// of one simple query run in order, so the locks are taken in that order (the keys are
/// integers, nothing to quote).
fn begin_sql(locks: &[i64]) -> String {
    let mut sql = String::from("BEGIN");
    for key in locks {
        sql.push_str(&format!("; SELECT pg_advisory_xact_lock({key})"));
    }
    sql
}

/// The error and its sources: the driver's own message is often only "db error" or "error
/// performing TLS handshake"; the reason (a certificate not trusted, say) is in its sources.
fn chain(e: &postgres::Error) -> String {
    let mut reason = e.to_string();
    let mut source = StdError::source(e);
    while let Some(s) = source {
        reason.push_str(": ");
        reason.push_str(&s.to_string());
        source = s.source();
    }
    reason
}

fn storage_error(e: postgres::Error) -> ApiError {
    let reason = chain(&e);
    let code = e.code();
    if code == Some(&SqlState::T_R_DEADLOCK_DETECTED)
        || code == Some(&SqlState::T_R_SERIALIZATION_FAILURE)
    {
        // Cannot happen while every contended write is made under its lock (see the module
        // doc): a write outside its lock. The job's savepoint is rolled back; nothing of it
        // stays, and its caller is told to try again.
        tracing::error!(error = %reason, "storage conflict between servers: a write made outside its lock");
    } else {
        tracing::error!(error = %reason, "storage error");
    }
    ApiError::internal("the control plane's storage failed; try again")
}

fn params(args: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

fn value(row: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = row.columns()[i].type_().clone();
    Ok(match ty {
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, |b| Value::Int(i64::from(b))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map_or(Value::Null, |n| Value::Int(n.into())),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |n| Value::Int(n.into())),
        Type::INT8 => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int),
        Type::BYTEA => row
            .try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Blob),
        // TEXT, VARCHAR, NAME and anything else textual; other types fail here with the
        // driver's own message, naming the column.
        _ => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text),
    })
}

impl Sql for Connection {
    fn execute(&self, sql: &str, args: &[Value]) -> Result<usize, ApiError> {
        let stmt = self.statement(sql)?;
        let n = self
            .client
            .borrow_mut()
            .execute(&stmt, &params(args))
            .map_err(storage_error)?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn query(&self, sql: &str, args: &[Value]) -> Result<Vec<Row>, ApiError> {
        let stmt = self.statement(sql)?;
        let rows = self
            .client
            .borrow_mut()
            .query(&stmt, &params(args))
            .map_err(storage_error)?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| value(r, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(storage_error)
    }

    fn batch(&self, sql: &str) -> Result<(), ApiError> {
        self.client
            .borrow_mut()
            .batch_execute(sql)
            .map_err(storage_error)
    }
}

/// Binds a [`Value`] to whatever type PostgreSQL inferred for the placeholder: integers fit
/// SMALLINT, INTEGER, BIGINT and BOOLEAN (flags travel as 0/1, as SQLite stores them).
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT8 => i.to_sql(ty, out),
                _ => Err(format!("an integer cannot go in a {ty} parameter").into()),
            },
            Value::Text(s) => s.to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::{begin_sql, redact, schema_objects, SCHEMA};

    #[test]
    fn every_table_and_index_of_the_schema_is_checked_for() {
        let names = schema_objects(SCHEMA);
        let creates = SCHEMA.matches("CREATE ").count();
        assert_eq!(names.len(), creates, "{names:?}");
        assert!(names.contains(&"users_email".to_string()), "{names:?}");
        assert!(names.contains(&"sign_in_failures".to_string()), "{names:?}");
    }

    #[test]
    fn begin_takes_the_locks_in_the_order_given() {
        assert_eq!(begin_sql(&[]), "BEGIN");
        assert_eq!(
            begin_sql(&[-7, 3]),
            "BEGIN; SELECT pg_advisory_xact_lock(-7); SELECT pg_advisory_xact_lock(3)"
        );
    }

    #[test]
    fn redact_drops_passwords_wherever_they_are() {
        assert_eq!(
            redact("postgres://ssap:pw@127.0.0.1:5432/ssap"),
            "postgres://ssap@127.0.0.1:5432/ssap"
        );
        assert_eq!(
            redact("postgresql://u@h/d?password=pw&sslmode=disable"),
            "postgresql://u@h/d"
        );
        assert_eq!(redact("postgres://h:5432"), "postgres://h:5432");
        assert_eq!(redact("postgres://a:b:c@h/d"), "postgres://a@h/d");
        assert!(!redact("nonsense with pw").contains("pw"));
    }
}
