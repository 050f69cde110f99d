use ssap_api::{
    BindSource, MfaFactor, NewAssociation, OrgSettingsPatch, PermissionLevel, WindowsSsapMode,
};

use crate::common::*;

async fn org_on(env: &Env) -> Org {
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

fn provisions(audit: &[ssap_api::AuditEvent]) -> usize {
    audit
        .iter()
        .filter(|e| e.action == "provision" && e.outcome == "success")
        .count()
}

/// R60: a retry after a lost reply returns the first answer and provisions once.
#[tokio::test]
async fn same_request_twice_gives_one_association_and_the_same_reply() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    org.user("gus@acme.test").await;
    let device = org.device(mac()).await;
    let auth = device
        .authenticate(&login("gus@acme.test", PASSWORD))
        .await
        .expect("auth");
    let req = provision_req(&auth.ticket, "attempt-1");
    let first = device.provision(&req).await.expect("first");
    let second = device.provision(&req).await.expect("replay");
    assert_eq!(first, second);
    assert_eq!(device.associations().await.expect("list"), vec![first]);
    assert_eq!(provisions(&org.admin.audit().await.expect("audit")), 1);
}

#[tokio::test]
async fn ticket_is_single_use_and_bound_to_its_device() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    org.user("hal@acme.test").await;
    let device = org.device(mac()).await;
    let other = org.device(mac()).await;
    let auth = device
        .authenticate(&login("hal@acme.test", PASSWORD))
        .await
        .expect("auth");
    assert_eq!(
        code(other.provision(&provision_req(&auth.ticket, "k")).await),
        (401, "ticket_invalid".into())
    );
    assert_eq!(
        code(device.provision(&provision_req("made-up", "k")).await),
        (401, "ticket_invalid".into())
    );
    device
        .provision(&provision_req(&auth.ticket, "k1"))
        .await
        .expect("provision");
    assert_eq!(
        code(device.provision(&provision_req(&auth.ticket, "k2")).await),
        (401, "ticket_invalid".into())
    );
    assert!(other.associations().await.expect("list").is_empty());
}

#[tokio::test]
async fn same_key_for_another_user_is_a_mismatch() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    org.user("ivy@acme.test").await;
    org.user("jon@acme.test").await;
    let device = org.device(windows()).await;
    org.admin
        .set_windows_policy(device.device_id(), Some(WindowsSsapMode::MultipleUsers))
        .await
        .expect("policy");
    sign_in(&device, "ivy@acme.test", "shared-key")
        .await
        .expect("ivy");
    let jon = device
        .authenticate(&login("jon@acme.test", PASSWORD))
        .await
        .expect("jon may still sign in: multiple users");
    assert_eq!(
        code(
            device
                .provision(&provision_req(&jon.ticket, "shared-key"))
                .await
        ),
        (409, "idempotency_mismatch".into())
    );
    let second = device
        .provision(&provision_req(&jon.ticket, "jon-key"))
        .await
        .expect("jon with his own key");
    assert_eq!(second.username, "jon");
    assert_eq!(device.associations().await.expect("list").len(), 2);
    assert!(device.login_window().await.expect("cfg").offer_sign_in);
}

/// R44: two users authenticated on one fresh device race to provision; exactly one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_users_cannot_both_provision() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    org.user("kim@acme.test").await;
    org.user("lee@acme.test").await;
    let device = org.device(mac()).await;
    let kim = device
        .authenticate(&login("kim@acme.test", PASSWORD))
        .await
        .expect("kim");
    let lee = device
        .authenticate(&login("lee@acme.test", PASSWORD))
        .await
        .expect("lee");
    let (d1, d2) = (device.clone(), device.clone());
    let a = tokio::spawn(async move { d1.provision(&provision_req(&kim.ticket, "a")).await });
    let b = tokio::spawn(async move { d2.provision(&provision_req(&lee.ticket, "b")).await });
    let (a, b) = (a.await.expect("task"), b.await.expect("task"));
    let (won, lost) = match (a, b) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        other => panic!("exactly one must win: {other:?}"),
    };
    assert_eq!(lost.code(), Some("device_has_managed_users"));
    assert_eq!(device.associations().await.expect("list"), vec![won]);
}

