//! Two servers over one database, as behind a load balancer (the PostgreSQL backend's reason
//! to exist; on SQLite the two share one file through SQLite's own locking). The one-account
//! rule (R44), single-use tickets and idempotent replays (R60) must hold across servers, and
//! each must see what the other wrote; the throttle of failed sign-ins (R42) counts the
//! failures made through either server, and the wrong-password count that locks a user
//! counts every failure. On PostgreSQL these races are what the per-entity locks of
//! `storage` are for: without them the races below fail.

use ssap_api::{DeviceClient, OrgSettingsPatch};

use crate::common::*;

/// Devices raced on: enough that both servers' batches interleave.
const DEVICES: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_provisions_through_two_servers_bind_one_user_per_device() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shared.sqlite");
    let (a, b) = (start_on(&db).await, start_on(&db).await);
    let (http_a, http_b) = (http(&a), http(&b));

    // The org is made on A and used on B at once: B must find its keys in the database.
    let org = new_org(&http_a, "Acme").await;
    let admin_b = ssap_api::AdminClient::new(http_b.clone(), org.created.api_key.clone());
    admin_b
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            windows_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggles on through B");

    let mut races = Vec::new();
    for i in 0..DEVICES {
        let (kim, lee) = (format!("kim{i}@acme.test"), format!("lee{i}@acme.test"));
        org.user(&kim).await;
        admin_b.create_user(&user(&lee)).await.expect("lee via B");
        let facts = if i % 2 == 0 { mac() } else { windows() };
        let reg =
            register_keeping_credential(http_b.base(), &org.created.connect_key, &facts).await;
        let on_a = DeviceClient::new(
            http_a.clone(),
            reg.device_id.clone(),
            reg.device_credential.clone(),
        );
        let on_b = DeviceClient::new(http_b.clone(), reg.device_id.clone(), reg.device_credential);
        let kim_ticket = on_a
            .authenticate(&login(&kim, PASSWORD))
            .await
            .expect("kim on A");
        let lee_ticket = on_b
            .authenticate(&login(&lee, PASSWORD))
            .await
            .expect("lee on B");
        races.push(tokio::spawn(async move {
            let (kim_req, lee_req) = (
                provision_req(&kim_ticket.ticket, "k"),
                provision_req(&lee_ticket.ticket, "l"),
            );
            let (x, y) = tokio::join!(on_a.provision(&kim_req), on_b.provision(&lee_req));
            // Replays through the other server answer what the first one answered.
            let replay_x = on_b.provision(&kim_req).await;
            let replay_y = on_a.provision(&lee_req).await;
            (reg.device_id, x, y, replay_x, replay_y, on_a, on_b)
        }));
    }

    for race in races {
        let (device_id, x, y, replay_x, replay_y, on_a, on_b) = race.await.expect("race task");
        let (won, lost) = match (&x, &y) {
            (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w.clone(), l),
            other => {
                panic!("device {device_id}: exactly one of the two servers may bind: {other:?}")
            }
        };
        assert_eq!(lost.code(), Some("device_has_managed_users"), "{device_id}");
        let replay_of_winner = if x.is_ok() { &replay_x } else { &replay_y };
        assert_eq!(
            replay_of_winner.as_ref().ok(),
            Some(&won),
            "{device_id}: replay through the other server"
        );
        assert_eq!(
            on_a.associations().await.expect("A's view"),
            vec![won.clone()]
        );
        assert_eq!(
            on_b.associations().await.expect("B's view"),
            vec![won.clone()]
        );
        assert_eq!(
            org.admin
                .associations(&device_id)
                .await
                .expect("admin view"),
            vec![won]
        );
    }
    let provisions = org
        .admin
        .audit()
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "provision" && e.outcome == "success")
        .count();
    assert_eq!(
        provisions, DEVICES,
        "one audited provision per device, replays not audited again"
    );
    a.shutdown().await;
    b.shutdown().await;
}

