//! The floor a fleet's flow is compared with: the same number of bare HTTP round trips
//! (`GET /healthz` on the same server, same client settings, same concurrency) and of bare
//! SQLite transactions (one small INSERT each, WAL, `synchronous=NORMAL`, one writer thread as
//! the reference server has), run side by side as the flow runs them, in the same process.
//! What the flow costs beyond that is JSON, routing, auth, the queries themselves, argon2 and
//! the screen model.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde::Serialize;
use ssap_api::Exchange;

/// What the floor measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FloorSummary {
    /// Bare `GET /healthz` round trips made (as many as the flow's requests).
    pub http_round_trips: u64,
    /// Bare one-row SQLite transactions made (as many as the flow's storage jobs).
    pub sqlite_transactions: u64,
    /// Wall time until both were done.
    pub seconds: f64,
    /// When the last round trip finished.
    pub http_seconds: f64,
    /// When the last transaction committed.
    pub sqlite_seconds: f64,
}

/// Storage jobs (each one SQLite transaction at most) the reference server runs for one
/// request; a successful authenticate runs two (look-up, then ticket and audit).
pub fn storage_jobs(e: &Exchange) -> u64 {
    let ok = e.status.is_some_and(|s| (200..300).contains(&s));
    match e.path.as_str() {
        "/api/device/authenticate" if ok => 2,
        "/api/device/register"
        | "/api/device/login-window"
        | "/api/device/associations"
        | "/api/device/authenticate"
        | "/api/device/provision"
        | "/api/device/attempts" => 1,
        _ => 0,
    }
}

/// Runs `http_round_trips` bare requests against `base` with `concurrency` in flight while one
/// thread commits `sqlite_transactions` bare transactions to a temporary database.
pub async fn measure(
    base: &str,
    concurrency: usize,
    timeout: Duration,
    http_round_trips: u64,
    sqlite_transactions: u64,
) -> anyhow::Result<FloorSummary> {
    let dir = tempfile::tempdir().context("creating a temporary folder for the floor database")?;
    let db_path = dir.path().join("floor.db");
    let started = Instant::now();
    let sqlite = tokio::task::spawn_blocking(move || -> anyhow::Result<Duration> {
        sqlite_floor(&db_path, sqlite_transactions)?;
        Ok(started.elapsed())
    });
    let http = http_floor(base, concurrency, timeout, http_round_trips, started);
    let (http, sqlite) = tokio::join!(http, sqlite);
    let http = http?;
    let sqlite = sqlite.context("the SQLite floor thread failed")??;
    drop(dir);
    Ok(FloorSummary {
        http_round_trips,
        sqlite_transactions,
        seconds: started.elapsed().as_secs_f64(),
        http_seconds: http.as_secs_f64(),
        sqlite_seconds: sqlite.as_secs_f64(),
    })
}

async fn http_floor(
    base: &str,
    concurrency: usize,
    timeout: Duration,
    count: u64,
    started: Instant,
) -> anyhow::Result<Duration> {
    // The same settings as `ssap_api::Http`, whose request method is private.
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .pool_max_idle_per_host(64)
        .build()
        .context("building the HTTP client for the floor")?;
    let url: Arc<str> = format!("{}/healthz", base.trim_end_matches('/')).into();
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.max(1) {
        let (client, url, next) = (client.clone(), url.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let resp = client
                    .get(&*url)
                    .send()
                    .await
                    .with_context(|| format!("GET {url} (floor)"))?;
                let status = resp.status();
                resp.text()
                    .await
                    .with_context(|| format!("reading GET {url} (floor)"))?;
                anyhow::ensure!(status.is_success(), "GET {url} (floor): HTTP {status}");
            }
            anyhow::Ok(())
        }));
    }
    for w in workers {
        w.await.context("a floor HTTP worker failed")??;
    }
    Ok(started.elapsed())
}

fn sqlite_floor(path: &std::path::Path, count: u64) -> anyhow::Result<()> {
    let mut conn = rusqlite::Connection::open(path)
        .with_context(|| format!("opening the floor database {}", path.display()))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; \
         CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL);",
    )
    .context("preparing the floor database")?;
    let body = [0u8; 64];
    for i in 0..count {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .context("beginning a floor transaction")?;
        tx.prepare_cached("INSERT INTO t (id, body) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(rusqlite::params![i as i64, &body[..]]))
            .context("inserting in a floor transaction")?;
        tx.commit().context("committing a floor transaction")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(path: &str, status: u16) -> Exchange {
        Exchange {
            method: "POST".into(),
            path: path.into(),
            request_body: None,
            status: Some(status),
            response_body: None,
            millis: 0,
        }
    }

    #[test]
    fn jobs_per_route() {
        assert_eq!(storage_jobs(&ex("/api/device/authenticate", 200)), 2);
        assert_eq!(storage_jobs(&ex("/api/device/authenticate", 401)), 1);
        assert_eq!(storage_jobs(&ex("/api/device/provision", 200)), 1);
        assert_eq!(storage_jobs(&ex("/healthz", 200)), 0);
    }

    #[test]
    fn sqlite_floor_commits_every_transaction() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.db");
        sqlite_floor(&path, 50).expect("floor");
        let conn = rusqlite::Connection::open(&path).expect("open");
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 50);
    }
}
