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
    /// Occurrences are compiled this many days ahead (sent to the app).
    pub lookahead_days: u32,
    /// The finder packs.
    pub packs: Arc<crate::packs::Packs>,
    /// `/metrics` is served (and its request counters), when enabled in the config.
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
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
        .route("/feeds/{feed_id}", get(feed_page).options(preflight))
        .route("/api/feeds", get(api_feeds).options(preflight))
        .route("/packs/manifest.json", get(crate::packs::manifest_handler))
        .route("/packs/{name}", get(crate::packs::pack_handler))
        .route("/vocab/activity-list.jsonld", get(vocab).options(preflight))
        .route("/api/{*rest}", any(api_not_found))
        .route("/feeds", any(api_not_found))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        // Same-origin only (no CORS): the app's own lookups, not a public postcode API.
        .route("/api/postcode/{postcode}", get(crate::postcode::handler))
        .route("/metrics", get(crate::metrics::handler))
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

/// Security headers for responses made outside the router (the rate limiter's 429): a CSP
/// that allows nothing (the body is JSON), `nosniff` and no referrer.
pub fn add_security_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
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

/// Longest path segment answered: longer ones are a client error (file systems refuse names
/// over 255 bytes).
const MAX_SEGMENT_BYTES: usize = 255;

/// Longest path answered (414 beyond).
const MAX_PATH_BYTES: usize = 2048;

/// Request and response guards for every route: a path segment over
/// [`MAX_SEGMENT_BYTES`] is a 404 and a path over [`MAX_PATH_BYTES`] a 414 (logged at debug
/// only); a redirect is never
/// protocol-relative (`//host`, `/\\host`), which a browser would follow off-site.
async fn guard_paths(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let path = req.uri().path();
    if path.len() > MAX_PATH_BYTES {
        tracing::debug!(len = path.len(), "path too long");
        return json_error(StatusCode::URI_TOO_LONG, "path too long");
    }
    if path.split('/').any(|seg| seg.len() > MAX_SEGMENT_BYTES) {
        tracing::debug!(len = path.len(), "path segment too long");
        return json_error(StatusCode::NOT_FOUND, "not found");
    }
    let resp = next.run(req).await;
    let off_site = resp
        .headers()
        .get(header::LOCATION)
        .is_some_and(|l| !is_local_location(l.as_bytes()));
    if off_site {
        return json_error(StatusCode::NOT_FOUND, "not found");
    }
    resp
}

