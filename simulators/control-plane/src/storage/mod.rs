//! Storage owned by one thread per server, over SQLite (one file) or PostgreSQL (shared by
//! several servers).
//!
//! Every job (read or write) is a closure sent over a channel to the storage thread, which runs
//! whatever jobs are waiting in one transaction, each inside its own savepoint, commits once,
//! and only then answers. On a 2-core machine this beat a mutex-guarded connection on the async
//! workers (DESIGN.md), it keeps blocking database calls off the tokio workers, and it makes
//! each job serializable against the other jobs of its server.
//!
//! Across servers sharing PostgreSQL, a job that re-checks a rule and then writes names the
//! entities the rule is about ([`Lock`], through [`Storage::run_locked`]); the batch takes
//! those advisory locks, all of them, sorted, when it begins, and holds them until it commits.
//! Two batches that share no entity run side by side; two that do run one after the other, and
//! the second reads what the first committed (READ COMMITTED: each statement sees what was
//! committed before it started, and a job's statements start after its locks are held).
//! Taking every lock before any job runs, in one order on every server, means no batch waits
//! for a lock while holding one another batch waits for, and every row that two jobs could
//! both write is written under one lock: no deadlock, so no batch to replay (jobs are
//! `FnOnce` closures and cannot be re-run). Read-only jobs, and writes that no rule re-checks
//! (audit lines, rows under fresh random keys: devices, orgs, tickets, federation states),
//! take no lock. On SQLite the one writer serializes everything and locks are not taken.
//!
//! The rules that depend on that serialization, with the lock that guards each (every job
//! writing what the rule reads holds it):
//!
//! | rule | jobs that hold the lock | lock |
//! |---|---|---|
//! | one self-service account per device unless the Windows multiple-users policy (R11, R44, R03): association count, then insert | provision; admin bind and unbind; Windows policy set and clear | `Device` |
//! | an association is made once per device and user (`already_bound`) | provision; admin bind and unbind | `Device` |
//! | a ticket is redeemed once: read `used`, then mark it (tickets belong to a device) | provision | `Device` |
//! | an idempotency key answers its first reply (R60): look up `(device, key)`, then insert | provision | `Device` |
//! | a federation state is redeemed once (R46): read `used`, then mark it | federated sign-in (redeem) | `Device` |
//! | the throttle's failures (R42): the device's old ones dropped, the new one added | wrong password, wrong MFA code, refused federated code | `Device` |
//! | the lock after five wrong passwords (R42): read `failed_attempts`, then write it + 1 | wrong password | `User` |
//! | a sign-in's reset of `failed_attempts` writes the whole user row: must not undo an admin's change made meanwhile | right password (the ticket's job) | `User` |
//! | an admin's user patch is read, changed and written back whole | admin user update | `User` |
//! | a user removed from the directory stays removed: no patch or sign-in count writes the row back after it | admin user removal (R63) | `User` |
//! | one MFA secret per user (delete, then insert) | MFA enroll | `User` |
//! | a TOTP code opens one login (R45): read `last_step`, then write it | MFA verify | `User` (and `Device` for its throttle) |
//! | emails and usernames are unique in an org: checked, then inserted | admin user create | `Email`, `Username` |
//! | an org settings patch is read, changed and written back whole; the identity provider is replaced (delete, then insert) | settings update; identity provider set and clear | `Org` |
//! | a device's login-window text (written under the device's lock, so its row has one writer at a time) | login-window text set and clear | `Device` |
//!
//! Checks that need no lock: authenticate's first look (throttle, eligibility) and the
//! federated sign-in's ticket are advisory, since provisioning re-checks under the device's
//! lock; reads of settings, users and policies by a locked job may be a moment old, which
//! orders that job before the concurrent change.
//!
//! What is weaker than on one server: list keys (`seq`, `rowid`) are drawn when a row is
//! inserted, not when it commits, so a page of the audit log, users, devices or associations
//! read while another server's batch is in flight can miss a row that commits just after with
//! a smaller key (the next page will not show it either). A list read after the writes it
//! should see have been answered is complete.
//!
//! A conflict PostgreSQL still reports (deadlock 40P01, serialization 40001: only possible for
//! a write made outside its lock, a bug) ends that job's statement; its savepoint is rolled
//! back, its caller gets a 500 "try again", and the batch's other jobs commit: nothing is
//! half-written or doubled. The log names it.

