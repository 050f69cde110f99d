//! `ssap-mock`: the SSAP control-plane API served by wiremock, for scripted replies and fault
//! injection (status codes, Retry-After, replies later than the client's timeout, malformed
//! bodies, dropped connections, replies lost after the change was made).
//!
//! One [`MockControlPlane`] per scenario: a wiremock server is cheap (a thread and a port),
//! and its own server gives each scenario isolation and faults that touch no other scenario.
//!
//! Every request is answered by the first of, in priority order:
//! 1. **stubs** ([`Stub`]): from YAML files (`fixtures/mock/*.yaml`, mounted on every server)
//!    or added by a step ([`MockControlPlane::add_stub`], [`MockControlPlane::follow_script`]);
//! 2. the **baseline**: either the mock's own small in-memory [`model::Model`] (mock mode) or a
//!    pass-through to a real control plane ([`MockControlPlane::proxy`]).
//!
//! Design choices, and why:
//! - **The baseline is a model, not recorded replies.** The flows are stateful (a ticket from
//!   authenticate is redeemed by provision; an association changes the login-window config), so
//!   canned replies would need a script per scenario. The model is wiremock `Respond` impls
//!   over a mutex: small, and checked against the OpenAPI document by this crate's tests. It is
//!   the mock's own model, NOT the reference server.
//! - **The same stubs work in front of a real server.** With [`MockControlPlane::proxy`] the
//!   baseline forwards to the embedded or remote control plane, so fault scenarios also run
//!   against the reference server (where "reply lost after commit" means a real commit).
//!   wiremock runs each server on its own thread and runtime, so the forwarding responder may
//!   block: it hands the request to a worker thread with its own HTTP client and waits.
//! - **`nth` counts every call to a route**, whoever answered it, through a recorder mounted
//!   first (a matcher that records and never matches). wiremock handles one request at a time
//!   per server, so counts and the model's state are consistent.
//! - **Stubs added by steps can be switched off** ([`MockControlPlane::clear_stubs`]) through a
//!   shared flag, rather than wiremock's scoped guards, whose drop blocks on the server's lock.

#![warn(missing_docs)]

pub mod idp;
pub mod model;
mod reply;
pub mod stub;
mod upstream;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use wiremock::matchers::{body_string_contains, method, path, path_regex};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

pub use idp::{MockIdp, TokenMode};
pub use model::Model;
pub use reply::Reply;
pub use stub::{load_dir, load_file, parse, Fault, PathMatch, Stub};

/// A request the mock received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The HTTP method, upper case.
    pub method: String,
    /// The URL path, without the query.
    pub path: String,
    /// The body as text (lossy UTF-8), for matching and messages.
    pub body: String,
}

/// What answers when no stub does.
#[derive(Clone)]
enum Baseline {
    Model(Arc<Model>),
    Upstream(Arc<upstream::Upstream>),
}

impl Baseline {
    fn answer(&self, req: &Request) -> Reply {
        match self {
            Baseline::Model(m) => m.handle(req),
            Baseline::Upstream(u) => u.forward(req),
        }
    }
}

struct BaselineResponder(Baseline);

impl Respond for BaselineResponder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.0.answer(req).template()
    }
}

/// A mock control plane (or fault proxy) for one scenario.
pub struct MockControlPlane {
    server: MockServer,
    baseline: Baseline,
    recorded: Arc<Mutex<Vec<RecordedRequest>>>,
    switches: Mutex<Vec<Arc<AtomicBool>>>,
    operator_token: Option<String>,
    scripts: Option<PathBuf>,
}

impl std::fmt::Debug for MockControlPlane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockControlPlane")
            .field("url", &self.url())
            .finish()
    }
}

impl MockControlPlane {
    /// The model baseline plus every stub file directly in `stub_dir`; scripts for
    /// [`MockControlPlane::follow_script`] are read from `stub_dir/scripts/`.
    pub async fn start(stub_dir: &Path) -> anyhow::Result<Self> {
        let stubs = load_dir(stub_dir)?;
        Self::start_with(&stubs, Some(stub_dir.join("scripts"))).await
    }

