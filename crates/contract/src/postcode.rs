//! `GET /api/postcode/{postcode}`: a full UK postcode resolved to a point. The postcode rules
//! themselves (what is a full postcode, what is an outward code) are `finder::postcode`'s, used
//! by both sides.

use serde::{Deserialize, Serialize};

/// A resolved postcode (HTTP 200). 404 `{"error":"postcode not found"}` means it does not exist;
/// anything else means the lookup is unavailable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostcodeAnswer {
    /// Normalised, e.g. "E15 4HT".
    pub postcode: String,
    /// Outward code, e.g. "E15".
    pub outward: String,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Longitude (WGS84).
    pub lon: f64,
}
