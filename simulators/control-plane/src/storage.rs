//! SQLite storage owned by one thread.
//!
//! Every job (read or write) is a closure sent over a channel to the storage thread, which runs
//! whatever jobs are waiting in one transaction, each inside its own savepoint, commits once,
//! and only then answers. On a 2-core machine this beat a mutex-guarded connection on the async
//! workers (DESIGN.md), it keeps blocking SQLite calls off the tokio workers, and it makes each
//! job serializable: a job that re-checks a rule and then writes cannot race another job.
//!
//! WAL auto-checkpoints are set high as a safety net only; a separate checkpointer thread with
//! its own connection runs passive checkpoints, which proceed alongside the writer, so that
//! checkpoint stalls stay off the request path.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;

/// Most jobs folded into one transaction.
const MAX_BATCH: usize = 128;
/// Jobs that may wait for the storage thread before senders wait too (back-pressure).
const QUEUE: usize = 1024;
/// How often the checkpointer looks for new commits.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

type Completion = Box<dyn FnOnce(bool) + Send>;
type Job = Box<dyn FnOnce(&Connection) -> (bool, Completion) + Send>;

enum Msg {
    Job(Job),
    Shutdown(oneshot::Sender<()>),
}

/// Handle the handlers hold: sends jobs to the storage thread.
#[derive(Clone)]
pub(crate) struct Storage {
    tx: mpsc::Sender<Msg>,
}

/// Owner's handle of the storage threads, to stop them and flush.
pub(crate) struct StorageThreads {
    tx: mpsc::Sender<Msg>,
    writer: Option<std::thread::JoinHandle<()>>,
    checkpointer: Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
}

const SCHEMA: &str = r#"
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
    windows_mode TEXT
);
CREATE INDEX IF NOT EXISTS devices_org ON devices(org_id);
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
"#;

/// Columns added after a database may have been created: (table, column, definition).
/// `CREATE TABLE IF NOT EXISTS` leaves an existing table as it was, so these are added here.
const ADDED_COLUMNS: &[(&str, &str, &str)] =
    &[("users", "federated", "INTEGER NOT NULL DEFAULT 0")];

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
    Ok(conn)
}

/// Opens (creating if needed) the database at `path`, creates the schema if missing, and starts
/// the storage threads. Blocking: call it off the async workers.
pub(crate) fn open(path: &Path) -> Result<(Storage, StorageThreads), String> {
    let conn = open_connection(path).map_err(|e| format!("cannot open SQLite database: {e}"))?;
    conn.execute_batch("PRAGMA wal_autocheckpoint=10000;")
        .and_then(|_| conn.execute_batch(SCHEMA))
        .and_then(|_| add_missing_columns(&conn))
        .map_err(|e| format!("cannot create the schema: {e}"))?;
    // Tickets live ten minutes; replays of a provision are answered from `idempotency`, so
    // tickets long expired serve nothing.
    let an_hour_ago = crate::db::now_ms() - 60 * 60 * 1000;
    conn.execute("DELETE FROM tickets WHERE expires_ms < ?1", [an_hour_ago])
        .and_then(|_| {
            conn.execute(
                "DELETE FROM federation_states WHERE expires_ms < ?1",
                [an_hour_ago],
            )
        })
        .map_err(|e| format!("cannot purge expired tickets: {e}"))?;
    let checkpoint_conn =
        open_connection(path).map_err(|e| format!("cannot open a second connection: {e}"))?;

    let commits = Arc::new(AtomicU64::new(0));
    let (tx, rx) = mpsc::channel(QUEUE);
    let writer_commits = commits.clone();
    let writer = std::thread::Builder::new()
        .name("ssap-storage".into())
        .spawn(move || writer_loop(conn, rx, writer_commits))
        .map_err(|e| format!("cannot start the storage thread: {e}"))?;

    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let checkpointer = std::thread::Builder::new()
        .name("ssap-checkpoint".into())
        .spawn(move || checkpoint_loop(checkpoint_conn, stop_rx, commits))
        .map_err(|e| format!("cannot start the checkpoint thread: {e}"))?;

    Ok((
        Storage { tx: tx.clone() },
        StorageThreads {
            tx,
            writer: Some(writer),
            checkpointer: Some((stop_tx, checkpointer)),
        },
    ))
}

fn writer_loop(conn: Connection, mut rx: mpsc::Receiver<Msg>, commits: Arc<AtomicU64>) {
    let mut stop: Option<oneshot::Sender<()>> = None;
    while stop.is_none() {
        let first = match rx.blocking_recv() {
            Some(Msg::Job(job)) => job,
            Some(Msg::Shutdown(ack)) => {
                stop = Some(ack);
                break;
            }
            None => break,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Msg::Job(job)) => batch.push(job),
                Ok(Msg::Shutdown(ack)) => {
                    stop = Some(ack);
                    break;
                }
                Err(_) => break,
            }
        }
        run_batch(&conn, batch);
        commits.fetch_add(1, Ordering::Relaxed);
    }
    // Flush the WAL into the main file so a clean stop leaves one self-contained file.
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
        tracing::warn!(error = %e, "final checkpoint failed; the WAL will be replayed at next open");
    }
    drop(conn);
    if let Some(ack) = stop {
        let _ = ack.send(());
    }
}

