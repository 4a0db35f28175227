//! Feeds, catalogue discovery and the region.

use serde::{Deserialize, Serialize};

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
