//! The HTTP surface: relayed RPDE feeds, `/api/feeds`, the vocabulary, health checks and the
//! static app, with CORS, compression, ETags, cache and security headers.

mod accept;
mod api;
mod assets;
mod feeds;
mod headers;
mod metrics;
mod packs;
mod postcode;
mod router;

use std::path::PathBuf;
use std::sync::Arc;

use crate::harvest::Feed;

pub use accept::{ConnectionLimits, serve, serve_limited, serve_with, shutdown_signal};
pub use assets::{DEMO_BANNER, is_hashed_asset, link_preview_tags, with_shell_banner};
pub use feeds::feed_infos;
pub use headers::{
    add_security_headers, content_security_policy, etag_matches, inline_script_hashes,
};
pub use router::app;

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
    pub tiles: crate::config::TileServer,
    /// The postcode service, unless lookups are disabled.
    pub postcodes: Option<Arc<crate::postcode::PostcodeService>>,
    /// Occurrences are compiled this many days ahead (sent to the app).
    pub lookahead_days: u32,
    /// The finder packs.
    pub packs: Arc<crate::packs::Packs>,
    /// `/metrics` is served (and its request counters), when enabled in the config.
    pub metrics: Option<Arc<crate::metrics::Metrics>>,
}

pub(crate) type Shared = Arc<AppState>;

impl AppState {
    /// The pack manifest for the current packs and the feeds' health now.
    pub fn manifest(&self) -> Option<contract::Manifest> {
        self.packs.manifest(
            self.lookahead_days,
            self.demo,
            self.tiles.to_contract(),
            feed_infos(self),
        )
    }
}
