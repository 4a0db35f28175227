//! Fetch helpers for the proxy's HTTP API: the pack manifest, packs (bytes) and postcode
//! lookups. The wire types themselves live in the `contract` crate, shared with the proxy.

use gloo_net::http::Request;
use wasm_bindgen::JsCast;

pub use contract::{FeedInfo, Manifest};

/// A failed request; its `Display` is in words a person can read ("could not be reached …").
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// No answer (offline, refused, aborted), with the browser's reason.
    Unreachable(String),
    /// An answer with a non-2xx status (after the retries for 429 and 503).
    Status(u16),
    /// The body could not be read.
    Unreadable(String),
    /// The body was read but is not what was asked for (e.g. a manifest that does not parse).
    Invalid(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Unreachable(e) => write!(f, "could not be reached ({e})"),
            FetchError::Status(s) => write!(f, "answered HTTP {s}"),
            FetchError::Unreadable(e) => write!(f, "sent an unreadable response ({e})"),
            FetchError::Invalid(e) => {
                write!(f, "sent a session list that could not be read ({e})")
            }
        }
    }
}

/// How often a request the proxy turned away for now (429, 503) is tried again.
const RETRIES: u32 = 4;
/// The longest `Retry-After` waited for.
const MAX_WAIT_MS: i32 = 10_000;

/// Fetches a URL; non-2xx statuses are errors. A 429 or 503 (the proxy's rate limit, or a
/// publisher briefly unavailable) is retried a few times after its `Retry-After` (at most 10 s;
/// 1 s when absent), so a reload or a busy shared connection does not fail a feed.
async fn fetch_ok(url: &str) -> Result<gloo_net::http::Response, FetchError> {
    let mut attempt = 0;
    loop {
        let resp = Request::get(url)
            .send()
            .await
            .map_err(|e| FetchError::Unreachable(e.to_string()))?;
        let status = resp.status();
        if (status == 429 || status == 503) && attempt < RETRIES {
            attempt += 1;
            let wait = resp
                .headers()
                .get("retry-after")
                .and_then(|v| finder::decimal::parse(v.trim()))
                .map_or(1_000, |s| {
                    (s * 1000.0).clamp(0.0, f64::from(MAX_WAIT_MS)) as i32
                });
            sleep_ms(wait).await;
            continue;
        }
        if !resp.ok() {
            return Err(FetchError::Status(status));
        }
        return Ok(resp);
    }
}

/// Fetches a URL as text (see [`fetch_ok`] for errors and retries).
pub async fn fetch_text(url: &str) -> Result<String, FetchError> {
    fetch_ok(url)
        .await?
        .text()
        .await
        .map_err(|e| FetchError::Unreadable(e.to_string()))
}

/// Fetches a URL as bytes (feed pages: parsed from bytes, never decoded to a JS string).
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, FetchError> {
    fetch_ok(url)
        .await?
        .binary()
        .await
        .map_err(|e| FetchError::Unreadable(e.to_string()))
}

/// Waits `ms` milliseconds (a `setTimeout` promise).
async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Resolves once the next frame has been painted (a `requestAnimationFrame` callback, then a
/// task): work started after it cannot delay that frame.
pub async fn after_paint() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let Some(w) = web_sys::window() else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            return;
        };
        let next_task = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
            }
        });
        if w.request_animation_frame(next_task.unchecked_ref())
            .is_err()
        {
            // No frames (a hidden page): nothing to wait for.
            let _ = next_task
                .unchecked_ref::<js_sys::Function>()
                .call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Reads the pack manifest (preloaded by `index.html`, so it is usually already on its way),
/// and whether it is the copy the service worker saved because the network failed (offline).
pub async fn manifest() -> Result<(Manifest, bool), FetchError> {
    let resp = fetch_ok("/packs/manifest.json").await?;
    let offline = resp.headers().get("x-af-offline").is_some();
    let text = resp
        .text()
        .await
        .map_err(|e| FetchError::Unreadable(e.to_string()))?;
    let m = serde_json::from_str(&text).map_err(|e| FetchError::Invalid(e.to_string()))?;
    Ok((m, offline))
}

/// Resolves a possibly relative URL against the page origin.
pub fn absolute(url: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    web_sys::Url::new_with_base(url, &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_string())
}

/// Looks up a full postcode through the proxy (`GET /api/postcode/{postcode}`): 200 is a
/// point, 404 not found, anything else (503, network failure, bad answer) unavailable.
pub async fn lookup_postcode(postcode: &str) -> finder::postcode::Lookup {
    use finder::postcode::Lookup;
    let path: String = postcode
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let Ok(resp) = Request::get(&format!("/api/postcode/{path}")).send().await else {
        return Lookup::Unavailable;
    };
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    match status {
        200 => match serde_json::from_str::<contract::PostcodeAnswer>(&text) {
            Ok(p) => Lookup::Found {
                lat: p.lat,
                lon: p.lon,
            },
            Err(_) => Lookup::Unavailable,
        },
        // Only the lookup's own 404 (a proxy without the route says just "not found").
        404 if text.contains("postcode not found") => Lookup::NotFound,
        _ => Lookup::Unavailable,
    }
}
