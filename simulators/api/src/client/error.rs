//! Why a call failed: [`ApiError`], and how a transport error or a refusal becomes one.

use reqwest::{Method, StatusCode};

use crate::types::ApiErrorBody;

/// Why a call failed, with enough context to say which call and what came back.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No HTTP answer: connection refused or reset, or the client timeout passed.
    #[error("{method} {path}: no answer from the control plane at {base}: {detail}")]
    Transport {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// The server root it was sent to.
        base: String,
        /// What the transport said, with its causes.
        detail: String,
        /// No answer within the client's timeout.
        timed_out: bool,
    },
    /// An HTTP answer with an error status.
    #[error("{method} {path}: HTTP {status} {code}: {message}")]
    Status {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// The HTTP status.
        status: u16,
        /// The refusal code, or `unexpected_reply` when the body is not an `ApiErrorBody`.
        code: String,
        /// The refusal's sentence.
        message: String,
        /// Seconds the server asked to wait (429, 503).
        retry_after_secs: Option<u64>,
    },
    /// A success status whose body is not what the contract says.
    #[error(
        "{method} {path}: HTTP {status} with a body that does not match the API contract: {detail}"
    )]
    Malformed {
        /// The request's method.
        method: String,
        /// The request's path.
        path: String,
        /// The HTTP status.
        status: u16,
        /// Why the body does not match.
        detail: String,
    },
}

impl ApiError {
    /// The machine code of a refusal (`user_suspended`, `too_many_attempts`, ...), if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status { code, .. } => Some(code),
            _ => None,
        }
    }

    /// HTTP status of a refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Worth retrying with the same request: nothing came back, the reply was unreadable,
    /// or the server said it is overloaded or broken (5xx, 429).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Transport { .. } | ApiError::Malformed { .. } => true,
            ApiError::Status { status, .. } => *status >= 500 || *status == 429,
        }
    }
}

pub(super) fn transport(method: &Method, path: &str, base: &str, e: &reqwest::Error) -> ApiError {
    let mut detail = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail.push_str(": ");
        detail.push_str(&s.to_string());
        src = s.source();
    }
    ApiError::Transport {
        method: method.to_string(),
        path: path.into(),
        base: base.into(),
        detail,
        timed_out: e.is_timeout(),
    }
}

pub(super) fn status_error(
    method: &Method,
    path: &str,
    status: StatusCode,
    text: &str,
    retry_after_secs: Option<u64>,
) -> ApiError {
    let (code, message) = match serde_json::from_str::<ApiErrorBody>(text) {
        Ok(b) => (b.code, b.message),
        Err(_) => (
            "unexpected_reply".to_string(),
            format!(
                "{} (body not in the API's error format)",
                status.canonical_reason().unwrap_or("error")
            ),
        ),
    };
    ApiError::Status {
        method: method.to_string(),
        path: path.into(),
        status: status.as_u16(),
        code,
        message,
        retry_after_secs,
    }
}
