//! The mock through the real ssap-api clients: its model speaks the OpenAPI contract, stubs
//! override it with every kind of fault, stub files fail with file:line, and the same stubs
//! work in front of a real server as a proxy.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ssap_api::openapi;
use ssap_api::{
    codes, AdminClient, ApiError, AttemptReport, AuthenticateRequest, DeviceClient, DeviceFacts,
    EnrollmentClient, ExchangeLog, Http, JoinState, MfaFactor, NewAssociation, NewUser,
    OperatorClient, OrgSettingsPatch, Os, ProvisionRequest, UserPatch, WindowsSsapMode,
};
use ssap_mock::{Fault, MockControlPlane, Stub};

const PW: &str = "Sabre-2023!";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/mock")
}

fn facts(os: Os) -> DeviceFacts {
    DeviceFacts {
        os,
        edition: if os == Os::Windows { "Pro" } else { "" }.into(),
        architecture: "x86_64".into(),
        join_state: JoinState::Workgroup,
        mdm: Default::default(),
        hostname: "host-1".into(),
        serial: "S1".into(),
        mac: "aa:bb:cc:dd:ee:ff".into(),
        ip: "10.0.0.2".into(),
        os_version: "1".into(),
    }
}

fn new_user(email: &str) -> NewUser {
    NewUser {
        email: email.into(),
        username: email.split('@').next().unwrap_or(email).into(),
        firstname: "Holly".into(),
        lastname: "Flax".into(),
        password: Some(PW.into()),
        ..NewUser::default()
    }
}

struct Setup {
    mock: MockControlPlane,
    http: Http,
    admin: AdminClient,
    device: DeviceClient,
}

async fn setup(timeout: Duration) -> Setup {
    let mock = MockControlPlane::start(&fixtures())
        .await
        .expect("mock starts");
    let http = Http::new(&mock.url(), timeout).expect("client");
    let org = OperatorClient::new(http.clone(), mock.operator_token().expect("model token"))
        .create_org("Acme")
        .await
        .expect("org");
    let admin = AdminClient::new(http.clone(), org.api_key);
    admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggle");
    admin
        .create_user(&new_user("holly@acme.test"))
        .await
        .expect("user");
    let device = EnrollmentClient::new(http.clone(), org.connect_key)
        .register(&facts(Os::Macos))
        .await
        .expect("register");
    Setup {
        mock,
        http,
        admin,
        device,
    }
}

fn login() -> AuthenticateRequest {
    AuthenticateRequest {
        email: "holly@acme.test".into(),
        password: PW.into(),
    }
}

fn provision(ticket: &str, key: &str) -> ProvisionRequest {
    ProvisionRequest {
        ticket: ticket.into(),
        local_name: "holly".into(),
        idempotency_key: key.into(),
    }
}

