//! Occurrence hygiene: plausible coordinates, past/absurd date windows and booking-grid
//! detection.

use foldhash::HashMap;

use chrono::{DateTime, Datelike, TimeDelta, Utc};

use crate::occurrence::Occurrence;

/// The plausible area: Great Britain, Northern Ireland, Ireland and the islands.
pub const LAT_RANGE: (f64, f64) = (49.0, 61.0);
/// Longitude range of the plausible area.
pub const LON_RANGE: (f64, f64) = (-11.0, 2.5);

fn plausible(lat: f64, lon: f64) -> bool {
    (LAT_RANGE.0..=LAT_RANGE.1).contains(&lat) && (LON_RANGE.0..=LON_RANGE.1).contains(&lon)
}

/// Checks published coordinates: keeps them when inside the UK/Ireland box, swaps them back
/// when they were transposed (Legend: lat ≈ -0.4, lng ≈ 51.4), rejects `(0, 0)`, non-finite
/// and anything else outside the box.
///
/// ```
/// use openactive::hygiene::clean_geo;
/// assert_eq!(clean_geo(51.5, -0.12), Some((51.5, -0.12)));
/// assert_eq!(clean_geo(-0.4, 51.4), Some((51.4, -0.4)));
/// assert_eq!(clean_geo(0.0, 0.0), None);
/// assert_eq!(clean_geo(40.7, -74.0), None); // New York
/// ```
pub fn clean_geo(lat: f64, lon: f64) -> Option<(f64, f64)> {
    if !lat.is_finite() || !lon.is_finite() || (lat == 0.0 && lon == 0.0) {
        return None;
    }
    if plausible(lat, lon) {
        Some((lat, lon))
    } else if plausible(lon, lat) {
        Some((lon, lat))
    } else {
        None
    }
}

/// Whether a start date is absurd relative to `now`: more than two years ahead (e.g. 2500)
/// or before 2000.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use openactive::hygiene::is_absurd;
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// assert!(is_absurd(Utc.with_ymd_and_hms(2500, 1, 1, 0, 0, 0).unwrap(), now));
/// assert!(!is_absurd(Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap(), now));
/// ```
pub fn is_absurd(start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    start.year() > now.year() + 2 || start.year() < 2000
}

/// The longest gap between starts that still counts as a booking grid.
pub const GRID_GAP: TimeDelta = TimeDelta::minutes(30);

/// Marks booking grids in occurrences sorted by start.
///
/// Occurrences are grouped by (series key, else venue id, else venue name) and name. Within a
/// group, an occurrence starting at most [`GRID_GAP`] after the previous one in the group
/// (same start included, e.g. several courts) gets `booking_grid = true`: the first of each
/// run stays unflagged, so a list that hides flagged ones shows each run once.
/// Returns how many were flagged.
pub fn mark_booking_grids(sorted: &mut [Occurrence]) -> usize {
    let mut last_start: HashMap<(Option<&str>, &str), DateTime<Utc>> = HashMap::default();
    let mut flags = Vec::with_capacity(sorted.len());
    for o in sorted.iter() {
        let group = o
            .series_key
            .as_deref()
            .or(o.venue.id.as_deref())
            .or(o.venue.name.as_deref());
        let start = o.start.with_timezone(&Utc);
        let flag = match last_start.insert((group, o.name.as_str()), start) {
            Some(prev) => start - prev <= GRID_GAP,
            None => false,
        };
        flags.push(flag);
    }
    let mut n = 0;
    for (o, f) in sorted.iter_mut().zip(flags) {
        o.booking_grid = f;
        n += usize::from(f);
    }
    n
}
