//! What API calls leave behind: the exchanges of a scenario for its report, secrets redacted
//! at capture time, or only each call's time for a load run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

/// One request and its answer, kept for the scenario's report. Secrets are redacted at
/// capture time, so nothing sensitive is ever held, let alone written.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Exchange {
    /// The request's method.
    pub method: String,
    /// The request's path (an absolute URL for a web form).
    pub path: String,
    /// The request body, secrets redacted.
    pub request_body: Option<String>,
    /// The reply's status; `None` when no reply came.
    pub status: Option<u16>,
    /// The reply body, secrets redacted.
    pub response_body: Option<String>,
    /// Send to last byte of the reply.
    pub millis: u64,
}

/// Shared list of exchanges; clone it into every client of one scenario.
#[derive(Debug, Clone, Default)]
pub struct ExchangeLog(Arc<Mutex<Vec<Exchange>>>);

impl ExchangeLog {
    /// Records one exchange.
    pub fn push(&self, e: Exchange) {
        if let Ok(mut v) = self.0.lock() {
            v.push(e);
        }
    }
    /// The exchanges so far.
    pub fn snapshot(&self) -> Vec<Exchange> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

/// JSON keys whose values are replaced by "[redacted]" in captured exchanges.
const SECRET_KEYS: &[&str] = &[
    "password",
    "api_key",
    "connect_key",
    "device_credential",
    "ticket",
    "password_hash",
    "token",
    "client_secret",
    "id_token",
    "code",
    "nonce",
    "authorize_url",
    "secret",
    "otpauth_uri",
];

/// Keys that are secret only in a federated sign-in's bodies (R46), recognised by their
/// `redirect_uri`: there `state` is the single-use OAuth state, elsewhere (a user's `state`)
/// it is a lifecycle word worth showing.
const OAUTH_SECRET_KEYS: &[&str] = &["state"];

/// Replaces the values of secret-bearing keys anywhere in a JSON document.
pub fn redact_json(text: &str) -> String {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                let oauth = map.contains_key("redirect_uri");
                // An ApiErrorBody's `code` is a public refusal code, not an MFA or OAuth code.
                let refusal = map.len() == 2 && map.contains_key("message");
                for (k, val) in map.iter_mut() {
                    let secret = (SECRET_KEYS.contains(&k.as_str()) && !(refusal && k == "code"))
                        || (oauth && OAUTH_SECRET_KEYS.contains(&k.as_str()));
                    if secret && !val.is_null() {
                        *val = serde_json::Value::String("[redacted]".into());
                    } else {
                        walk(val);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            walk(&mut v);
            v.to_string()
        }
        // Not JSON: keep only its length, it might be anything.
        Err(_) => format!("[{} bytes, not JSON]", text.len()),
    }
}

/// Told the time of every API call (send to last byte of the reply), without bodies: how a
/// load run gets per-request latencies without the cost of an [`ExchangeLog`].
pub trait CallObserver: Send + Sync {
    /// `status` is `None` when no reply came (transport error or timeout).
    fn observe(&self, method: &str, path: &str, status: Option<u16>, took: Duration);
}
