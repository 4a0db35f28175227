//! The building blocks of a SessionSeries feed and its ScheduledSession feed: which venue
//! and template a series starts from, its `data`, its sessions' `data`, and RPDE items.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use super::tables::{Audience::*, Sex::*, VenueKind::*};
use super::tables::{BOROUGHS, Borough, TEMPLATES, Template};
use super::venues::{Venue, pick};
use super::{DemoItem, DemoPublisher};

pub(super) fn day_url(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "https://schema.org/Monday",
        Weekday::Tue => "https://schema.org/Tuesday",
        Weekday::Wed => "https://schema.org/Wednesday",
        Weekday::Thu => "https://schema.org/Thursday",
        Weekday::Fri => "https://schema.org/Friday",
        Weekday::Sat => "https://schema.org/Saturday",
        Weekday::Sun => "https://schema.org/Sunday",
    }
}

/// What every generated series starts from: its venue (the i-th, then random ones), a
/// template that suits the venue, the template's activity, and its ids. `None` when the
/// template's activity is not in the list (that series is skipped).
pub(super) struct SeriesStart<'v> {
    pub(super) venue: &'v Venue,
    /// Index of the venue's publisher.
    pub(super) p: usize,
    pub(super) publisher: DemoPublisher,
    pub(super) tpl: &'static Template,
    pub(super) label: &'v &'static str,
    pub(super) activity_id: &'v String,
    pub(super) series_id: String,
    pub(super) series_at: String,
    pub(super) bo: &'static Borough,
}

pub(super) fn series_start<'v>(
    rng: &mut StdRng,
    i: usize,
    venues: &'v [Venue],
    publishers: &[DemoPublisher],
    activities: &'v [(&'static str, String)],
    base_url: &str,
) -> Option<SeriesStart<'v>> {
    let venue = if i < venues.len() {
        &venues[i]
    } else {
        &venues[rng.random_range(0..venues.len())]
    };
    let p = venue.publisher;
    let publisher = publishers[p];
    let candidates: Vec<&'static Template> = TEMPLATES
        .iter()
        .filter(|t| t.venues.contains(&venue.kind))
        .collect();
    let tpl = *pick(rng, &candidates);
    let (label, activity_id) = activities.iter().find(|(l, _)| *l == tpl.activity)?;
    let series_id = format!("{}-ss-{:05}", publisher.slug, i + 1);
    let series_at = format!(
        "{base_url}/demo/{}/session-series/{series_id}",
        publisher.slug
    );
    Some(SeriesStart {
        venue,
        p,
        publisher,
        tpl,
        label,
        activity_id,
        series_id,
        series_at,
        bo: &BOROUGHS[venue.borough],
    })
}

/// The fixed parts of one series.
pub(super) struct SeriesCtx<'a> {
    pub(super) base_url: &'a str,
    pub(super) publisher: DemoPublisher,
    pub(super) venue: &'a Venue,
    pub(super) bo: &'a Borough,
    pub(super) tpl: &'a Template,
    pub(super) label: &'a str,
    pub(super) activity_id: &'a str,
    pub(super) series_id: &'a str,
    pub(super) series_at: &'a str,
    pub(super) today: NaiveDate,
    pub(super) access: &'a [(String, String)],
}