mod pg_tls;
mod postgres;
mod sqlite;

use std::fmt;
use std::path::PathBuf;

use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;
use crate::sql::Sql;

/// The SQLite schema, for unit tests elsewhere in the crate that need real tables.
#[cfg(test)]
pub(crate) const SQLITE_SCHEMA: &str = sqlite::SCHEMA;

/// Most jobs folded into one transaction.
const MAX_BATCH: usize = 128;
/// Jobs that may wait for the storage thread before senders wait too (back-pressure).
const QUEUE: usize = 1024;

/// Where the control plane keeps its data.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// One SQLite file, created if missing; one server at a time.
    Sqlite(PathBuf),
    /// A PostgreSQL database given by a `postgres://user:password@host:port/db` URL; several
    /// servers may share it (behind a load balancer). TLS as libpq's `sslmode` says
    /// (`disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`), with the CA in
    /// `sslrootcert=PATH` (see [`Database::with_ca_file`]).
    Postgres(String),
}

impl Database {
    /// A `postgres://` or `postgresql://` URL is PostgreSQL; anything else is a SQLite path.
    pub fn parse(s: &str) -> Database {
        let lower = s.trim_start().to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Database::Postgres(s.trim().to_string())
        } else {
            Database::Sqlite(PathBuf::from(s))
        }
    }
}

impl Database {
    /// The same PostgreSQL database, its server's certificate checked against the CA
    /// certificates (PEM) in `path`: `sslrootcert=PATH` is added to the URL, after (so instead
    /// of) any the URL had. Without an `sslmode` in the URL this means `verify-full`. A SQLite
    /// file has no server to check: an error.
    pub fn with_ca_file(self, path: &std::path::Path) -> Result<Database, String> {
        match self {
            Database::Postgres(url) => {
                let path = path
                    .to_str()
                    .ok_or_else(|| format!("the CA file path {} is not UTF-8", path.display()))?;
                let sep = if url.contains('?') { '&' } else { '?' };
                Ok(Database::Postgres(format!(
                    "{url}{sep}sslrootcert={}",
                    pg_tls::percent_encode(path)
                )))
            }
            Database::Sqlite(file) => Err(format!(
                "a database CA file is for PostgreSQL; {} is a SQLite file",
                file.display()
            )),
        }
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Self {
        Database::Sqlite(path)
    }
}

/// Names the database for messages and logs: the absolute SQLite path, or the PostgreSQL URL
/// without its password.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => {
                let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                write!(f, "SQLite file {}", abs.display())
            }
            Database::Postgres(url) => write!(f, "PostgreSQL {}", postgres::redact(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

type Completion = Box<dyn FnOnce(bool) + Send>;

/// One storage job: the locks it needs (PostgreSQL) and what it runs.
struct Job {
    /// Keys of [`Lock`]s, taken before the batch's first job runs.
    locks: Vec<i64>,
    run: RunJob,
}

type RunJob = Box<dyn FnOnce(&dyn Sql) -> (bool, Completion) + Send>;

/// What a job that re-checks a rule and then writes locks, across servers sharing a
/// PostgreSQL database (see the module doc for the rule each guards). On SQLite there is one
/// writer and locks are not taken.
///
/// A lock is a transaction-scoped advisory lock keyed by a digest of the entity, taken when
/// the batch holding the job begins and held until it commits: every job of every server that
/// writes what a rule reads about one entity holds that entity's lock, so those jobs run one
/// after the other, while jobs on other entities run side by side.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lock<'a> {
    /// A device: its associations, tickets, idempotency keys, federation states, failed
    /// sign-ins and policies.
    Device(&'a str),
    /// A user: the row's read-modify-writes (failed attempts, lock, state) and MFA secret.
    User(&'a str),
    /// An org: its settings and identity provider.
    Org(&'a str),
    /// A user's email in an org (case-folded), unique in it.
    Email { org: &'a str, email: &'a str },
    /// A username in an org (case-folded), unique in it.
    Username { org: &'a str, username: &'a str },
}

impl Lock<'_> {
    /// The advisory-lock key: the first 8 bytes of a SHA-256 of the kind and the parts, so
    /// every server (of any build) derives the same key; a collision only serializes two
    /// unrelated jobs.
    fn key(&self) -> i64 {
        use sha2::{Digest, Sha256};
        let (kind, parts): (&str, &[&str]) = match self {
            Lock::Device(id) => ("device", &[id]),
            Lock::User(id) => ("user", &[id]),
            Lock::Org(id) => ("org", &[id]),
            Lock::Email { org, email } => ("email", &[org, email]),
            Lock::Username { org, username } => ("username", &[org, username]),
        };
        let mut h = Sha256::new();
        h.update(kind.as_bytes());
        for part in parts {
            h.update([0]);
            h.update(part.as_bytes());
        }
        let d = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&d[..8]);
        i64::from_be_bytes(first)
    }
}

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
    sqlite_checkpointer: Option<sqlite::Checkpointer>,
}

/// The connection the storage thread runs batches on.
enum Backend {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Connection>),
}

