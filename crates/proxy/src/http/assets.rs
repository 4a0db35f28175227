//! The built app: static files with cache rules for hashed assets, and the page rewrite
//! (pack preloads, link-preview tags, demo banner).

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::services::{ServeDir, ServeFile};

use super::Shared;
use crate::error::ProxyError;

/// File extensions of built assets: a missing one is a 404, never the app page (a stale
/// cached page asking for a replaced hashed file must fail visibly, not get HTML).
pub(super) const ASSET_EXTENSIONS: &[&str] = &[
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

pub(super) fn asset_extension(path: &str) -> bool {
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
pub(super) async fn static_app(State(st): State<Shared>, req: axum::extract::Request) -> Response {
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
            return ProxyError::NotFound("not found".into()).into_response();
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
        let head = format!(
            "{}{}",
            st.packs.preload_links(query.as_deref()),
            link_preview_tags(query.as_deref())
        );
        resp = rewrite_page(resp, &head, banner).await;
    }
    resp
}

/// Open Graph tags for the page a link opens, so a link shared by WhatsApp, SMS or email
/// previews what it shows: "3 activity sessions chosen for you" for a shortlist, else the
/// link's filters in plain words ("Free · Women only · within 2 km of E15"). Made from the
/// link's own query and nothing else (never anything personal: a link carries no note and no
/// name). Every value is escaped: a crafted query can change the words of its own preview, not
/// the page.
pub fn link_preview_tags(query: Option<&str>) -> String {
    static VOCAB: std::sync::OnceLock<Option<openactive::ActivityList>> =
        std::sync::OnceLock::new();
    let vocab = VOCAB.get_or_init(|| {
        openactive::ActivityList::from_jsonld(openactive::vocab::ACTIVITY_LIST_JSONLD).ok()
    });
    let label = |id: &str| -> Option<String> {
        vocab
            .as_ref()
            .and_then(|v| v.label(id))
            .or_else(|| {
                openactive::vocab::ACCESSIBILITY_SUPPORT
                    .iter()
                    .find(|(i, _)| *i == id)
                    .map(|(_, l)| *l)
            })
            .map(str::to_string)
    };
    let (filters, _) = finder::url::decode(query.unwrap_or(""));
    let summary = finder::summary::line(&finder::summary::parts(&filters, &label));
    let title = match filters.shared.len() {
        0 if summary.is_empty() => "Activity Finder: local physical activity sessions".to_string(),
        0 => format!("Activity sessions: {summary}"),
        1 => "1 activity session chosen for you".to_string(),
        n => format!("{n} activity sessions chosen for you"),
    };
    let description = if summary.is_empty() {
        "Find local physical activity and sport sessions, from open data.".to_string()
    } else {
        summary
    };
    [
        ("og:type", "website"),
        ("og:site_name", "Activity Finder"),
        ("og:title", title.as_str()),
        ("og:description", description.as_str()),
    ]
    .iter()
    .map(|(p, c)| format!("<meta property=\"{p}\" content=\"{}\">", escape_attr(c)))
    .chain(std::iter::once(
        "<meta name=\"twitter:card\" content=\"summary\">".to_string(),
    ))
    .collect()
}

/// `s` for a double-quoted HTML attribute.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
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

/// The page with `links` (preload hints for the link's packs, link-preview tags) inserted before `</head>` and the
/// demo banner (when `banner` is not empty) in its static shell. The page then varies with the
/// packs, so its file ETag and date are dropped (it is `no-cache`).
pub(super) async fn rewrite_page(resp: Response, links: &str, banner: &str) -> Response {
    if (links.is_empty() && banner.is_empty())
        || resp.headers().contains_key(header::CONTENT_ENCODING)
    {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, 1 << 20).await {
        Ok(bytes) => bytes,
        Err(e) => {
            return ProxyError::Internal(format!("cannot read the app page: {e}")).into_response();
        }
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
