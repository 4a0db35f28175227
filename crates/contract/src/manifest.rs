//! `GET /packs/manifest.json`: the first thing the app reads. Short-lived (ETag), it names the
//! immutable, content-addressed packs of the current compile and says how each feed stands.

use crate::feeds::{FeedInfo, Tiles};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Its detail chunk (`/packs/<hash>.pack`, immutable): what only a session page shows,
    /// fetched when one opens.
    #[serde(default)]
    pub details: Option<String>,
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
    /// The outward-code gazetteer: each outward postcode ("E15") of the venues in the packs and
    /// the centroid (latitude, longitude, 4 decimals) of its venues, so that a `near=E15` link
    /// knows its circle, and so its packs, before any pack is loaded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outward: BTreeMap<String, (f64, f64)>,
}

/// A search circle: its centre (latitude, longitude) and radius in km.
pub type Circle = ((f64, f64), f64);

/// The packs whose results a link can show: with a circle (centre, radius in km), the session
/// packs whose area it touches (and slot packs too when `slots`); otherwise every session pack
/// (and slot pack when `slots`). Occurrences without a position never match a distance filter,
/// so their pack is needed only without a circle. The app waits for these before it calls its
/// results final; the proxy preloads them from the page.
pub fn needed_for(packs: &[PackRef], circle: Option<Circle>, slots: bool) -> Vec<bool> {
    packs
        .iter()
        .map(|p| {
            (!p.slots || slots)
                && match (circle, p.cell) {
                    (Some(((lat, lon), r)), Some(c)) => c.distance_km(lat, lon) <= r,
                    (Some(_), None) => false,
                    (None, _) => true,
                }
        })
        .collect()
}

/// The order packs are fetched in: sessions before slots; within each, the packs whose area is
/// nearest to `centre` first (packs without a position last), else the biggest first.
pub fn fetch_order(packs: &[PackRef], centre: Option<(f64, f64)>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..packs.len()).collect();
    let dist = |p: &PackRef| match (centre, p.cell) {
        (Some((lat, lon)), Some(c)) => c.distance_km(lat, lon),
        (Some(_), None) => f64::MAX,
        (None, _) => -f64::from(p.occurrences),
    };
    finder::sort_positions(&mut order, &mut |a, b| {
        let (pa, pb) = (&packs[a], &packs[b]);
        pa.slots.cmp(&pb.slots).then(dist(pa).total_cmp(&dist(pb)))
    });
    order
}

/// The circle of a link's filters (a point and its radius), if it has one, and whether the
/// packs it needs include facility slots (asked for, or everything is needed anyway).
pub fn link_needs(f: &finder::Filters) -> (Option<Circle>, bool) {
    link_needs_in(f, &BTreeMap::new())
}

/// [`link_needs`] with the manifest's outward-code gazetteer: an outward code it knows
/// (`near=E15`) has a circle too, around its centroid.
pub fn link_needs_in(
    f: &finder::Filters,
    outward: &BTreeMap<String, (f64, f64)>,
) -> (Option<Circle>, bool) {
    let circle = match &f.place {
        finder::filter::Place::Point(lat, lon) => Some(((*lat, *lon), f.radius())),
        finder::filter::Place::Outward(o) => outward
            .get(&o.to_ascii_uppercase())
            .map(|&c| (c, f.radius())),
        finder::filter::Place::Anywhere => None,
    };
    (circle, f.slots || circle.is_none())
}

/// The gazetteer a manifest carries, built from its packs' venues: each outward code's
/// centroid, rounded to 4 decimals (about 10 m).
pub fn outward_centroids(g: &finder::geo::Gazetteer) -> BTreeMap<String, (f64, f64)> {
    let r = |x: f64| (x * 1e4).round() / 1e4;
    g.centroids()
        .map(|(k, (la, lo))| (k.to_string(), (r(la), r(lo))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack(slots: bool, cell: Option<(f64, f64)>, n: u32) -> PackRef {
        PackRef {
            url: String::new(),
            hash: String::new(),
            slots,
            cell: cell.map(|(s, w)| Cell {
                south: s,
                west: w,
                north: s + 0.1,
                east: w + 0.16,
            }),
            occurrences: n,
            bytes: 0,
            details: None,
        }
    }

    #[test]
    fn sessions_before_slots_nearest_area_first() {
        let packs = [
            pack(true, Some((51.5, -0.16)), 10),
            pack(false, Some((51.3, -0.5)), 50),
            pack(false, None, 5),
            pack(false, Some((51.5, -0.16)), 20),
        ];
        assert_eq!(fetch_order(&packs, Some((51.55, -0.1))), [3, 1, 2, 0]);
        // No place: the biggest first.
        assert_eq!(fetch_order(&packs, None), [1, 3, 2, 0]);
    }

    #[test]
    fn a_link_with_a_circle_needs_only_the_packs_it_touches() {
        let packs = [
            pack(true, Some((51.5, -0.16)), 10),
            pack(false, Some((51.3, -0.5)), 50),
            pack(false, None, 5),
            pack(false, Some((51.5, -0.16)), 20),
        ];
        let circle = Some(((51.55, -0.1), 2.0));
        assert_eq!(
            needed_for(&packs, circle, false),
            [false, false, false, true]
        );
        assert_eq!(needed_for(&packs, circle, true), [true, false, false, true]);
        assert_eq!(needed_for(&packs, None, false), [false, true, true, true]);
    }

    #[test]
    fn an_outward_code_the_manifest_knows_has_a_circle() {
        let mut f = finder::Filters {
            place: finder::filter::Place::Outward("e15".into()),
            ..Default::default()
        };
        f.radius_km = Some(2.0);
        let mut g = finder::geo::Gazetteer::default();
        g.add("E15 4HT", (51.54, 0.0));
        g.add("E15 1AB", (51.55, 0.01));
        let outward = outward_centroids(&g);
        assert_eq!(outward.get("E15"), Some(&(51.545, 0.005)));
        assert_eq!(
            link_needs_in(&f, &outward),
            (Some(((51.545, 0.005), 2.0)), false)
        );
        // Unknown to the manifest: no circle, every pack is needed.
        assert_eq!(link_needs_in(&f, &BTreeMap::new()), (None, true));
        assert_eq!(link_needs(&f), (None, true));
    }
}
