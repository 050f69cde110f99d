//! Control-plane faults between a real endpoint and the real reference server (R60): a proxy
//! in the middle loses replies or answers 5xx/429 on chosen routes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{click, env, mac_sign_in, Env};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use ssap_api::{BindSource, Http};
use ssap_endpoint::{DeviceSpec, Endpoint, ScreenKind};

const PW: &str = "Directory-pw-1";

#[derive(Debug, Clone, Copy)]
enum Fault {
    /// Forward the request, then answer 200 with garbage: the server acted, the reply is lost.
    LoseReply,
    /// Answer this status (with an optional Retry-After) without forwarding.
    Status(u16, Option<u64>),
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    client: reqwest::Client,
    plan: Arc<Mutex<Vec<(&'static str, Fault)>>>,
}

impl Proxy {
    fn fail(&self, path: &'static str, fault: Fault, times: usize) {
        let mut plan = self.plan.lock().unwrap();
        for _ in 0..times {
            plan.push((path, fault));
        }
    }

    fn take(&self, path: &str) -> Option<Fault> {
        let mut plan = self.plan.lock().unwrap();
        let i = plan.iter().position(|(p, _)| *p == path)?;
        Some(plan.remove(i).1)
    }
}

async fn handle(State(proxy): State<Proxy>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let target = format!(
        "{}{}",
        proxy.upstream,
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let method = req.method().clone();
    let mut headers = req.headers().clone();
    headers.remove("host");
    headers.remove("content-length");
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let fault = proxy.take(&path);
    if let Some(Fault::Status(code, retry_after)) = fault {
        let mut r = Response::new(Body::from(
            r#"{"code":"unavailable","message":"injected by the test proxy"}"#,
        ));
        *r.status_mut() = StatusCode::from_u16(code).unwrap();
        if let Some(s) = retry_after {
            r.headers_mut().insert("retry-after", HeaderValue::from(s));
        }
        return r;
    }
    let upstream = proxy
        .client
        .request(method, &target)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let Ok(up) = upstream else {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::BAD_GATEWAY;
        return r;
    };
    if let Some(Fault::LoseReply) = fault {
        return Response::new(Body::from("<<reply lost"));
    }
    let status = up.status();
    let ct = up.headers().get("content-type").cloned();
    let bytes = up.bytes().await.unwrap_or_default();
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    if let Some(ct) = ct {
        r.headers_mut().insert("content-type", ct);
    }
    r
}

async fn proxy_for(env: &Env) -> (Proxy, Http) {
    let proxy = Proxy {
        upstream: env.server.url().trim_end_matches('/').to_string(),
        client: reqwest::Client::new(),
        plan: Arc::default(),
    };
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = Http::new(&format!("http://{addr}"), Duration::from_secs(10)).unwrap();
    (proxy, http)
}

async fn mac_behind_proxy(env: &Env, http: Http, n: u32) -> Endpoint {
    let mut ep = Endpoint::new(DeviceSpec::macos(n), http, env.org.connect_key.clone());
    ep.power_on().await.unwrap();
    ep
}

async fn provision_successes(env: &Env) -> usize {
    env.admin
        .audit()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "provision" && e.outcome == "success")
        .count()
}

#[tokio::test]
async fn lost_reply_is_retried_with_the_same_key_and_provisions_once() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let (proxy, http) = proxy_for(&env).await;
    let mut ep = mac_behind_proxy(&env, http, 1).await;
    proxy.fail("/api/device/provision", Fault::LoseReply, 1);
    let t0 = ep.clock().now_ms();
    mac_sign_in(&mut ep, &holly.email, PW).await;
    let s = ep.screen();
    assert_eq!(
        s.kind,
        ScreenKind::MacJumpCloudLoginWindow,
        "{}",
        s.render_text()
    );
    assert!(ep.accounts().find("holly").unwrap().managed);
    let assoc = env
        .admin
        .associations(ep.device_id().unwrap())
        .await
        .unwrap();
    assert_eq!(assoc.len(), 1);
    assert_eq!(
        provision_successes(&env).await,
        1,
        "the replay is not a second provisioning"
    );
    assert_eq!(
        ep.clock().now_ms() - t0,
        1000,
        "one back-off second on the virtual clock"
    );
}

