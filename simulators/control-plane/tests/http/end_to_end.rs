use ssap_api::{BindSource, OrgSettings, OrgSettingsPatch, PermissionLevel};

use crate::common::*;

/// The whole happy path through HTTP, then a restart on the same file keeps the association.
#[tokio::test]
async fn provision_survives_restart() {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    assert_eq!(
        org.admin.settings().await.expect("settings"),
        OrgSettings::default(),
        "R01: both toggles off by default"
    );
    let alice = org.user("alice@acme.test").await;
    assert!(alice.has_password);
    let reg = register_keeping_credential(env.server.url(), &org.created.connect_key, &mac()).await;
    let device = ssap_api::DeviceClient::new(
        env.http.clone(),
        reg.device_id.clone(),
        reg.device_credential.clone(),
    );

    let before = device.login_window().await.expect("login window");
    assert!(!before.ssap_enabled && !before.offer_sign_in);

    let settings = org
        .admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggle on");
    assert!(settings.macos_ssap && !settings.windows_ssap);
    let cfg = device.login_window().await.expect("login window");
    assert!(cfg.ssap_enabled && cfg.offer_sign_in && cfg.managed_users.is_empty());

    let auth = device
        .authenticate(&login("Alice@Acme.test", PASSWORD))
        .await
        .expect("authenticate");
    assert_eq!(auth.user_id, alice.id);
    assert_eq!(auth.display_name, "Test User");
    assert_eq!(auth.permission, PermissionLevel::Standard);
    assert!(auth.password_sync);
    let assoc = device
        .provision(&provision_req(&auth.ticket, "key-1"))
        .await
        .expect("provision");
    assert_eq!(assoc.source, BindSource::SelfService);
    assert_eq!(assoc.user_id, alice.id);
    assert_eq!(assoc.device_id, device.device_id());

    let after = device.login_window().await.expect("login window");
    assert!(!after.offer_sign_in, "R44: one-time provisioning");
    assert_eq!(after.managed_users, vec![assoc.clone()]);

    let dir = env.dir;
    let db = dir.path().join("cp.sqlite");
    env.server.shutdown().await;

    let server = start_on(&db).await;
    let http = http(&server);
    let admin = ssap_api::AdminClient::new(http.clone(), org.created.api_key.clone());
    let device2 = ssap_api::DeviceClient::new(http, reg.device_id, reg.device_credential);
    assert_eq!(
        admin
            .associations(device.device_id())
            .await
            .expect("admin view"),
        vec![assoc.clone()]
    );
    assert_eq!(
        device2.associations().await.expect("device view"),
        vec![assoc.clone()]
    );
    let cfg = device2.login_window().await.expect("login window");
    assert!(cfg.ssap_enabled && !cfg.offer_sign_in);
    assert_eq!(cfg.managed_users, vec![assoc]);
    assert!(
        admin.settings().await.expect("settings").macos_ssap,
        "settings survive too"
    );
    let audit = admin.audit().await.expect("audit");
    let actions: Vec<_> = audit.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"provision") && actions.contains(&"settings.update"));
    server.shutdown().await;
}
