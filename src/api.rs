//! Wire types and fetch helpers for the proxy's HTTP API (`/api/feeds`, feed pages, vocab,
//! postcode lookups).
//! Pages are fetched as text and parsed in Rust so that RPDE `modified` values beyond 2^53
//! never pass through JavaScript numbers.

use gloo_net::http::Request;
use serde::Deserialize;

/// One feed the proxy relays (`GET /api/feeds`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeedInfo {
    /// Proxy feed id.
    pub id: String,
    /// RPDE kind, e.g. "SessionSeries".
    pub kind: String,
    /// First page URL on the proxy.
    pub url: String,
    /// Publisher name for attribution.
    pub publisher: String,
    /// Dataset Site URL.
    #[serde(default)]
    pub dataset_url: Option<String>,
    /// Licence URL.
    #[serde(default)]
    pub license: Option<String>,
    /// ok | harvesting | failing | gone.
    #[serde(default)]
    pub status: String,
    /// When the proxy last read the feed successfully (RFC 3339).
    #[serde(default)]
    pub last_harvest: Option<String>,
    /// Why the proxy cannot harvest it, when failing.
    #[serde(default)]
    pub error: Option<String>,
}

/// `GET /api/feeds`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeedList {
    /// True when the proxy serves its built-in demo data.
    #[serde(default)]
    pub demo: bool,
    /// Feeds, parents first.
    pub feeds: Vec<FeedInfo>,
    /// Map tiles, when the operator configured a tile server.
    #[serde(default)]
    pub tiles: Option<TileConfig>,
}

/// Tile server settings from the proxy's configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TileConfig {
    /// URL template with `{z}/{x}/{y}`.
    pub url: String,
    /// Attribution text.
    pub attribution: String,
}

/// A failed request, in words a person can read.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchError(pub String);

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Fetches a URL as text; non-2xx statuses are errors.
pub async fn fetch_text(url: &str) -> Result<String, FetchError> {
    let resp = Request::get(url)
        .send()
        .await
        .map_err(|e| FetchError(format!("could not be reached ({e})")))?;
    if !resp.ok() {
        return Err(FetchError(format!("answered HTTP {}", resp.status())));
    }
    resp.text()
        .await
        .map_err(|e| FetchError(format!("sent an unreadable response ({e})")))
}

/// Reads the feed list.
pub async fn feed_list() -> Result<FeedList, FetchError> {
    let text = fetch_text("/api/feeds").await?;
    serde_json::from_str(&text)
        .map_err(|e| FetchError(format!("sent a feed list that could not be read ({e})")))
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

#[derive(Deserialize)]
struct PostcodePoint {
    lat: f64,
    lon: f64,
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
        200 => match serde_json::from_str::<PostcodePoint>(&text) {
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