fn run_batch(conn: &Connection, batch: Vec<Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "cannot begin a transaction");
        // Dropping the jobs drops their reply senders: callers see an internal error.
        return;
    }
    let mut done = Vec::with_capacity(batch.len());
    for job in batch {
        if conn.execute_batch("SAVEPOINT job").is_err() {
            continue;
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(conn)));
        match outcome {
            Ok((true, completion)) => {
                let _ = conn.execute_batch("RELEASE job");
                done.push(completion);
            }
            Ok((false, completion)) => {
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
                done.push(completion);
            }
            Err(_) => {
                tracing::error!("a storage job panicked; its changes were rolled back");
                let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
            }
        }
    }
    let committed = match conn.execute_batch("COMMIT") {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "commit failed");
            let _ = conn.execute_batch("ROLLBACK");
            false
        }
    };
    for completion in done {
        completion(committed);
    }
}

fn checkpoint_loop(conn: Connection, stop: std::sync::mpsc::Receiver<()>, commits: Arc<AtomicU64>) {
    let mut seen = 0;
    loop {
        match stop.recv_timeout(CHECKPOINT_EVERY) {
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        let now = commits.load(Ordering::Relaxed);
        if now == seen {
            continue;
        }
        seen = now;
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::debug!(error = %e, "passive checkpoint skipped");
        }
    }
}

impl Storage {
    /// Runs `f` on the storage thread inside its own savepoint of the current batch's
    /// transaction. `Err` rolls the job's writes back; `Ok` keeps them. The answer comes only
    /// after the commit. Handlers that must record a refusal (audit) and still refuse return
    /// `Ok(Err(refusal))`.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, ApiError> + Send + 'static,
    {
        let (reply_tx, reply_rx) = oneshot::channel::<Result<T, ApiError>>();
        let job: Job = Box::new(move |conn: &Connection| {
            let result = f(conn);
            let ok = result.is_ok();
            let completion: Completion = Box::new(move |committed: bool| {
                let result = match result {
                    Ok(_) if !committed => Err(ApiError::internal(
                        "the control plane could not save the change; nothing was changed",
                    )),
                    other => other,
                };
                let _ = reply_tx.send(result);
            });
            (ok, completion)
        });
        if self.tx.send(Msg::Job(job)).await.is_err() {
            return Err(ApiError::internal(
                "the control plane's storage has stopped",
            ));
        }
        reply_rx
            .await
            .unwrap_or_else(|_| Err(ApiError::internal("the control plane's storage failed")))
    }
}

impl StorageThreads {
    /// Lets queued jobs finish, checkpoints the WAL into the database file and stops.
    pub async fn stop(mut self) {
        // The checkpointer goes first so the writer's final TRUNCATE checkpoint has the file
        // to itself.
        if let Some((stop, handle)) = self.checkpointer.take() {
            let _ = stop.send(());
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
        let (ack_tx, ack_rx) = oneshot::channel();
        if self.tx.send(Msg::Shutdown(ack_tx)).await.is_ok() {
            let _ = ack_rx.await;
        }
        if let Some(handle) = self.writer.take() {
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
    }
}

/// Where the database lives, for error messages.
pub(crate) fn describe(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(c: &Connection) -> Result<i64, ApiError> {
        Ok(c.query_row("SELECT COUNT(*) FROM audit", [], |r| r.get(0))?)
    }

    fn write(c: &Connection) -> Result<(), ApiError> {
        crate::db::audit(c, "org", "test", "write", "t", "success", None)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn err_rolls_back_only_its_own_job_and_data_survives_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("s.sqlite");
        let (storage, threads) = open(&path).expect("open");
        let failing = storage.run(|c| {
            write(c)?;
            Err::<(), _>(ApiError::bad_request("refused"))
        });
        let refused_but_kept = storage.run(|c| {
            write(c)?;
            Ok(Err::<(), _>(ApiError::bad_request("refused, audited")))
        });
        let ok = storage.run(write);
        let (failing, kept, ok) = tokio::join!(failing, refused_but_kept, ok);
        assert!(failing.is_err());
        assert!(matches!(kept, Ok(Err(_))));
        assert!(ok.is_ok());
        assert_eq!(storage.run(count).await.expect("count"), 2);
        threads.stop().await;
        assert!(
            storage.run(count).await.is_err(),
            "a stopped storage refuses work instead of hanging"
        );

        let (storage, threads) = open(&path).expect("reopen");
        assert_eq!(storage.run(count).await.expect("count"), 2);
        let mode: String = storage
            .run(|c| Ok(c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?))
            .await
            .expect("mode");
        assert_eq!(mode, "wal");
        threads.stop().await;
    }

    #[test]
    fn open_names_what_failed() {
        let err = match open(Path::new("/nonexistent-dir/sub/x.sqlite")) {
            Err(e) => e,
            Ok(_) => panic!("opened a file in a missing directory"),
        };
        assert!(err.contains("cannot open"), "{err}");
    }
}
