//! The OpenAPI document (`ssap_api::openapi`) is the contract: the server serves it, routes
//! exactly what it lists, and answers with bodies that validate against it.

use std::collections::BTreeSet;

use ssap_api::openapi::{self, METHODS};
use ssap_api::{
    codes, AttemptReport, ExchangeLog, MfaFactor, NewAssociation, OperatorClient, OrgSettingsPatch,
    SignInMethodRequest, SignInPurpose, UserPatch, WindowsSsapMode,
};

use crate::common::*;

/// Methods probed on every routed path (HEAD and OPTIONS are the framework's business).
const PROBED: &[&str] = &["GET", "PUT", "POST", "DELETE", "PATCH"];

fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "probe-id" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_server_serves_its_document_without_auth() {
    let env = Env::new().await;
    let resp = reqwest::get(format!("{}/openapi.json", env.server.url()))
        .await
        .expect("answer");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let served: serde_json::Value = resp.json().await.expect("JSON");
    assert_eq!(served, openapi::document().expect("document"));
    assert_eq!(served["openapi"], "3.0.3");
}

/// Both directions: every documented operation is routed, and every (path, method) the router
/// answers is documented. The router's own table gives the paths; which methods each path
/// has is asked of the running server (an unrouted method answers 405 method_not_allowed).
#[tokio::test]
async fn routes_and_document_agree() {
    let env = Env::new().await;
    let doc = openapi::document().expect("document");
    let documented: BTreeSet<(String, String)> = openapi::operations(&doc)
        .into_iter()
        .map(|o| (o.method, o.path))
        .collect();
    let client = reqwest::Client::new();
    let mut routed = BTreeSet::new();
    for path in ssap_control_plane::route_paths() {
        for m in PROBED {
            let method = reqwest::Method::from_bytes(m.as_bytes()).expect("method");
            let resp = client
                .request(method, format!("{}{}", env.server.url(), concrete(path)))
                .send()
                .await
                .expect("answer");
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            if status == 405 {
                assert!(
                    body.contains(codes::METHOD_NOT_ALLOWED),
                    "{m} {path}: 405 without the method_not_allowed code: {body}"
                );
                continue;
            }
            assert_ne!(status, 404, "{m} {path} is in the router's table but 404s");
            routed.insert((m.to_string(), path.to_string()));
        }
    }
    let documented_probed: BTreeSet<_> = documented
        .iter()
        .filter(|(m, _)| PROBED.contains(&m.as_str()))
        .cloned()
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented_probed).collect();
    let unrouted: Vec<_> = documented_probed.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not in openapi.json: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "in openapi.json but not routed: {unrouted:?}"
    );
    assert!(documented
        .iter()
        .all(|(m, _)| METHODS.contains(&m.as_str())));
    assert!(routed.len() >= 24, "{routed:?}");
}

