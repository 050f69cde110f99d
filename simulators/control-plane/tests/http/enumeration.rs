//! R62: before the password proves who is signing in, a device learns nothing about the email
//! it typed. Unknown email, no password, staged, suspended, locked and expired (with a wrong
//! password) get the same refusal, byte for byte, after the same work; only the audit log
//! names the real reason. The work is counted (`GET /api/admin/sign-in-work`: one password-hash
//! check per attempt, whoever it names) and asserted; timings are printed (`--nocapture`),
//! never asserted.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ssap_api::{ApiError, Http, NewUser, OrgSettingsPatch, UserState};
use ssap_control_plane::{start, Config, HashCost};

use crate::common::*;

/// Wrong-password attempts per case, each from a fresh device (the device throttle allows
/// ten failures a minute).
const ATTEMPTS: usize = 5;

/// How a case's user is made from the default one.
type Tweak = fn(&mut NewUser);

/// The reason the audit log must record for a case, and how its user is made.
fn case(name: &str) -> Option<(&'static str, Tweak)> {
    Some(match name {
        "unknown email" => ("unknown_user", |_| {}),
        "no password" => ("no_password", |u| u.password = None),
        "staged" => ("user_staged", |u| u.state = UserState::Staged),
        "suspended" => ("user_suspended", |u| u.state = UserState::Suspended),
        "locked" => ("user_locked", |u| u.locked = true),
        "password expired" => ("password_expired", |u| u.password_expired = true),
        _ => return None,
    })
}

#[tokio::test]
async fn before_proof_every_refusal_is_the_same_and_only_the_audit_knows_why() {
    // Real password-hash cost, so that skipping the hash check would show in the timings.
    let dir = tempfile::tempdir().expect("temp dir");
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("loopback address");
    let server = start(
        Config {
            database: database(&dir.path().join("cp.sqlite")),
            operator_token: OPERATOR_TOKEN.into(),
            hash_cost: HashCost::Default,
            // A server started for testing, so that it counts its sign-ins' work.
            virtual_clock: true,
        },
        addr,
    )
    .await
    .expect("server starts");
    let http = Http::new(server.url(), Duration::from_secs(30)).expect("http client");
    let org = new_org(&http, "Enumeration").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggle on");

    let mut replies = Vec::new();
    for name in [
        "unknown email",
        "no password",
        "staged",
        "suspended",
        "locked",
        "password expired",
    ] {
        let (reason, tweak) = case(name).expect("known case");
        let email = format!("{}@acme.test", name.replace(' ', "-"));
        if name != "unknown email" {
            let mut u = user(&email);
            tweak(&mut u);
            org.admin.create_user(&u).await.expect("create user");
        }
        let mut times = Vec::new();
        for _ in 0..ATTEMPTS {
            let device = org.device(mac()).await;
            let checks_before = org
                .admin
                .sign_in_work()
                .await
                .expect("work")
                .password_checks;
            let started = Instant::now();
            let reply = device
                .authenticate(&login(&email, "not-the-password"))
                .await;
            times.push(started.elapsed());
            let checks = org
                .admin
                .sign_in_work()
                .await
                .expect("work")
                .password_checks;
            assert_eq!(
                checks - checks_before,
                1,
                "{name}: one password-hash check, as for every attempt before proof"
            );
            match reply {
                Err(ApiError::Status {
                    status,
                    code,
                    message,
                    ..
                }) => replies.push((name, status, code, message)),
                other => panic!("{name}: expected a refusal, got {other:?}"),
            }
        }
        times.sort();
        println!(
            "R62 timing, {name:>16}: median {:>6.1} ms, min {:>6.1} ms, max {:>6.1} ms ({ATTEMPTS} attempts)",
            times[ATTEMPTS / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            times[ATTEMPTS - 1].as_secs_f64() * 1e3,
        );
        let audit = org.admin.audit().await.expect("audit");
        let reasons: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "authenticate" && e.target == email)
            .map(|e| (e.outcome.as_str(), e.reason.as_deref()))
            .collect();
        assert_eq!(
            reasons,
            vec![("refused", Some(reason)); ATTEMPTS],
            "{name}: the audit log names the real reason"
        );
    }
    let first = &replies[0];
    for r in &replies {
        assert_eq!(
            (r.1, &r.2, &r.3),
            (first.1, &first.2, &first.3),
            "{} answers differently from {}",
            r.0,
            first.0
        );
    }
    assert_eq!((first.1, first.2.as_str()), (401, "invalid_credentials"));
    server.shutdown().await;
}