#[tokio::test]
async fn persistent_5xx_leaves_nothing_then_try_again_provisions() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let (proxy, http) = proxy_for(&env).await;
    let mut ep = mac_behind_proxy(&env, http, 2).await;
    proxy.fail("/api/device/provision", Fault::Status(503, None), 4);
    let t0 = ep.clock().now_ms();
    mac_sign_in(&mut ep, &holly.email, PW).await;
    let s = ep.screen();
    insta::assert_snapshot!("mac_cannot_reach_jumpcloud", s.render_text());
    assert!(s.has_button("Try Again"));
    assert_eq!(
        ep.clock().now_ms() - t0,
        7000,
        "1 + 2 + 4 s between 4 attempts"
    );
    assert!(ep.accounts().all().is_empty());
    assert!(env
        .admin
        .associations(ep.device_id().unwrap())
        .await
        .unwrap()
        .is_empty());
    click(&mut ep, "Try Again").await;
    assert!(ep.accounts().find("holly").is_some());
    assert_eq!(provision_successes(&env).await, 1);
}

#[tokio::test]
async fn retry_after_is_honoured_on_the_virtual_clock() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let (proxy, http) = proxy_for(&env).await;
    let mut ep = mac_behind_proxy(&env, http, 3).await;
    proxy.fail("/api/device/provision", Fault::Status(429, Some(7)), 1);
    let t0 = ep.clock().now_ms();
    mac_sign_in(&mut ep, &holly.email, PW).await;
    assert_eq!(ep.clock().now_ms() - t0, 7000);
    assert!(ep.accounts().find("holly").is_some());
}

#[tokio::test]
async fn every_reply_lost_is_confirmed_from_the_association_list() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let (proxy, http) = proxy_for(&env).await;
    let mut ep = mac_behind_proxy(&env, http, 4).await;
    proxy.fail("/api/device/provision", Fault::LoseReply, 4);
    mac_sign_in(&mut ep, &holly.email, PW).await;
    assert!(ep.accounts().find("holly").unwrap().managed);
    assert_eq!(provision_successes(&env).await, 1);
}

#[tokio::test]
async fn cancel_after_lost_replies_reconciles_with_the_control_plane() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let (proxy, http) = proxy_for(&env).await;
    let mut ep = mac_behind_proxy(&env, http, 5).await;
    proxy.fail("/api/device/provision", Fault::LoseReply, 4);
    proxy.fail("/api/device/associations", Fault::Status(502, None), 1);
    mac_sign_in(&mut ep, &holly.email, PW).await;
    assert_eq!(ep.screen().kind, ScreenKind::Notice);
    // The control plane did bind her; the device has no account yet: not a final state.
    let assoc = env
        .admin
        .associations(ep.device_id().unwrap())
        .await
        .unwrap();
    assert_eq!(assoc[0].source, BindSource::SelfService);
    assert!(ep.accounts().all().is_empty());
    click(&mut ep, "Cancel").await;
    assert!(
        ep.accounts().find("holly").unwrap().managed,
        "both exist (R60)"
    );
    assert!(!ep.screen().has_button("Sign in with JumpCloud"));
}

#[tokio::test]
async fn authenticate_5xx_is_a_clear_refusal_and_creates_nothing() {
    let env = env().await;
    env.macos_ssap(true).await;
    let holly = env.user("holly", "Holly", "Flax").await;
    let (proxy, http) = proxy_for(&env).await;
    let mut ep = mac_behind_proxy(&env, http, 6).await;
    proxy.fail("/api/device/authenticate", Fault::Status(500, None), 1);
    mac_sign_in(&mut ep, &holly.email, PW).await;
    let s = ep.screen();
    assert_eq!(s.title, "Can't reach JumpCloud");
    assert!(s.has_button("OK"));
    assert!(ep.accounts().all().is_empty());
}