impl Backend {
    fn sql(&self) -> &dyn Sql {
        match self {
            Backend::Sqlite(c) => c,
            Backend::Postgres(c) => c.as_ref(),
        }
    }

    /// Starts a batch's transaction holding what makes its jobs' re-checks hold: SQLite's one
    /// writer lock, or on PostgreSQL the advisory locks `locks` (sorted, without duplicates).
    fn begin(&mut self, locks: &[i64]) -> Result<(), ApiError> {
        match self {
            Backend::Sqlite(c) => c.batch("BEGIN IMMEDIATE"),
            Backend::Postgres(c) => c.begin(locks),
        }
    }

    fn close(self) {
        match self {
            Backend::Sqlite(c) => sqlite::close(c),
            Backend::Postgres(c) => drop(c),
        }
    }
}

/// Opens (creating if needed) the database, creates the schema if missing, and starts the
/// storage threads. Blocking: call it off the async workers. The error names what failed.
pub(crate) fn open(database: &Database) -> Result<(Storage, StorageThreads), String> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let database = database.clone();
    // Opened on the thread that uses it: the PostgreSQL client runs its own small runtime there.
    let writer = std::thread::Builder::new()
        .name("ssap-storage".into())
        .spawn(move || {
            let opened = match &database {
                Database::Sqlite(path) => {
                    sqlite::open(path).map(|(c, cp)| (Backend::Sqlite(c), Some(cp)))
                }
                Database::Postgres(url) => {
                    postgres::Connection::open(url).map(|c| (Backend::Postgres(Box::new(c)), None))
                }
            };
            match opened {
                Ok((backend, checkpointer)) => {
                    let commit_signal = checkpointer.as_ref().map(sqlite::Checkpointer::signal);
                    let _ = ready_tx.send(Ok(checkpointer));
                    writer_loop(backend, rx, commit_signal);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
        })
        .map_err(|e| format!("cannot start the storage thread: {e}"))?;
    let opened = ready_rx
        .recv()
        .map_err(|_| "the storage thread stopped while opening the database".to_string())
        .and_then(|r| r);
    match opened {
        Ok(checkpointer) => Ok((
            Storage { tx: tx.clone() },
            StorageThreads {
                tx,
                writer: Some(writer),
                sqlite_checkpointer: checkpointer,
            },
        )),
        Err(e) => {
            let _ = writer.join();
            Err(e)
        }
    }
}

fn writer_loop(
    mut backend: Backend,
    mut rx: mpsc::Receiver<Msg>,
    commit_signal: Option<sqlite::CommitSignal>,
) {
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
        run_batch(&mut backend, batch);
        if let Some(signal) = &commit_signal {
            signal.committed();
        }
    }
    backend.close();
    if let Some(ack) = stop {
        let _ = ack.send(());
    }
}

