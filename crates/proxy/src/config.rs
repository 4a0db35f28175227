//! The proxy's TOML configuration: defaults, parsing (unknown keys rejected) and validation.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::ProxyError;
use crate::net::Cidr;

/// The whole configuration file. Every key is optional; see `config/london.example.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Directory of the built browser app.
    pub dist: PathBuf,
    /// Only items inside this area are kept (items without coordinates are kept).
    pub region: Option<Region>,
    /// Upcoming occurrences further ahead than this are held back.
    pub lookahead_days: u32,
    /// Seconds between polls of a feed's last page.
    pub poll_interval_secs: u64,
    /// Items per relayed RPDE page.
    pub page_size: usize,
    /// Upstream RPDE feeds to harvest.
    pub feeds: Vec<FeedConfig>,
    /// CIDRs of private/loopback/link-local networks that upstreams may nevertheless use.
    pub allow_private_networks: Vec<String>,
    /// Origins allowed to frame the app (CSP `frame-ancestors`); empty means none.
    pub frame_ancestors: Vec<String>,
    /// Map tile server shown under the markers (also allowed in the CSP `img-src`).
    pub tiles: Tiles,
    /// Size, time and concurrency limits.
    pub limits: Limits,
    /// Directory where each feed's compacted state is saved (created if missing).
    pub state_dir: PathBuf,
    /// Least time between two saves of a feed's state, in milliseconds (debounce).
    pub state_save_interval_ms: u64,
    /// Seconds between full resyncs of a feed from its first page (RPDE: at most weekly).
    pub resync_interval_secs: u64,
    /// Per-client request rate limit on the listening side.
    pub rate_limit: RateLimit,
    /// Discover feeds from the OpenActive data catalogue (in addition to `feeds`).
    pub discover: Option<Discover>,
    /// Full-postcode lookups (`/api/postcode/{postcode}`) through an allowlisted service.
    pub postcode_lookup: PostcodeLookup,
    /// When finder packs are rebuilt and how long old ones are kept.
    pub packs: PackSettings,
    /// Serve `/metrics` (Prometheus text format); off by default.
    pub metrics: bool,
}

/// The postcode service behind `/api/postcode/{postcode}`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PostcodeLookup {
    /// URL template with `{postcode}` (postcodes.io's shape of answer); empty disables lookups.
    pub url: String,
    /// Most postcodes kept in the cache.
    pub cache_size: u64,
    /// Seconds a found postcode stays cached.
    pub cache_ttl_secs: u64,
}

impl Default for PostcodeLookup {
    fn default() -> Self {
        PostcodeLookup {
            url: "https://api.postcodes.io/postcodes/{postcode}".to_string(),
            cache_size: 10_000,
            cache_ttl_secs: 7 * 24 * 3600,
        }
    }
}

impl PostcodeLookup {
    /// The template with `postcode` (already percent-encoded) filled in.
    pub fn fill(&self, encoded_postcode: &str) -> Option<url::Url> {
        url::Url::parse(&self.url.replace("{postcode}", encoded_postcode)).ok()
    }