/// Whether a `Location` stays on this origin: a path starting with exactly one `/` (not
/// `//` or `/\\`), with no scheme and no backslash.
fn is_local_location(loc: &[u8]) -> bool {
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
async fn preflight() -> Response {
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

/// File extensions of built assets: a missing one is a 404, never the app page (a stale
/// cached page asking for a replaced hashed file must fail visibly, not get HTML).
const ASSET_EXTENSIONS: &[&str] = &[
    "js",
    "mjs",
    "wasm",
    "css",
    "map",
    "json",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "svg",
    "ico",
    "webp",
    "avif",
    "woff",
    "woff2",
    "ttf",
    "txt",
    "br",
    "gz",
    "webmanifest",
];

fn asset_extension(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.')
        .is_some_and(|(_, ext)| ASSET_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Whether a file name carries trunk's content hash (`name-<hex>.js`, `name-<hex>_bg.wasm`):
/// such a file never changes, so it may be cached for a year.
pub fn is_hashed_asset(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    let Some((stem, _)) = last.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(name, hash)| {
        !name.is_empty()
            && (12..=16).contains(&hash.len())
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The built app: files from `dist` (precompressed when the client accepts it); app routes
/// get `index.html`; HTML is `no-cache` (so a redeploy is picked up), hashed assets are
/// `immutable`, and a missing asset is a 404.
async fn static_app(State(st): State<Shared>, req: axum::extract::Request) -> Response {
    use tower::ServiceExt;
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let method = req.method().clone();
    let headers = req.headers().clone();
    let serve = ServeDir::new(&st.dist)
        .precompressed_br()
        .precompressed_gzip();
    let Ok(mut resp) = serve.oneshot(req).await.map(IntoResponse::into_response);
    if resp.status() == StatusCode::NOT_FOUND {
        if asset_extension(&path) {
            return (
                StatusCode::NOT_FOUND,
                [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
                "not found",
            )
                .into_response();
        }
        let mut index_req = axum::extract::Request::new(axum::body::Body::empty());
        *index_req.method_mut() = method.clone();
        *index_req.headers_mut() = headers;
        let Ok(index) = ServeFile::new(st.dist.join("index.html"))
            .oneshot(index_req)
            .await
            .map(IntoResponse::into_response);
        resp = index;
    }
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // The service worker and the web app manifest are not hashed: always revalidated.
    let revalidate = html || path == "/sw.js" || path == "/manifest.webmanifest";
    let cache = if revalidate {
        Some("no-cache")
    } else if resp.status().is_success() && is_hashed_asset(&path) {
        Some("public, max-age=31536000, immutable")
    } else {
        None
    };
    if let Some(c) = cache {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(c));
    }
    if html && resp.status() == StatusCode::OK && method == axum::http::Method::GET {
        let banner = if st.demo { DEMO_BANNER } else { "" };
        resp = rewrite_page(resp, &st.packs.preload_links(query.as_deref()), banner).await;
    }
    resp
}

/// The demo banner of the static shell (the same words the app shows), so the page says it is
/// demo data from its first paint.
pub const DEMO_BANNER: &str = "<p class=\"demo-banner\" role=\"note\"><strong>Demo data — not real sessions.</strong> Everything shown here is generated for trying the finder out.</p>";

/// The static shell of `index.html` with the demo banner (or nothing) in place of its empty
/// `<div id="demo-banner-slot"></div>`. The slot is found by its id: trunk's release build
/// minifies the page (comments dropped, quotes taken off), so no exact markup can be relied on.
pub fn with_shell_banner(page: &str, banner: &str) -> String {
    const SLOT_ID: &str = "demo-banner-slot";
    let slot = page.find(SLOT_ID).and_then(|at| {
        let start = page[..at].rfind("<div")?;
        let end = at + page[at..].find("</div>")? + "</div>".len();
        Some((start, end))
    });
    match slot {
        Some((start, end)) => format!("{}{banner}{}", &page[..start], &page[end..]),
        None => page.to_string(),
    }
}

/// The page with `links` (preload hints for the link's packs) inserted before `</head>` and the
/// demo banner (when `banner` is not empty) in its static shell. The page then varies with the
/// packs, so its file ETag and date are dropped (it is `no-cache`).
async fn rewrite_page(resp: Response, links: &str, banner: &str) -> Response {
    if (links.is_empty() && banner.is_empty())
        || resp.headers().contains_key(header::CONTENT_ENCODING)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return json_error(StatusCode::INTERNAL_SERVER_ERROR, "something went wrong");
    };
    let page = with_shell_banner(&String::from_utf8_lossy(&bytes), banner);
    let page = match page.find("</head>") {
        Some(i) => format!("{}{links}\n{}", &page[..i], &page[i..]),
        None => page,
    };
    for h in [header::CONTENT_LENGTH, header::ETAG, header::LAST_MODIFIED] {
        parts.headers.remove(h);
    }
    Response::from_parts(parts, axum::body::Body::from(page))
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

/// Whether `If-None-Match` names `etag` (or `*`), weak or strong.
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
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

/// Every feed with its health now (`/api/feeds` and the pack manifest).
pub fn feed_infos(st: &AppState) -> Vec<contract::FeedInfo> {
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let hidden = st.packs.hidden();
    st.feeds
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let status = f.status();
            contract::FeedInfo {
                id: f.spec.id.clone(),
                kind: f.spec.kind.clone(),
                url: format!("/feeds/{}", f.spec.id),
                publisher: f.spec.publisher.clone(),
                dataset_url: f.spec.dataset_url.clone(),
                license: Some(f.spec.license.clone()),
                items: read_store(f).live_len() as u64,
                status: status.health,
                last_harvest: status.last_harvest.map(time),
                error: status.error.clone(),
                retry_at: status.retry_at.map(time),
                caught_up: status.caught_up,
                hidden: hidden.get(i).cloned(),
            }
        })
        .collect()
}

async fn api_feeds(State(st): State<Shared>) -> Response {
    let list = contract::FeedList {
        demo: st.demo,
        feeds: feed_infos(&st),
        tiles: Some(st.tiles.to_contract()),
        lookahead_days: st.lookahead_days,
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        serde_json::to_string(&list).unwrap_or_default(),
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
        openactive::vocab::ACTIVITY_LIST_JSONLD,
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

/// `/readyz`: 200 once every feed can be served (restored from disk or first pass settled).
/// `/readyz?caught_up=1`: 200 only once every feed has also reached its end since this process
/// started (or is gone), so a freshly restored proxy is not mistaken for an up-to-date one.
async fn readyz(State(st): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let want_caught_up = query.as_deref().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "caught_up" && v == "1")
    });
    let waiting = st.feeds.iter().filter(|f| !f.ready()).count() + usize::from(!st.packs.ready());
    let statuses: Vec<_> = st.feeds.iter().map(|f| f.status()).collect();
    let failing = statuses
        .iter()
        .filter(|s| matches!(s.health, Health::Failing | Health::Gone))
        .count();
    let behind = statuses
        .iter()
        .filter(|s| !s.caught_up && s.health != Health::Gone)
        .count();
    let ready = waiting == 0 && (!want_caught_up || behind == 0);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = if waiting > 0 {
        "starting"
    } else if want_caught_up && behind > 0 {
        "catching up"
    } else {
        "ready"
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({
            "status": word,
            "feeds": st.feeds.len(),
            "waiting": waiting,
            "failing": failing,
            "behind": behind,
        })
        .to_string(),
    )
        .into_response()
}
