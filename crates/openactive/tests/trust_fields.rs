//! The fields the finder packs carry for trust and suitability (issues 11, 15, 19): each
//! occurrence's last-changed time, a series' timetable rule, how far ahead its dates are
//! listed, and EMD UK special requirements.

mod common;

use chrono::{DateTime, Utc};
use common::{at, store_of};
use openactive::join::ItemTimes;
use openactive::{Occurrence, Page, Store, parse_page};
use serde_json::{Value, json};

fn page(items: Value) -> Page {
    parse_page(
        &json!({"next": "https://feed.example/next", "items": items}).to_string(),
        "https://feed.example/page",
    )
    .unwrap()
}

fn build(store: &Store, now: &str, days: u32) -> Vec<Occurrence> {
    store.build(at(now), days, None).occurrences
}

fn series(extra: Value) -> Value {
    let mut data = json!({
        "@type": "SessionSeries", "@id": "https://x.example/series/1", "name": "Chair yoga",
        "location": {"@type": "Place", "name": "Hall", "geo": {"latitude": 51.5, "longitude": -0.1}}
    });
    for (k, v) in extra.as_object().unwrap() {
        data[k] = v.clone();
    }
    json!({"state": "updated", "kind": "SessionSeries", "id": "s1", "modified": 1_700_000_000, "data": data})
}

fn session(id: &str, start: &str, modified: Value) -> Value {
    json!({"state": "updated", "kind": "ScheduledSession", "id": id, "modified": modified,
        "data": {"@type": "ScheduledSession", "@id": format!("https://x.example/sessions/{id}"),
            "superEvent": "https://x.example/series/1", "startDate": start}})
}

#[test]
fn updated_is_the_items_own_last_change() {
    let p = page(json!([
        series(json!({})),
        // 13-digit milliseconds: a timestamp.
        session("a", "2024-01-02T10:00:00Z", json!(1_704_100_000_000_i64)),
        // A counter with `dateModified` in the data.
        {"state": "updated", "kind": "ScheduledSession", "id": "b", "modified": 7,
         "data": {"@type": "ScheduledSession", "@id": "https://x.example/sessions/b",
            "superEvent": "https://x.example/series/1", "startDate": "2024-01-03T10:00:00Z",
            "dateModified": "2023-12-20T09:00:00Z"}},
        // A counter and nothing else: unknown until the consumer notes when it saw it.
        session("c", "2024-01-04T10:00:00Z", json!(8)),
    ]));
    let mut store = store_of(&[p]);
    let occ = build(&store, "2024-01-01T00:00:00Z", 14);
    let by = |occ: &[Occurrence], k: &str| -> Option<DateTime<Utc>> {
        occ.iter().find(|o| o.key.ends_with(k)).unwrap().updated
    };
    assert_eq!(by(&occ, "/a").unwrap(), at("2024-01-01T09:06:40Z"));
    assert_eq!(by(&occ, "/b").unwrap(), at("2023-12-20T09:00:00Z"));
    assert_eq!(by(&occ, "/c"), None);
    // A relay renumbers `modified`: the publisher's time and the first-seen time are noted.
    store.note_item_times(
        0,
        "c",
        ItemTimes {
            modified: None,
            first_seen: Some(at("2023-12-31T12:00:00Z")),
        },
    );
    store.note_item_times(
        0,
        "b",
        ItemTimes {
            modified: Some(at("2023-12-29T00:00:00Z")),
            first_seen: Some(at("2023-12-31T12:00:00Z")),
        },
    );
    let occ = build(&store, "2024-01-01T00:00:00Z", 14);
    assert_eq!(by(&occ, "/c").unwrap(), at("2023-12-31T12:00:00Z"));
    // The publisher's timestamp wins over `dateModified` and first-seen.
    assert_eq!(by(&occ, "/b").unwrap(), at("2023-12-29T00:00:00Z"));
}