/// R42 across servers: the device's failed sign-ins are counted in the shared database, so ten
/// failures spread over two servers (five each, alternating) use up the device's allowance on
/// both. A per-server throttle would have counted five on each and let the eleventh through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_through_two_servers_share_one_throttle() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("shared.sqlite");
    let (a, b) = (start_on(&db).await, start_on(&db).await);
    let (http_a, http_b) = (http(&a), http(&b));
    let org = new_org(&http_a, "Acme").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggle on");
    org.user("fay@acme.test").await;

    let reg = register_keeping_credential(http_a.base(), &org.created.connect_key, &mac()).await;
    let on_a = DeviceClient::new(
        http_a.clone(),
        reg.device_id.clone(),
        reg.device_credential.clone(),
    );
    let on_b = DeviceClient::new(http_b.clone(), reg.device_id.clone(), reg.device_credential);
    for i in 0..10 {
        let through = if i % 2 == 0 { &on_a } else { &on_b };
        let err = through
            .authenticate(&login(&format!("ghost{i}@acme.test"), "wrong"))
            .await
            .expect_err("unknown user");
        assert_eq!(
            (err.status(), err.code()),
            (Some(401), Some("invalid_credentials")),
            "failure {i}, through {}",
            if i % 2 == 0 { "A" } else { "B" }
        );
    }
    for (name, through) in [("A", &on_a), ("B", &on_b)] {
        let err = through
            .authenticate(&login("fay@acme.test", PASSWORD))
            .await
            .expect_err("throttled after ten failures spread over both servers");
        assert_eq!(
            (err.status(), err.code()),
            (Some(429), Some("too_many_attempts")),
            "through {name}: {err:?}"
        );
        match err {
            ssap_api::ApiError::Status {
                retry_after_secs, ..
            } => {
                let secs = retry_after_secs.expect("Retry-After header");
                assert!((1..=60).contains(&secs), "through {name}: {secs}");
            }
            other => panic!("through {name}: {other:?}"),
        }
    }

    // The throttle is the device's: another device signs in through either server.
    let other = register_keeping_credential(http_b.base(), &org.created.connect_key, &mac()).await;
    for (name, http) in [("A", &http_a), ("B", &http_b)] {
        DeviceClient::new(
            http.clone(),
            other.device_id.clone(),
            other.device_credential.clone(),
        )
        .authenticate(&login("fay@acme.test", PASSWORD))
        .await
        .unwrap_or_else(|e| panic!("another device through {name}: {e:?}"));
    }
    let throttled = org
        .admin
        .audit()
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.reason.as_deref() == Some("too_many_attempts"))
        .count();
    assert_eq!(throttled, 2, "both refusals audited");
    a.shutdown().await;
    b.shutdown().await;
}

/// Two servers over one database with an org whose macOS toggle is on.
async fn two_servers_one_org(dir: &tempfile::TempDir) -> (RunningPair, Org) {
    let db = dir.path().join("shared.sqlite");
    let (a, b) = (start_on(&db).await, start_on(&db).await);
    let (http_a, http_b) = (http(&a), http(&b));
    let org = new_org(&http_a, "Acme").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggle on");
    (
        RunningPair {
            servers: [a, b],
            http: [http_a, http_b],
        },
        org,
    )
}

struct RunningPair {
    servers: [ssap_control_plane::RunningServer; 2],
    http: [ssap_api::Http; 2],
}

impl RunningPair {
    /// One registered Mac, as a client of each server.
    async fn device(&self, org: &Org) -> [DeviceClient; 2] {
        let reg =
            register_keeping_credential(self.http[0].base(), &org.created.connect_key, &mac())
                .await;
        [0, 1].map(|i| {
            DeviceClient::new(
                self.http[i].clone(),
                reg.device_id.clone(),
                reg.device_credential.clone(),
            )
        })
    }

    async fn shutdown(self) {
        let [a, b] = self.servers;
        a.shutdown().await;
        b.shutdown().await;
    }
}

