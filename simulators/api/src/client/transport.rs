//! The connection settings every client shares ([`Http`]): one connection pool, the base URL,
//! the exchange log or call observer, and the one function that sends a call and reads its
//! reply. Also the headers that carry each credential.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::{status_error, transport, ApiError};
use super::exchange::{redact_json, CallObserver, Exchange, ExchangeLog};

/// Header carrying the per-org admin API key (as the public JumpCloud API does).
pub const API_KEY_HEADER: &str = "x-api-key";
/// Header carrying the org connect key an agent presents once, to register its device.
pub const CONNECT_KEY_HEADER: &str = "x-connect-key";
/// Header carrying the per-device credential issued at registration.
pub const DEVICE_KEY_HEADER: &str = "x-device-key";

/// Connection settings shared by every credential's client.
#[derive(Clone)]
pub struct Http {
    inner: reqwest::Client,
    /// The device web view's browser: follows no redirects, so that the identity provider's
    /// redirect to the JumpCloud callback is seen, not chased (R46).
    browser: reqwest::Client,
    base: String,
    /// `base` parsed once: a request's URL is this with its path and query set, instead of a
    /// string formatted and parsed again per request. `None` when `base` is not a URL (every
    /// request then fails as a transport error naming it).
    base_url: Option<reqwest::Url>,
    log: Option<ExchangeLog>,
    observer: Option<Arc<dyn CallObserver>>,
}

/// What a web page answered to a form POST: its status, where it redirects, its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormReply {
    /// The HTTP status.
    pub status: u16,
    /// Where a redirect points, if the page redirected.
    pub location: Option<String>,
    /// The page's body.
    pub body: String,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").field("base", &self.base).finish()
    }
}