    /// The model baseline plus `stubs` (already loaded, e.g. once per run).
    pub async fn start_with(stubs: &[Stub], scripts: Option<PathBuf>) -> anyhow::Result<Self> {
        let token = format!("mock-op-{}", uuid::Uuid::new_v4().simple());
        let model = Arc::new(Model::new(token.clone()));
        let mock = Self::mount(Baseline::Model(model), Some(token), scripts).await;
        for s in stubs {
            mock.mount_stub(s.clone(), None).await;
        }
        Ok(mock)
    }

    /// A fault-injecting proxy in front of a real control plane at `upstream`: without stubs
    /// it forwards everything; scripts come from `scripts` if given.
    pub async fn proxy(upstream: &str, scripts: Option<PathBuf>) -> anyhow::Result<Self> {
        let up = upstream::Upstream::start(upstream)
            .with_context(|| format!("starting the fault proxy in front of {upstream}"))?;
        Ok(Self::mount(Baseline::Upstream(Arc::new(up)), None, scripts).await)
    }

    async fn mount(baseline: Baseline, token: Option<String>, scripts: Option<PathBuf>) -> Self {
        let server = MockServer::builder().start().await;
        let recorded = Arc::new(Mutex::new(Vec::new()));
        Mock::given(Recorder(recorded.clone()))
            .respond_with(ResponseTemplate::new(500))
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(BaselineResponder(baseline.clone()))
            .with_priority(stub::BASELINE_PRIORITY)
            .mount(&server)
            .await;
        Self {
            server,
            baseline,
            recorded,
            switches: Mutex::new(Vec::new()),
            operator_token: token,
            scripts,
        }
    }

    /// Base URL for `ssap_api::Http`, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        self.server.uri()
    }

    /// The operator token of the model (`None` for a proxy: the real server's token applies).
    pub fn operator_token(&self) -> Option<&str> {
        self.operator_token.as_deref()
    }

    /// Adds a stub until [`MockControlPlane::clear_stubs`].
    pub async fn add_stub(&self, stub: Stub) {
        let on = Arc::new(AtomicBool::new(true));
        if let Ok(mut s) = self.switches.lock() {
            s.push(on.clone());
        }
        self.mount_stub(stub, Some(on)).await;
    }

    /// Adds the stubs of `scripts/<name>.yaml` (until [`MockControlPlane::clear_stubs`]).
    pub async fn follow_script(&self, name: &str) -> anyhow::Result<usize> {
        let dir = self.scripts.as_ref().ok_or_else(|| {
            anyhow::anyhow!("this mock has no script folder to read {name:?} from")
        })?;
        if name.contains('/') || name.contains('\\') || name.contains("..") {
            anyhow::bail!("script name {name:?} must be a plain file name without .yaml");
        }
        let stubs = load_file(&dir.join(format!("{name}.yaml")))?;
        let n = stubs.len();
        for s in stubs {
            self.add_stub(s).await;
        }
        Ok(n)
    }

    /// Switches off every stub added since the start (file stubs stay): the control plane
    /// "recovers" and the baseline answers again.
    pub fn clear_stubs(&self) {
        if let Ok(mut s) = self.switches.lock() {
            for on in s.drain(..) {
                on.store(false, Ordering::SeqCst);
            }
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.recorded.lock().map(|r| r.clone()).unwrap_or_default()
    }

    async fn mount_stub(&self, s: Stub, switch: Option<Arc<AtomicBool>>) {
        let mut b = Mock::given(method(s.method.as_str()));
        b = match &s.path {
            PathMatch::Exact(p) => b.and(path(p.as_str())),
            PathMatch::Regex(r) => b.and(path_regex(r.as_str())),
        };
        if let Some(text) = &s.body_contains {
            b = b.and(body_string_contains(text.as_str()));
        }
        if let Some(n) = s.nth {
            b = b.and(Nth {
                recorded: self.recorded.clone(),
                method: s.method.clone(),
                path: s.path.clone(),
                n,
            });
        }
        if let Some(on) = switch {
            b = b.and(Switch(on));
        }
        let commit = s.commit.then(|| self.baseline.clone());
        let mut mock = match s.fault {
            Some(Fault::ConnectionReset) => {
                let name = s.name.clone();
                // RespondErr is sealed in wiremock 0.6: only closures implement it.
                b.respond_with_err(move |req: &Request| reset(&name, commit.as_ref(), req))
            }
            _ => b.respond_with(StubResponder {
                stub: s.clone(),
                commit,
            }),
        };
        mock = mock.with_priority(s.priority);
        if let Some(t) = s.times {
            mock = mock.up_to_n_times(t);
        }
        mock.mount(&self.server).await;
    }
}