/// A SessionSeries' `data` (one weekly `Schedule` per start time; none when `times` is empty)
/// and its capacity. The order of random draws is part of the demo's bytes: keep it.
pub(super) fn series_value(
    rng: &mut StdRng,
    c: &SeriesCtx<'_>,
    days: &[Weekday],
    times: &[(NaiveTime, NaiveTime)],
) -> (Value, i64) {
    let SeriesCtx {
        base_url,
        publisher,
        venue,
        bo,
        tpl,
        label,
        activity_id,
        series_id,
        series_at,
        today,
        access,
    } = *c;
    // Prices.
    let free = tpl.name == "Health Walk" || rng.random_bool(0.18);
    let adult_price = if free {
        0.0
    } else {
        let base = match tpl.audience {
            Kids => rng.random_range(4..13),
            Seniors | Over50s => rng.random_range(4..11),
            _ => rng.random_range(6..25),
        };
        f64::from(base) / 2.0
    };
    let mut offers = vec![json!({
        "@type": "Offer",
        "@id": format!("{series_at}#offer-adult"),
        "identifier": "adult",
        "name": if tpl.audience == Kids { "Child" } else { "Standard" },
        "price": adult_price,
        "priceCurrency": "GBP",
        "url": format!("{base_url}/demo/{}/book/{series_id}", publisher.slug),
    })];
    if !free && rng.random_bool(0.3) {
        let conc = (adult_price * 0.6 * 20.0).round() / 20.0;
        offers.push(json!({
            "@type": "Offer",
            "@id": format!("{series_at}#offer-concession"),
            "identifier": "concession",
            "name": "Concession",
            "description": "Over 60s, students, and people receiving means-tested benefits.",
            "price": conc,
            "priceCurrency": "GBP",
        }));
    }
    let age = match tpl.audience {
        Adults => json!({"@type": "QuantitativeValue", "minValue": 18}),
        Seniors => json!({"@type": "QuantitativeValue", "minValue": 60}),
        Over50s => json!({"@type": "QuantitativeValue", "minValue": 50}),
        Kids => json!({"@type": "QuantitativeValue", "minValue": 5, "maxValue": 11}),
        Everyone => json!({"@type": "QuantitativeValue", "minValue": 0}),
    };
    let gender = match tpl.sex {
        Any => "https://openactive.io/NoRestriction",
        Female => "https://openactive.io/FemaleOnly",
        Male => "https://openactive.io/MaleOnly",
    };
    let max_capacity: i64 = rng.random_range(8..31);
    let mut location = json!({
        "@type": "Place",
        "@id": format!("{base_url}/demo/{}/places/{}", publisher.slug, venue.id),
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
        "geo": {"@type": "GeoCoordinates", "latitude": venue.lat, "longitude": venue.lon},
    });
    if !venue.geo
        && let Some(obj) = location.as_object_mut()
    {
        obj.remove("geo");
    }
    if venue.kind != Park
        && let Some(obj) = location.as_object_mut()
    {
        obj.insert(
            "telephone".into(),
            json!(format!("020 7946 0{:03}", rng.random_range(0..1000))),
        );
    }
    let mut data = json!({
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "SessionSeries",
        "@id": series_at,
        "identifier": series_id,
        "name": tpl.name,
        "description": tpl.description,
        "url": format!("{base_url}/demo/{}/book/{series_id}", publisher.slug),
        "activity": [{
            "@type": "Concept",
            "@id": activity_id,
            "prefLabel": label,
            "inScheme": "https://openactive.io/activity-list",
        }],
        "organizer": {
            "@type": "Organization",
            "name": publisher.name,
            "url": publisher.website,
        },
        "location": location,
        "offers": offers,
        "ageRange": age,
        "genderRestriction": gender,
        "level": [tpl.level],
        "maximumAttendeeCapacity": max_capacity,
        "attendeeInstructions": format!("Please arrive 10 minutes early and report to reception at {}.", venue.name),
        "beta:participantSuppliedEquipment": tpl.equipment,
        "eventSchedule": times.iter().map(|(start_time, end_time)| json!({
            "@type": "Schedule",
            "byDay": days.iter().map(|d| day_url(*d)).collect::<Vec<_>>(),
            "startTime": start_time.format("%H:%M").to_string(),
            "endTime": end_time.format("%H:%M").to_string(),
            "duration": format!("PT{}M", tpl.minutes),
            "repeatFrequency": "P1W",
            "scheduleTimezone": "Europe/London",
            "scheduledEventType": "ScheduledSession",
            "startDate": (today - Duration::days(rng.random_range(7..120))).format("%Y-%m-%d").to_string(),
        })).collect::<Vec<_>>(),
    });
    if let Some(obj) = data.as_object_mut() {
        if venue.wheelchair || rng.random_bool(0.1) {
            obj.insert(
                "beta:isWheelchairAccessible".into(),
                json!(venue.wheelchair),
            );
        }
        if !access.is_empty() && rng.random_bool(0.25) {
            let n = rng.random_range(1..3);
            let mut chosen: Vec<&(String, String)> = Vec::new();
            while chosen.len() < n.min(access.len()) {
                let c = pick(rng, access);
                if !chosen.contains(&c) {
                    chosen.push(c);
                }
            }
            obj.insert(
                "accessibilitySupport".into(),
                Value::Array(
                    chosen
                        .iter()
                        .map(|(id, label)| {
                            json!({
                                "@type": "Concept",
                                "@id": id,
                                "prefLabel": label,
                                "inScheme": "https://openactive.io/accessibility-support",
                            })
                        })
                        .collect(),
                ),
            );
        }
        let n = series_id
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31) + u64::from(b));
        if let Some((key, tags)) = super::suits::tags(tpl.name, n) {
            obj.insert(key.into(), tags);
        }
    }
    (data, max_capacity)
}

/// A ScheduledSession's `data`. `utc` writes datetimes in UTC with `Z`.
#[allow(clippy::too_many_arguments)]
pub(super) fn session_value(
    rng: &mut StdRng,
    base_url: &str,
    slug: &str,
    session_id: i64,
    super_event: Value,
    start: DateTime<Tz>,
    end: DateTime<Tz>,
    minutes: i64,
    max_capacity: i64,
    utc: bool,
) -> Value {
    let cancelled = rng.random_bool(0.03);
    let full = !cancelled && rng.random_bool(0.08);
    let remaining = if full {
        0
    } else {
        rng.random_range(1..=max_capacity)
    };
    json!({
        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
        "@type": "ScheduledSession",
        "@id": format!("{base_url}/demo/{}/scheduled-sessions/{session_id}", slug),
        "identifier": session_id,
        "superEvent": super_event,
        "startDate": stamp(start, utc),
        "endDate": stamp(end, utc),
        "duration": format!("PT{}M", minutes),
        "eventStatus": if cancelled { "https://schema.org/EventCancelled" } else { "https://schema.org/EventScheduled" },
        "maximumAttendeeCapacity": max_capacity,
        "remainingAttendeeCapacity": remaining,
    })
}

pub(super) fn stamp(t: DateTime<Tz>, utc: bool) -> String {
    if utc {
        t.with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    } else {
        t.to_rfc3339()
    }
}

/// Renames `@id`/`@type` to their JSON-LD aliases `id`/`type`.
pub(super) fn alias_keys(v: &mut Value) {
    if let Some(obj) = v.as_object_mut() {
        for (from, to) in [("@id", "id"), ("@type", "type")] {
            if let Some(x) = obj.remove(from) {
                obj.insert(to.into(), x);
            }
        }
    }
}

pub(super) fn session_item(id: i64, change: i64, data: Option<&Value>) -> DemoItem {
    DemoItem {
        id_json: id.to_string(),
        id_text: id.to_string(),
        modified: change,
        kind: "ScheduledSession",
        data: data.map(Value::to_string),
    }
}

pub(super) fn series_item(id: &str, modified: i64, data: Option<&Value>) -> DemoItem {
    DemoItem {
        id_json: format!("\"{id}\""),
        id_text: id.to_string(),
        modified,
        kind: "SessionSeries",
        data: data.map(Value::to_string),
    }
}
