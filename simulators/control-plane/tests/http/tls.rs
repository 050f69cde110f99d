//! TLS to PostgreSQL. Runs when `SSAP_TEST_DATABASE` is a URL with `sslrootcert=` (as
//! `scripts/postgres.sh start --tls` prints and `scripts/postgres-ci.sh` uses: a server that
//! accepts TCP only over TLS, its certificate signed by a throwaway CA); elsewhere it says so
//! and checks nothing.

use std::net::SocketAddr;
use std::path::PathBuf;

use ssap_control_plane::{start, Config, Database, HashCost, StartError};

use crate::common::*;

async fn start_with(database: Database) -> Result<ssap_control_plane::RunningServer, StartError> {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("loopback address");
    start(
        Config {
            database,
            operator_token: OPERATOR_TOKEN.into(),
            hash_cost: HashCost::Test,
            virtual_clock: false,
        },
        addr,
    )
    .await
}

/// The URL without its query, and the CA file it names.
fn tls_database() -> Option<(String, PathBuf)> {
    let url = std::env::var(POSTGRES_VAR).ok()?;
    let (base, query) = url.split_once('?')?;
    let ca = query
        .split('&')
        .find_map(|p| p.strip_prefix("sslrootcert="))?;
    Some((base.to_string(), PathBuf::from(ca)))
}

#[tokio::test]
async fn postgres_over_tls_checks_the_servers_certificate() {
    let Some((base, ca)) = tls_database() else {
        eprintln!("{POSTGRES_VAR} names no sslrootcert: no TLS database to test against");
        return;
    };
    let ca_text = ca.display().to_string();

    // The CA given in the URL, or with --db-ca-file (Database::with_ca_file): both verify-full.
    for database in [
        Database::parse(&format!("{base}?sslmode=verify-full&sslrootcert={ca_text}")),
        Database::parse(&base)
            .with_ca_file(&ca)
            .expect("a PostgreSQL URL"),
        Database::parse(&format!("{base}?sslmode=verify-ca&sslrootcert={ca_text}")),
        // Encrypted without checking (libpq's require): connects, and says so in the log.
        Database::parse(&format!("{base}?sslmode=require")),
    ] {
        let shown = database.to_string();
        let server = start_with(database)
            .await
            .unwrap_or_else(|e| panic!("{shown}: {e}"));
        let org = new_org(&http(&server), "TLS").await;
        org.user("tls@acme.test").await;
        server.shutdown().await;
    }

    // The server takes TCP only over TLS: without it, refused.
    let err = start_with(Database::parse(&format!("{base}?sslmode=disable")))
        .await
        .expect_err("the server refuses plain connections");
    assert!(err.to_string().contains("cannot connect"), "{err}");

    // A certificate the CA file does not vouch for is refused, and the reason says so: here
    // the "CA" is the server's own certificate, which signed nothing.
    let not_the_ca = ca.with_file_name("server.crt");
    let err = start_with(
        Database::parse(&format!("{base}?sslmode=verify-full"))
            .with_ca_file(&not_the_ca)
            .expect("a PostgreSQL URL"),
    )
    .await
    .expect_err("not signed by that CA");
    let text = err.to_string();
    assert!(text.contains("certificate"), "{text}");
    assert!(!text.contains(&password_of(&base)), "no password in {text}");

    // verify-full without any CA is refused before connecting, naming both ways to give one.
    let err = start_with(Database::parse(&format!("{base}?sslmode=verify-full")))
        .await
        .expect_err("no CA");
    assert!(err.to_string().contains("--db-ca-file"), "{err}");
}

fn password_of(url: &str) -> String {
    url.split_once("://")
        .and_then(|(_, rest)| rest.split_once('@'))
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map(|(_, pw)| pw.to_string())
        .unwrap_or_else(|| "no password in the URL".into())
}
