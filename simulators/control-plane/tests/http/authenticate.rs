// rstest tables: one argument per column reads better than a struct per row.
#![allow(clippy::too_many_arguments)]

use rstest::rstest;
use ssap_api::{
    JoinState, NewAssociation, NewUser, OrgSettingsPatch, Os, UserPatch, UserState, WindowsSsapMode,
};

use crate::common::*;

async fn mac_org_on(env: &Env) -> Org {
    let org = env.org("Acme").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            windows_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggles on");
    org
}

fn staged(u: &mut NewUser) {
    u.state = UserState::Staged;
}
fn suspended(u: &mut NewUser) {
    u.state = UserState::Suspended;
}
fn locked(u: &mut NewUser) {
    u.locked = true;
}
fn expired(u: &mut NewUser) {
    u.password_expired = true;
}
fn no_password(u: &mut NewUser) {
    u.password = None;
}
fn mfa_not_enrolled(u: &mut NewUser) {
    u.mfa_enforced = true;
    u.mfa_enrolled = false;
}
fn active(_: &mut NewUser) {}

/// R41, R45, R47: each user state, with the right password; and the same states with a wrong
/// password all answer `invalid_credentials`, so state is revealed only to the password holder.
/// A user without a password has nothing to prove with, so they get what an unknown email
/// gets (R62); the audit log says why. Cases: (status, code answered, reason audited).
#[rstest]
#[case::active(active, None)]
#[case::mfa_ignored(mfa_not_enrolled, None)]
#[case::staged(staged, Some((403, "user_staged", "user_staged")))]
#[case::suspended(suspended, Some((403, "user_suspended", "user_suspended")))]
#[case::locked(locked, Some((403, "user_locked", "user_locked")))]
#[case::password_expired(expired, Some((403, "password_expired", "password_expired")))]
#[case::no_password(no_password, Some((401, "invalid_credentials", "no_password")))]
#[tokio::test]
async fn user_states(#[case] tweak: fn(&mut NewUser), #[case] refusal: Option<(u16, &str, &str)>) {
    let env = Env::new().await;
    let org = mac_org_on(&env).await;
    let mut new = user("bob@acme.test");
    tweak(&mut new);
    let has_password = new.password.is_some();
    org.admin.create_user(&new).await.expect("create user");
    let device = org.device(mac()).await;

    let right = device.authenticate(&login("bob@acme.test", PASSWORD)).await;
    match refusal {
        None => {
            let ok = right.expect("authenticated");
            assert!(!ok.ticket.is_empty());
        }
        Some((status, c, _)) => assert_eq!(code(right), (status, c.to_string())),
    }
    if has_password {
        assert_eq!(
            code(device.authenticate(&login("bob@acme.test", "wrong")).await),
            (401, "invalid_credentials".into())
        );
    }
    let audit = org.admin.audit().await.expect("audit");
    let last_auth = audit
        .iter()
        .find(|e| e.action == "authenticate")
        .expect("authenticate audited");
    assert_eq!(last_auth.actor, format!("device:{}", device.device_id()));
    match refusal {
        None => assert_eq!(last_auth.outcome, "success"),
        Some((_, _, reason)) => {
            assert_eq!(last_auth.outcome, "refused");
            assert_eq!(last_auth.reason.as_deref(), Some(reason));
        }
    }
}

#[tokio::test]
async fn unknown_user_and_wrong_password_look_the_same() {
    let env = Env::new().await;
    let org = mac_org_on(&env).await;
    org.user("carol@acme.test").await;
    let device = org.device(mac()).await;
    let unknown = code(
        device
            .authenticate(&login("nobody@acme.test", PASSWORD))
            .await,
    );
    let wrong = code(device.authenticate(&login("carol@acme.test", "nope")).await);
    assert_eq!(unknown, (401, "invalid_credentials".into()));
    assert_eq!(unknown, wrong);
    let reasons: Vec<_> = org
        .admin
        .audit()
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "authenticate")
        .map(|e| e.reason.unwrap_or_default())
        .collect();
    assert_eq!(reasons, vec!["unknown_user", "wrong_password"]);
}