/// Runs the jobs in one transaction, each in a savepoint. What ends one job's savepoint goes to
/// the database with the statement that opens the next one's (and the last with the COMMIT):
/// one round trip per job instead of two, which is what PostgreSQL's cost is made of.
fn run_batch(backend: &mut Backend, batch: Vec<Job>) {
    // All the batch's locks, in one global order: two batches that want some of the same
    // locks take them in the same order, so neither can hold one the other waits for while
    // waiting itself (no deadlock), and jobs take no lock once the batch has begun.
    let mut locks: Vec<i64> = batch.iter().flat_map(|j| j.locks.iter().copied()).collect();
    locks.sort_unstable();
    locks.dedup();
    if let Err(e) = backend.begin(&locks) {
        tracing::error!(error = %e.message, "cannot begin a transaction");
        // Dropping the jobs drops their reply senders: callers see an internal error.
        return;
    }
    let conn = backend.sql();
    let mut done = Vec::with_capacity(batch.len());
    // Ends the previous job's savepoint: released when it succeeded, rolled back when not.
    let mut end_previous = "";
    for job in batch {
        let open = format!("{end_previous}SAVEPOINT job");
        end_previous = "";
        if conn.batch(&open).is_err() {
            continue;
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (job.run)(conn)));
        match outcome {
            Ok((true, completion)) => {
                end_previous = RELEASE;
                done.push(completion);
            }
            Ok((false, completion)) => {
                end_previous = ROLL_BACK;
                done.push(completion);
            }
            Err(_) => {
                tracing::error!("a storage job panicked; its changes were rolled back");
                end_previous = ROLL_BACK;
            }
        }
    }
    let committed = match conn.batch(&format!("{end_previous}COMMIT")) {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e.message, "commit failed");
            let _ = conn.batch("ROLLBACK");
            false
        }
    };
    for completion in done {
        completion(committed);
    }
}

/// Keeps a job's writes (sent before the next statement).
const RELEASE: &str = "RELEASE SAVEPOINT job; ";
/// Undoes a job's writes (sent before the next statement).
const ROLL_BACK: &str = "ROLLBACK TO SAVEPOINT job; RELEASE SAVEPOINT job; ";

/// Tickets live ten minutes and federation states as long; replays of a provision are answered
/// from `idempotency`, so ones long expired serve nothing. Run at open.
fn purge_expired(conn: &dyn Sql) -> Result<(), String> {
    let an_hour_ago = crate::db::now_ms() - 60 * 60 * 1000;
    conn.execute(
        "DELETE FROM tickets WHERE expires_ms < ?1",
        crate::sql::args![an_hour_ago],
    )
    .and_then(|_| {
        conn.execute(
            "DELETE FROM federation_states WHERE expires_ms < ?1",
            crate::sql::args![an_hour_ago],
        )
    })
    .and_then(|_| {
        // Failed sign-ins count for a minute (R42); a device's old ones are also dropped at
        // its next failure, this sweeps the devices that never failed again.
        conn.execute(
            "DELETE FROM sign_in_failures WHERE at_ms < ?1",
            crate::sql::args![an_hour_ago],
        )
    })
    .map(|_| ())
    .map_err(|e| format!("cannot purge expired tickets: {}", e.message))
}

impl Storage {
    /// Runs `f` on the storage thread inside its own savepoint of the current batch's
    /// transaction. `Err` rolls the job's writes back; `Ok` keeps them. The answer comes only
    /// after the commit. Handlers that must record a refusal (audit) and still refuse return
    /// `Ok(Err(refusal))`.
    ///
    /// Takes no lock: for reads, and for writes that no rule re-checks (audit lines, rows
    /// under fresh random keys). A job that re-checks a rule and then writes uses
    /// [`Storage::run_locked`].
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> Result<T, ApiError> + Send + 'static,
    {
        self.run_locked(&[], f).await
    }