/// R60 and single-use tickets across servers, on each of many devices at once: one ticket
/// redeemed through both servers under two idempotency keys binds once (the other is the used
/// ticket's refusal, not a storage error), and one request sent to both servers at once (same
/// ticket, same key) binds once and answers both with the same association.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_ticket_and_one_idempotency_key_raced_through_two_servers_bind_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (pair, org) = two_servers_one_org(&dir).await;
    let mut races = Vec::new();
    for i in 0..DEVICES {
        let email = format!("uma{i}@acme.test");
        org.user(&email).await;
        let [on_a, on_b] = pair.device(&org).await;
        let ticket = on_a
            .authenticate(&login(&email, PASSWORD))
            .await
            .expect("signed in")
            .ticket;
        let same_key = i % 2 == 0;
        races.push(tokio::spawn(async move {
            let (req_a, req_b) = if same_key {
                (provision_req(&ticket, "k"), provision_req(&ticket, "k"))
            } else {
                (provision_req(&ticket, "x"), provision_req(&ticket, "y"))
            };
            let (x, y) = tokio::join!(on_a.provision(&req_a), on_b.provision(&req_b));
            (same_key, x, y, on_a)
        }));
    }
    for (i, race) in races.into_iter().enumerate() {
        let (same_key, x, y, on_a) = race.await.expect("race task");
        let bound = on_a.associations().await.expect("associations");
        assert_eq!(bound.len(), 1, "device {i}: one association: {bound:?}");
        if same_key {
            let (x, y) = (x.expect("first answer"), y.expect("replayed answer"));
            assert_eq!(x, y, "device {i}: one request, one answer");
            assert_eq!(bound, vec![x]);
        } else {
            let (won, lost) = match (x, y) {
                (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
                other => panic!("device {i}: exactly one key may redeem the ticket: {other:?}"),
            };
            assert_eq!(
                (lost.status(), lost.code()),
                (Some(401), Some("ticket_invalid")),
                "device {i}: the second redemption is the used ticket's refusal"
            );
            assert_eq!(bound, vec![won]);
        }
    }
    let provisions = org
        .admin
        .audit()
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "provision" && e.outcome == "success")
        .count();
    assert_eq!(provisions, DEVICES, "one audited provision per device");
    pair.shutdown().await;
}

/// R42's lock across servers: wrong passwords for one user, sent at once through both servers
/// (from several devices, each under its own throttle), are all counted, so the user is locked
/// once at the limit. Counted by read-and-write on two servers without the user's lock, two
/// failures would count as one and the right password would then open the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_raced_through_two_servers_lock_the_user() {
    const USERS: usize = 48;
    let limit = ssap_api::limits::LOCK_AFTER_WRONG_PASSWORDS as usize;
    let dir = tempfile::tempdir().expect("temp dir");
    let (pair, org) = two_servers_one_org(&dir).await;
    // Each device takes `limit` failures, under its throttle of ten a minute.
    let mut devices = Vec::new();
    for _ in 0..USERS {
        devices.push(pair.device(&org).await);
    }
    let mut attempts = Vec::new();
    for u in 0..USERS {
        let email = format!("ned{u}@acme.test");
        org.user(&email).await;
        for k in 0..limit {
            let device = devices[(u + k) % USERS][k % 2].clone();
            let email = email.clone();
            attempts.push(tokio::spawn(async move {
                device.authenticate(&login(&email, "wrong")).await
            }));
        }
    }
    for attempt in attempts {
        let err = attempt
            .await
            .expect("attempt task")
            .expect_err("a wrong password");
        assert_eq!(err.code(), Some("invalid_credentials"), "{err:?}");
    }
    let fresh = pair.device(&org).await;
    for u in 0..USERS {
        let err = fresh[u % 2]
            .authenticate(&login(&format!("ned{u}@acme.test"), PASSWORD))
            .await
            .expect_err("locked after the limit of wrong passwords");
        assert_eq!(err.code(), Some("user_locked"), "user {u}: {err:?}");
    }
    let locks = org
        .admin
        .audit()
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "user.lock")
        .count();
    assert_eq!(locks, USERS, "each user locked once");
    pair.shutdown().await;
}
