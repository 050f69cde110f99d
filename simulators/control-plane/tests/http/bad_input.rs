//! Bad input, each refused with a clear JSON error and nothing stored or changed: oversized,
//! non-JSON, wrongly typed and over-nested bodies and unknown fields on every documented
//! operation with a body; SQL-injection and path-traversal strings in bodies, ids and headers;
//! odd and confusable directory names. The org's state (users, devices, associations,
//! settings, audit log) is compared before and after, and the database file passes SQLite's
//! integrity check at the end.

use ssap_api::{openapi, ApiErrorBody, NewUser, OrgSettingsPatch};

use crate::common::*;

/// Everything an org's admin can see, as text, to compare before and after.
async fn state(org: &Org, devices: &[String]) -> String {
    let mut s = format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n",
        org.admin.users().await.expect("users"),
        org.admin.devices().await.expect("devices"),
        org.admin.settings().await.expect("settings"),
        org.admin.audit().await.expect("audit"),
    );
    for d in devices {
        s.push_str(&format!(
            "{:?}\n",
            org.admin.associations(d).await.expect("associations")
        ));
    }
    s
}

/// A request's status and its `ApiErrorBody` (every refusal must be one).
async fn refusal(req: reqwest::RequestBuilder, what: &str) -> (u16, ApiErrorBody) {
    let resp = req.send().await.expect("answer");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body: ApiErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: not an ApiErrorBody ({e}): {status} {text:?}"));
    assert!(!body.message.trim().is_empty(), "{what}: no message");
    (status, body)
}

/// Raw bytes over TCP (for what an HTTP client refuses to send); returns the status line.
async fn raw(base: &str, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(request).await.expect("send");
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply).await;
    let text = String::from_utf8_lossy(&reply);
    text.lines().next().unwrap_or("").to_string()
}

