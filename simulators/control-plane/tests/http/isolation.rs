//! R61: nothing of org A can be read or changed with org B's credentials, and admin and device
//! credentials are not interchangeable.

use ssap_api::{
    AdminClient, DeviceClient, NewAssociation, OrgSettingsPatch, UserPatch, WindowsSsapMode,
};

use crate::common::*;

#[tokio::test]
async fn org_b_cannot_touch_org_a() {
    let env = Env::new().await;
    let a = env.org("A").await;
    let b = env.org("B").await;
    for org in [&a, &b] {
        org.admin
            .update_settings(&OrgSettingsPatch {
                macos_ssap: Some(true),
                windows_ssap: Some(true),
                ..Default::default()
            })
            .await
            .expect("toggles");
    }
    let a_user = a.user("alice@a.test").await;
    let a_free = a.user("free@a.test").await;
    let reg =
        register_keeping_credential(env.server.url(), &a.created.connect_key, &windows()).await;
    let a_device = DeviceClient::new(
        env.http.clone(),
        reg.device_id.clone(),
        reg.device_credential.clone(),
    );
    let a_assoc = sign_in(&a_device, "alice@a.test", "k")
        .await
        .expect("provision in A");
    let a_ticket = a_device.authenticate(&login("free@a.test", PASSWORD)).await;
    // A's device now has a managed user, so the second sign-in is refused; keep a ticket from
    // a fresh device of A to try from B.
    assert!(a_ticket.is_err());
    let a_other = a.device(mac()).await;
    let a_ticket = a_other
        .authenticate(&login("free@a.test", PASSWORD))
        .await
        .expect("ticket in A");

    let snapshot = (
        a.admin.users().await.expect("users"),
        a.admin.devices().await.expect("devices"),
        a.admin
            .associations(a_device.device_id())
            .await
            .expect("assoc"),
        a.admin.settings().await.expect("settings"),
        a.admin.audit().await.expect("audit"),
    );

    let b_device = b.device(windows()).await;
    b.user("alice@a.test").await; // same email in B is a different user
    let nf = (404, "not_found".to_string());
    let dev = a_device.device_id();
    let bad = &b.admin;
    assert_eq!(code(bad.user(&a_user.id).await), nf);
    assert_eq!(
        code(
            bad.update_user(
                &a_user.id,
                &UserPatch {
                    locked: Some(true),
                    ..Default::default()
                }
            )
            .await
        ),
        nf
    );
    assert_eq!(code(bad.device(dev).await), nf);
    assert_eq!(code(bad.associations(dev).await), nf);
    assert_eq!(
        code(
            bad.bind(
                dev,
                &NewAssociation {
                    user_id: a_free.id.clone(),
                    permission: None
                }
            )
            .await
        ),
        nf
    );
    assert_eq!(
        code(
            bad.bind(
                b_device.device_id(),
                &NewAssociation {
                    user_id: a_free.id.clone(),
                    permission: None
                }
            )
            .await
        ),
        nf,
        "A's user onto B's device"
    );
    assert_eq!(code(bad.unbind(dev, &a_user.id).await), nf);
    assert_eq!(code(bad.set_login_window_text(dev, Some("x")).await), nf);
    assert_eq!(code(bad.set_login_window_text(dev, None).await), nf);
    assert_eq!(
        code(
            bad.set_windows_policy(dev, Some(WindowsSsapMode::MultipleUsers))
                .await
        ),
        nf
    );
    assert_eq!(code(bad.set_windows_policy(dev, None).await), nf);
    assert!(bad
        .users()
        .await
        .expect("B users")
        .iter()
        .all(|u| u.id != a_user.id && u.id != a_free.id));
    assert!(bad
        .devices()
        .await
        .expect("B devices")
        .iter()
        .all(|d| d.id != dev && d.id != a_other.device_id()));
    assert!(bad
        .audit()
        .await
        .expect("B audit")
        .iter()
        .all(|e| !e.target.contains("a.test") || e.target == "alice@a.test"));

    // B's device: A's ticket is not valid there; A's free user is unknown there.
    assert_eq!(
        code(
            b_device
                .provision(&provision_req(&a_ticket.ticket, "x"))
                .await
        ),
        (401, "ticket_invalid".into())
    );
    assert_eq!(
        code(b_device.authenticate(&login("free@a.test", PASSWORD)).await),
        (401, "invalid_credentials".into())
    );
    assert!(b_device.associations().await.expect("B list").is_empty());

    // Credentials are per audience.
    let unauth = (401, "unauthorized".to_string());
    let device_as_admin = AdminClient::new(env.http.clone(), reg.device_credential.clone());
    assert_eq!(code(device_as_admin.users().await), unauth);
    assert_eq!(code(device_as_admin.settings().await), unauth);
    let admin_as_device = DeviceClient::new(env.http.clone(), "x", a.created.api_key.clone());
    assert_eq!(code(admin_as_device.associations().await), unauth);
    assert_eq!(code(admin_as_device.login_window().await), unauth);
    let connect_as_admin = AdminClient::new(env.http.clone(), a.created.connect_key.clone());
    assert_eq!(code(connect_as_admin.audit().await), unauth);

    let after = (
        a.admin.users().await.expect("users"),
        a.admin.devices().await.expect("devices"),
        a.admin
            .associations(a_device.device_id())
            .await
            .expect("assoc"),
        a.admin.settings().await.expect("settings"),
        a.admin.audit().await.expect("audit"),
    );
    assert_eq!(snapshot, after, "nothing of A changed");
    assert_eq!(after.2, vec![a_assoc]);
}