/// A whole provisioning flow, with refusals, through the real clients; every exchange's body
/// validates (strictly: no undocumented property) against the document, and every operation
/// of the API is exercised.
#[tokio::test]
async fn real_replies_validate_against_the_document() {
    let env = Env::new().await;
    let log = ExchangeLog::default();
    let http = env.http.with_log(log.clone());
    let created = OperatorClient::new(http.clone(), OPERATOR_TOKEN)
        .create_org("Contract")
        .await
        .expect("org");
    let admin = ssap_api::AdminClient::new(http.clone(), created.api_key.clone());
    let enroll = ssap_api::EnrollmentClient::new(http.clone(), created.connect_key.clone());

    admin.settings().await.expect("settings");
    admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            windows_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggles");
    let alice = admin
        .create_user(&user("alice@c.test"))
        .await
        .expect("user");
    let bob = admin.create_user(&user("bob@c.test")).await.expect("user");
    assert_eq!(
        code(admin.create_user(&user("alice@c.test")).await).0,
        409,
        "duplicate"
    );
    admin
        .update_user(
            &bob.id,
            &UserPatch {
                system_username: Some("bobby".into()),
                ..Default::default()
            },
        )
        .await
        .expect("patch");
    admin.user(&alice.id).await.expect("get user");
    assert_eq!(code(admin.user("nobody").await).0, 404);
    // R63: a removed user is gone from the directory, their email free again.
    let carol = admin
        .create_user(&user("carol@c.test"))
        .await
        .expect("user");
    admin.remove_user(&carol.id).await.expect("remove user");
    assert_eq!(code(admin.user(&carol.id).await).0, 404, "removed user");
    assert_eq!(code(admin.remove_user(&carol.id).await).0, 404, "twice");
    admin
        .create_user(&user("carol@c.test"))
        .await
        .expect("the removed user's email is free");
    admin.users().await.expect("users");

    let mac = enroll.register(&mac()).await.expect("register");
    let win = enroll.register(&windows()).await.expect("register");
    admin.devices().await.expect("devices");
    admin.device(mac.device_id()).await.expect("device");
    mac.login_window().await.expect("config");

    assert_eq!(
        code(mac.authenticate(&login("alice@c.test", "wrong")).await),
        (401, codes::INVALID_CREDENTIALS.into())
    );
    let auth = mac
        .authenticate(&login("alice@c.test", PASSWORD))
        .await
        .expect("authenticate");
    let req = provision_req(&auth.ticket, "k1");
    let assoc = mac.provision(&req).await.expect("provision");
    assert_eq!(assoc.local_name.as_deref(), Some("local"));
    assert_eq!(mac.provision(&req).await.expect("replay"), assoc);

    assert_eq!(
        code(mac.authenticate(&login("bob@c.test", PASSWORD)).await),
        (409, codes::DEVICE_HAS_MANAGED_USERS.into())
    );
    mac.associations().await.expect("device associations");
    let cfg = mac.login_window().await.expect("config");
    assert_eq!(cfg.managed_users, vec![assoc.clone()]);
    admin
        .associations(mac.device_id())
        .await
        .expect("admin associations");
    mac.report_attempt(&AttemptReport {
        email: "bob@c.test".into(),
        reason: codes::ACCOUNT_EXISTS.into(),
    })
    .await
    .expect("attempt");

    let bound = admin
        .bind(
            win.device_id(),
            &NewAssociation {
                user_id: bob.id.clone(),
                permission: None,
            },
        )
        .await
        .expect("bind");
    assert_eq!(bound.local_name, None, "admin binds carry no local name");
    assert_eq!(
        code(
            admin
                .bind(
                    win.device_id(),
                    &NewAssociation {
                        user_id: bob.id.clone(),
                        permission: None,
                    },
                )
                .await
        )
        .1,
        codes::ALREADY_BOUND
    );
    admin
        .unbind(win.device_id(), &bob.id)
        .await
        .expect("unbind");
    admin
        .set_login_window_text(mac.device_id(), Some("Property of Contract Inc."))
        .await
        .expect("text");
    admin
        .set_login_window_text(mac.device_id(), None)
        .await
        .expect("clear text");
    admin
        .set_windows_policy(win.device_id(), Some(WindowsSsapMode::MultipleUsers))
        .await
        .expect("policy");
    assert_eq!(
        code(
            admin
                .set_windows_policy(mac.device_id(), Some(WindowsSsapMode::MultipleUsers))
                .await
        )
        .0,
        400
    );
    admin
        .set_windows_policy(win.device_id(), None)
        .await
        .expect("clear policy");
    admin
        .set_mfa_policy(mac.device_id(), Some(MfaFactor::Totp))
        .await
        .expect("MFA policy");
    admin
        .set_mfa_policy(mac.device_id(), None)
        .await
        .expect("clear MFA policy");

    // Federated sign-in (R46): the IdP setting and the three device routes. The IdP's own
    // page is not the API, so the web view's form goes through a client without the log.
    let idp = ssap_mock::MockIdp::start("Okta").await;
    admin
        .set_identity_provider(&idp.config())
        .await
        .expect("IdP");
    admin.identity_provider().await.expect("IdP shown");
    admin
        .create_user(&crate::federation::federated("ryan@c.test"))
        .await
        .expect("federated user");
    idp.add_user("ryan@c.test", "idp-pw");
    let fed_mac = enroll.register(&crate::common::mac()).await.expect("mac");
    for purpose in [SignInPurpose::Login, SignInPurpose::Provision] {
        let m = fed_mac
            .sign_in_method(&SignInMethodRequest {
                email: "ryan@c.test".into(),
                purpose,
            })
            .await
            .expect("method");
        let back = crate::federation::at_idp(&env.http, &m, "ryan@c.test", "idp-pw").await;
        match purpose {
            SignInPurpose::Login => assert_eq!(
                code(fed_mac.login_federated(&back).await).1,
                codes::NOT_BOUND
            ),
            SignInPurpose::Provision => {
                fed_mac
                    .authenticate_federated(&back)
                    .await
                    .expect("federated ticket");
            }
        }
    }
    admin.clear_identity_provider().await.expect("clear IdP");

    // MFA (R45): alice enrolls in the User Portal, then the device checks her codes.
    let portal = ssap_api::PortalClient::new(http.clone());
    let wrong_password = ssap_api::MfaEnrollRequest {
        password: "wrong".into(),
    };
    assert_eq!(
        code(portal.enroll_mfa(&alice.id, &wrong_password).await).0,
        401
    );
    let enrolled = portal
        .enroll_mfa(
            &alice.id,
            &ssap_api::MfaEnrollRequest {
                password: PASSWORD.into(),
            },
        )
        .await
        .expect("MFA enrolment");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let current = ssap_api::mfa::code_at(&enrolled.secret, now).expect("TOTP code");
    mac.verify_mfa(&ssap_api::MfaVerifyRequest {
        user_id: alice.id.clone(),
        code: current,
    })
    .await
    .expect("the current code opens the login");
    assert_eq!(
        code(
            mac.verify_mfa(&ssap_api::MfaVerifyRequest {
                user_id: alice.id.clone(),
                code: "not-a-code".into(),
            })
            .await
        ),
        (401, codes::MFA_CODE_INVALID.into())
    );

    // Throttling: 429 with Retry-After.
    let mut retry_after = None;
    for _ in 0..12 {
        if let Err(ssap_api::ApiError::Status {
            status: 429,
            retry_after_secs,
            ..
        }) = win.authenticate(&login("nobody@c.test", "x")).await
        {
            retry_after = retry_after_secs;
            break;
        }
    }
    assert!(
        retry_after.is_some_and(|s| s >= 1),
        "429 carries Retry-After"
    );
    admin.audit().await.expect("audit");

    // The virtual clock of a test server: read, moved, a move of nothing refused.
    assert_eq!(admin.clock().await.expect("clock").offset_seconds, 0);
    assert_eq!(
        admin
            .advance_clock(61)
            .await
            .expect("advance")
            .offset_seconds,
        61
    );
    assert_eq!(code(admin.advance_clock(0).await).0, 400);
    // Frozen, it stands still and moves only when advanced, exactly.
    let frozen = admin.freeze_clock().await.expect("freeze");
    assert!(frozen.frozen);
    let moved = admin.advance_clock(600).await.expect("advance frozen");
    assert_eq!(moved.now_seconds, frozen.now_seconds + 600);
    assert_eq!(
        admin.clock().await.expect("clock").now_seconds,
        moved.now_seconds
    );
    // The sign-in work of a test server: the authenticates above got as far as the password.
    assert!(admin.sign_in_work().await.expect("work").password_checks > 0);

    let doc = openapi::document().expect("document");
    let exchanges = log.snapshot();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for x in &exchanges {
        let status = x.status.expect("every call got an answer");
        if let Some(op) = openapi::find_operation(&doc, &x.method, &x.path) {
            seen.insert(op.key());
        }
        if let Err(e) = openapi::validate_response(
            &doc,
            &x.method,
            &x.path,
            status,
            x.response_body.as_deref().unwrap_or(""),
            true,
        ) {
            problems.push(e);
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let missing: Vec<String> = openapi::operations(&doc)
        .iter()
        .map(|o| o.key())
        .filter(|k| !seen.contains(k) && !k.ends_with("/healthz") && !k.ends_with("/openapi.json"))
        .collect();
    assert!(missing.is_empty(), "operations not exercised: {missing:?}");
}

/// Every rule the document states of a request body (`ssap_api::input`: lengths, characters,
/// shapes, no null, no unknown property, no empty patch) is one the server keeps: each broken
/// once, from an otherwise valid body, and answered 400 `bad_request` naming the field.
#[tokio::test]
async fn the_server_keeps_every_input_rule_the_document_states() {
    let env = Env::new().await;
    let problems = ssap_api::conformance::rule_violations(env.server.url(), OPERATOR_TOKEN)
        .await
        .expect("the probe sets itself up");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