#[tokio::test]
async fn every_body_route_refuses_malformed_bodies_and_stores_nothing() {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggle");
    let user = org.user("quinn@acme.test").await;
    let device = org.device(mac()).await;
    let ticket = device
        .authenticate(&login("quinn@acme.test", PASSWORD))
        .await
        .expect("ticket")
        .ticket;
    let devices = [device.device_id().to_string()];
    let before = state(&org, &devices).await;

    let cred = |scheme: &str| -> (&'static str, String) {
        match scheme {
            "adminApiKey" => ("x-api-key", org.created.api_key.clone()),
            "connectKey" => ("x-connect-key", org.created.connect_key.clone()),
            "deviceKey" => ("x-device-key", device.credential().to_string()),
            _ => ("authorization", format!("Bearer {OPERATOR_TOKEN}")),
        }
    };
    // A valid body per schema, so that an added unknown field is the only fault.
    let valid = |schema: &str| -> Option<String> {
        let v = match schema {
            "NewOrg" => serde_json::json!({"name": "Org C"}),
            "OrgSettingsPatch" => serde_json::json!({"password_sync": false}),
            "NewUser" => serde_json::json!({"email": "new@acme.test", "username": "new"}),
            "UserPatch" => serde_json::json!({"locked": true}),
            "NewAssociation" => serde_json::json!({"user_id": user.id}),
            "LoginWindowText" => serde_json::json!({"text": "Welcome"}),
            "WindowsSsapPolicy" => serde_json::json!({"mode": "multiple_users"}),
            "MfaPolicy" => serde_json::json!({"factor": "totp"}),
            "ClockAdvance" => serde_json::json!({"seconds": 61}),
            "DeviceFacts" => serde_json::to_value(windows()).ok()?,
            "AuthenticateRequest" => {
                serde_json::json!({"email": "quinn@acme.test", "password": PASSWORD})
            }
            "ProvisionRequest" => {
                serde_json::json!({"ticket": ticket, "local_name": "quinn", "idempotency_key": "k-1"})
            }
            "AttemptReport" => {
                serde_json::json!({"email": "quinn@acme.test", "reason": "account_exists"})
            }
            _ => return None,
        };
        Some(v.to_string())
    };
    let deep = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let oversized = format!(r#"{{"pad":"{}"}}"#, "x".repeat(70 * 1024));
    let bodies: Vec<(&str, Vec<u8>, u16)> = vec![
        ("oversized", oversized.into_bytes(), 413),
        ("not JSON", b"this is not JSON".to_vec(), 400),
        (
            "truncated JSON",
            br#"{"email": "a@b.c", "user"#.to_vec(),
            400,
        ),
        ("empty", Vec::new(), 400),
        ("null", b"null".to_vec(), 400),
        ("an array", b"[1, 2, 3]".to_vec(), 400),
        ("a string", br#""'; DROP TABLE users; --""#.to_vec(), 400),
        ("a huge number", b"1e999999".to_vec(), 400),
        ("nested 20,000 deep", deep.into_bytes(), 400),
        ("invalid UTF-8", b"{\"email\": \"\xff\xfe\"}".to_vec(), 400),
        ("NUL bytes", b"{\"email\":\0\0}".to_vec(), 400),
    ];

    let doc = openapi::document().expect("document");
    let client = reqwest::Client::new();
    let base = env.server.url().to_string();
    let mut checked = 0;
    for op in openapi::operations(&doc) {
        let Some(schema) = op.request.as_deref() else {
            continue;
        };
        let path = op
            .path
            .replace(
                "{id}",
                if op.path.starts_with("/api/admin/users/") {
                    &user.id
                } else {
                    device.device_id()
                },
            )
            .replace("{user_id}", &user.id);
        let url = format!("{base}{path}");
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
        let header = op.security.first().map(|s| cred(s));
        let request = |body: Vec<u8>, content_type: &str| {
            let mut r = client
                .request(method.clone(), &url)
                .header("content-type", content_type)
                .body(body);
            if let Some((h, v)) = &header {
                r = r.header(*h, v);
            }
            r
        };
        for (name, body, status) in &bodies {
            let what = format!("{} with a body that is {name}", op.key());
            let (s, b) = refusal(request(body.clone(), "application/json"), &what).await;
            assert_eq!(s, *status, "{what}: {b:?}");
            let code = if *status == 413 {
                "payload_too_large"
            } else {
                "bad_request"
            };
            assert_eq!(b.code, code, "{what}");
            checked += 1;
        }
        if let Some(valid) = valid(schema) {
            let what = format!("{} with an unknown field", op.key());
            let with_unknown = if valid == "{}" {
                r#"{"shoe_size":9}"#.to_string()
            } else {
                format!(r#"{{"shoe_size":9,{}"#, &valid[1..])
            };
            let (s, b) = refusal(
                request(with_unknown.into_bytes(), "application/json"),
                &what,
            )
            .await;
            assert_eq!((s, b.code.as_str()), (400, "bad_request"), "{what}: {b:?}");
            assert!(b.message.contains("shoe_size"), "{what}: {}", b.message);
            let what = format!("{} with valid JSON as text/plain", op.key());
            let (s, b) = refusal(request(valid.into_bytes(), "text/plain"), &what).await;
            assert_eq!((s, b.code.as_str()), (400, "bad_request"), "{what}: {b:?}");
            checked += 2;
        }
    }
    assert!(checked > 100, "only {checked} bad requests were sent");
    assert_eq!(
        state(&org, &devices).await,
        before,
        "a refused request changed something"
    );
}

#[tokio::test]
async fn injection_strings_are_data_and_the_database_stays_intact() {
    let env = Env::new().await;
    let org = env.org("Acme'); DROP TABLE orgs; --").await;
    org.admin
        .update_settings(&OrgSettingsPatch {
            macos_ssap: Some(true),
            ..Default::default()
        })
        .await
        .expect("toggle");
    let plain = org.user("plain@acme.test").await;
    let nasty = NewUser {
        email: "robert'); DROP TABLE users; --@acme.test".into(),
        username: "x' OR '1'='1".into(),
        system_username: Some("\" OR 1=1 --".into()),
        firstname: "<script>alert(1)</script>".into(),
        lastname: "../../../../etc/passwd".into(),
        password: Some("' OR ''='".into()),
        ..NewUser::default()
    };
    let made = org.admin.create_user(&nasty).await.expect("stored as data");
    assert_eq!(made.email, nasty.email);
    assert_eq!(made.username, nasty.username);
    assert_eq!(made.system_username, nasty.system_username);
    assert_eq!(made.firstname, nasty.firstname);
    assert_eq!(made.lastname, nasty.lastname);
    let users = org.admin.users().await.expect("users");
    assert_eq!(users.len(), 2, "{users:?}");
    assert_eq!(org.admin.user(&made.id).await.expect("by id"), made);

    // Injections as credentials: refused, and the real ones still work.
    let device = org.device(mac()).await;
    for (email, password) in [
        ("' OR '1'='1", "' OR '1'='1"),
        ("plain@acme.test' --", "anything"),
        ("plain@acme.test", "' OR ''='"),
        ("%", "x"),
        ("*", "x"),
    ] {
        assert_eq!(
            code(device.authenticate(&login(email, password)).await),
            (401, "invalid_credentials".into()),
            "{email:?} / {password:?}"
        );
    }
    device
        .authenticate(&login(&nasty.email, "' OR ''='"))
        .await
        .expect("the stored email and password work verbatim");

    // Injections and traversal as ids: not found, as JSON.
    let base = env.server.url().to_string();
    let client = reqwest::Client::new();
    let key = org.created.api_key.clone();
    for id in [
        "' OR 1=1 --",
        "1; DROP TABLE users",
        "..%2F..%2Fetc%2Fpasswd",
        "%2e%2e",
        "%00",
        "*",
        "%25",
        "\u{202e}",
    ] {
        for path in [
            format!("/api/admin/users/{id}"),
            format!("/api/admin/devices/{id}"),
            format!("/api/admin/devices/{id}/associations"),
        ] {
            let what = format!("GET {path}");
            let (s, b) = refusal(
                client
                    .get(format!("{base}{path}"))
                    .header("x-api-key", &key),
                &what,
            )
            .await;
            assert_eq!((s, b.code.as_str()), (404, "not_found"), "{what}: {b:?}");
        }
    }
    // Injections as credentials in headers.
    for bad in ["' OR 1=1 --", "*", "%", &format!("{key}' OR '1'='1")] {
        let (s, b) = refusal(
            client
                .get(format!("{base}/api/admin/users"))
                .header("x-api-key", bad),
            bad,
        )
        .await;
        assert_eq!((s, b.code.as_str()), (401, "unauthorized"), "{bad:?}");
    }

    // What an HTTP client would not send: dot segments, CR/LF and NUL in headers.
    let host = base.trim_start_matches("http://");
    let traversal = format!(
        "GET /api/admin/users/../settings HTTP/1.1\r\nHost: {host}\r\nx-api-key: {key}\r\nConnection: close\r\n\r\n"
    );
    let status = raw(&base, traversal.as_bytes()).await;
    assert!(
        status.starts_with("HTTP/1.1 404"),
        "dot segments are not resolved: {status}"
    );
    for header in [
        "x-api-key: a\rb".to_string(),
        "x-api-key: a\0b".to_string(),
        format!("x-api-key: {key}\r\n injected: folded"),
    ] {
        let req = format!(
            "GET /api/admin/users HTTP/1.1\r\nHost: {host}\r\n{header}\r\nConnection: close\r\n\r\n"
        );
        let status = raw(&base, req.as_bytes()).await;
        assert!(
            status.starts_with("HTTP/1.1 400") || status.starts_with("HTTP/1.1 401"),
            "{header:?} got {status:?}"
        );
    }
    // Two credentials: refused rather than picking one, in either order.
    for (first, second) in [("wrong", key.as_str()), (key.as_str(), "wrong")] {
        let (s, _) = refusal(
            client
                .get(format!("{base}/api/admin/users"))
                .header("x-api-key", first)
                .header("x-api-key", second),
            "two x-api-key headers",
        )
        .await;
        assert_eq!(s, 401, "two x-api-key headers, {first:?} first");
    }

    // Nothing was hurt: the other user, the org, the tables.
    assert_eq!(org.admin.user(&plain.id).await.expect("plain"), plain);
    assert_eq!(org.admin.users().await.expect("users").len(), 2);
    assert!(client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz")
        .status()
        .is_success());
    let Env { dir, server, .. } = env;
    server.shutdown().await;
    if on_postgres() {
        // The file checks below are SQLite's; PostgreSQL's tables are shared with other tests.
        return;
    }
    let db = rusqlite::Connection::open(dir.path().join("cp.sqlite")).expect("open db");
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity check");
    assert_eq!(check, "ok");
    for table in ["orgs", "users", "devices", "associations", "audit"] {
        let n: i64 = db
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .expect("schema");
        assert_eq!(n, 1, "table {table} is gone");
    }
    let orgs: i64 = db
        .query_row("SELECT count(*) FROM orgs", [], |r| r.get(0))
        .expect("orgs");
    assert_eq!(orgs, 1);
}

#[tokio::test]
async fn odd_directory_names_are_refused_with_a_reason_or_kept_distinct() {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    org.admin
        .create_user(&named("hank", "hank@acme.test"))
        .await
        .expect("hank");
    let before = state(&org, &[]).await;
    let refused: &[(&str, &str, &str)] = &[
        // (username, email, what the message names)
        ("", "empty@acme.test", "username"),
        ("   ", "blank@acme.test", "username"),
        ("HANK", "HANK@acme.test", "already exists"),
        ("Hank", "other@acme.test", "already exists"),
        ("someone", "Hank@ACME.test", "already exists"),
        ("tab\there", "tab@acme.test", "control character"),
        ("nul\0here", "nul@acme.test", "control character"),
        ("bell\u{7}", "bell@acme.test", "control character"),
        ("esc\u{1b}[31m", "esc@acme.test", "control character"),
        ("del\u{7f}", "del@acme.test", "control character"),
        ("line\nbreak", "lf@acme.test", "control character"),
        (
            "crlf",
            "crlf@acme.test\r\nBcc: x@evil.test",
            "control character",
        ),
        ("noat", "no-at-sign", "not an email"),
        ("", "", "email"),
    ];
    for (username, email, says) in refused {
        let what = format!("{username:?} / {email:?}");
        let err = org
            .admin
            .create_user(&named(username, email))
            .await
            .expect_err(&what);
        let status = err.status();
        assert!(
            matches!(status, Some(400) | Some(409)),
            "{what}: {status:?} {err}"
        );
        assert!(err.to_string().contains(says), "{what}: {err}");
    }
    assert_eq!(
        state(&org, &[]).await,
        before,
        "a refused user changed something"
    );

    // Names the directory holds as distinct users; the endpoint decides what each OS can hold
    // (simulators/endpoint/tests/devices/odd_names.rs).
    for (username, email) in [
        ("h\u{430}nk", "cyrillic@acme.test"),
        ("hank.", "trailing-dot@acme.test"),
        ("abcdefghijklmnopqrstu", "twenty-one@acme.test"),
    ] {
        let u = org
            .admin
            .create_user(&named(username, email))
            .await
            .unwrap_or_else(|e| panic!("{username:?}: {e}"));
        assert_eq!(u.username, username);
    }
    assert_eq!(org.admin.users().await.expect("users").len(), 4);
}

fn named(username: &str, email: &str) -> NewUser {
    NewUser {
        email: email.into(),
        username: username.into(),
        firstname: "Odd".into(),
        lastname: "Name".into(),
        password: Some(PASSWORD.into()),
        ..NewUser::default()
    }
}
