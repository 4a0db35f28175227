//! The proxy's errors and the short JSON error body every endpoint answers with.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A short JSON error body.
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