/// R18, R11, R03: the device itself refuses before any password is looked at.
#[rstest]
#[case::toggle_off(Os::Macos, "", "arm64", JoinState::Workgroup, false, 0, None, (403, "ssap_disabled"))]
#[case::windows_home(Os::Windows, "Home", "x86_64", JoinState::Workgroup, true, 0, None, (403, "device_not_supported"))]
#[case::windows_server(Os::Windows, "Server", "x86_64", JoinState::Workgroup, true, 0, None, (403, "device_not_supported"))]
#[case::windows_arm(Os::Windows, "Pro", "arm64", JoinState::Workgroup, true, 0, None, (403, "device_not_supported"))]
#[case::entra(Os::Windows, "Enterprise", "x86_64", JoinState::EntraId, true, 0, None, (403, "device_not_supported"))]
#[case::mac_ad(Os::Macos, "", "x86_64", JoinState::ActiveDirectory, true, 0, None, (403, "device_not_supported"))]
#[case::mac_managed(Os::Macos, "", "arm64", JoinState::Workgroup, true, 1, None, (409, "device_has_managed_users"))]
#[case::win_first_user_only(Os::Windows, "Pro", "x86_64", JoinState::Workgroup, false, 1, Some(WindowsSsapMode::FirstUserOnly), (409, "device_has_managed_users"))]
#[tokio::test]
async fn device_refusals(
    #[case] os: Os,
    #[case] edition: &str,
    #[case] arch: &str,
    #[case] join: JoinState,
    #[case] toggle: bool,
    #[case] bound: usize,
    #[case] policy: Option<WindowsSsapMode>,
    #[case] expected: (u16, &str),
) {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(toggle),
            windows_ssap: Some(toggle),
            ..Default::default()
        })
        .await
        .expect("settings");
    org.user("dana@acme.test").await;
    let device = org.device(facts(os, edition, arch, join)).await;
    if policy.is_some() {
        org.admin
            .set_windows_policy(device.device_id(), policy)
            .await
            .expect("policy");
    }
    for i in 0..bound {
        let u = org.user(&format!("bound{i}@acme.test")).await;
        org.admin
            .bind(
                device.device_id(),
                &NewAssociation {
                    user_id: u.id,
                    permission: None,
                },
            )
            .await
            .expect("admin bind works whatever the toggles (R05)");
    }
    let cfg = device.login_window().await.expect("login window");
    assert!(!cfg.offer_sign_in);
    assert_eq!(
        code(
            device
                .authenticate(&login("dana@acme.test", PASSWORD))
                .await
        ),
        (expected.0, expected.1.to_string())
    );
    // Same answer with a wrong password: the device is refused before the password is checked.
    assert_eq!(
        code(device.authenticate(&login("dana@acme.test", "x")).await),
        (expected.0, expected.1.to_string())
    );
}

/// R42: five consecutive wrong passwords lock the user, as the directory would.
#[tokio::test]
async fn five_wrong_passwords_lock_the_user() {
    let env = Env::new().await;
    let org = mac_org_on(&env).await;
    let erin = org.user("erin@acme.test").await;
    let device = org.device(mac()).await;
    for _ in 0..4 {
        code(device.authenticate(&login("erin@acme.test", "bad")).await);
    }
    // A success in between resets the count.
    device
        .authenticate(&login("erin@acme.test", PASSWORD))
        .await
        .expect("success resets");
    for _ in 0..4 {
        code(device.authenticate(&login("erin@acme.test", "bad")).await);
    }
    assert!(!org.admin.user(&erin.id).await.expect("user").locked);
    code(device.authenticate(&login("erin@acme.test", "bad")).await);
    assert!(org.admin.user(&erin.id).await.expect("user").locked);
    assert_eq!(
        code(
            device
                .authenticate(&login("erin@acme.test", PASSWORD))
                .await
        ),
        (403, "user_locked".into())
    );
    assert!(org
        .admin
        .audit()
        .await
        .expect("audit")
        .iter()
        .any(|e| e.action == "user.lock" && e.target == "erin@acme.test"));
    // An admin unlock lets the user in again.
    org.admin
        .update_user(
            &erin.id,
            &UserPatch {
                locked: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("unlock");
    device
        .authenticate(&login("erin@acme.test", PASSWORD))
        .await
        .expect("unlocked");
}

/// R42: more than ten failures from one device within a minute are throttled with Retry-After.
#[tokio::test]
async fn device_throttled_after_ten_failures() {
    let env = Env::new().await;
    let org = mac_org_on(&env).await;
    org.user("fay@acme.test").await;
    let device = org.device(mac()).await;
    let other = org.device(mac()).await;
    for i in 0..10 {
        assert_eq!(
            code(
                device
                    .authenticate(&login(&format!("ghost{i}@acme.test"), "x"))
                    .await
            ),
            (401, "invalid_credentials".into())
        );
    }
    let err = device
        .authenticate(&login("fay@acme.test", PASSWORD))
        .await
        .expect_err("throttled");
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.code(), Some("too_many_attempts"));
    match err {
        ssap_api::ApiError::Status {
            retry_after_secs, ..
        } => {
            let secs = retry_after_secs.expect("Retry-After header");
            assert!((1..=60).contains(&secs), "{secs}");
        }
        other => panic!("{other:?}"),
    }
    other
        .authenticate(&login("fay@acme.test", PASSWORD))
        .await
        .expect("another device is not throttled");
}
