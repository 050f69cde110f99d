//! The one error type of every handler, and the extractors that turn malformed input into it,
//! so that every refusal, including axum's own, reaches the client as an `ApiErrorBody`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use ssap_api::input::Validate;
use ssap_api::{codes, ApiErrorBody};

/// Largest request body accepted, in bytes.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;

/// A refusal or failure: HTTP status, stable code, sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds, sent as `Retry-After` (R42 throttling).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, codes::UNAUTHORIZED, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, message)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        tracing::error!(error = %e, "storage error");
        ApiError::internal("the control plane's storage failed; try again")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ApiErrorBody {
            code: self.code.to_string(),
            message: self.message,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// JSON body extractor that refuses with an `ApiErrorBody` (axum's own `Json` answers in plain
/// text), saying what was wrong: content type, size, syntax, unknown, missing or null field,
/// or a rule of the wire (`ssap_api::input`, the rules the document states).
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + Validate, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            });
        match content_type.as_deref() {
            Some("application/json") => {}
            Some(other) if other.ends_with("+json") => {}
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "the request body must be JSON (content-type application/json), not {other}"
                )))
            }
            None => {
                return Err(ApiError::bad_request(
                    "the request needs a JSON body with content-type application/json",
                ))
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    codes::PAYLOAD_TOO_LARGE,
                    format!(
                        "the request body is larger than the {} KiB limit",
                        BODY_LIMIT / 1024
                    ),
                )
            } else {
                ApiError::bad_request(format!("the request body could not be read: {rej}"))
            }
        })?;
        let body: T = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::bad_request(format!("the JSON body is not valid for this route: {e}"))
        })?;
        body.validate()
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        Ok(ApiJson(body))
    }
}

/// Path extractor that refuses with an `ApiErrorBody`.
pub(crate) struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| ApiError::bad_request(format!("the URL path is not valid: {e}")))
    }
}

/// Any route the API does not have.
pub(crate) async fn unknown_route() -> ApiError {
    ApiError::not_found("no such route in the SSAP control-plane API")
}

/// A known route called with the wrong method.
pub(crate) async fn wrong_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::METHOD_NOT_ALLOWED,
        "this route does not accept that HTTP method",
    )
}