#[test]
fn schedule_rule_and_listed_until_from_a_timetable() {
    let p = page(json!([series(json!({
        "eventSchedule": [{"@type": "Schedule", "byDay": ["schema:Monday", "https://schema.org/Thursday"],
            "startTime": "9:30:00", "endTime": "10:15", "repeatFrequency": "P1W",
            "startDate": "2023-12-01", "endDate": "2024-03-28", "exceptDate": ["2024-01-04"],
            "scheduleTimezone": "Europe/London"}]
    }))]));
    let store = store_of(&[p]);
    let occ = build(&store, "2024-01-01T00:00:00Z", 14);
    assert!(!occ.is_empty());
    let r = occ[0].schedule.as_ref().expect("rule");
    assert_eq!(r.rrule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH");
    assert_eq!(r.start_time, "09:30");
    assert_eq!(r.duration_minutes, Some(45));
    assert_eq!(r.start_date.as_deref(), Some("2023-12-01"));
    assert_eq!(r.end_date.as_deref(), Some("2024-03-28"));
    assert_eq!(r.except_dates, vec!["2024-01-04".to_string()]);
    // Dates are listed until the timetable's last day (a Thursday), in BST/GMT as due.
    assert_eq!(
        occ[0].listed_until.unwrap().to_rfc3339(),
        "2024-03-28T09:30:00+00:00"
    );
    // Every occurrence of the series shares the details.
    assert!(occ.iter().all(|o| o.listed_until == occ[0].listed_until));
}

#[test]
fn a_timetable_without_an_end_lists_no_end() {
    let p = page(json!([series(json!({
        "eventSchedule": {"@type": "Schedule", "byDay": "Monday", "startTime": "19:00", "duration": "PT1H"}
    }))]));
    let occ = build(&store_of(&[p]), "2024-01-01T00:00:00Z", 14);
    assert_eq!(occ.len(), 2);
    assert_eq!(occ[0].schedule.as_ref().unwrap().duration_minutes, Some(60));
    assert_eq!(occ[0].listed_until, None);
}

#[test]
fn listed_until_reaches_beyond_the_window() {
    let p = page(json!([
        series(json!({})),
        session("a", "2024-01-02T10:00:00Z", json!(1)),
        session("b", "2024-02-20T10:00:00Z", json!(2)), // beyond a 14-day window
    ]));
    let mut store = store_of(&[p]);
    let occ = build(&store, "2024-01-01T00:00:00Z", 14);
    assert_eq!(occ.len(), 1);
    assert_eq!(
        occ[0].listed_until.unwrap().to_rfc3339(),
        "2024-02-20T10:00:00+00:00"
    );
    // A relay that held a later session back tells the store about it.
    store.note_later_start(
        "https://x.example/series/1",
        "2024-03-05T10:00:00+00:00".parse().unwrap(),
    );
    let occ = build(&store, "2024-01-01T00:00:00Z", 14);
    assert_eq!(
        occ[0].listed_until.unwrap().to_rfc3339(),
        "2024-03-05T10:00:00+00:00"
    );
}

#[test]
fn special_requirements_are_read_under_any_prefix_and_inherited() {
    let p = page(json!([
        series(json!({
            "emduk:specialRequirements": [
                {"type": "Concept", "id": "https://data.emduk.org/special-requirements#gp", "prefLabel": "GP Referral",
                 "inScheme": "https://data.emduk.org/special-requirements/special-requirements.jsonld"},
                "Chair Based"
            ]
        })),
        session("a", "2024-01-02T10:00:00Z", json!(1)),
    ]));
    let occ = build(&store_of(&[p]), "2024-01-01T00:00:00Z", 14);
    let labels: Vec<_> = occ[0]
        .special_requirements
        .iter()
        .map(|c| c.label.as_deref().unwrap())
        .collect();
    assert_eq!(labels, ["GP Referral", "Chair Based"]);
    assert_eq!(
        occ[0].special_requirements[0].id.as_deref(),
        Some("https://data.emduk.org/special-requirements#gp")
    );
    // Read too as `beta:specialRequirements` or the singular, on the session itself.
    let p = page(json!([
        series(json!({})),
        {"state": "updated", "kind": "ScheduledSession", "id": "x", "modified": 3,
         "data": {"@type": "ScheduledSession", "superEvent": "https://x.example/series/1",
            "startDate": "2024-01-03T10:00:00Z", "name": "Own", "specialRequirement": "Pregnancy"}}
    ]));
    let occ = build(&store_of(&[p]), "2024-01-01T00:00:00Z", 14);
    assert_eq!(
        occ[0].special_requirements[0].label.as_deref(),
        Some("Pregnancy")
    );
}