impl Http {
    /// `base` is the server root, e.g. `http://127.0.0.1:8080`. `timeout` bounds every call.
    pub fn new(base: &str, timeout: Duration) -> Result<Self, ApiError> {
        let inner = reqwest::Client::builder()
            .timeout(timeout)
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| ApiError::Transport {
                method: "-".into(),
                path: "-".into(),
                base: base.into(),
                detail: format!("cannot build the HTTP client: {e}"),
                timed_out: false,
            })?;
        let browser = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ApiError::Transport {
                method: "-".into(),
                path: "-".into(),
                base: base.into(),
                detail: format!("cannot build the web view's HTTP client: {e}"),
                timed_out: false,
            })?;
        Ok(Self {
            inner,
            browser,
            base: base.trim_end_matches('/').to_string(),
            base_url: reqwest::Url::parse(base.trim_end_matches('/'))
                .ok()
                .filter(|u| !u.cannot_be_a_base()),
            log: None,
            observer: None,
        })
    }

    /// Submits a web form, as the device's web view does on an identity provider's page
    /// (R46): `url` is absolute (another server than the control plane), redirects are
    /// returned, not followed. Recorded in the exchange log with secrets redacted.
    pub async fn submit_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<FormReply, ApiError> {
        let method = Method::POST;
        let shown_path = url.split('?').next().unwrap_or(url).to_string();
        let logged_form = {
            let map: serde_json::Map<String, serde_json::Value> = form
                .iter()
                .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
                .collect();
            serde_json::Value::Object(map).to_string()
        };
        let started = Instant::now();
        let sent = self
            .browser
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::federation::form_encode(form))
            .send()
            .await;
        let transport_err = |e: &reqwest::Error| {
            let mut err = transport(&method, &shown_path, url, e);
            if let ApiError::Transport { detail, .. } = &mut err {
                *detail = format!("the page did not answer: {detail}");
            }
            err
        };
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                self.record(
                    &method,
                    &shown_path,
                    &Some(logged_form),
                    None,
                    None,
                    started,
                );
                return Err(transport_err(&e));
            }
        };
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = match resp.text().await {
            Ok(b) => b,
            Err(e) => {
                self.record(
                    &method,
                    &shown_path,
                    &Some(logged_form),
                    Some(status),
                    None,
                    started,
                );
                return Err(transport_err(&e));
            }
        };
        let shown_reply = match &location {
            Some(l) => {
                serde_json::json!({ "location": l.split('?').next().unwrap_or(l) }).to_string()
            }
            None => body.clone(),
        };
        self.record(
            &method,
            &shown_path,
            &Some(logged_form),
            Some(status),
            Some(&shown_reply),
            started,
        );
        Ok(FormReply {
            status: status.as_u16(),
            location,
            body,
        })
    }

    /// Same connection pool, with every exchange recorded into `log`.
    pub fn with_log(&self, log: ExchangeLog) -> Self {
        Self {
            inner: self.inner.clone(),
            browser: self.browser.clone(),
            base: self.base.clone(),
            base_url: self.base_url.clone(),
            log: Some(log),
            observer: self.observer.clone(),
        }
    }

    /// Same connection pool, with every API call's time told to `observer`.
    pub fn with_observer(&self, observer: Arc<dyn CallObserver>) -> Self {
        Self {
            observer: Some(observer),
            ..self.clone()
        }
    }

    /// The server root, e.g. `http://127.0.0.1:8080`.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub(super) async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        auth: Option<(&str, &str)>,
        body: Option<&B>,
    ) -> Result<R, ApiError> {
        let mut req = match self.url(path) {
            Some(url) => self.inner.request(method.clone(), url),
            None => self
                .inner
                .request(method.clone(), format!("{}{}", self.base, path)),
        };
        if let Some((h, v)) = auth {
            req = req.header(h, v);
        }
        let body_text = match body {
            Some(b) => {
                let text = serde_json::to_string(b).map_err(|e| ApiError::Malformed {
                    method: method.to_string(),
                    path: path.into(),
                    status: 0,
                    detail: format!("cannot encode the request: {e}"),
                })?;
                let kept = self.log.is_some().then(|| text.clone());
                req = req.header("content-type", "application/json").body(text);
                kept
            }
            None => None,
        };
        let started = Instant::now();
        let outcome = req.send().await;
        let (status, text) = match outcome {
            Ok(resp) => {
                let status = resp.status();
                let retry_after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok());
                match resp.text().await {
                    Ok(text) => (status, Ok((text, retry_after))),
                    Err(e) => (status, Err(e)),
                }
            }
            Err(e) => {
                self.record(&method, path, &body_text, None, None, started);
                return Err(transport(&method, path, &self.base, &e));
            }
        };
        let (text, retry_after) = match text {
            Ok(t) => t,
            Err(e) => {
                self.record(&method, path, &body_text, Some(status), None, started);
                return Err(transport(&method, path, &self.base, &e));
            }
        };
        self.record(
            &method,
            path,
            &body_text,
            Some(status),
            Some(&text),
            started,
        );
        if status.is_success() {
            let text = if text.is_empty() { "null" } else { &text };
            serde_json::from_str(text).map_err(|e| ApiError::Malformed {
                method: method.to_string(),
                path: path.into(),
                status: status.as_u16(),
                detail: e.to_string(),
            })
        } else {
            Err(status_error(&method, path, status, &text, retry_after))
        }
    }

    /// `base` + `path` (which may hold a query), from the parsed base.
    fn url(&self, path: &str) -> Option<reqwest::Url> {
        let mut url = self.base_url.clone()?;
        let (p, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let joined = format!("{}{p}", url.path().trim_end_matches('/'));
        url.set_path(&joined);
        url.set_query(query);
        Some(url)
    }

    fn record(
        &self,
        method: &Method,
        path: &str,
        req: &Option<String>,
        status: Option<StatusCode>,
        resp: Option<&str>,
        started: Instant,
    ) {
        if let Some(o) = &self.observer {
            o.observe(
                method.as_str(),
                path,
                status.map(|s| s.as_u16()),
                started.elapsed(),
            );
        }
        if let Some(log) = &self.log {
            log.push(Exchange {
                method: method.to_string(),
                path: path.to_string(),
                request_body: req.as_deref().map(redact_json),
                status: status.map(|s| s.as_u16()),
                response_body: resp.filter(|t| !t.is_empty()).map(redact_json),
                millis: started.elapsed().as_millis() as u64,
            });
        }
    }
}

/// The body of a call that sends none.
pub(super) const NO_BODY: Option<&()> = None;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_url_is_the_one_the_joined_string_parses_to() {
        for base in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "http://cp.example/prefix/",
        ] {
            let http = Http::new(base, Duration::from_secs(1)).expect("client");
            for path in [
                "/api/device/login-window",
                "/api/admin/users?limit=10&cursor=a%2Fb",
                "/api/admin/users/0190-ab/associations",
                "/api/admin/audit?action=provision&target=a b",
            ] {
                let joined = format!("{}{path}", base.trim_end_matches('/'));
                let expected = reqwest::Url::parse(&joined).expect("joined URL");
                assert_eq!(http.url(path), Some(expected), "{base} + {path}");
            }
        }
        let not_a_url = Http::new("not a url", Duration::from_secs(1)).expect("client");
        assert_eq!(not_a_url.url("/healthz"), None);
    }
}
