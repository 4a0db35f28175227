//! A query string to filters, never failing: bad values fall back with a notice.

use super::{
    ACCESSIBILITY_PREFIX, ACTIVITY_PREFIX, Notice, VERSION, day_number, parse_date, parse_minutes,
    postcode_to_outward,
};
use crate::filter::{
    DAY_KEYS, DayPart, DaySet, Filters, GenderFilter, MapView, Place, Sort, TimeOfDay, View,
};

fn is_uuidish(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Adds the comma-separated concept ids in `v` (the part after `#`) to `ids` under `prefix`,
/// skipping duplicates; returns whether any part was not an id.
fn add_ids(ids: &mut Vec<String>, v: &str, prefix: &str) -> bool {
    let mut rejected = false;
    for id in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !is_uuidish(id) {
            rejected = true;
            continue;
        }
        let full = format!("{prefix}{id}");
        if !ids.contains(&full) {
            ids.push(full);
        }
    }
    rejected
}

fn parse_flag(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" | "" => Some(false),
        _ => None,
    }
}

fn parse_lat_lon(v: &str) -> Option<(f64, f64)> {
    let (a, b) = v.split_once(',')?;
    let (lat, lon) = (
        crate::decimal::parse(a.trim())?,
        crate::decimal::parse(b.trim())?,
    );
    (lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon))
    .then_some((lat, lon))
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Decodes a query string (with or without a leading `?`). Never fails: bad values become
/// defaults and are reported as notices, unknown keys are ignored.
pub fn decode(query: &str) -> (Filters, Vec<Notice>) {
    let mut f = Filters::default();
    let mut notices = Vec::new();
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut bad = |key: &str, message: String| {
        notices.push(Notice {
            key: key.to_string(),
            message,
        });
    };
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let v = value.trim();
        match key.as_ref() {
            "v" if v.parse::<u32>().map_or(true, |n| n == 0 || n > VERSION) => bad(
                "v",
                format!("This link was made by a newer version ({v}); some filters may not apply."),
            ),
            "v" => {}
            "act" => {
                let rejected = add_ids(&mut f.activities, v, ACTIVITY_PREFIX);
                if rejected {
                    bad(
                        "act",
                        "An activity in the link was not recognised and was ignored.".into(),
                    );
                }
            }
            "near" => match postcode_to_outward(v) {
                Some(o) => f.place = Place::Outward(o),
                None => bad(
                    "near",
                    format!("\"{v}\" is not a postcode area; showing everywhere."),
                ),
            },
            "at" => match parse_lat_lon(v) {
                Some((lat, lon)) => f.place = Place::Point(round3(lat), round3(lon)),
                None => bad(
                    "at",
                    "The location in the link could not be read; showing everywhere.".into(),
                ),
            },
            "r" => match crate::decimal::parse(v) {
                Some(r) if r.is_finite() && r > 0.0 && r <= 100.0 => {
                    f.radius_km = Some((r * 10.0).round() / 10.0);
                }
                _ => bad(
                    "r",
                    format!("Distance \"{v}\" is not between 0 and 100 km; using the default."),
                ),
            },
            "days" => {
                let mut set = DaySet::default();
                for d in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match DAY_KEYS.iter().position(|k| k.eq_ignore_ascii_case(d)) {
                        Some(i) => set = DaySet(set.0 | (1 << i)),
                        None => bad("days", format!("\"{d}\" is not a day; it was ignored.")),
                    }
                }
                f.days = set;
            }
            "tod" => {
                if let Some((a, b)) = v.split_once('-') {
                    match (parse_minutes(a), parse_minutes(b)) {
                        (Some(a), Some(b)) if a < b => f.time = TimeOfDay::Range(a, b),
                        _ => bad(
                            "tod",
                            format!("Time range \"{v}\" could not be read; showing any time."),
                        ),
                    }
                } else {
                    let mut parts = Vec::new();
                    for p in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        match DayPart::from_key(p) {
                            Some(p) if !parts.contains(&p) => parts.push(p),
                            Some(_) => {}
                            None => bad(
                                "tod",
                                format!("\"{p}\" is not a time of day; it was ignored."),
                            ),
                        }
                    }
                    let parts = DayPart::in_order(&parts);
                    f.time = if parts.is_empty() {
                        TimeOfDay::Any
                    } else {
                        TimeOfDay::Parts(parts)
                    };
                }
            }
            k @ ("from" | "to") => match parse_date(v) {
                Some(d) if (2000..=2100).contains(&chrono::Datelike::year(&d)) => {
                    let n = Some(day_number(d));
                    if k == "from" { f.from = n } else { f.to = n }
                }
                _ => bad(
                    k,
                    format!("Date \"{v}\" could not be read; it was ignored."),
                ),
            },
            "free" => match parse_flag(v) {
                Some(b) => f.free = b,
                None => bad("free", "The \"free\" setting could not be read.".into()),
            },
            "max" => match crate::decimal::parse(v.trim_start_matches('£')) {
                Some(m) if m.is_finite() && (0.0..=1000.0).contains(&m) => {
                    f.max_price = Some((m * 100.0).round() / 100.0);
                }
                _ => bad(
                    "max",
                    format!("Price \"{v}\" could not be read; showing any price."),
                ),
            },
            "age" => match v.parse::<u32>() {
                Ok(a) if a <= 120 => f.age = Some(a),
                _ => bad(
                    "age",
                    format!("Age \"{v}\" could not be read; showing all ages."),
                ),
            },
            "g" => match GenderFilter::from_key(v) {
                Some(g) => f.gender = g,
                None => bad(
                    "g",
                    format!("\"{v}\" is not a gender option; showing everyone."),
                ),
            },
            "acc" => {
                let rejected = add_ids(&mut f.accessibility, v, ACCESSIBILITY_PREFIX);
                if rejected {
                    bad(
                        "acc",
                        "An accessibility option in the link was not recognised.".into(),
                    );
                }
            }
            "wc" => match parse_flag(v) {
                Some(b) => f.wheelchair = b,
                None => bad("wc", "The wheelchair setting could not be read.".into()),
            },
            "lvl" => match v {
                "beginner" => f.beginner = true,
                "" | "any" => f.beginner = false,
                _ => bad(
                    "lvl",
                    format!("Level \"{v}\" is not known; showing all levels."),
                ),
            },
            "suit" => {
                for k in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let k = k.to_ascii_lowercase();
                    // A known concept under any spelling of its id is kept as its uuid.
                    let key = crate::suits::by_id(&k)
                        .map(|i| crate::suits::CONCEPTS[i].0.to_string())
                        .or_else(|| crate::suits::valid_key(&k).then_some(k));
                    match key {
                        Some(k) if !f.suits.contains(&k) => f.suits.push(k),
                        Some(_) => {}
                        None => bad(
                            "suit",
                            "A \"suitable for\" option in the link was not recognised and was ignored."
                                .into(),
                        ),
                    }
                }
            }
            "col" => match crate::collections::position(v) {
                Some(_) => f.collection = Some(v.to_string()),
                None if v.is_empty() => {}
                None => bad(
                    "col",
                    format!("\"{v}\" is not a collection we know; showing every session."),
                ),
            },
            "org" => f.organiser = v.chars().take(100).collect(),
            "q" => f.keyword = v.chars().take(100).collect(),
            "slots" => match parse_flag(v) {
                Some(b) => f.slots = b,
                None => bad(
                    "slots",
                    "The facility-slots setting could not be read.".into(),
                ),
            },
            "cx" => match parse_flag(v) {
                Some(b) => f.cancelled = b,
                None => bad(
                    "cx",
                    "The \"show cancelled sessions\" setting could not be read; they are hidden."
                        .into(),
                ),
            },
            "sort" => match v {
                "soon" | "" => f.sort = Sort::Soonest,
                "near" => f.sort = Sort::Nearest,
                _ => bad(
                    "sort",
                    format!("Sort \"{v}\" is not known; sorting by soonest."),
                ),
            },
            "view" => match v {
                "list" | "" => f.view = View::List,
                "map" => f.view = View::Map,
                _ => bad(
                    "view",
                    format!("View \"{v}\" is not known; showing the list."),
                ),
            },
            "s" if !v.is_empty() && v.len() <= 2000 => f.selected = Some(v.to_string()),
            "s" => {}
            "map" => {
                let parts: Vec<&str> = v.split(',').collect();
                let parsed = (parts.len() == 3)
                    .then(|| {
                        parse_lat_lon(&format!("{},{}", parts[0], parts[1]))
                            .zip(parts[2].trim().parse::<u8>().ok())
                    })
                    .flatten();
                match parsed {
                    Some(((lat, lon), zoom)) if zoom <= 19 => {
                        f.map = Some(MapView { lat, lon, zoom });
                    }
                    _ => bad(
                        "map",
                        "The map position in the link could not be read.".into(),
                    ),
                }
            }
            "sl" => match crate::shortlist::decode(v) {
                Some(list) => f.shared = list,
                None => bad(
                    "sl",
                    "The shortlist in the link could not be read; showing the search instead."
                        .into(),
                ),
            },
            _ => {} // unknown keys are ignored (forward compatibility)
        }
    }
    (f, notices)
}
