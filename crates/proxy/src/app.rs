//! The HTTP surface: relayed RPDE feeds, `/api/feeds`, the vocabulary, health checks and the
//! static app, with CORS, compression, ETags, cache and security headers.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use serde_json::json;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::demo::ACTIVITY_LIST;
use crate::harvest::{Feed, Health, read_store};

/// Everything the handlers need.
#[derive(Debug)]
pub struct AppState {
    /// Harvested feeds, parents first.
    pub feeds: Vec<Arc<Feed>>,
    /// Serving demo data.
    pub demo: bool,
    /// Items per relayed page.
    pub page_size: usize,
    /// Changes on every start so ETags never collide across restarts.
    pub epoch: u64,
    /// Built app directory.
    pub dist: PathBuf,
    /// Origins allowed to frame the app.
    pub frame_ancestors: Vec<String>,
    /// Map tiles the app shows (sent in `/api/feeds`, allowed in the CSP).
    pub tiles: crate::config::Tiles,
    /// The postcode service, unless lookups are disabled.
    pub postcodes: Option<Arc<crate::postcode::Lookup>>,
}

type Shared = Arc<AppState>;

/// The full router.
pub fn app(state: Shared) -> Router {
    let inline = std::fs::read_to_string(state.dist.join("index.html"))
        .map(|html| inline_script_hashes(&html))
        .unwrap_or_default();
    let tile_source = state.tiles.img_source().unwrap_or_default();
    let csp = content_security_policy(&state.frame_ancestors, &inline, &tile_source);
    let api = Router::new()
        .route("/feeds/{feed_id}", get(feed_page))
        .route("/api/feeds", get(api_feeds))
        .route("/vocab/activity-list.jsonld", get(vocab))
        .route("/api/{*rest}", any(api_not_found))
        .route("/feeds", any(api_not_found))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        // Same-origin only (no CORS): the app's own lookups, not a public postcode API.
        .route("/api/postcode/{postcode}", get(crate::postcode::handler))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    let index = state.dist.join("index.html");
    let router = if index.is_file() {
        let serve = ServeDir::new(&state.dist)
            .precompressed_br()
            .precompressed_gzip()
            .fallback(ServeFile::new(index));
        api.fallback_service(serve)
    } else {
        tracing::warn!(dist = %state.dist.display(), "no built app found; serving a placeholder page");
        api.fallback(missing_app)
    };
    router
        .with_state(state)
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

/// The Content-Security-Policy for the app. `inline_hashes` are the CSP source expressions
/// (`'sha256-…'`) of the built page's own inline scripts (trunk's module loader), so that no
/// other inline script can run.
pub fn content_security_policy(
    frame_ancestors: &[String],
    inline_hashes: &[String],
    tile_source: &str,
) -> String {
    let frames = if frame_ancestors.is_empty() {
        "'none'".to_string()
    } else {
        frame_ancestors.join(" ")
    };
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for h in inline_hashes {
        script.push(' ');
        script.push_str(h);
    }
    format!(
        "default-src 'self'; script-src {script}; style-src 'self'; \
         img-src 'self' data: {tile_source}; \
         connect-src 'self'; frame-ancestors {frames}; base-uri 'none'; form-action 'self'"
    )
}

/// CSP hashes (`'sha256-<base64>'`) of every inline `<script>` body in an HTML page.
///
/// ```
/// let h = activity_finder_proxy::app::inline_script_hashes("<script src=/a.js></script><script type=module>go()</script>");
/// assert_eq!(h.len(), 1);
/// assert!(h[0].starts_with("'sha256-"));
/// ```
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        let body = &body_start[..close];
        if !tag.contains("src=") && !body.trim().is_empty() {
            let digest = sha2::Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            out.push(format!("'sha256-{b64}'"));
        }
        rest = &body_start[close + "</script>".len()..];
    }
    out
}

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

async fn api_not_found() -> Response {
    json_error(StatusCode::NOT_FOUND, "not found")
}

