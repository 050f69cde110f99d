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

/// What org B's credential (or a credential of the wrong audience) must get from one
/// operation aimed at org A's objects.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// 404 not_found: A's object does not exist for B.
    NotFound,
    /// A refusal with this status and code.
    Refused(u16, &'static str),
    /// The call succeeds on B's own org; the body names nothing of A.
    OwnOrg(u16),
    /// No credential at all: public.
    Public,
}

/// One cross-org case per operation of the OpenAPI document: B's credential of the
/// operation's own audience, aimed at A's objects. A new route in the document without a case
/// here fails the test.
fn cross_org_cases() -> Vec<(&'static str, Expect)> {
    use Expect::*;
    vec![
        ("GET /healthz", Public),
        ("GET /openapi.json", Public),
        // Orgs are global: the operator is not a tenant. Its isolation is the audience test.
        ("POST /api/operator/orgs", OwnOrg(201)),
        ("GET /api/admin/settings", OwnOrg(200)),
        ("PATCH /api/admin/settings", OwnOrg(200)),
        ("GET /api/admin/users", OwnOrg(200)),
        ("POST /api/admin/users", OwnOrg(201)),
        ("GET /api/admin/users/{id}", NotFound),
        ("PATCH /api/admin/users/{id}", NotFound),
        ("DELETE /api/admin/users/{id}", NotFound),
        ("GET /api/admin/devices", OwnOrg(200)),
        ("GET /api/admin/devices/{id}", NotFound),
        ("GET /api/admin/devices/{id}/associations", NotFound),
        ("POST /api/admin/devices/{id}/associations", NotFound),
        (
            "DELETE /api/admin/devices/{id}/associations/{user_id}",
            NotFound,
        ),
        (
            "PUT /api/admin/devices/{id}/policies/login-window-text",
            NotFound,
        ),
        (
            "DELETE /api/admin/devices/{id}/policies/login-window-text",
            NotFound,
        ),
        (
            "PUT /api/admin/devices/{id}/policies/windows-ssap",
            NotFound,
        ),
        (
            "DELETE /api/admin/devices/{id}/policies/windows-ssap",
            NotFound,
        ),
        ("PUT /api/admin/devices/{id}/policies/mfa", NotFound),
        ("DELETE /api/admin/devices/{id}/policies/mfa", NotFound),
        ("GET /api/admin/audit", OwnOrg(200)),
        // B's own clock: A's does not move.
        ("GET /api/admin/clock", OwnOrg(200)),
        ("POST /api/admin/clock/advance", OwnOrg(200)),
        ("POST /api/admin/clock/freeze", OwnOrg(200)),
        // B's own sign-in work: A's attempts are not counted in it.
        ("GET /api/admin/sign-in-work", OwnOrg(200)),
        // B's own identity provider: set, read, removed (document order: DELETE, GET, PUT).
        ("DELETE /api/admin/identity-provider", OwnOrg(204)),
        ("GET /api/admin/identity-provider", OwnOrg(404)),
        ("PUT /api/admin/identity-provider", OwnOrg(200)),
        ("POST /api/device/register", OwnOrg(201)),
        ("GET /api/device/login-window", OwnOrg(200)),
        ("GET /api/device/associations", OwnOrg(200)),
        (
            "POST /api/device/authenticate",
            Refused(401, ssap_api::codes::INVALID_CREDENTIALS),
        ),
        (
            "POST /api/device/provision",
            Refused(401, ssap_api::codes::TICKET_INVALID),
        ),
        ("POST /api/device/attempts", OwnOrg(204)),
        // A's email is unknown in B: answered like any unknown email.
        ("POST /api/device/sign-in-method", OwnOrg(200)),
        (
            "POST /api/device/authenticate/federated",
            Refused(401, ssap_api::codes::FEDERATION_STATE_INVALID),
        ),
        (
            "POST /api/device/login/federated",
            Refused(401, ssap_api::codes::FEDERATION_STATE_INVALID),
        ),
        // A's user is not bound to B's device: B learns nothing of them.
        ("POST /api/device/mfa/verify", NotFound),
        // No credential but the user's password: A's user with a wrong one is refused.
        (
            "POST /api/portal/users/{id}/mfa/enroll",
            Refused(401, ssap_api::codes::INVALID_CREDENTIALS),
        ),
    ]
}