    /// Checks the template: empty, or an http(s) URL whose `{postcode}` lies in the path or
    /// query (so the origin can never depend on the postcode).
    pub fn validate(&self) -> Result<(), ProxyError> {
        if self.url.is_empty() {
            return Ok(());
        }
        let (Some(a), Some(b)) = (self.fill("E154HT"), self.fill("SW1A1AA")) else {
            return Err(ProxyError::Config(
                "postcode_lookup.url must be an http(s) URL".into(),
            ));
        };
        let host = self.url.split_once("://").map(|(_, r)| r).unwrap_or("");
        let authority = host.split(['/', '?', '#']).next().unwrap_or("");
        if !matches!(a.scheme(), "http" | "https")
            || a.host().is_none()
            || !self.url.contains("{postcode}")
            || authority.contains("{postcode}")
            || a.origin() != b.origin()
        {
            return Err(ProxyError::Config(
                "postcode_lookup.url must be an http(s) URL with {postcode} in its path or query"
                    .into(),
            ));
        }
        if self.cache_ttl_secs == 0 {
            return Err(ProxyError::Config(
                "postcode_lookup.cache_ttl_secs must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// A token bucket per client IP address (IPv6 by /64).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimit {
    /// Sustained requests per second per client; 0 disables the limit.
    pub per_second: f64,
    /// Requests a client may make in a burst.
    pub burst: u32,
    /// Most clients tracked at once (bounded memory); idle ones are forgotten first.
    pub max_clients: usize,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 20.0,
            burst: 100,
            max_clients: 100_000,
        }
    }
}

/// Feed discovery from a data catalogue collection.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Discover {
    /// The collection (a `DataCatalog` whose `hasPart` lists catalogues).
    #[serde(default = "default_collection")]
    pub collection_url: String,
    /// Keep only datasets whose site URL or feed host contains one of these (empty: all).
    #[serde(default)]
    pub include: Vec<String>,
    /// Drop datasets whose site URL or feed host contains one of these.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Most dataset sites fetched.
    #[serde(default = "default_max_datasets")]
    pub max_datasets: usize,
}

/// The production collection of OpenActive data catalogues.
pub fn default_collection() -> String {
    "https://openactive.io/data-catalogs/data-catalog-collection.jsonld".to_string()
}

fn default_max_datasets() -> usize {
    500
}

/// A geographic filter.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, untagged)]
pub enum Region {
    /// A bounding box in WGS84 degrees.
    Bbox {
        /// Southern edge (latitude).
        min_lat: f64,
        /// Western edge (longitude).
        min_lon: f64,
        /// Northern edge (latitude).
        max_lat: f64,
        /// Eastern edge (longitude).
        max_lon: f64,
    },
    /// A circle around a centre.
    Circle {
        /// Centre latitude.
        lat: f64,
        /// Centre longitude.
        lon: f64,
        /// Radius in kilometres.
        radius_km: f64,
    },
}

impl Region {
    /// Whether a point lies inside the region.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        match *self {
            Region::Bbox {
                min_lat,
                min_lon,
                max_lat,
                max_lon,
            } => lat >= min_lat && lat <= max_lat && lon >= min_lon && lon <= max_lon,
            Region::Circle {
                lat: clat,
                lon: clon,
                radius_km,
            } => haversine_km(clat, clon, lat, lon) <= radius_km,
        }
    }
}

fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// One upstream feed.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FeedConfig {
    /// Our id for the feed: lowercase letters, digits and `-`; used in `/feeds/{id}`.
    pub id: String,
    /// RPDE kind, e.g. `SessionSeries`, `ScheduledSession`, `FacilityUse`, `Slot`.
    pub kind: String,
    /// The feed's first page URL (http or https).
    pub url: String,
    /// Publisher name shown for attribution.
    pub publisher: String,
    /// The publisher's dataset site (attribution link).
    #[serde(default)]
    pub dataset_url: Option<String>,
    /// Licence URL of the data.
    #[serde(default = "default_license")]
    pub license: String,
}

/// The licence nearly every OpenActive feed uses.
pub fn default_license() -> String {
    "https://creativecommons.org/licenses/by/4.0/".to_string()
}

/// Limits applied to upstream fetches and to our own server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest upstream response body (after decompression), in bytes.
    pub max_body_bytes: u64,
    /// Total time allowed for one upstream request, body included, in seconds.
    pub request_timeout_secs: u64,
    /// Time allowed to connect to an upstream, in seconds.
    pub connect_timeout_secs: u64,
    /// Time a client has to send its request headers to us, in seconds.
    pub header_timeout_secs: u64,
    /// Concurrent requests per upstream host.
    pub per_host_concurrency: usize,
    /// Most open connections to us per client IP address (IPv6 by /64); 0 means no cap.
    pub max_connections_per_ip: usize,
    /// Most bytes of upstream response bodies held in memory at once, across all concurrent
    /// fetches (at least `max_body_bytes`); a fetch waits for room.
    pub max_bodies_in_flight_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024 * 1024,
            request_timeout_secs: 30,
            connect_timeout_secs: 10,
            header_timeout_secs: 10,
            per_host_concurrency: 2,
            max_connections_per_ip: 256,
            max_bodies_in_flight_bytes: 256 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// Request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            dist: PathBuf::from("dist"),
            region: None,
            lookahead_days: 28,
            poll_interval_secs: 8,
            page_size: 2000,
            feeds: Vec::new(),
            allow_private_networks: Vec::new(),
            frame_ancestors: Vec::new(),
            tiles: Tiles::default(),
            limits: Limits::default(),
            state_dir: PathBuf::from("state"),
            state_save_interval_ms: 2000,
            resync_interval_secs: 7 * 24 * 3600,
            rate_limit: RateLimit::default(),
            discover: None,
            postcode_lookup: PostcodeLookup::default(),
            packs: PackSettings::default(),
            metrics: false,
        }
    }
}

