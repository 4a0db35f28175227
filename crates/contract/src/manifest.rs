//! `GET /packs/manifest.json`: the first thing the app reads. Short-lived (ETag), it names the
//! immutable, content-addressed packs of the current compile and says how each feed stands.

use crate::feeds::{FeedInfo, Tiles};
use serde::{Deserialize, Serialize};

/// An area of the grid the packs are split by (degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Southern edge.
    pub south: f64,
    /// Western edge.
    pub west: f64,
    /// Northern edge.
    pub north: f64,
    /// Eastern edge.
    pub east: f64,
}

impl Cell {
    /// Shortest distance in km from a point to the cell (0 inside it).
    pub fn distance_km(&self, lat: f64, lon: f64) -> f64 {
        let clat = lat.clamp(self.south, self.north);
        let clon = lon.clamp(self.west, self.east);
        finder::geo::distance_km((lat, lon), (clat, clon))
    }
}

/// One pack of the current compile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackRef {
    /// Where to fetch it (`/packs/<hash>.pack`): immutable, cache for ever.
    pub url: String,
    /// Content hash (hex), also in the URL.
    pub hash: String,
    /// Facility slots (loaded for the "Include facility bookings" option), not sessions.
    #[serde(default)]
    pub slots: bool,
    /// The area its venues lie in; `None` for occurrences without a position.
    #[serde(default)]
    pub cell: Option<Cell>,
    /// Occurrences in it.
    pub occurrences: u32,
    /// Size in bytes (uncompressed).
    pub bytes: u64,
}

/// The manifest of one compile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The pack format version these packs use ([`crate::pack::VERSION`]).
    pub format: u8,
    /// When the packs were compiled (RFC 3339).
    pub generated: String,
    /// Occurrences are compiled from `generated` to this many days ahead.
    pub lookahead_days: u32,
    /// Demo data.
    #[serde(default)]
    pub demo: bool,
    /// Map tiles.
    #[serde(default)]
    pub tiles: Option<Tiles>,
    /// Every feed (indexed by an occurrence's `feed`), with its health and age.
    pub feeds: Vec<FeedInfo>,
    /// The packs.
    pub packs: Vec<PackRef>,
}
