//! Property-based fuzzing of request parsing over loopback: arbitrary bytes, arbitrary JSON
//! values and mutated valid bodies, with the right credential, the wrong audience's or none,
//! sent to every documented operation (ids fuzzed too). The server never answers 5xx, every
//! refusal is an `ApiErrorBody`, and it is still healthy afterwards.
//!
//! `cargo test` runs 256 cases; CI runs a million:
//! `SSAP_FUZZ_CASES=1000000 cargo test --release -p ssap-control-plane --test http fuzz`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use ssap_api::{openapi, ApiErrorBody, OrgSettingsPatch};

use crate::common::*;

/// Field names of the API's bodies, so that fuzzed objects reach the handlers' checks.
const FIELDS: &[&str] = &[
    "name",
    "email",
    "username",
    "system_username",
    "firstname",
    "lastname",
    "password",
    "state",
    "locked",
    "password_expired",
    "mfa_enforced",
    "mfa_enrolled",
    "macos_ssap",
    "windows_ssap",
    "permission_level",
    "password_sync",
    "user_id",
    "permission",
    "text",
    "mode",
    "os",
    "edition",
    "architecture",
    "join_state",
    "hostname",
    "serial",
    "mac",
    "ip",
    "os_version",
    "ticket",
    "local_name",
    "idempotency_key",
    "reason",
];

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        prop::sample::select(vec![
            "macos",
            "windows",
            "Pro",
            "Home",
            "arm64",
            "workgroup",
            "active",
            "suspended",
            "administrator",
            "standard",
            "multiple_users",
            "first_user",
            "a@b.c",
            "'; DROP TABLE users; --",
            "\" OR 1=1",
            "../../etc/passwd",
            "h\u{430}nk",
            "",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(FIELDS).prop_map(str::to_string),
                        "[a-z_]{1,10}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Bytes(Vec<u8>),
    Json(Value),
    /// The operation's valid sample with fields replaced, removed or added.
    Mutated(Vec<(usize, Option<Value>)>),
}

#[derive(Debug, Clone)]
struct Case {
    op: usize,
    /// 0: the operation's own credential, 1..=4: another audience's, 5: none, 6: garbage.
    cred: u8,
    /// Replaces the `{id}` of the path when set: any bytes, %-escaped (so also ones that are
    /// not UTF-8).
    id: Option<Vec<u8>>,
    body: Body,
    json_type: bool,
}

fn case(ops: usize) -> impl Strategy<Value = Case> {
    let body = prop_oneof![
        1 => Just(Body::None),
        3 => prop::collection::vec(any::<u8>(), 0..256).prop_map(Body::Bytes),
        3 => json().prop_map(Body::Json),
        5 => prop::collection::vec((0..FIELDS.len(), proptest::option::of(json())), 1..4)
            .prop_map(Body::Mutated),
    ];
    (
        0..ops,
        prop_oneof![6 => Just(0u8), 1 => 1u8..=6],
        proptest::option::weighted(
            0.1,
            prop_oneof![
                any::<String>().prop_map(String::into_bytes),
                prop::collection::vec(any::<u8>(), 0..32),
            ],
        ),
        body,
        prop::bool::weighted(0.9),
    )
        .prop_map(|(op, cred, id, body, json_type)| Case {
            op,
            cred,
            id,
            body,
            json_type,
        })
}

fn cases() -> u32 {
    std::env::var("SSAP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Requests per org: the admin lists (users, audit log) grow with what the fuzzer creates and
/// are not paged, so a fresh org every so often keeps a million cases linear.
const CASES_PER_ORG: u64 = 2_000;

/// An org with SSAP on, a user, a registered device and an unused ticket.
struct Tenant {
    org: Org,
    user: ssap_api::User,
    device: ssap_api::DeviceClient,
    ticket: String,
}

async fn tenant(env: &Env, n: u64) -> Tenant {
    let org = env.org(&format!("Fuzz {n}")).await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            windows_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggles");
    let user = org.user("fuzz@acme.test").await;
    let device = org.device(windows()).await;
    let ticket = device
        .authenticate(&login("fuzz@acme.test", PASSWORD))
        .await
        .expect("ticket")
        .ticket;
    Tenant {
        org,
        user,
        device,
        ticket,
    }
}

#[test]
fn no_request_gets_a_5xx_or_a_bare_error() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let env = rt.block_on(Env::new());
    let current = std::cell::RefCell::new(rt.block_on(tenant(&env, 0)));

    let doc = openapi::document().expect("document");
    let ops = openapi::operations(&doc);
    let valid = |t: &Tenant, schema: &str| -> Value {
        match schema {
            "NewOrg" => serde_json::json!({"name": "Org"}),
            "OrgSettingsPatch" => serde_json::json!({"password_sync": true}),
            "NewUser" => {
                serde_json::json!({"email": "n@acme.test", "username": "n", "password": "pw-123456"})
            }
            "UserPatch" => serde_json::json!({"locked": false}),
            "NewAssociation" => serde_json::json!({"user_id": t.user.id}),
            "LoginWindowText" => serde_json::json!({"text": "Welcome"}),
            "WindowsSsapPolicy" => serde_json::json!({"mode": "multiple_users"}),
            "MfaPolicy" => serde_json::json!({"factor": "totp"}),
            "ClockAdvance" => serde_json::json!({"seconds": 61}),
            "DeviceFacts" => serde_json::to_value(windows()).unwrap_or_default(),
            "AuthenticateRequest" => {
                serde_json::json!({"email": "fuzz@acme.test", "password": "x"})
            }
            "ProvisionRequest" => {
                serde_json::json!({"ticket": t.ticket, "local_name": "fuzz", "idempotency_key": "k"})
            }
            "AttemptReport" => serde_json::json!({"email": "a@b.c", "reason": "account_exists"}),
            _ => serde_json::json!({}),
        }
    };
    let creds = |t: &Tenant| -> [(&'static str, String); 4] {
        [
            ("x-api-key", t.org.created.api_key.clone()),
            ("x-connect-key", t.org.created.connect_key.clone()),
            ("x-device-key", t.device.credential().to_string()),
            ("authorization", format!("Bearer {OPERATOR_TOKEN}")),
        ]
    };
    let own = |scheme: Option<&String>| match scheme.map(String::as_str) {
        Some("adminApiKey") => Some(0),
        Some("connectKey") => Some(1),
        Some("deviceKey") => Some(2),
        Some(_) => Some(3),
        None => None,
    };
    let client = reqwest::Client::new();
    let base = env.server.url().to_string();

    let mut runner = TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    });
    let sent = std::sync::atomic::AtomicU64::new(0);
    let result = runner.run(&case(ops.len()), |c| {
        let n = sent.load(std::sync::atomic::Ordering::Relaxed);
        if n > 0 && n.is_multiple_of(CASES_PER_ORG) {
            *current.borrow_mut() = rt.block_on(tenant(&env, n / CASES_PER_ORG));
        }
        let t = current.borrow();
        let (user, device) = (&t.user, &t.device);
        let creds = creds(&t);
        let op = &ops[c.op];
        let id = match &c.id {
            // "." and ".." are dot segments, in any %2E spelling: every URL parser resolves them
            // away (RFC 3986 5.2.4, the WHATWG URL standard), so no client can send them as an
            // id; the request would name another route. They stand for the default id.
            Some(s) if !matches!(s.as_slice(), b"." | b"..") => s
                .iter()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
                .chars()
                .take(600)
                .collect::<String>(),
            _ if op.path.starts_with("/api/admin/users/") => user.id.clone(),
            _ => device.device_id().to_string(),
        };
        let path = op.path.replace("{id}", &id).replace("{user_id}", &user.id);
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
        let mut req = client.request(method, format!("{base}{path}"));
        let own = own(op.security.first());
        let header = match (c.cred, own) {
            (0, Some(i)) => Some(creds[i].clone()),
            (0, None) | (5, _) => None,
            (6, _) => Some(("x-device-key", "garbage\u{7f}".escape_default().to_string())),
            (n, _) => Some(creds[usize::from(n - 1) % 4].clone()),
        };
        if let Some((h, v)) = header {
            req = req.header(h, v);
        }
        let body: Option<Vec<u8>> = match &c.body {
            Body::None => None,
            Body::Bytes(b) => Some(b.clone()),
            Body::Json(v) => Some(v.to_string().into_bytes()),
            Body::Mutated(changes) => {
                let mut v = valid(&t, op.request.as_deref().unwrap_or(""));
                if let Some(obj) = v.as_object_mut() {
                    for (field, value) in changes {
                        match value {
                            Some(x) => obj.insert(FIELDS[*field].to_string(), x.clone()),
                            None => obj.remove(FIELDS[*field]),
                        };
                    }
                }
                Some(v.to_string().into_bytes())
            }
        };
        if let Some(b) = body {
            req = req
                .header(
                    "content-type",
                    if c.json_type {
                        "application/json"
                    } else {
                        "text/plain"
                    },
                )
                .body(b);
        }
        let (status, text) = rt.block_on(async {
            let resp = req.send().await.expect("the server answers");
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap_or_default())
        });
        sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if status >= 500 {
            return Err(TestCaseError::fail(format!(
                "{} {path} answered {status}: {text}",
                op.method
            )));
        }
        if status >= 400 && serde_json::from_str::<ApiErrorBody>(&text).is_err() {
            return Err(TestCaseError::fail(format!(
                "{} {path} answered {status} without an ApiErrorBody: {text:?}",
                op.method
            )));
        }
        // Every answer is one the document gives the operation: the status, and for a refusal
        // a code that status may carry.
        if let Err(e) = openapi::validate_response(&doc, &op.method, &op.path, status, &text, true)
        {
            return Err(TestCaseError::fail(format!("{} {path}: {e}", op.method)));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let healthy = rt.block_on(async {
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .map(|r| r.status().is_success())
    });
    assert!(matches!(healthy, Ok(true)), "unhealthy after fuzzing");
    eprintln!(
        "fuzz: {} requests over {} operations, no 5xx",
        sent.into_inner(),
        ops.len()
    );
}
