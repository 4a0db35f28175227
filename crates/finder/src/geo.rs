//! Distances on the Earth and the outward-postcode gazetteer built from venues' own data.

use std::collections::HashMap;

/// Great-circle distance in km between two (lat, lon) points (haversine, mean Earth radius).
///
/// ```
/// let d = finder::geo::distance_km((51.5074, -0.1278), (51.5155, -0.0922));
/// assert!((d - 2.6).abs() < 0.1);
/// ```
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    const R: f64 = 6371.0088;
    let (la1, la2) = (a.0.to_radians(), b.0.to_radians());
    let dla = la2 - la1;
    let dlo = (b.1 - a.1).to_radians();
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

/// Outward codes ("E15") resolved to the centroid of the venues that carry them, so that a
/// postcode area is found in the browser without sending anyone's postcode anywhere.
#[derive(Debug, Default, Clone)]
pub struct Gazetteer {
    sums: HashMap<String, (f64, f64, u32)>,
}

impl Gazetteer {
    /// Adds a venue's postcode and position.
    pub fn add(&mut self, postcode: &str, geo: (f64, f64)) {
        if let Some(out) = crate::url::postcode_to_outward(postcode) {
            let e = self.sums.entry(out).or_insert((0.0, 0.0, 0));
            e.0 += geo.0;
            e.1 += geo.1;
            e.2 += 1;
        }
    }
    /// The centroid of an outward code's venues.
    pub fn lookup(&self, outward: &str) -> Option<(f64, f64)> {
        self.sums
            .get(&outward.to_ascii_uppercase())
            .map(|&(la, lo, n)| (la / n as f64, lo / n as f64))
    }
    /// A gazetteer of known centroids (the pack manifest's `outward`), replacing what the
    /// venues would give.
    pub fn from_centroids<'a>(
        centroids: impl IntoIterator<Item = (&'a String, &'a (f64, f64))>,
    ) -> Self {
        Gazetteer {
            sums: centroids
                .into_iter()
                .map(|(k, &(la, lo))| (k.to_ascii_uppercase(), (la, lo, 1)))
                .collect(),
        }
    }
    /// Every outward code and its centroid.
    pub fn centroids(&self) -> impl Iterator<Item = (&str, (f64, f64))> {
        self.sums
            .iter()
            .map(|(k, &(la, lo, n))| (k.as_str(), (la / n as f64, lo / n as f64)))
    }
    /// Number of known outward codes.
    pub fn len(&self) -> usize {
        self.sums.len()
    }
    /// True when no outward code is known.
    pub fn is_empty(&self) -> bool {
        self.sums.is_empty()
    }
}
