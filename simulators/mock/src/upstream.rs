//! The pass-through baseline of the fault proxy: forwards a request to a real control plane
//! and returns its answer as a [`Reply`].
//!
//! wiremock calls responders synchronously on its server's own thread, inside that thread's
//! runtime, where a blocking reqwest client would panic. So a worker thread with its own
//! current-thread runtime and async client does the HTTP, and the responder waits for it on a
//! plain channel (blocking only that scenario's mock server, which is serial anyway).

use std::sync::mpsc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::mpsc as tmpsc;
use wiremock::Request;

use crate::reply::Reply;

/// How long the proxy waits for the real control plane.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

struct Job {
    method: reqwest::Method,
    url: String,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
    answer: mpsc::Sender<Reply>,
}

pub(crate) struct Upstream {
    jobs: tmpsc::UnboundedSender<Job>,
    base: String,
}

impl Upstream {
    pub(crate) fn start(base: &str) -> anyhow::Result<Self> {
        let (tx, mut rx) = tmpsc::unbounded_channel::<Job>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("building the proxy's runtime")?;
        let client = reqwest::Client::builder()
            .timeout(UPSTREAM_TIMEOUT)
            .build()
            .context("building the proxy's HTTP client")?;
        std::thread::Builder::new()
            .name("ssap-mock-upstream".into())
            .spawn(move || {
                runtime.block_on(async move {
                    // Ends when the proxy (the only sender) is dropped.
                    while let Some(job) = rx.recv().await {
                        let reply = send(&client, &job).await;
                        let _ = job.answer.send(reply);
                    }
                });
            })
            .context("starting the proxy's worker thread")?;
        Ok(Self {
            jobs: tx,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    pub(crate) fn forward(&self, req: &Request) -> Reply {
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &req.headers {
            if !matches!(k.as_str(), "host" | "content-length" | "connection") {
                headers.insert(k.clone(), v.clone());
            }
        }
        let path = match req.url.query() {
            Some(q) => format!("{}?{q}", req.url.path()),
            None => req.url.path().to_string(),
        };
        let (answer, wait) = mpsc::channel();
        let job = Job {
            method: req.method.clone(),
            url: format!("{}{path}", self.base),
            headers,
            body: req.body.clone(),
            answer,
        };
        if self.jobs.send(job).is_err() {
            return gateway("the fault proxy's worker has stopped");
        }
        wait.recv_timeout(UPSTREAM_TIMEOUT + Duration::from_secs(5))
            .unwrap_or_else(|_| gateway("the real control plane did not answer the fault proxy"))
    }
}

fn gateway(message: &str) -> Reply {
    Reply::error(502, "bad_gateway", message)
}

async fn send(client: &reqwest::Client, job: &Job) -> Reply {
    let resp = client
        .request(job.method.clone(), &job.url)
        .headers(job.headers.clone())
        .body(job.body.clone())
        .send()
        .await;
    let resp = match resp {
        Ok(r) => r,
        Err(e) => return gateway(&format!("cannot reach {}: {e}", job.url)),
    };
    let status = resp.status().as_u16();
    let mime = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let keep: Vec<_> = resp
        .headers()
        .iter()
        .filter(|(k, _)| *k == reqwest::header::RETRY_AFTER)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match resp.bytes().await {
        Ok(body) => {
            let mut r = Reply::raw(status, body.to_vec(), &mime);
            r.headers = keep;
            r
        }
        Err(e) => gateway(&format!("reading the answer of {}: {e}", job.url)),
    }
}