/// Records every request; never matches.
struct Recorder(Arc<Mutex<Vec<RecordedRequest>>>);

impl Match for Recorder {
    fn matches(&self, req: &Request) -> bool {
        if let Ok(mut r) = self.0.lock() {
            r.push(RecordedRequest {
                method: req.method.as_str().to_string(),
                path: req.url.path().to_string(),
                body: String::from_utf8_lossy(&req.body).into_owned(),
            });
        }
        false
    }
}

/// Matches only the nth request (counting this one) to a method and path.
struct Nth {
    recorded: Arc<Mutex<Vec<RecordedRequest>>>,
    method: String,
    path: PathMatch,
    n: u64,
}

impl Match for Nth {
    fn matches(&self, _req: &Request) -> bool {
        let Ok(r) = self.recorded.lock() else {
            return false;
        };
        let count = r
            .iter()
            .filter(|x| x.method == self.method && self.path.matches(&x.path))
            .count() as u64;
        count == self.n
    }
}

/// On until the stubs are cleared.
struct Switch(Arc<AtomicBool>);

impl Match for Switch {
    fn matches(&self, _req: &Request) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Body used for `malformed_json`: a reply cut off mid-object.
pub const MALFORMED_BODY: &str = r#"{"device_id": "d-1", "user_id": "#;

struct StubResponder {
    stub: Stub,
    commit: Option<Baseline>,
}

impl Respond for StubResponder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let base = self.commit.as_ref().map(|b| b.answer(req));
        let s = &self.stub;
        let mut reply = base.unwrap_or_else(|| Reply::empty(200));
        if let Some(status) = s.status {
            reply.status = status;
        }
        if let Some(json) = &s.json {
            reply.body = serde_json::to_vec(json).unwrap_or_default();
            reply.mime = "application/json".into();
        } else if let Some(text) = &s.body {
            reply.body = text.clone().into_bytes();
            reply.mime = "text/plain".into();
        }
        if s.fault == Some(Fault::MalformedJson) {
            if s.status.is_none() && !(200..300).contains(&reply.status) {
                reply.status = 200;
            }
            reply.body = MALFORMED_BODY.as_bytes().to_vec();
            reply.mime = "application/json".into();
        }
        for (k, v) in &s.headers {
            if k == http::header::CONTENT_TYPE {
                if let Ok(t) = v.to_str() {
                    reply.mime = t.to_string();
                }
                continue;
            }
            reply.headers.retain(|(n, _)| n != k);
            reply.headers.push((k.clone(), v.clone()));
        }
        if s.delay.is_some() {
            reply.delay = s.delay;
        }
        reply.template()
    }
}

/// Drops the connection (after letting the baseline act, with `commit`).
fn reset(name: &str, commit: Option<&Baseline>, req: &Request) -> std::io::Error {
    if let Some(b) = commit {
        let _ = b.answer(req);
    }
    std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        format!("connection reset by the mock (stub {name:?})"),
    )
}
