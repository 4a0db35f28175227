//! `GET /api/postcode/{postcode}`: the app's own full-postcode lookups (same origin only).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::ProxyError;
use crate::postcode::{Answer, Unavailable, normalise};

/// `GET /api/postcode/{postcode}`.
pub async fn postcode_lookup(State(st): State<Arc<AppState>>, Path(raw): Path<String>) -> Response {
    let started = Instant::now();
    let Some(postcode) = normalise(&raw) else {
        tracing::info!(outcome = "invalid", "postcode lookup");
        return ProxyError::BadRequest("not a postcode".into()).into_response();
    };
    let Some(lookup) = &st.postcodes else {
        tracing::info!(outcome = "disabled", "postcode lookup");
        return ProxyError::Unavailable("postcode lookup unavailable".into()).into_response();
    };
    let result = lookup.lookup(&postcode).await;
    let ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(Answer::Found(f)) => {
            tracing::info!(outcome = "found", ms, "postcode lookup");
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    ),
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("private, max-age=86400"),
                    ),
                ],
                serde_json::to_string(&f).unwrap_or_default(),
            )
                .into_response()
        }
        Ok(Answer::NotFound) => {
            tracing::info!(outcome = "not_found", ms, "postcode lookup");
            ProxyError::NotFound("postcode not found".into()).into_response()
        }
        Err(e) => {
            let reason = match e {
                Unavailable::Disabled => "disabled",
                Unavailable::Upstream(r) => r,
            };
            tracing::warn!(outcome = "unavailable", reason, ms, "postcode lookup");
            ProxyError::Unavailable("postcode lookup unavailable".into()).into_response()
        }
    }
}