/// The model's replies validate strictly against the OpenAPI document, and every operation
/// of the document is served (healthz by the fixture file).
#[tokio::test]
async fn the_model_speaks_the_documented_contract() {
    let mock = MockControlPlane::start(&fixtures()).await.expect("mock");
    let log = ExchangeLog::default();
    let http = Http::new(&mock.url(), Duration::from_secs(5))
        .expect("client")
        .with_log(log.clone());
    let token = mock.operator_token().expect("token").to_string();
    let org = OperatorClient::new(http.clone(), token)
        .create_org("Contract")
        .await
        .expect("org");
    let admin = AdminClient::new(http.clone(), org.api_key.clone());
    let enroll = EnrollmentClient::new(http.clone(), org.connect_key.clone());
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
        .create_user(&new_user("alice@c.test"))
        .await
        .expect("user");
    let bob = admin
        .create_user(&new_user("bob@c.test"))
        .await
        .expect("user");
    assert!(admin.create_user(&new_user("ALICE@c.test")).await.is_err());
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
    admin.user(&alice.id).await.expect("user");
    // R63: a removed user is gone from the directory, their email free again.
    let carol = admin
        .create_user(&new_user("carol@c.test"))
        .await
        .expect("user");
    admin.remove_user(&carol.id).await.expect("remove user");
    assert_eq!(
        admin.user(&carol.id).await.err().and_then(|e| e.status()),
        Some(404)
    );
    assert_eq!(
        admin
            .remove_user(&carol.id)
            .await
            .err()
            .and_then(|e| e.status()),
        Some(404)
    );
    admin
        .create_user(&new_user("carol@c.test"))
        .await
        .expect("the removed user's email is free");
    assert_eq!(
        admin.user("nobody").await.err().and_then(|e| e.status()),
        Some(404)
    );
    admin.users().await.expect("users");
    let mac = enroll.register(&facts(Os::Macos)).await.expect("mac");
    let win = enroll.register(&facts(Os::Windows)).await.expect("win");
    admin.devices().await.expect("devices");
    admin.device(mac.device_id()).await.expect("device");
    mac.login_window().await.expect("config");
    let wrong = mac
        .authenticate(&AuthenticateRequest {
            email: "alice@c.test".into(),
            password: "nope".into(),
        })
        .await;
    assert_eq!(
        wrong
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some(codes::INVALID_CREDENTIALS)
    );
    let auth = mac
        .authenticate(&AuthenticateRequest {
            email: "alice@c.test".into(),
            password: PW.into(),
        })
        .await
        .expect("auth");
    let req = provision(&auth.ticket, "k1");
    let assoc = mac.provision(&req).await.expect("provision");
    assert_eq!(assoc.local_name.as_deref(), Some("holly"));
    assert_eq!(mac.provision(&req).await.expect("replay"), assoc);
    let second = mac
        .authenticate(&AuthenticateRequest {
            email: "bob@c.test".into(),
            password: PW.into(),
        })
        .await;
    assert_eq!(
        second
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some(codes::DEVICE_HAS_MANAGED_USERS)
    );
    assert_eq!(
        mac.associations().await.expect("assocs"),
        vec![assoc.clone()]
    );
    let cfg = mac.login_window().await.expect("config");
    assert!(cfg.ssap_enabled && !cfg.offer_sign_in);
    // R45: alice enrolls in the User Portal; her current code opens one login on the Mac, and
    // the same code a second time does not.
    let enrolment = ssap_api::PortalClient::new(http.clone())
        .enroll_mfa(
            &alice.id,
            &ssap_api::MfaEnrollRequest {
                password: PW.into(),
            },
        )
        .await
        .expect("MFA enrolment");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let verify = ssap_api::MfaVerifyRequest {
        user_id: alice.id.clone(),
        code: ssap_api::mfa::code_at(&enrolment.secret, now).expect("code"),
    };
    mac.verify_mfa(&verify).await.expect("current code");
    assert_eq!(
        mac.verify_mfa(&verify)
            .await
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some(codes::MFA_CODE_INVALID),
        "a replayed code is refused"
    );
    admin.associations(mac.device_id()).await.expect("assocs");
    mac.report_attempt(&AttemptReport {
        email: "bob@c.test".into(),
        reason: codes::ACCOUNT_EXISTS.into(),
    })
    .await
    .expect("attempt");
    let nb = NewAssociation {
        user_id: bob.id.clone(),
        permission: None,
    };
    admin.bind(win.device_id(), &nb).await.expect("bind");
    assert!(admin.bind(win.device_id(), &nb).await.is_err());
    admin
        .unbind(win.device_id(), &bob.id)
        .await
        .expect("unbind");
    admin
        .set_login_window_text(mac.device_id(), Some("Hello"))
        .await
        .expect("text");
    admin
        .set_login_window_text(mac.device_id(), None)
        .await
        .expect("clear");
    admin
        .set_windows_policy(win.device_id(), Some(WindowsSsapMode::MultipleUsers))
        .await
        .expect("policy");
    assert!(admin
        .set_windows_policy(mac.device_id(), Some(WindowsSsapMode::FirstUserOnly))
        .await
        .is_err());
    admin
        .set_windows_policy(win.device_id(), None)
        .await
        .expect("clear policy");
    // R45: an MFA policy on the Mac makes its association say MFA is enforced, whatever
    // alice's own flag; removing it gives her own flag back. Macs take it as Windows does.
    let own = admin.user(&alice.id).await.expect("alice").mfa_enforced;
    admin
        .set_mfa_policy(mac.device_id(), Some(MfaFactor::Totp))
        .await
        .expect("MFA policy");
    assert!(mac
        .associations()
        .await
        .expect("assocs")
        .iter()
        .all(|a| a.mfa_enforced));
    assert!(admin
        .associations(mac.device_id())
        .await
        .expect("admin assocs")
        .iter()
        .all(|a| a.mfa_enforced));
    assert_eq!(
        admin
            .set_mfa_policy("no-such-device", Some(MfaFactor::Totp))
            .await
            .err()
            .and_then(|e| e.status()),
        Some(404)
    );
    admin
        .set_mfa_policy(mac.device_id(), None)
        .await
        .expect("clear MFA policy");
    assert!(mac
        .associations()
        .await
        .expect("assocs")
        .iter()
        .all(|a| a.mfa_enforced == own));
    let audit = admin.audit().await.expect("audit");
    assert!(audit
        .iter()
        .any(|e| e.action == "provision" && e.outcome == "success"));
    assert!(audit
        .iter()
        .any(|e| e.reason.as_deref() == Some(codes::ACCOUNT_EXISTS)));
    for action in ["policy.mfa.set", "policy.mfa.delete"] {
        assert!(audit.iter().any(|e| e.action == action), "{action}");
    }

    federation_round(&admin, &enroll, &mock.url()).await;

    // MFA (R45): alice enrolls in the User Portal, the device checks her codes.
    let portal = ssap_api::PortalClient::new(http.clone());
    let enrolled = portal
        .enroll_mfa(
            &alice.id,
            &ssap_api::MfaEnrollRequest {
                password: PW.into(),
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
    let refused = mac
        .verify_mfa(&ssap_api::MfaVerifyRequest {
            user_id: alice.id.clone(),
            code: "not-a-code".into(),
        })
        .await;
    assert_eq!(
        refused
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some(codes::MFA_CODE_INVALID)
    );

    // Paged lists (ssap_api::paging), as the reference server pages them.
    let one = ssap_api::ListQuery {
        limit: Some(1),
        cursor: None,
    };
    let first = admin.users_page(&one).await.expect("page 1");
    assert_eq!(first.items.len(), 1);
    let second = admin
        .users_page(&ssap_api::ListQuery {
            limit: Some(1),
            cursor: first.next_cursor.clone(),
        })
        .await
        .expect("page 2");
    assert_eq!(second.items.len(), 1);
    assert_ne!(first.items, second.items);
    let mut ids: Vec<String> = Vec::new();
    let mut q = one.clone();
    loop {
        let page = admin.users_page(&q).await.expect("page");
        ids.extend(page.items.into_iter().map(|u| u.id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    let all: Vec<String> = admin
        .users()
        .await
        .expect("users")
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids, all, "pages cover the list once, in order");
    admin.devices_page(&one).await.expect("devices page");
    admin
        .associations_page(mac.device_id(), &one)
        .await
        .expect("associations page");
    let provisions = admin
        .audit_filtered(&ssap_api::AuditFilter {
            action: Some("provision".into()),
            device: Some(mac.device_id().to_string()),
            ..Default::default()
        })
        .await
        .expect("filtered audit");
    assert!(!provisions.is_empty());
    assert!(provisions.iter().all(|e| e.action == "provision"));
    let bad = admin
        .users_page(&ssap_api::ListQuery {
            limit: None,
            cursor: Some("not-ours".into()),
        })
        .await;
    assert_eq!(bad.err().and_then(|e| e.status()), Some(400));

    // Last, as it moves the org's time: the virtual clock read, moved, a move of nothing refused.
    assert_eq!(admin.clock().await.expect("clock").offset_seconds, 0);
    assert_eq!(
        admin
            .advance_clock(61)
            .await
            .expect("advance")
            .offset_seconds,
        61
    );
    assert_eq!(
        admin.advance_clock(0).await.err().and_then(|e| e.status()),
        Some(400)
    );
    // Frozen, it stands still and moves only when advanced, exactly.
    let frozen = admin.freeze_clock().await.expect("freeze");
    assert!(frozen.frozen);
    let moved = admin.advance_clock(600).await.expect("advance frozen");
    assert_eq!(moved.now_seconds, frozen.now_seconds + 600);
    assert_eq!(
        admin.clock().await.expect("clock").now_seconds,
        moved.now_seconds
    );
    // The sign-in work (R62): the authenticates above got as far as the password.
    assert!(admin.sign_in_work().await.expect("work").password_checks > 0);
    let doc = openapi::document().expect("doc");
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for x in log.snapshot() {
        if let Some(op) = openapi::find_operation(&doc, &x.method, &x.path) {
            seen.insert(op.key());
        }
        let status = x.status.expect("answered");
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
    // The two unauthenticated routes, over plain HTTP.
    let c = reqwest::Client::new();
    let health = c
        .get(format!("{}/healthz", mock.url()))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("body"), "ok");
    seen.insert("GET /healthz".into());
    let doc_text = c
        .get(format!("{}/openapi.json", mock.url()))
        .send()
        .await
        .expect("openapi")
        .text()
        .await
        .expect("body");
    assert_eq!(doc_text, openapi::DOCUMENT);
    seen.insert("GET /openapi.json".into());
    let missing: Vec<String> = openapi::operations(&doc)
        .iter()
        .map(|o| o.key())
        .filter(|k| !seen.contains(k))
        .collect();
    assert!(missing.is_empty(), "not served by the model: {missing:?}");
    // Unknown route and wrong method, as the reference server answers them.
    let r = c
        .get(format!("{}/api/nothing", mock.url()))
        .send()
        .await
        .expect("404");
    assert_eq!(r.status(), 404);
    let r = c
        .delete(format!("{}/api/admin/settings", mock.url()))
        .send()
        .await
        .expect("405");
    assert_eq!(r.status(), 405);
    assert!(r
        .text()
        .await
        .expect("body")
        .contains(codes::METHOD_NOT_ALLOWED));
}

/// The model keeps every rule the document states of a request body, as the server does
/// (`ssap_api::conformance`): each broken once, answered 400 `bad_request` naming the field.
#[tokio::test]
async fn the_model_keeps_every_input_rule_the_document_states() {
    let mock = MockControlPlane::start(&fixtures()).await.expect("mock");
    let token = mock.operator_token().expect("model token").to_string();
    let problems = ssap_api::conformance::rule_violations(&mock.url(), &token)
        .await
        .expect("the probe sets itself up");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[tokio::test]
async fn status_and_retry_after_reach_the_client_then_the_stub_runs_out() {
    let s = setup(Duration::from_secs(5)).await;
    s.mock
        .add_stub(
            Stub::on("POST", "/api/device/authenticate")
                .status(503, "unavailable")
                .retry_after(3)
                .times(1),
        )
        .await;
    match s.device.authenticate(&login()).await {
        Err(ApiError::Status {
            status: 503,
            retry_after_secs: Some(3),
            code,
            ..
        }) => assert_eq!(code, "unavailable"),
        other => panic!("expected 503 with Retry-After 3, got {other:?}"),
    }
    s.device
        .authenticate(&login())
        .await
        .expect("the model answers again");
}

#[tokio::test]
async fn a_late_reply_times_the_client_out_and_without_commit_changes_nothing() {
    let s = setup(Duration::from_millis(300)).await;
    let auth = s.device.authenticate(&login()).await.expect("auth");
    s.mock
        .add_stub(Stub::on("POST", "/api/device/provision").delay(Duration::from_millis(900)))
        .await;
    let started = Instant::now();
    match s.device.provision(&provision(&auth.ticket, "k")).await {
        Err(ApiError::Transport {
            timed_out: true, ..
        }) => {}
        other => panic!("expected a client timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_millis(850));
    assert!(s
        .admin
        .associations(s.device.device_id())
        .await
        .expect("list")
        .is_empty());
}

#[tokio::test]
async fn connection_reset_after_commit_loses_the_reply_but_the_change_is_made() {
    let s = setup(Duration::from_secs(5)).await;
    let auth = s.device.authenticate(&login()).await.expect("auth");
    s.mock
        .add_stub(
            Stub::on("POST", "/api/device/provision")
                .fault(Fault::ConnectionReset)
                .commit()
                .times(1),
        )
        .await;
    let req = provision(&auth.ticket, "key-1");
    match s.device.provision(&req).await {
        Err(ApiError::Transport {
            timed_out: false, ..
        }) => {}
        other => panic!("expected a dropped connection, got {other:?}"),
    }
    let bound = s
        .admin
        .associations(s.device.device_id())
        .await
        .expect("list");
    assert_eq!(bound.len(), 1, "the model committed");
    // The retry with the same key gets the first answer, not a second provisioning.
    assert_eq!(s.device.provision(&req).await.expect("replay"), bound[0]);
    let successes = s
        .admin
        .audit()
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "provision" && e.outcome == "success")
        .count();
    assert_eq!(successes, 1);
}

#[tokio::test]
async fn malformed_json_is_reported_as_not_matching_the_contract() {
    let s = setup(Duration::from_secs(5)).await;
    s.mock
        .add_stub(Stub::on("GET", "/api/device/login-window").fault(Fault::MalformedJson))
        .await;
    match s.device.login_window().await {
        Err(ApiError::Malformed { status: 200, .. }) => {}
        other => panic!("expected a malformed reply, got {other:?}"),
    }
    s.mock.clear_stubs();
    s.device.login_window().await.expect("recovered");
}

#[tokio::test]
async fn nth_body_and_priority_pick_the_right_call() {
    let s = setup(Duration::from_secs(5)).await;
    let yaml = r#"
- name: only the second sign-in
  match:
    method: POST
    path: /api/device/authenticate
    nth: 2
  respond:
    status: 500
    json: {code: internal, message: second}
- name: only for bob
  match:
    method: POST
    path_regex: ^/api/device/auth.*$
    body_contains: bob@
  respond:
    status: 418
    json: {code: teapot, message: bob}
  priority: 1
"#;
    for stub in ssap_mock::parse("inline.yaml", yaml).expect("parses") {
        s.mock.add_stub(stub).await;
    }
    s.device
        .authenticate(&login())
        .await
        .expect("first call: model");
    let second = s.device.authenticate(&login()).await;
    assert_eq!(second.err().and_then(|e| e.status()), Some(500));
    s.device
        .authenticate(&login())
        .await
        .expect("third call: model");
    let bob = s
        .device
        .authenticate(&AuthenticateRequest {
            email: "bob@acme.test".into(),
            password: PW.into(),
        })
        .await;
    assert_eq!(bob.err().and_then(|e| e.status()), Some(418));
    let seen = s.mock.requests();
    assert_eq!(
        seen.iter()
            .filter(|r| r.path == "/api/device/authenticate")
            .count(),
        4
    );
    assert!(seen.iter().any(|r| r.body.contains("bob@acme.test")));
    let _ = &s.http;
}

#[tokio::test]
async fn scripts_load_from_the_fixture_folder() {
    let s = setup(Duration::from_secs(5)).await;
    assert_eq!(
        s.mock
            .follow_script("provision-maintenance")
            .await
            .expect("script"),
        1
    );
    let auth = s.device.authenticate(&login()).await.expect("auth");
    let req = provision(&auth.ticket, "k");
    for _ in 0..2 {
        match s.device.provision(&req).await {
            Err(ApiError::Status {
                status: 503,
                retry_after_secs: Some(2),
                ..
            }) => {}
            other => panic!("expected maintenance, got {other:?}"),
        }
    }
    s.device
        .provision(&req)
        .await
        .expect("third call goes through");
    let err = s
        .mock
        .follow_script("no-such-script")
        .await
        .expect_err("missing");
    assert!(err.to_string().contains("no-such-script.yaml"), "{err:#}");
    assert!(s.mock.follow_script("../healthz").await.is_err());
}

#[test]
fn stub_file_errors_name_the_file_line_and_problem() {
    let cases = [
        (
            "- match: {method: POST, path: /x}\n  respond: {stauts: 500}\n",
            "bad.yaml:2:",
            "unknown field `stauts`",
        ),
        (
            "# comment\n- match: {method: POST, path: /x}\n  respond: {status: 200}\n- match: {method: POST, path: /y}\n  respond: {fault: reset}\n",
            "bad.yaml:4: stub 2",
            "respond.fault \"reset\" is not a fault",
        ),
        (
            "- name: both\n  match: {method: GET, path: /x, path_regex: x}\n  respond: {}\n",
            "bad.yaml:1: stub 1 (\"both\")",
            "both path and path_regex",
        ),
        (
            "- match: {method: GET, path: /x}\n  respond: {}\n  priority: 200\n",
            "bad.yaml:1",
            "priority 200 is out of range",
        ),
        (
            "- match: {method: FETCH, path: /x}\n  respond: {}\n",
            "bad.yaml:1",
            "not an HTTP method",
        ),
        (
            "- match: {method: GET, path_regex: '('}\n  respond: {}\n",
            "bad.yaml:1",
            "not a regex",
        ),
        (
            "- match: {method: GET, path: /x}\n  respond: {status: 99}\n",
            "bad.yaml:1",
            "not an HTTP status",
        ),
        (
            "- match: {method: GET, path: /x}\n  respond: {headers: {\"bad header\": x}}\n",
            "bad.yaml:1",
            "header name",
        ),
        (
            "- match: {method: GET, path: /x}\n  respond: {fault: connection_reset, status: 500}\n",
            "bad.yaml:1",
            "sends no answer",
        ),
        ("just: a map\n", "bad.yaml:1:1", "a YAML list of stubs"),
    ];
    for (text, place, what) in cases {
        let err = ssap_mock::parse("bad.yaml", text)
            .expect_err(text)
            .to_string();
        assert!(
            err.starts_with(place),
            "{err:?} should start with {place:?}"
        );
        assert!(err.contains(what), "{err:?} should say {what:?}");
    }
    assert!(ssap_mock::parse("empty.yaml", "")
        .expect("empty")
        .is_empty());
}

#[test]
fn the_shipped_fixtures_load() {
    let always = ssap_mock::load_dir(&fixtures()).expect("fixtures/mock");
    assert!(always.iter().any(|s| s.name == "liveness"));
    for f in std::fs::read_dir(fixtures().join("scripts")).expect("scripts") {
        let path = f.expect("entry").path();
        assert!(
            !ssap_mock::load_file(&path).expect("script").is_empty(),
            "{path:?}"
        );
    }
    let err = ssap_mock::load_dir(Path::new("/no/such/dir")).expect_err("missing dir");
    assert!(err.to_string().contains("/no/such/dir"), "{err}");
}

/// The same stubs in front of a real server: here another mock's model stands in for it.
#[tokio::test]
async fn as_a_proxy_it_forwards_and_faults_after_a_real_commit() {
    let real = setup(Duration::from_secs(5)).await;
    let proxy = MockControlPlane::proxy(&real.mock.url(), Some(fixtures().join("scripts")))
        .await
        .expect("proxy");
    assert!(proxy.operator_token().is_none());
    let via = Http::new(&proxy.url(), Duration::from_secs(5)).expect("client");
    let device = DeviceClient::new(via, real.device.device_id(), real.device.credential());
    let auth = device.authenticate(&login()).await.expect("forwarded");
    proxy
        .follow_script("provision-lost-replies")
        .await
        .expect("script");
    let req = provision(&auth.ticket, "k");
    assert!(matches!(
        device.provision(&req).await,
        Err(ApiError::Transport { .. })
    ));
    assert!(matches!(
        device.provision(&req).await,
        Err(ApiError::Malformed { .. })
    ));
    assert_eq!(
        real.admin
            .associations(device.device_id())
            .await
            .expect("list")
            .len(),
        1,
        "the real server committed once"
    );
    proxy.clear_stubs();
    let a = device
        .provision(&req)
        .await
        .expect("replayed through the proxy");
    assert_eq!(a.user_id, auth.user_id);
    let unauthorized = DeviceClient::new(
        Http::new(&proxy.url(), Duration::from_secs(5)).expect("client"),
        "x",
        "wrong",
    )
    .associations()
    .await;
    assert_eq!(unauthorized.err().and_then(|e| e.status()), Some(401));
}

/// Federated sign-in (R46) through the model and a wiremock IdP: the IdP setting, the sign-in
/// method, provisioning and login through federation, a tampered token and a replayed state.
async fn federation_round(admin: &AdminClient, enroll: &EnrollmentClient, base: &str) {
    use ssap_api::federation::{form_decode, form_value, REDIRECT_URI};
    use ssap_api::{codes, FederatedSignIn, SignInKind, SignInMethodRequest, SignInPurpose};
    let idp = ssap_mock::MockIdp::start("Okta").await;
    admin
        .set_identity_provider(&idp.config())
        .await
        .expect("IdP");
    assert_eq!(admin.identity_provider().await.expect("IdP").name, "Okta");
    admin
        .create_user(&NewUser {
            password: None,
            federated: true,
            ..new_user("ryan@c.test")
        })
        .await
        .expect("federated user");
    idp.add_user("ryan@c.test", "idp-pw");
    let dev = enroll.register(&facts(Os::Macos)).await.expect("device");
    let page = Http::new(base, Duration::from_secs(5)).expect("client");
    let back = |purpose: SignInPurpose| {
        let (dev, page) = (dev.clone(), page.clone());
        async move {
            let m = dev
                .sign_in_method(&SignInMethodRequest {
                    email: "ryan@c.test".into(),
                    purpose,
                })
                .await
                .expect("method");
            assert_eq!(m.method, SignInKind::Federated);
            let reply = page
                .submit_form(
                    m.authorize_url.as_deref().expect("url"),
                    &[("username", "ryan@c.test"), ("password", "idp-pw")],
                )
                .await
                .expect("IdP answers");
            let location = reply.location.expect("redirect");
            let pairs = form_decode(location.split_once('?').expect("query").1);
            FederatedSignIn {
                code: form_value(&pairs, "code").expect("code").into(),
                state: form_value(&pairs, "state").expect("state").into(),
                redirect_uri: REDIRECT_URI.into(),
            }
        }
    };
    let code_of = |e: ssap_api::ApiError| e.code().map(str::to_string);
    let b = back(SignInPurpose::Login).await;
    assert_eq!(
        code_of(dev.login_federated(&b).await.expect_err("not bound")).as_deref(),
        Some(codes::NOT_BOUND)
    );
    idp.set_mode(ssap_mock::TokenMode::ForeignKey);
    let b = back(SignInPurpose::Provision).await;
    assert_eq!(
        code_of(dev.authenticate_federated(&b).await.expect_err("foreign")).as_deref(),
        Some(codes::FEDERATION_FAILED)
    );
    assert_eq!(
        code_of(dev.authenticate_federated(&b).await.expect_err("replay")).as_deref(),
        Some(codes::FEDERATION_STATE_INVALID)
    );
    idp.set_mode(ssap_mock::TokenMode::Honest);
    let auth = dev
        .authenticate_federated(&back(SignInPurpose::Provision).await)
        .await
        .expect("ticket");
    dev.provision(&provision(&auth.ticket, "fed-1"))
        .await
        .expect("provision");
    let a = dev
        .login_federated(&back(SignInPurpose::Login).await)
        .await
        .expect("login");
    assert_eq!(a.user_id, auth.user_id);
    let reasons: Vec<String> = admin
        .audit()
        .await
        .expect("audit")
        .into_iter()
        .filter_map(|e| e.reason)
        .collect();
    assert!(
        reasons.iter().any(|r| r == "id_token_signature"),
        "{reasons:?}"
    );
    admin.clear_identity_provider().await.expect("clear");
}
