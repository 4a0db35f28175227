//! The finder packs over HTTP: the manifest (no-cache, ETag) and the immutable packs
//! (brotli-precompressed when accepted).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::etag_matches;
use crate::error::ProxyError;
use crate::packs::content_hash;

pub(super) fn accepts_br(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.trim().split(';');
            let name = parts.next().unwrap_or("").trim();
            let q0 = parts.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            name.eq_ignore_ascii_case("br") && !q0
        })
}

/// `GET /packs/manifest.json`: no-cache with an ETag; 503 with `Retry-After` before the first
/// compile.
pub async fn manifest_handler(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(m) = st.manifest() else {
        let mut r =
            ProxyError::Unavailable("the session packs are being compiled".into()).into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    let body = serde_json::to_vec(&m).unwrap_or_default();
    let etag = format!("\"{}\"", content_hash(&body));
    let mut h = HeaderMap::new();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    let matches = etag_matches(&headers, &etag);
    if matches {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (StatusCode::OK, h, body).into_response()
}

/// `GET /packs/{hash}.pack`: immutable; brotli-precompressed when the client accepts it.
pub async fn pack_handler(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(hash) = name.strip_suffix(".pack").filter(|h| {
        h.len() == 32
            && h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    }) else {
        return ProxyError::NotFound("no such pack".into()).into_response();
    };
    let (raw, br) = {
        match st.packs.file(hash) {
            Some(pair) => pair,
            None => {
                return ProxyError::NotFound(
                    "no such pack (it may have expired: reload the manifest)".into(),
                )
                .into_response();
            }
        }
    };
    let mut h = HeaderMap::new();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("\"{hash}\"")) {
        h.insert(header::ETAG, v);
    }
    if etag_matches(&headers, &format!("\"{hash}\"")) {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    if accepts_br(&headers) {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        return (StatusCode::OK, h, br).into_response();
    }
    (StatusCode::OK, h, raw).into_response()
}