/// Provisioning a user the admin already bound answers with the existing association.
#[tokio::test]
async fn already_bound_user_gets_the_existing_association() {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    let mo = org.user("mo@acme.test").await;
    let device = org.device(windows()).await;
    // Toggle off, policy on: the policy takes precedence (R03).
    org.admin
        .set_windows_policy(device.device_id(), Some(WindowsSsapMode::MultipleUsers))
        .await
        .expect("policy");
    let bound = org
        .admin
        .bind(
            device.device_id(),
            &NewAssociation {
                user_id: mo.id.clone(),
                permission: Some(PermissionLevel::Administrator),
            },
        )
        .await
        .expect("bind");
    assert_eq!(bound.source, BindSource::Admin);
    assert_eq!(bound.permission, PermissionLevel::Administrator);
    let got = sign_in(&device, "mo@acme.test", "k")
        .await
        .expect("provision");
    assert_eq!(got, bound);
    assert_eq!(device.associations().await.expect("list").len(), 1);
}

#[tokio::test]
async fn org_permission_and_password_sync_apply_to_self_service() {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            permission_level: Some(PermissionLevel::Administrator),
            password_sync: Some(false),
            ..Default::default()
        })
        .await
        .expect("settings");
    org.user("ned@acme.test").await;
    let device = org.device(mac()).await;
    let a = sign_in(&device, "ned@acme.test", "k")
        .await
        .expect("provision");
    assert_eq!(a.permission, PermissionLevel::Administrator);
    assert!(!a.password_sync);
    assert_eq!(a.source, BindSource::SelfService);
}

#[tokio::test]
async fn policies_and_unbind() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    let ola = org.user("ola@acme.test").await;
    let mac_device = org.device(mac()).await;
    assert_eq!(
        code(
            org.admin
                .set_windows_policy(mac_device.device_id(), Some(WindowsSsapMode::MultipleUsers))
                .await
        ),
        (400, "bad_request".into())
    );
    org.admin
        .set_login_window_text(mac_device.device_id(), Some("Property of Acme"))
        .await
        .expect("text");
    let cfg = mac_device.login_window().await.expect("cfg");
    assert_eq!(cfg.login_window_text.as_deref(), Some("Property of Acme"));
    org.admin
        .set_login_window_text(mac_device.device_id(), None)
        .await
        .expect("clear");
    assert_eq!(
        mac_device
            .login_window()
            .await
            .expect("cfg")
            .login_window_text,
        None
    );

    let a = sign_in(&mac_device, "ola@acme.test", "k")
        .await
        .expect("provision");
    assert!(!mac_device.login_window().await.expect("cfg").offer_sign_in);
    org.admin
        .unbind(mac_device.device_id(), &a.user_id)
        .await
        .expect("unbind");
    assert!(
        mac_device.login_window().await.expect("cfg").offer_sign_in,
        "R14"
    );
    assert_eq!(
        code(org.admin.unbind(mac_device.device_id(), &ola.id).await),
        (404, "not_found".into())
    );
    let actions: Vec<_> = org
        .admin
        .audit()
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in [
        "org.create",
        "settings.update",
        "user.create",
        "device.register",
        "policy.login_window_text.set",
        "policy.login_window_text.delete",
        "authenticate",
        "provision",
        "association.delete",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
}

#[tokio::test]
async fn endpoint_refusals_are_audited() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    let device = org.device(mac()).await;
    device
        .report_attempt(&ssap_api::AttemptReport {
            email: "pat@acme.test".into(),
            reason: "account_exists".into(),
        })
        .await
        .expect("report");
    let audit = org.admin.audit().await.expect("audit");
    let last = audit.last().expect("an event");
    assert_eq!(
        (
            last.action.as_str(),
            last.outcome.as_str(),
            last.reason.as_deref()
        ),
        ("provision", "refused", Some("account_exists"))
    );
    assert_eq!(last.target, "pat@acme.test");
}

/// Many devices provisioning at once: every one succeeds once, the writer batches them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_provisioning_across_devices() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let email = format!("user{i}@acme.test");
        org.user(&email).await;
        let device = org.device(mac()).await;
        tasks.push(tokio::spawn(async move {
            let key = format!("key-{i}");
            let a = sign_in(&device, &email, &key).await?;
            let again = sign_in(&device, &email, &key).await;
            Ok::<_, ssap_api::ApiError>((a, again.map_err(|e| e.code().map(str::to_string))))
        }));
    }
    for t in tasks {
        let (a, again) = t.await.expect("task").expect("provisioned");
        assert_eq!(a.source, BindSource::SelfService);
        // A second sign-in on the now-managed device is refused before the password.
        assert_eq!(again, Err(Some("device_has_managed_users".to_string())));
    }
    assert_eq!(provisions(&org.admin.audit().await.expect("audit")), 32);
}

