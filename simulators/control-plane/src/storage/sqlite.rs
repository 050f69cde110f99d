//! The SQLite backend: one file in WAL mode, one server at a time.
//!
//! A separate checkpointer thread with its own connection runs passive checkpoints, which
//! proceed alongside the writer. The writer still checkpoints itself when the WAL reaches
//! `wal_autocheckpoint` pages: under steady load the background pass never catches up with the
//! last commit, so only the writer's own checkpoint lets the WAL start over. That checkpoint
//! syncs what the background passes have not synced yet, on the request path; passes every
//! [`CHECKPOINT_EVERY`] keep that small.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;

use crate::error::ApiError;
use crate::sql::{Row, Sql, Value};

/// Prepared statements kept per connection: more than the server has distinct queries.
const STATEMENT_CACHE: usize = 128;
/// SQLite's page cache per connection, in KiB (its default is 2 MiB): a 100,000-device fleet's
/// indexes stay in memory instead of being re-read from the OS for every batch.
const PAGE_CACHE_KIB: u32 = 32 * 1024;
/// How often the checkpointer looks for new commits. Each pass syncs the WAL and the database
/// file, so the writer's own checkpoint (every `wal_autocheckpoint` pages, about every half
/// second at a 100,000-device fleet's rate) has at most this long's writes left to sync. At
/// 500 ms it had about 40 MB and the storage thread sat in `fsync` 20-30 ms each time: every
/// request in flight waited. The fleet's p99 was 40 ms at 20,000 devices, 16-20 ms at 20 ms.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(20);

pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    api_key_digest BLOB NOT NULL UNIQUE,
    connect_key_digest BLOB NOT NULL UNIQUE,
    macos_ssap INTEGER NOT NULL DEFAULT 0,
    windows_ssap INTEGER NOT NULL DEFAULT 0,
    permission_level TEXT NOT NULL DEFAULT 'standard',
    password_sync INTEGER NOT NULL DEFAULT 1,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
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
    locked INTEGER NOT NULL,
    password_expired INTEGER NOT NULL,
    mfa_enforced INTEGER NOT NULL,
    mfa_enrolled INTEGER NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    federated INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users(org_id, email_key);
CREATE UNIQUE INDEX IF NOT EXISTS users_username ON users(org_id, username_key);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    credential_digest BLOB NOT NULL UNIQUE,
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
CREATE INDEX IF NOT EXISTS devices_org ON devices(org_id);
CREATE TABLE IF NOT EXISTS mfa (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES orgs(id),
    secret TEXT NOT NULL,
    last_step INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS associations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    permission TEXT NOT NULL,
    source TEXT NOT NULL,
    password_sync INTEGER NOT NULL,
    local_name TEXT,
    UNIQUE(device_id, user_id)
);
CREATE TABLE IF NOT EXISTS tickets (
    digest BLOB PRIMARY KEY,
    org_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS idempotency (
    device_id TEXT NOT NULL,
    key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    ticket_digest BLOB NOT NULL,
    reply TEXT NOT NULL,
    PRIMARY KEY(device_id, key)
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
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
    digest BLOB PRIMARY KEY,
    org_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    nonce TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    device_id TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_in_failures_device ON sign_in_failures(device_id, at_ms);
"#;

/// Columns added after a database may have been created: (table, column, definition).
/// `CREATE TABLE IF NOT EXISTS` leaves an existing table as it was, so these are added here.
const ADDED_COLUMNS: &[(&str, &str, &str)] = &[
    ("users", "federated", "INTEGER NOT NULL DEFAULT 0"),
    ("devices", "mfa_policy", "TEXT"),
];

fn add_missing_columns(conn: &Connection) -> rusqlite::Result<()> {
    for (table, column, definition) in ADDED_COLUMNS {
        let has = conn
            .prepare(&format!(
                "SELECT 1 FROM pragma_table_info('{table}') WHERE name = ?1"
            ))?
            .exists([column])?;
        if !has {
            conn.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN {column} {definition}"
            ))?;
        }
    }
    Ok(())
}

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, WAL could not be enabled"
        )));
    }
    conn.execute_batch("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")?;
    // Every query of `db.rs` and the handlers stays prepared (rusqlite keeps 16 by default,
    // fewer than the server uses, and re-parsing showed in profiles).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(&format!("PRAGMA cache_size=-{PAGE_CACHE_KIB};"))?;
    Ok(conn)
}

/// Opens (creating if needed) the file, creates the schema if missing and purges what expired.
pub(super) fn open(path: &Path) -> Result<(Connection, Checkpointer), String> {
    let conn = open_connection(path).map_err(|e| format!("cannot open SQLite database: {e}"))?;
    conn.execute_batch("PRAGMA wal_autocheckpoint=10000;")
        .and_then(|_| conn.execute_batch(SCHEMA))
        .and_then(|_| add_missing_columns(&conn))
        .map_err(|e| format!("cannot create the schema: {e}"))?;
    super::purge_expired(&conn)?;
    let checkpoint_conn =
        open_connection(path).map_err(|e| format!("cannot open a second connection: {e}"))?;
    let shared = Arc::new(Shared::default());
    let seen = shared.clone();
    let thread = std::thread::Builder::new()
        .name("ssap-checkpoint".into())
        .spawn(move || checkpoint_loop(checkpoint_conn, &seen))
        .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;
    Ok((conn, Checkpointer { shared, thread }))
}

