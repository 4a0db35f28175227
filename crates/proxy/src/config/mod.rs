//! The proxy's TOML configuration: defaults, parsing (unknown keys rejected) and validation.

//!
//! This file holds the whole file's shape (`Config`), loading and validation; the sections
//! are in `feeds.rs` (feeds, discovery, region), `services.rs` (postcode lookup, map tiles)
//! and `limits.rs` (upstream and server limits, rate limit, pack settings).

mod feeds;
mod limits;
mod services;

pub use feeds::{Discover, FeedConfig, Region, default_collection, default_license};
pub use limits::{Limits, PackSettings, RateLimit};
pub use services::{PostcodeLookup, TileServer};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

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
    pub tiles: TileServer,
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
            tiles: TileServer::default(),
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

#[cfg(test)]
mod tests;