/// Whether MFA is asked at the next login, as each view of the device's one association says:
/// the sign-in reply, the provision reply, the device's associations and login-window
/// configuration, and the admin's associations.
async fn mfa_views(org: &Org, device: &ssap_api::DeviceClient) -> Vec<bool> {
    let mut views: Vec<bool> = device
        .associations()
        .await
        .expect("device associations")
        .iter()
        .map(|a| a.mfa_enforced)
        .collect();
    views.extend(
        device
            .login_window()
            .await
            .expect("login window")
            .managed_users
            .iter()
            .map(|a| a.mfa_enforced),
    );
    views.extend(
        org.admin
            .associations(device.device_id())
            .await
            .expect("admin associations")
            .iter()
            .map(|a| a.mfa_enforced),
    );
    views
}

/// R45: an MFA policy bound to a device (macOS or Windows) makes every view of its
/// associations say MFA is enforced for a user without MFA of their own, from the sign-in
/// reply on; provisioning itself goes through (MFA is not asked). The user's own record keeps
/// their flag, a device without the policy is untouched, removing it restores the user's own
/// flag, both changes are audited, and an unknown device is 404.
#[tokio::test]
async fn a_device_mfa_policy_enforces_mfa_at_the_next_login() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    let kim = org.user("kim@acme.test").await;
    assert!(!kim.mfa_enforced);
    for facts in [mac(), windows()] {
        let device = org.device(facts.clone()).await;
        let other = org.device(facts).await;
        org.admin
            .set_mfa_policy(device.device_id(), Some(MfaFactor::Totp))
            .await
            .expect("bind the MFA policy");
        let auth = device
            .authenticate(&login("kim@acme.test", PASSWORD))
            .await
            .expect("MFA is not asked while signing in");
        assert!(auth.mfa_enforced, "the sign-in reply folds in the policy");
        let assoc = device
            .provision(&provision_req(
                &auth.ticket,
                &format!("k-{}", device.device_id()),
            ))
            .await
            .expect("MFA is not asked while provisioning");
        assert!(
            assoc.mfa_enforced,
            "the provision reply folds in the policy"
        );
        assert_eq!(mfa_views(&org, &device).await, vec![true; 3]);
        assert!(!org.admin.user(&kim.id).await.expect("user").mfa_enforced);

        org.admin
            .bind(
                other.device_id(),
                &NewAssociation {
                    user_id: kim.id.clone(),
                    permission: None,
                },
            )
            .await
            .expect("bind kim elsewhere");
        assert_eq!(mfa_views(&org, &other).await, vec![false; 3]);

        org.admin
            .set_mfa_policy(device.device_id(), None)
            .await
            .expect("remove the MFA policy");
        assert_eq!(mfa_views(&org, &device).await, vec![false; 3]);
        org.admin
            .set_mfa_policy(device.device_id(), None)
            .await
            .expect("removing it again is no error");

        let audit = org.admin.audit().await.expect("audit");
        let target = format!("device {}", device.device_id());
        for action in ["policy.mfa.set", "policy.mfa.delete"] {
            assert!(
                audit
                    .iter()
                    .any(|e| e.action == action && e.target == target && e.outcome == "success"),
                "{action} for {target} in {audit:?}"
            );
        }
    }
    assert_eq!(
        code(
            org.admin
                .set_mfa_policy("no-such-device", Some(MfaFactor::Totp))
                .await
        ),
        (404, "not_found".into())
    );
    assert_eq!(
        code(org.admin.set_mfa_policy("no-such-device", None).await),
        (404, "not_found".into())
    );
}

/// R45: the user's own MFA and the device's policy add up; removing the policy leaves the
/// user's own enforcement in place.
#[tokio::test]
async fn a_user_with_mfa_of_their_own_keeps_it_without_the_device_policy() {
    let env = Env::new().await;
    let org = org_on(&env).await;
    let lou = org.user("lou@acme.test").await;
    org.admin
        .update_user(
            &lou.id,
            &ssap_api::UserPatch {
                mfa_enforced: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("enforce MFA on lou");
    let device = org.device(windows()).await;
    org.admin
        .set_mfa_policy(device.device_id(), Some(MfaFactor::Totp))
        .await
        .expect("bind");
    sign_in(&device, "lou@acme.test", "lou-key")
        .await
        .expect("provision");
    assert_eq!(mfa_views(&org, &device).await, vec![true; 3]);
    org.admin
        .set_mfa_policy(device.device_id(), None)
        .await
        .expect("remove");
    assert_eq!(mfa_views(&org, &device).await, vec![true; 3]);
}
