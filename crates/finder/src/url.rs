//! The URL contract: every filter, the sort, the view, the selected session and the map view in
//! a short, readable query string. Decoding never fails: a bad value falls back to its default
//! and yields a [`Notice`] the app shows; unknown keys are ignored; `v` marks the contract
//! version so old links keep working.
//!
//! | key | meaning | example |
//! |---|---|---|
//! | `v` | contract version (current 1) | `v=1` |
//! | `act` | Activity List ids (uuid part), comma separated | `act=5a8f…` |
//! | `near` | outward postcode | `near=E15` |
//! | `at` | point, lat,lon (3 dp) | `at=51.541,-0.003` |
//! | `r` | radius in km | `r=2` |
//! | `days` | days of week | `days=mon,wed` |
//! | `tod` | parts of day, or a start-time range | `tod=am,eve`, `tod=09:00-12:30` |
//! | `from`, `to` | local date range | `from=2026-11-24` |
//! | `free` | free only | `free=1` |
//! | `max` | maximum price (£) | `max=5` |
//! | `age` | the person's age | `age=67` |
//! | `g` | gender: f, fo, m, mo | `g=fo` |
//! | `acc` | accessibility support (uuid part) | `acc=1393f2dc-…` |
//! | `wc` | wheelchair accessible only | `wc=1` |
//! | `lvl` | `beginner` | `lvl=beginner` |
//! | `org` | organiser or venue | `org=Better` |
//! | `q` | keyword | `q=yoga` |
//! | `slots` | include facility slots | `slots=1` |
//! | `cx` | show cancelled sessions (marked) | `cx=1` |
//! | `sort` | `soon` or `near` | `sort=near` |
//! | `view` | `list` or `map` | `view=map` |
//! | `s` | selected session key | `s=https://…` |
//! | `map` | map centre and zoom | `map=51.5,-0.12,12` |
//! | `sl` | a shared shortlist, 17 characters a session ([`crate::shortlist`]) | `sl=AbC…` |

use crate::filter::{
    DAY_KEYS, DayPart, DaySet, Filters, GenderFilter, MapView, Place, Sort, TimeOfDay, View,
};
use chrono::NaiveDate;

/// The version this build writes.
pub const VERSION: u32 = 1;
/// Prefix of Activity List ids; the URL carries only the part after `#`.
pub const ACTIVITY_PREFIX: &str = "https://openactive.io/activity-list#";
/// Prefix of accessibility-support ids.
pub const ACCESSIBILITY_PREFIX: &str = "https://openactive.io/accessibility-support#";

/// A value in the URL that could not be used; the filter fell back to its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The query key.
    pub key: String,
    /// What was wrong, in plain words.
    pub message: String,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Days since 1970-01-01 for a date.
pub fn day_number(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// The date for a day number.
pub fn date_of(day: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::Duration::days(day as i64))
}

fn fmt_num(x: f64, dp: u32) -> String {
    crate::display::short(x, dp)
}

/// Minutes of the day as `HH:MM` (the URL's and `<input type="time">`'s format).
/// "2026-12-01" (ISO 8601 calendar date).
pub fn fmt_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Reads "2026-12-01" (exactly `YYYY-MM-DD`, as a date input gives it). Written by hand rather
/// than with chrono's format strings, which would cost the app's download about 5 KiB.
///
/// ```
/// use finder::url::parse_date;
/// assert_eq!(parse_date("2026-12-01").map(|d| d.to_string()).as_deref(), Some("2026-12-01"));
/// assert!(parse_date("2026-02-30").is_none() && parse_date("2026-1-1").is_none() && parse_date("").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

