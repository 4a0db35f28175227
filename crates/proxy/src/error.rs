//! The proxy's one error type and the short JSON error body every endpoint answers with
//! (`{"error": "…"}`). Client errors say what was wrong; anything else is logged and answered
//! with "something went wrong".

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why something the proxy was asked to do failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyError {
    /// The configuration or a command-line argument is invalid (the message says which and why).
    Config(String),
    /// A request the proxy cannot answer as asked (400).
    BadRequest(String),
    /// No such resource (404).
    NotFound(String),
    /// Not available right now (503).
    Unavailable(String),
    /// An upstream answered with something other than what was asked for (a page that is not
    /// RPDE, a dataset page without feeds).
    Upstream(String),
    /// A file, directory or socket operation failed (what was being done, and the OS error).
    Io(String),
    /// Anything else the proxy did not expect.
    Internal(String),
}

impl ProxyError {
    /// An I/O failure while doing `what`.
    pub fn io(what: impl std::fmt::Display, e: &std::io::Error) -> Self {
        ProxyError::Io(format!("{what}: {e}"))
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ProxyError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ProxyError::NotFound(_) => StatusCode::NOT_FOUND,
            ProxyError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ProxyError::Config(_)
            | ProxyError::Upstream(_)
            | ProxyError::Io(_)
            | ProxyError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxyError::Config(m)
            | ProxyError::BadRequest(m)
            | ProxyError::NotFound(m)
            | ProxyError::Unavailable(m)
            | ProxyError::Upstream(m)
            | ProxyError::Io(m)
            | ProxyError::Internal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ProxyError {}

impl IntoResponse for ProxyError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(error = %self, "request failed");
            return json_error(status, "something went wrong");
        }
        json_error(status, &self.to_string())
    }
}

/// A short JSON error body: `{"error": msg}`, `no-store`.
pub fn json_error(status: StatusCode, msg: &str) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        json!({ "error": msg }).to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> (StatusCode, String) {
        let status = r.status();
        let bytes = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn client_errors_say_what_was_wrong_and_internal_ones_do_not() {
        let (s, b) = body(ProxyError::BadRequest("not a postcode".into()).into_response()).await;
        assert_eq!(
            (s, b.as_str()),
            (StatusCode::BAD_REQUEST, r#"{"error":"not a postcode"}"#)
        );
        let (s, b) = body(ProxyError::NotFound("no such feed".into()).into_response()).await;
        assert_eq!(
            (s, b.as_str()),
            (StatusCode::NOT_FOUND, r#"{"error":"no such feed"}"#)
        );
        let (s, b) = body(
            ProxyError::io(
                "cannot save /secret/path",
                &std::io::Error::other("disk full"),
            )
            .into_response(),
        )
        .await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(b, r#"{"error":"something went wrong"}"#);
        assert!(!b.contains("secret"));
    }
}
