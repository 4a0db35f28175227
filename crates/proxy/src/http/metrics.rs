//! `GET /metrics` when enabled.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::ProxyError;
use crate::metrics::render;

/// `GET /metrics`: the text format when enabled, else 404.
pub async fn metrics_text(State(st): State<Arc<AppState>>) -> Response {
    let Some(m) = st.metrics.clone() else {
        return ProxyError::NotFound("not found".into()).into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        render(&st.feeds, &st.packs, &m),
    )
        .into_response()
}