/// Flushes the WAL into the main file so a clean stop leaves one self-contained file.
pub(super) fn close(conn: Connection) {
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
        tracing::warn!(error = %e, "final checkpoint failed; the WAL will be replayed at next open");
    }
}

/// What the writer and the checkpointer share.
#[derive(Default)]
struct Shared {
    /// Commits so far (the writer counts them; the checkpointer passes only after new ones).
    commits: AtomicU64,
    /// The checkpointer found nothing new and sleeps until the next commit wakes it.
    asleep: AtomicBool,
    stop: AtomicBool,
    /// Passes made (for tests).
    passes: AtomicU64,
}

/// The thread running passive checkpoints after commits.
pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    thread: std::thread::JoinHandle<()>,
}

/// The writer's side: tells the checkpointer that a batch committed.
pub(super) struct CommitSignal {
    shared: Arc<Shared>,
    checkpointer: std::thread::Thread,
}

impl CommitSignal {
    /// Counts a commit, and wakes the checkpointer if it went to sleep on an idle database.
    pub(super) fn committed(&self) {
        self.shared.commits.fetch_add(1, Ordering::SeqCst);
        if self.shared.asleep.load(Ordering::SeqCst)
            && self.shared.asleep.swap(false, Ordering::SeqCst)
        {
            self.checkpointer.unpark();
        }
    }
}

impl Checkpointer {
    /// The handle the writer signals its commits through.
    pub(super) fn signal(&self) -> CommitSignal {
        CommitSignal {
            shared: self.shared.clone(),
            checkpointer: self.thread.thread().clone(),
        }
    }

    /// Stops the thread and waits for it (blocking).
    pub(super) fn stop(self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.thread.thread().unpark();
        let _ = self.thread.join();
    }
}

/// Passes every [`CHECKPOINT_EVERY`] while the writer commits. After a wait with no commit it
/// sleeps until the next one instead of waking 50 times a second on an idle server.
fn checkpoint_loop(conn: Connection, shared: &Shared) {
    let mut seen = 0;
    loop {
        std::thread::park_timeout(CHECKPOINT_EVERY);
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let now = shared.commits.load(Ordering::SeqCst);
        if now == seen {
            // Said before the count is read again: a commit after that read sees `asleep`
            // and unparks (an unpark before `park` makes `park` return at once).
            shared.asleep.store(true, Ordering::SeqCst);
            while shared.commits.load(Ordering::SeqCst) == seen
                && !shared.stop.load(Ordering::SeqCst)
            {
                std::thread::park();
            }
            shared.asleep.store(false, Ordering::SeqCst);
            continue;
        }
        seen = now;
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(error = %e, "passive checkpoint skipped");
        }
        shared.passes.fetch_add(1, Ordering::SeqCst);
    }
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn value(v: ValueRef<'_>) -> rusqlite::Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Text(t) => Value::Text(
            std::str::from_utf8(t)
                .map_err(rusqlite::Error::Utf8Error)?
                .to_string(),
        ),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        ValueRef::Real(_) => {
            return Err(rusqlite::Error::InvalidColumnType(
                0,
                "a REAL value (the schema has none)".into(),
                rusqlite::types::Type::Real,
            ))
        }
    })
}

impl Sql for Connection {
    fn execute(&self, sql: &str, args: &[Value]) -> Result<usize, ApiError> {
        Ok(self
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(args))?)
    }

    fn query(&self, sql: &str, args: &[Value]) -> Result<Vec<Row>, ApiError> {
        let mut stmt = self.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(width);
            for i in 0..width {
                row.push(value(r.get_ref(i)?)?);
            }
            out.push(Row(row));
        }
        Ok(out)
    }

    fn batch(&self, sql: &str) -> Result<(), ApiError> {
        // The statements (transaction control around every job, no literals holding `;`) run
        // from the statement cache; `execute_batch` would parse them again each time.
        for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            self.prepare_cached(statement)?.raw_execute()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spins until `done` holds; a deadline turns a missed wake-up into a failure, not a hang.
    fn eventually(what: &str, done: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(
                std::time::Instant::now() < deadline,
                "never happened: {what}"
            );
            std::thread::yield_now();
        }
    }

    #[test]
    fn an_idle_checkpointer_sleeps_until_the_next_commit_and_stops_when_asked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (_conn, checkpointer) = open(&dir.path().join("c.sqlite")).expect("open");
        let shared = checkpointer.shared.clone();
        let signal = checkpointer.signal();
        eventually("asleep with no commits", || {
            shared.asleep.load(Ordering::SeqCst)
        });
        assert_eq!(shared.passes.load(Ordering::SeqCst), 0);
        signal.committed();
        eventually("one pass after the commit, then asleep again", || {
            shared.passes.load(Ordering::SeqCst) == 1 && shared.asleep.load(Ordering::SeqCst)
        });
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            checkpointer.stop();
            let _ = done_tx.send(());
        });
        done_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("stop wakes a sleeping checkpointer");
    }
}