async fn missing_app() -> Response {
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

fn parse_after(query: Option<&str>) -> Result<Option<u64>, ()> {
    let Some(q) = query else {
        return Ok(None);
    };
    let mut after = None;
    for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
        if k == "afterChangeNumber" {
            let n = v.parse::<u64>().map_err(|_| ())?;
            after = Some(n);
        }
    }
    Ok(after)
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    inm.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

async fn feed_page(
    State(st): State<Shared>,
    Path(feed_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(feed) = st.feeds.iter().find(|f| f.spec.id == feed_id) else {
        return json_error(StatusCode::NOT_FOUND, "unknown feed");
    };
    let Ok(after) = parse_after(query.as_deref()) else {
        return json_error(StatusCode::BAD_REQUEST, "invalid afterChangeNumber");
    };
    let from = after.unwrap_or(0);
    let store = read_store(feed);
    let mut items = store.page(from, st.page_size);
    // Never relay a change number the state directory could hand out again after a crash.
    let ceiling = feed.seq_ceiling.load(std::sync::atomic::Ordering::Acquire);
    if let Some(cut) = items.iter().position(|(s, _)| *s >= ceiling) {
        items.truncate(cut);
    }
    let full = items.len() >= st.page_size;
    let next_after = items.last().map(|(s, _)| *s);
    let next = match (next_after, after) {
        (Some(n), _) | (None, Some(n)) => format!("/feeds/{feed_id}?afterChangeNumber={n}"),
        (None, None) => format!("/feeds/{feed_id}"),
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (st.epoch, &feed_id, after, &feed.spec.license).hash(&mut hasher);
    for (seq, _) in &items {
        seq.hash(&mut hasher);
    }
    let etag = format!("\"{:x}-{:016x}\"", st.epoch, hasher.finish());
    let cache = if full {
        "public, max-age=3600"
    } else {
        "public, max-age=8"
    };
    let mut resp_headers = HeaderMap::new();
    resp_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp_headers.insert(header::ETAG, v);
    }
    if etag_matches(&headers, &etag) {
        resp_headers.remove(header::CONTENT_TYPE);
        return (StatusCode::NOT_MODIFIED, resp_headers).into_response();
    }
    let len: usize = items.iter().map(|(_, j)| j.len() + 1).sum();
    let mut body = String::with_capacity(len + 256);
    body.push_str("{\"next\":");
    body.push_str(&serde_json::to_string(&next).unwrap_or_default());
    body.push_str(",\"items\":[");
    for (i, (_, json)) in items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(json);
    }
    body.push_str("],\"license\":");
    body.push_str(&serde_json::to_string(&feed.spec.license).unwrap_or_default());
    body.push('}');
    drop(store);
    (StatusCode::OK, resp_headers, body).into_response()
}

async fn api_feeds(State(st): State<Shared>) -> Response {
    let feeds: Vec<serde_json::Value> = st
        .feeds
        .iter()
        .map(|f| {
            let status = f.status();
            let items = read_store(f).live_len();
            json!({
                "id": f.spec.id,
                "kind": f.spec.kind,
                "url": format!("/feeds/{}", f.spec.id),
                "publisher": f.spec.publisher,
                "dataset_url": f.spec.dataset_url,
                "license": f.spec.license,
                "items": items,
                "last_harvest": status.last_harvest.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                "status": status.health,
                "error": status.error,
            })
        })
        .collect();
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        json!({
            "demo": st.demo,
            "feeds": feeds,
            "tiles": { "url": st.tiles.url, "attribution": st.tiles.attribution },
        })
        .to_string(),
    )
        .into_response()
}

async fn vocab() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/ld+json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        ACTIVITY_LIST,
    )
        .into_response()
}

async fn healthz() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        "{\"status\":\"ok\"}",
    )
        .into_response()
}

async fn readyz(State(st): State<Shared>) -> Response {
    let waiting = st.feeds.iter().filter(|f| !f.ready()).count();
    let failing = st
        .feeds
        .iter()
        .filter(|f| matches!(f.status().health, Health::Failing | Health::Gone))
        .count();
    let status = if waiting == 0 {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({
            "status": if waiting == 0 { "ready" } else { "starting" },
            "feeds": st.feeds.len(),
            "waiting": waiting,
            "failing": failing,
        })
        .to_string(),
    )
        .into_response()
}