/// A raster tile server for the map.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tiles {
    /// URL template with `{z}`, `{x}` and `{y}` (and optionally `{s}` in the host).
    pub url: String,
    /// Attribution text shown on the map (plain text).
    pub attribution: String,
}

impl Default for Tiles {
    /// The wire type's default (OpenStreetMap).
    fn default() -> Self {
        let t = contract::Tiles::default();
        Tiles {
            url: t.url,
            attribution: t.attribution,
        }
    }
}

impl Tiles {
    /// The tiles as the app receives them (the wire type; this struct is the config file's).
    pub fn to_contract(&self) -> contract::Tiles {
        contract::Tiles {
            url: self.url.clone(),
            attribution: self.attribution.clone(),
        }
    }

    /// The CSP `img-src` source for the tile host (`{s}` becomes a `*.` wildcard), or why the
    /// template cannot be used.
    ///
    /// ```
    /// use activity_finder_proxy::config::Tiles;
    /// let t = Tiles { url: "https://{s}.tiles.example.org/{z}/{x}/{y}.png".into(), attribution: "x".into() };
    /// assert_eq!(t.img_source().unwrap(), "https://*.tiles.example.org");
    /// assert_eq!(Tiles::default().img_source().unwrap(), "https://tile.openstreetmap.org");
    /// ```
    pub fn img_source(&self) -> Result<String, ProxyError> {
        let bad = || {
            ProxyError::Config(format!(
                "tiles.url: {:?} is not an http(s) template with {{z}}/{{x}}/{{y}}",
                self.url
            ))
        };
        if !["{z}", "{x}", "{y}"].iter().all(|p| self.url.contains(p))
            || self.url.contains(['\'', ';', ',', ' ', '"'])
        {
            return Err(bad());
        }
        let probe = self.url.replace("{s}", "a").replace(['{', '}'], "");
        let u = url::Url::parse(&probe).map_err(|_| bad())?;
        let host = u
            .host_str()
            .filter(|_| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(bad)?;
        let host = if self.url.contains("{s}.") {
            host.strip_prefix("a.")
                .map(|h| format!("*.{h}"))
                .ok_or_else(bad)?
        } else {
            host.to_string()
        };
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        Ok(format!("{}://{host}{port}", u.scheme()))
    }
}

/// Parent kinds are harvested before the child kinds of the same publisher (one list, in
/// `openactive`).
pub use openactive::rpde::is_parent_kind;

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ProxyError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ProxyError::Config(format!("cannot read config {}: {e}", path.display()))
        })?;
        Config::parse(&text)
            .map_err(|e| ProxyError::Config(format!("config {}: {e}", path.display())))
    }

    /// Parses and validates config text.
    pub fn parse(text: &str) -> Result<Config, ProxyError> {
        let config: Config = toml::from_str(text).map_err(|e| ProxyError::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The allowlisted private networks, parsed.
    pub fn private_allowlist(&self) -> Result<Vec<Cidr>, ProxyError> {
        self.allow_private_networks
            .iter()
            .map(|s| s.parse::<Cidr>())
            .collect()
    }

    /// Checks values that TOML types alone cannot.
    pub fn validate(&self) -> Result<(), ProxyError> {
        if self.lookahead_days == 0 || self.lookahead_days > 366 {
            return Err(ProxyError::Config(
                "lookahead_days must be between 1 and 366".into(),
            ));
        }
        if self.poll_interval_secs == 0 {
            return Err(ProxyError::Config(
                "poll_interval_secs must be at least 1".into(),
            ));
        }
        if self.page_size == 0 || self.page_size > 50_000 {
            return Err(ProxyError::Config(
                "page_size must be between 1 and 50000".into(),
            ));
        }
        if self.limits.max_body_bytes < 1024 {
            return Err(ProxyError::Config(
                "limits.max_body_bytes must be at least 1024".into(),
            ));
        }
        if self.limits.request_timeout_secs == 0
            || self.limits.connect_timeout_secs == 0
            || self.limits.header_timeout_secs == 0
        {
            return Err(ProxyError::Config(
                "limits timeouts must be at least 1 second".into(),
            ));
        }
        if self.limits.max_bodies_in_flight_bytes < self.limits.max_body_bytes {
            return Err(ProxyError::Config(
                "limits.max_bodies_in_flight_bytes must be at least limits.max_body_bytes".into(),
            ));
        }
        if self.resync_interval_secs == 0 {
            return Err(ProxyError::Config(
                "resync_interval_secs must be at least 1".into(),
            ));
        }
        if self.state_save_interval_ms > 600_000 {
            return Err(ProxyError::Config(
                "state_save_interval_ms must be at most 600000".into(),
            ));
        }
        if !(self.rate_limit.per_second >= 0.0 && self.rate_limit.per_second.is_finite()) {
            return Err(ProxyError::Config(
                "rate_limit.per_second must be 0 (off) or positive".into(),
            ));
        }
        if self.rate_limit.per_second > 0.0
            && (self.rate_limit.burst == 0 || self.rate_limit.max_clients == 0)
        {
            return Err(ProxyError::Config(
                "rate_limit.burst and rate_limit.max_clients must be at least 1".into(),
            ));
        }
        if let Some(d) = &self.discover {
            let ok = url::Url::parse(&d.collection_url)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
            if !ok {
                return Err(ProxyError::Config(
                    "discover.collection_url must be an http(s) URL".into(),
                ));
            }
        }
        self.postcode_lookup.validate()?;
        self.tiles.img_source()?;
        if self.limits.per_host_concurrency == 0 {
            return Err(ProxyError::Config(
                "limits.per_host_concurrency must be at least 1".into(),
            ));
        }
        self.private_allowlist()?;
        for origin in &self.frame_ancestors {
            let ok = url::Url::parse(origin)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
            if !ok || origin.contains([';', ',', ' ', '\'']) {
                return Err(ProxyError::Config(format!(
                    "frame_ancestors: {origin:?} is not an http(s) origin"
                )));
            }
        }
        if let Some(Region::Circle { radius_km, .. }) = self.region
            && radius_km <= 0.0
        {
            return Err(ProxyError::Config(
                "region.radius_km must be positive".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for feed in &self.feeds {
            validate_feed_id(&feed.id)?;
            if !seen.insert(feed.id.as_str()) {
                return Err(ProxyError::Config(format!(
                    "feeds: duplicate id {:?}",
                    feed.id
                )));
            }
            let url = url::Url::parse(&feed.url).map_err(|e| {
                ProxyError::Config(format!("feeds.{}: url {:?}: {e}", feed.id, feed.url))
            })?;
            if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                return Err(ProxyError::Config(format!(
                    "feeds.{}: url must be http(s)",
                    feed.id
                )));
            }
            if feed.kind.trim().is_empty() || feed.publisher.trim().is_empty() {
                return Err(ProxyError::Config(format!(
                    "feeds.{}: kind and publisher are required",
                    feed.id
                )));
            }
        }
        Ok(())
    }
}

/// Feed ids appear in URLs: keep them simple.
pub fn validate_feed_id(id: &str) -> Result<(), ProxyError> {
    let ok = !id.is_empty()
        && id.len() <= 80
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ProxyError::Config(format!(
            "feed id {id:?} must be 1-80 characters of a-z, 0-9 and -"
        )))
    }
}

/// When packs are rebuilt and how long they are kept.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PackSettings {
    /// Rebuild once the harvested state has not changed for this long (ms).
    pub debounce_ms: u64,
    /// ...but at least this often while it keeps changing (ms).
    pub max_delay_ms: u64,
    /// Rebuild at least this often even without changes, as time moves occurrences out of
    /// (past) and into (look-ahead) the window (seconds).
    pub refresh_secs: u64,
    /// A pack is kept this long after the last manifest that named it (seconds).
    pub retention_secs: u64,
    /// Brotli quality for the precompressed copies (0–11).
    pub brotli_quality: u32,
}

impl Default for PackSettings {
    fn default() -> Self {
        PackSettings {
            debounce_ms: 2_000,
            max_delay_ms: 30_000,
            refresh_secs: 600,
            retention_secs: 3_600,
            brotli_quality: 9,
        }
    }
}

#[cfg(test)]
mod tests;
