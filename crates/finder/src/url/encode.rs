//! Filters to a query string.

use super::{
    ACCESSIBILITY_PREFIX, ACTIVITY_PREFIX, VERSION, date_of, fmt_date, fmt_minutes, fmt_num,
};
use crate::filter::{DAY_KEYS, Filters, GenderFilter, Place, Sort, TimeOfDay, View};

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
    if !f.suits.is_empty() {
        q.append_pair("suit", &f.suits.join(","));
    }
    if let Some(c) = &f.collection {
        q.append_pair("col", c);
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