/// Every operation of the document, driven from its path list: org B's credentials against
/// org A's objects, then every credential of the wrong audience (and none) in the header the
/// operation reads. Afterwards nothing of A has changed.
#[tokio::test]
async fn every_documented_route_is_isolated() {
    use ssap_api::openapi;
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
    let a_win = a.enroll.register(&windows()).await.expect("A device");
    let a_assoc = sign_in(&a_win, "alice@a.test", "k").await.expect("A binds");
    let a_mac = a.enroll.register(&mac()).await.expect("A mac");
    let a_ticket = a_mac
        .authenticate(&login("free@a.test", PASSWORD))
        .await
        .expect("A ticket")
        .ticket;
    let b_dev = b.enroll.register(&windows()).await.expect("B device");

    let snapshot = |org: &'_ Org| {
        let admin = org.admin.clone();
        let devices = [a_win.device_id().to_string(), a_mac.device_id().to_string()];
        async move {
            let mut assocs = Vec::new();
            for d in &devices {
                assocs.push(admin.associations(d).await.expect("assoc"));
            }
            (
                admin.users().await.expect("users"),
                admin.devices().await.expect("devices"),
                assocs,
                admin.settings().await.expect("settings"),
                admin.audit().await.expect("audit"),
            )
        }
    };
    let before = snapshot(&a).await;

    // Everything of A a reply from B's side must not mention.
    let a_marks = [
        a.created.org_id.clone(),
        a_user.id.clone(),
        a_free.id.clone(),
        a_win.device_id().to_string(),
        a_mac.device_id().to_string(),
    ];
    let body_for = |schema: &str| -> Option<serde_json::Value> {
        Some(match schema {
            "NewOrg" => serde_json::json!({"name": "Org C"}),
            "OrgSettingsPatch" => serde_json::json!({"password_sync": false}),
            "NewUser" => serde_json::json!({"email": "new@b.test", "username": "new"}),
            "UserPatch" => serde_json::json!({"locked": true}),
            "NewAssociation" => serde_json::json!({"user_id": a_free.id}),
            "LoginWindowText" => serde_json::json!({"text": "B was here"}),
            "WindowsSsapPolicy" => serde_json::json!({"mode": "multiple_users"}),
            "MfaPolicy" => serde_json::json!({"factor": "totp"}),
            "ClockAdvance" => serde_json::json!({"seconds": 61}),
            "DeviceFacts" => serde_json::to_value(windows()).ok()?,
            "AuthenticateRequest" => {
                serde_json::json!({"email": "free@a.test", "password": PASSWORD})
            }
            "ProvisionRequest" => {
                serde_json::json!({"ticket": a_ticket, "local_name": "free", "idempotency_key": "b-1"})
            }
            "AttemptReport" => {
                serde_json::json!({"email": "alice@a.test", "reason": "account_exists"})
            }
            "IdentityProviderConfig" => serde_json::json!({
                "name": "B's IdP", "issuer": "http://127.0.0.1:9/idp",
                "client_id": "b", "client_secret": "b-secret"
            }),
            "SignInMethodRequest" => serde_json::json!({"email": "alice@a.test"}),
            "MfaVerifyRequest" => serde_json::json!({"user_id": a_user.id, "code": "000000"}),
            "MfaEnrollRequest" => serde_json::json!({"password": "not alice's password"}),
            "FederatedSignIn" => serde_json::json!({
                "code": "c", "state": "not-a-state-of-b",
                "redirect_uri": ssap_api::federation::REDIRECT_URI
            }),
            _ => return None,
        })
    };
    // `{id}` is the user on user routes and the device everywhere else.
    let path_for = |template: &str| {
        let id = if template.starts_with("/api/admin/users/")
            || template.starts_with("/api/portal/users/")
        {
            a_user.id.clone()
        } else {
            a_win.device_id().to_string()
        };
        template
            .replace("{id}", &id)
            .replace("{user_id}", &a_user.id)
    };
    // (header, B's secret of that audience).
    let b_cred = |scheme: &str| -> (&'static str, String) {
        match scheme {
            "adminApiKey" => ("x-api-key", b.created.api_key.clone()),
            "connectKey" => ("x-connect-key", b.created.connect_key.clone()),
            "deviceKey" => ("x-device-key", b_dev.credential().to_string()),
            _ => ("authorization", format!("Bearer {OPERATOR_TOKEN}")),
        }
    };
    // Every secret of A, to be refused wherever it is the wrong audience.
    let a_secrets = [
        ("adminApiKey", a.created.api_key.clone()),
        ("connectKey", a.created.connect_key.clone()),
        ("deviceKey", a_win.credential().to_string()),
        ("operatorBearer", OPERATOR_TOKEN.to_string()),
    ];

    let doc = openapi::document().expect("document");
    let ops = openapi::operations(&doc);
    let cases = cross_org_cases();
    let keys: Vec<String> = ops.iter().map(|o| o.key()).collect();
    for (k, _) in &cases {
        assert!(
            keys.iter().any(|d| d == k),
            "case {k} is not in the document"
        );
    }
    let client = reqwest::Client::new();
    let base = env.server.url().to_string();
    for op in &ops {
        let Some((_, expect)) = cases.iter().find(|(k, _)| *k == op.key()) else {
            panic!(
                "{} has no cross-org case: add one to cross_org_cases",
                op.key()
            );
        };
        let url = format!("{base}{}", path_for(&op.path));
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
        let body = op
            .request
            .as_deref()
            .map(|s| body_for(s).unwrap_or_else(|| panic!("no sample body for schema {s}")));
        let send = |header: Option<(&str, String)>| {
            let mut req = client.request(method.clone(), &url);
            if let Some((h, v)) = header {
                req = req.header(h, v);
            }
            if let Some(b) = &body {
                req = req.json(b);
            }
            async move {
                let resp = req.send().await.expect("answer");
                let status = resp.status().as_u16();
                (status, resp.text().await.unwrap_or_default())
            }
        };
        let scheme = op.security.first().cloned();
        let (status, text) = send(scheme.as_deref().map(b_cred)).await;
        let what = format!("{} with org B's credential", op.key());
        match *expect {
            Expect::Public => assert_eq!(status, 200, "{what}: {text}"),
            Expect::NotFound => {
                assert_eq!(status, 404, "{what}: {text}");
                assert!(text.contains("not_found"), "{what}: {text}");
            }
            Expect::Refused(s, c) => {
                assert_eq!(status, s, "{what}: {text}");
                assert!(text.contains(c), "{what}: {text}");
            }
            Expect::OwnOrg(s) => {
                assert_eq!(status, s, "{what}: {text}");
                for mark in &a_marks {
                    assert!(!text.contains(mark.as_str()), "{what} leaks {mark}: {text}");
                }
            }
        }
        let Some(scheme) = scheme else {
            continue;
        };
        // Wrong audiences: A's other secrets in this operation's header, and no header.
        let (header, _) = b_cred(&scheme);
        for (kind, secret) in &a_secrets {
            if *kind == scheme {
                continue;
            }
            let value = if header == "authorization" {
                format!("Bearer {secret}")
            } else {
                secret.clone()
            };
            let (status, text) = send(Some((header, value))).await;
            assert_eq!(
                (status, text.contains("unauthorized")),
                (401, true),
                "{} with a {kind} secret in {header}: {text}",
                op.key()
            );
        }
        let (status, text) = send(None).await;
        assert_eq!(status, 401, "{} without credentials: {text}", op.key());
    }
    let after = snapshot(&a).await;
    assert_eq!(before, after, "nothing of A changed");
    assert_eq!(after.2[0], vec![a_assoc]);
}
