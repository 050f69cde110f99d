use std::net::SocketAddr;

use ssap_control_plane::{start, Config, HashCost};

use crate::common::*;

fn config(db: std::path::PathBuf) -> Config {
    Config {
        database: db.into(),
        operator_token: OPERATOR_TOKEN.into(),
        hash_cost: HashCost::Test,
        virtual_clock: false,
    }
}

#[tokio::test]
async fn start_errors_name_the_path_or_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let bad_path = dir.path().join("missing").join("cp.sqlite");
    let err = start(config(bad_path.clone()), addr)
        .await
        .expect_err("missing directory");
    assert!(
        err.to_string().contains(&bad_path.display().to_string()),
        "{err}"
    );

    let server = start_on(&dir.path().join("a.sqlite")).await;
    let taken: SocketAddr = server
        .url()
        .trim_start_matches("http://")
        .parse()
        .expect("url holds the address");
    let err = start(config(dir.path().join("b.sqlite")), taken)
        .await
        .expect_err("address in use");
    assert!(err.to_string().contains(&taken.to_string()), "{err}");
    assert!(server.url().starts_with("http://127.0.0.1:"));
    server.shutdown().await;

    let mut empty = config(dir.path().join("c.sqlite"));
    empty.operator_token = " ".into();
    assert!(start(empty, addr).await.is_err());
}

/// A server not started for testing has no virtual clock: reading or moving it is 404
/// `not_found`, so an admin of a real deployment cannot end throttle windows or expire
/// tickets at will; nor sign-in work counts.
#[tokio::test]
async fn only_a_test_server_has_a_virtual_clock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let server = start(config(dir.path().join("c.sqlite")), addr)
        .await
        .expect("server starts");
    let http = http(&server);
    let org = ssap_api::OperatorClient::new(http.clone(), OPERATOR_TOKEN)
        .create_org("No clock")
        .await
        .expect("org");
    let admin = ssap_api::AdminClient::new(http, org.api_key);
    for result in [admin.clock().await, admin.advance_clock(61).await] {
        match result {
            Err(e) => assert_eq!(e.status(), Some(404), "{e}"),
            Ok(c) => panic!("a clock answered: {c:?}"),
        }
    }
    // Nor does it count its sign-ins' work (R62's counter is for tests).
    match admin.sign_in_work().await {
        Err(e) => assert_eq!(e.status(), Some(404), "{e}"),
        Ok(w) => panic!("a production server counted work: {w:?}"),
    }
    server.shutdown().await;
}
