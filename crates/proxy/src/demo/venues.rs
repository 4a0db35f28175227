//! Demo venues: where series and facilities happen, and how a venue is published as a `Place`.

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::PUBLISHERS;
use super::tables::VenueKind::*;
use super::tables::{BOROUGHS, INWARD_LETTERS, STREETS, VenueKind};

pub(super) struct Venue {
    pub(super) borough: usize,
    pub(super) kind: VenueKind,
    pub(super) name: String,
    pub(super) street: String,
    pub(super) postcode: String,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) publisher: usize,
    pub(super) id: String,
    pub(super) wheelchair: bool,
    pub(super) geo: bool,
}

pub(super) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

pub(super) fn make_venues(rng: &mut StdRng, count: usize) -> Vec<Venue> {
    let mut venues = Vec::with_capacity(count);
    for j in 0..count {
        let borough = if j < BOROUGHS.len() {
            j
        } else {
            rng.random_range(0..BOROUGHS.len())
        };
        let bo = &BOROUGHS[borough];
        let kind = match j % 5 {
            0 | 1 => LeisureCentre,
            2 | 3 => CommunityCentre,
            _ => Park,
        };
        let name = match kind {
            LeisureCentre => format!("{} Leisure Centre", bo.area),
            CommunityCentre => format!(
                "{} {}",
                bo.area,
                pick(rng, &["Community Centre", "Sports Hall", "Community Hub"])
            ),
            Park => format!(
                "{} {}",
                bo.area,
                pick(rng, &["Park", "Recreation Ground", "Common"])
            ),
        };
        let inward = format!(
            "{}{}{}",
            rng.random_range(1..10),
            INWARD_LETTERS[rng.random_range(0..INWARD_LETTERS.len())] as char,
            INWARD_LETTERS[rng.random_range(0..INWARD_LETTERS.len())] as char
        );
        let street = format!("{} {}", rng.random_range(1..240), pick(rng, STREETS));
        let lat = round6(bo.lat + rng.random_range(-0.012..0.012));
        let lon = round6(bo.lon + rng.random_range(-0.018..0.018));
        venues.push(Venue {
            borough,
            kind,
            name,
            street,
            postcode: format!("{} {}", bo.outward, inward),
            lat,
            lon,
            publisher: j % PUBLISHERS.len(),
            id: format!("venue-{:03}", j + 1),
            wheelchair: kind != Park && rng.random_bool(0.7),
            geo: true,
        });
    }
    venues
}

/// A venue as a `Place` (no random draws).
pub(super) fn place_value(base_url: &str, slug: &str, venue: &Venue) -> Value {
    let bo = &BOROUGHS[venue.borough];
    let mut place = json!({
        "@type": "Place",
        "@id": format!("{base_url}/demo/{slug}/places/{}", venue.id),
        "identifier": venue.id,
        "name": venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": venue.street,
            "addressLocality": bo.area,
            "addressRegion": bo.name,
            "postalCode": venue.postcode,
            "addressCountry": "GB",
        },
    });
    if venue.geo
        && let Some(obj) = place.as_object_mut()
    {
        obj.insert(
            "geo".into(),
            json!({"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon}),
        );
    }
    place
}
