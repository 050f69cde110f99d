//! A reply before it becomes a wiremock `ResponseTemplate`: the model, the upstream pass-through
//! and the stubs all produce one, so a stub can take the baseline's reply and change it
//! (ResponseTemplate has no getters).

use std::time::Duration;

use serde::Serialize;
use ssap_api::ApiErrorBody;
use wiremock::ResponseTemplate;

/// Status, headers and body of one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status code.
    pub status: u16,
    /// Validated names and values (see `stub::header`), lower-case names.
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The raw body bytes.
    pub body: Vec<u8>,
    /// Content type of `body`; empty for no body.
    pub mime: String,
    /// How long to wait before answering (to outlast a client's timeout).
    pub delay: Option<Duration>,
}

impl Reply {
    /// The same reply with one more header.
    pub fn with_header(mut self, name: http::HeaderName, value: http::HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// A JSON reply.
    pub fn json<T: Serialize>(status: u16, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => Self {
                status,
                headers: Vec::new(),
                body: bytes,
                mime: "application/json".into(),
                delay: None,
            },
            Err(e) => Self::error(
                500,
                ssap_api::codes::INTERNAL,
                &format!("cannot encode: {e}"),
            ),
        }
    }

    /// An `ApiErrorBody` reply.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            &ApiErrorBody {
                code: code.to_string(),
                message: message.to_string(),
            },
        )
    }

    /// A reply without a body (204).
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            mime: String::new(),
            delay: None,
        }
    }

    /// A raw body with its content type.
    pub fn raw(status: u16, body: impl Into<Vec<u8>>, mime: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
            mime: mime.to_string(),
            delay: None,
        }
    }

    /// The wiremock template. Statuses and headers were validated when the reply was built,
    /// so nothing here can panic.
    pub fn template(&self) -> ResponseTemplate {
        let mut t = ResponseTemplate::new(self.status);
        if !self.mime.is_empty() || !self.body.is_empty() {
            let mime = if self.mime.is_empty() {
                "application/octet-stream"
            } else {
                &self.mime
            };
            t = t.set_body_raw(self.body.clone(), mime);
        }
        for (k, v) in &self.headers {
            t = t.insert_header(k.clone(), v.clone());
        }
        if let Some(d) = self.delay {
            t = t.set_delay(d);
        }
        t
    }
}