    /// [`Storage::run`] holding `locks` (on PostgreSQL) from before the job's first statement
    /// until its batch commits, so what it re-checks about those entities cannot change under
    /// it on any server.
    pub async fn run_locked<T, F>(&self, locks: &[Lock<'_>], f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Sql) -> Result<T, ApiError> + Send + 'static,
    {
        let (reply_tx, reply_rx) = oneshot::channel::<Result<T, ApiError>>();
        let run: RunJob = Box::new(move |conn: &dyn Sql| {
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
        let job = Job {
            locks: locks.iter().map(Lock::key).collect(),
            run,
        };
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
    /// Lets queued jobs finish, flushes (SQLite: checkpoints the WAL into the file) and stops.
    pub async fn stop(mut self) {
        // The checkpointer goes first so the writer's final checkpoint has the file to itself.
        if let Some(checkpointer) = self.sqlite_checkpointer.take() {
            let _ = tokio::task::spawn_blocking(move || checkpointer.stop()).await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::args;

    fn count(c: &dyn Sql) -> Result<i64, ApiError> {
        c.query_one("SELECT COUNT(*) FROM audit", args![])?.get(0)
    }

    fn write(c: &dyn Sql) -> Result<(), ApiError> {
        crate::db::audit(c, "org", "test", "write", "t", "success", None)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn err_rolls_back_only_its_own_job_and_data_survives_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Database::Sqlite(dir.path().join("s.sqlite"));
        let (storage, threads) = open(&db).expect("open");
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

        let (storage, threads) = open(&db).expect("reopen");
        assert_eq!(storage.run(count).await.expect("count"), 2);
        let mode: String = storage
            .run(|c| c.query_one("PRAGMA journal_mode", args![])?.get(0))
            .await
            .expect("mode");
        assert_eq!(mode, "wal");
        threads.stop().await;
    }

    #[test]
    fn open_names_what_failed() {
        let err = match open(&Database::Sqlite("/nonexistent-dir/sub/x.sqlite".into())) {
            Err(e) => e,
            Ok(_) => panic!("opened a file in a missing directory"),
        };
        assert!(err.contains("cannot open"), "{err}");
    }

    /// Table name -> column names in order, from a schema's CREATE TABLE statements
    /// (constraint lines and PostgreSQL's explicit `rowid`, SQLite's implicit one, left out).
    fn tables(schema: &str) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for line in schema.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("CREATE TABLE IF NOT EXISTS ") {
                let name = rest.split_whitespace().next().unwrap_or_default();
                out.push((name.to_string(), Vec::new()));
            } else if line.starts_with(')') || line.starts_with("CREATE") || line.is_empty() {
                continue;
            } else if let Some((_, columns)) = out.last_mut() {
                let first = line.split_whitespace().next().unwrap_or_default();
                if !matches!(first, "UNIQUE(device_id," | "PRIMARY" | "UNIQUE" | "rowid") {
                    columns.push(first.to_string());
                }
            }
        }
        out
    }

    #[test]
    fn both_backends_have_the_same_tables_and_columns() {
        let sqlite = tables(sqlite::SCHEMA);
        let postgres = tables(postgres::SCHEMA);
        assert_eq!(sqlite.len(), 11, "{sqlite:?}");
        assert_eq!(sqlite, postgres);
    }

    #[test]
    fn urls_are_postgres_paths_are_sqlite_and_passwords_never_show() {
        let pg = Database::parse("postgresql://ssap:s3cret@127.0.0.1:5433/ssap");
        assert!(matches!(pg, Database::Postgres(_)));
        let shown = format!("{pg} {pg:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("ssap@127.0.0.1:5433/ssap"), "{shown}");
        assert!(matches!(
            Database::parse("POSTGRES://u@h/d"),
            Database::Postgres(_)
        ));
        assert_eq!(
            Database::parse("data/cp.sqlite"),
            Database::Sqlite("data/cp.sqlite".into())
        );
    }

    #[test]
    fn an_unreachable_postgres_is_named_without_its_password() {
        // Port 1 on loopback: nothing listens there.
        let err = match open(&Database::Postgres(
            "postgres://ssap:s3cret@127.0.0.1:1/ssap?connect_timeout=2".into(),
        )) {
            Err(e) => e,
            Ok(_) => panic!("connected to nothing"),
        };
        assert!(err.contains("cannot connect"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}
