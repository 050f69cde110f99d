//! Every refusal is an `ApiErrorBody`, including malformed input and unknown routes.

use ssap_api::ApiErrorBody;

use crate::common::*;

async fn send(req: reqwest::RequestBuilder) -> (u16, Option<String>, ApiErrorBody) {
    let resp = req.send().await.expect("answer");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = resp.text().await.expect("body");
    let body: ApiErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("not an ApiErrorBody ({e}): {text:?}"));
    (status, ct, body)
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    let base = env.server.url().to_string();
    let c = reqwest::Client::new();
    let key = org.created.api_key.clone();
    let users = format!("{base}/api/admin/users");

    let (s, ct, b) = send(
        c.post(&users)
            .header("x-api-key", &key)
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!((s, b.code.as_str()), (400, "bad_request"));
    assert_eq!(ct.as_deref(), Some("application/json"));

    let (s, _, b) = send(
        c.post(&users)
            .header("x-api-key", &key)
            .json(&serde_json::json!({"email": "a@b.c", "username": "a", "shoe_size": 9})),
    )
    .await;
    assert_eq!((s, b.code.as_str()), (400, "bad_request"));
    assert!(b.message.contains("shoe_size"), "{}", b.message);

    let (s, _, b) = send(
        c.post(&users)
            .header("x-api-key", &key)
            .json(&serde_json::json!({"email": "a@b.c"})),
    )
    .await;
    assert_eq!(s, 400);
    assert!(b.message.contains("username"), "{}", b.message);

    let (s, _, b) = send(
        c.post(&users)
            .header("x-api-key", &key)
            .header("content-type", "text/plain")
            .body("{}"),
    )
    .await;
    assert_eq!((s, b.code.as_str()), (400, "bad_request"));

    let big = "x".repeat(70 * 1024);
    let (s, _, _) = send(
        c.post(&users)
            .header("x-api-key", &key)
            .json(&serde_json::json!({"email": big, "username": "a"})),
    )
    .await;
    assert_eq!(s, 413);

    let (s, _, b) = send(c.get(format!("{base}/api/nothing-here"))).await;
    assert_eq!((s, b.code.as_str()), (404, "not_found"));

    let (s, _, _) = send(
        c.delete(format!("{base}/api/admin/settings"))
            .header("x-api-key", &key),
    )
    .await;
    assert_eq!(s, 405);

    let (s, _, b) = send(c.get(format!("{base}/api/admin/settings"))).await;
    assert_eq!((s, b.code.as_str()), (401, "unauthorized"));

    let (s, _, b) = send(
        c.post(format!("{base}/api/operator/orgs"))
            .header("authorization", "Bearer wrong")
            .json(&serde_json::json!({"name": "x"})),
    )
    .await;
    assert_eq!((s, b.code.as_str()), (401, "unauthorized"));

    let ok = c
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.expect("body"), "ok");
}

#[tokio::test]
async fn duplicate_users_conflict_case_insensitively() {
    let env = Env::new().await;
    let org = env.org("Acme").await;
    let u = org.user("quinn@acme.test").await;
    assert!(u.has_password);
    let mut same_email = user("QUINN@ACME.TEST");
    same_email.username = "other".into();
    assert_eq!(
        code(org.admin.create_user(&same_email).await),
        (409, "conflict".into())
    );
    let mut same_name = user("q2@acme.test");
    same_name.username = "Quinn".into();
    assert_eq!(
        code(org.admin.create_user(&same_name).await),
        (409, "conflict".into())
    );
    let mut no_pw = user("rae@acme.test");
    no_pw.password = None;
    assert!(
        !org.admin
            .create_user(&no_pw)
            .await
            .expect("user")
            .has_password,
        "R41"
    );
    // Another org may reuse both.
    let other = env.org("Other").await;
    other.user("quinn@acme.test").await;
}