pub fn fmt_minutes(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// `HH:MM` (00:00 to 24:00) as minutes of the day.
pub fn parse_minutes(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// Normalises an outward postcode ("e15" → "E15"); `None` when it is not one.
pub fn outward_code(s: &str) -> Option<String> {
    let s: String = s.trim().to_ascii_uppercase();
    crate::postcode::is_outward(&s).then_some(s)
}

/// Reduces a full or partial UK postcode to its outward code ("E15 4HT" → "E15"), so that a
/// person's full postcode never goes into a URL.
pub fn postcode_to_outward(s: &str) -> Option<String> {
    let compact: String = s
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    if let Some(o) = outward_code(&compact) {
        return Some(o);
    }
    // A full postcode ends with a 3-character inward code (digit + 2 letters).
    if compact.is_ascii() && compact.len() >= 5 {
        let (out, inward) = compact.split_at(compact.len() - 3);
        let ib = inward.as_bytes();
        if ib[0].is_ascii_digit() && ib[1].is_ascii_alphabetic() && ib[2].is_ascii_alphabetic() {
            return outward_code(out);
        }
    }
    None
}

/// Encodes filters as a query string (without `?`). Only non-default values are written.
pub fn encode(f: &Filters) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("v", &VERSION.to_string());
    if !f.activities.is_empty() {
        let ids: Vec<&str> = f
            .activities
            .iter()
            .map(|a| a.strip_prefix(ACTIVITY_PREFIX).unwrap_or(a))
            .collect();
        q.append_pair("act", &ids.join(","));
    }
    match &f.place {
        Place::Anywhere => {}
        Place::Outward(o) => {
            q.append_pair("near", o);
        }
        Place::Point(lat, lon) => {
            q.append_pair("at", &format!("{},{}", fmt_num(*lat, 3), fmt_num(*lon, 3)));
        }
    }
    if let Some(r) = f.radius_km {
        q.append_pair("r", &fmt_num(r, 1));
    }
    if !f.days.is_empty() {
        let days: Vec<&str> = (0..7)
            .filter(|d| f.days.contains(*d))
            .map(|d| DAY_KEYS[d as usize])
            .collect();
        q.append_pair("days", &days.join(","));
    }
    match &f.time {
        TimeOfDay::Any => {}
        TimeOfDay::Parts(parts) => {
            let keys: Vec<&str> = parts.iter().map(|p| p.key()).collect();
            q.append_pair("tod", &keys.join(","));
        }
        TimeOfDay::Range(a, b) => {
            q.append_pair("tod", &format!("{}-{}", fmt_minutes(*a), fmt_minutes(*b)));
        }
    }
    for (key, day) in [("from", f.from), ("to", f.to)] {
        if let Some(d) = day.and_then(date_of) {
            q.append_pair(key, &fmt_date(d));
        }
    }
    if f.free {
        q.append_pair("free", "1");
    }
    if let Some(m) = f.max_price {
        q.append_pair("max", &fmt_num(m, 2));
    }
    if let Some(a) = f.age {
        q.append_pair("age", &a.to_string());
    }
    if f.gender != GenderFilter::Any {
        q.append_pair("g", f.gender.key());
    }
    if !f.accessibility.is_empty() {
        let ids: Vec<&str> = f
            .accessibility
            .iter()
            .map(|a| a.strip_prefix(ACCESSIBILITY_PREFIX).unwrap_or(a))
            .collect();
        q.append_pair("acc", &ids.join(","));
    }
    if f.wheelchair {
        q.append_pair("wc", "1");
    }
    if f.beginner {
        q.append_pair("lvl", "beginner");
    }
    if !f.organiser.trim().is_empty() {
        q.append_pair("org", f.organiser.trim());
    }
    if !f.keyword.trim().is_empty() {
        q.append_pair("q", f.keyword.trim());
    }
    if f.slots {
        q.append_pair("slots", "1");
    }
    if f.cancelled {
        q.append_pair("cx", "1");
    }
    if f.sort == Sort::Nearest {
        q.append_pair("sort", "near");
    }
    if f.view == View::Map {
        q.append_pair("view", "map");
    }
    if let Some(s) = &f.selected {
        q.append_pair("s", s);
    }
    if let Some(m) = f.map {
        q.append_pair(
            "map",
            &format!("{},{},{}", fmt_num(m.lat, 4), fmt_num(m.lon, 4), m.zoom),
        );
    }
    if !f.shared.is_empty() {
        q.append_pair("sl", &crate::shortlist::encode(&f.shared));
    }
    q.finish()
}

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
        })
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
                    f.radius_km = Some((r * 10.0).round() / 10.0)
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
                    f.max_price = Some((m * 100.0).round() / 100.0)
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
                        f.map = Some(MapView { lat, lon, zoom })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_filters_encode_to_just_the_version() {
        assert_eq!(encode(&Filters::default()), "v=1");
    }

    #[test]
    fn full_postcode_is_reduced_to_its_outward_code() {
        assert_eq!(postcode_to_outward("e15 4ht").as_deref(), Some("E15"));
        assert_eq!(postcode_to_outward("SW1A1AA").as_deref(), Some("SW1A"));
        assert_eq!(postcode_to_outward("CR0").as_deref(), Some("CR0"));
        assert_eq!(postcode_to_outward("hello"), None);
        let (f, n) = decode("near=E15%204HT");
        assert_eq!(f.place, Place::Outward("E15".into()));
        assert!(n.is_empty());
    }

    #[test]
    fn bad_values_fall_back_with_a_notice_and_unknown_keys_are_ignored() {
        let (f, n) = decode("?v=1&age=old&r=-3&g=x&days=mon,funday&zzz=1&tod=25:00-26:00");
        assert_eq!(f.age, None);
        assert_eq!(f.radius_km, None);
        assert_eq!(f.gender, GenderFilter::Any);
        assert_eq!(f.days, DaySet(1));
        assert_eq!(f.time, TimeOfDay::Any);
        let keys: Vec<&str> = n.iter().map(|n| n.key.as_str()).collect();
        assert_eq!(keys, ["age", "r", "g", "days", "tod"]);
    }

    #[test]
    fn a_link_from_a_newer_version_is_read_with_a_notice() {
        let (f, n) = decode("v=7&free=1");
        assert!(f.free);
        assert_eq!(n.len(), 1);
    }

    #[test]
    fn cancelled_sessions_are_off_by_default_and_cx_round_trips() {
        assert!(!decode("v=1").0.cancelled);
        let (f, n) = decode("v=1&cx=1");
        assert!(f.cancelled && n.is_empty());
        assert_eq!(encode(&f), "v=1&cx=1");
        assert_eq!(decode(&encode(&f)).0, f);
        let (f, n) = decode("v=1&cx=0");
        assert!(!f.cancelled && n.is_empty());
        assert_eq!(encode(&f), "v=1");
        // A bad value falls back to the default (hidden), with a notice.
        let (f, n) = decode("v=1&cx=maybe&free=1");
        assert!(!f.cancelled && f.free);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].key, "cx");
    }

    #[test]
    fn the_referral_example_round_trips() {
        let (f, n) =
            decode("v=1&near=E15&r=2&days=mon,tue,wed,thu,fri&tod=am&free=1&g=fo&lvl=beginner");
        assert!(n.is_empty());
        assert_eq!(f.days, DaySet::WEEKDAYS);
        assert_eq!(f.time, TimeOfDay::Parts(vec![DayPart::Morning]));
        assert_eq!(decode(&encode(&f)).0, f);
    }
}
