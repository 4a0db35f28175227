//! The full router: routes, the CORS and security header layers, path guards and fallbacks.

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use super::Shared;
use super::api::{healthz, readyz, vocab};
use super::assets::static_app;
use super::feeds::{api_feeds, feed_page};
use super::headers::{content_security_policy, inline_script_hashes};
use crate::error::{ProxyError, json_error};

/// The full router.
pub fn app(state: Shared) -> Router {
    let inline = std::fs::read_to_string(state.dist.join("index.html"))
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    let tile_source = state.tiles.img_source().unwrap_or_default();
    let csp = content_security_policy(&state.frame_ancestors, &inline, &tile_source);
    let api = Router::new()
        .route("/feeds/{feed_id}", get(feed_page).options(preflight))
        .route("/api/feeds", get(api_feeds).options(preflight))
        .route("/packs/manifest.json", get(super::packs::manifest_handler))
        .route("/packs/{name}", get(super::packs::pack_handler))
        .route("/vocab/activity-list.jsonld", get(vocab).options(preflight))
        .route("/api/{*rest}", any(api_not_found))
        .route("/feeds", any(api_not_found))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        // Same-origin only (no CORS): the app's own lookups, not a public postcode API.
        .route(
            "/api/postcode/{postcode}",
            get(super::postcode::postcode_lookup),
        )
        .route("/metrics", get(super::metrics::metrics_text))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    let index = state.dist.join("index.html");
    let router = if index.is_file() {
        api.fallback(static_app)
    } else {
        tracing::warn!(dist = %state.dist.display(), "no built app found; serving a placeholder page");
        api.fallback(missing_app)
    };
    let counters = state.metrics.clone();
    router
        .with_state(state)
        .layer(axum::middleware::from_fn(guard_paths))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let counters = counters.clone();
                async move {
                    let resp = next.run(req).await;
                    if let Some(m) = &counters {
                        m.count_response(resp.status());
                    }
                    resp
                }
            },
        ))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).unwrap_or_else(|_| {
                HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
            }),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(30),
        ))
}

/// Longest path segment answered: longer ones are a client error (file systems refuse names
/// over 255 bytes).
pub(super) const MAX_SEGMENT_BYTES: usize = 255;

/// Longest path answered (414 beyond).
pub(super) const MAX_PATH_BYTES: usize = 2048;

/// Request and response guards for every route: a path segment over
/// [`MAX_SEGMENT_BYTES`] is a 404 and a path over [`MAX_PATH_BYTES`] a 414 (logged at debug
/// only); a redirect is never
/// protocol-relative (`//host`, `/\\host`), which a browser would follow off-site.
pub(super) async fn guard_paths(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path();
    if path.len() > MAX_PATH_BYTES {
        tracing::debug!(len = path.len(), "path too long");
        return json_error(StatusCode::URI_TOO_LONG, "path too long");
    }
    if path.split('/').any(|seg| seg.len() > MAX_SEGMENT_BYTES) {
        tracing::debug!(len = path.len(), "path segment too long");
        return ProxyError::NotFound("not found".into()).into_response();
    }
    let resp = next.run(req).await;
    let off_site = resp
        .headers()
        .get(header::LOCATION)
        .is_some_and(|l| !is_local_location(l.as_bytes()));
    if off_site {
        return ProxyError::NotFound("not found".into()).into_response();
    }
    resp
}

/// Every error answer is a short JSON error: the ones axum and tower-http make themselves (a
/// path that is not UTF-8, a method a route does not take, a missing asset) come as plain text
/// or with no body at all. Their status and headers (`Allow`, `Retry-After`) are kept; a text
/// reason is kept too, cut to 200 characters, and otherwise the status's own name is used.
pub(super) async fn json_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().chars().take(200).collect::<String>())
        .filter(|t| !t.is_empty());
    let reason = status
        .canonical_reason()
        .unwrap_or("error")
        .to_ascii_lowercase();
    let mut out = json_error(status, text.as_deref().unwrap_or(&reason));
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// Whether a `Location` stays on this origin: a path starting with exactly one `/` (not
/// `//` or `/\\`), with no scheme and no backslash.
pub(super) fn is_local_location(loc: &[u8]) -> bool {
    if loc.is_empty() || loc.contains(&b'\\') {
        return false;
    }
    match loc {
        [b'/', b'/', ..] => false,
        [b'/', ..] => true,
        // A relative reference, as long as it has no scheme.
        _ => !loc.contains(&b':'),
    }
}

/// Answers a CORS preflight for the relayed feeds and the public API (`GET` only, any
/// origin; the `Access-Control-Allow-Origin` header comes from the API layer).
pub(super) async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD, OPTIONS"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("If-None-Match, If-Modified-Since, Cache-Control"),
            ),
            (
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            ),
        ],
    )
        .into_response()
}

pub(super) async fn api_not_found() -> Response {
    ProxyError::NotFound("not found".into()).into_response()
}

pub(super) async fn missing_app() -> Response {
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Html(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Activity Finder</title></head><body><h1>Activity Finder</h1>\
             <p>The app has not been built yet: build the app with <code>scripts/run.sh</code>.</p>\
             <p>The proxy is running: see <a href=\"/api/feeds\">/api/feeds</a>.</p></body></html>",
        ),
    )
        .into_response()
}
