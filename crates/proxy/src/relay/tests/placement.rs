//! Placement: past occurrences dropped, far ones held back, the region.

use chrono::{DateTime, Utc};
use openactive::rpde::parse_item;

use super::*;
use crate::config::Region;
use crate::relay::{Decision, FeedStore, Window};

#[test]
fn past_sessions_are_dropped_and_far_ones_held_back() {
    let mut s = FeedStore::new(1);
    let w = window();
    let past = r#"{"@type":"ScheduledSession","startDate":"2026-11-01T10:00:00Z","endDate":"2026-11-01T11:00:00Z"}"#;
    let far = r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"}"#;
    let near = r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00+00:00","endDate":"2026-11-24T11:00:00+00:00"}"#;
    assert_eq!(
        upsert(&mut s, "ScheduledSession", "1", "1", past),
        Decision::Dropped
    );
    assert_eq!(
        upsert(&mut s, "ScheduledSession", "2", "2", far),
        Decision::HeldBack
    );
    assert_eq!(
        upsert(&mut s, "ScheduledSession", "3", "3", near),
        Decision::Upserted
    );
    assert_eq!(s.live_len(), 1);
    assert_eq!(s.held_len(), 1);
    // Time passes: the near one ends (tombstone), the far one enters the window.
    let later: DateTime<Utc> = "2026-12-20T00:00:00Z".parse().unwrap();
    s.sweep(&w, later);
    assert_eq!(s.live_len(), 1);
    assert!(s.contains_live("2"));
    let page = s.page(0, 10);
    assert!(
        page.iter()
            .any(|(_, j)| j.contains("\"deleted\"") && j.contains("\"id\":3"))
    );
    assert!(
        page.iter()
            .any(|(_, j)| j.contains("\"updated\"") && j.contains("\"id\":2"))
    );
}

#[test]
fn offset_less_and_date_only_occurrences_expire_like_the_rest() {
    let mut s = FeedStore::new(1);
    let w = window();
    // Local (Europe/London) times without an offset, and a date-only end.
    let local = r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00","endDate":"2026-11-24T11:00:00"}"#;
    let date_only = r#"{"@type":"Event","startDate":"2026-11-25","endDate":"2026-11-26"}"#;
    let local_past = r#"{"@type":"ScheduledSession","startDate":"2026-11-20T10:00","endDate":"2026-11-20T11:00"}"#;
    let local_far = r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00","endDate":"2027-01-10T11:00:00"}"#;
    assert_eq!(
        upsert(&mut s, "ScheduledSession", "\"l\"", "1", local),
        Decision::Upserted
    );
    assert_eq!(
        upsert(&mut s, "Event", "\"d\"", "1", date_only),
        Decision::Upserted
    );
    assert_eq!(
        upsert(&mut s, "ScheduledSession", "\"p\"", "1", local_past),
        Decision::Dropped
    );
    assert_eq!(
        upsert(&mut s, "ScheduledSession", "\"f\"", "1", local_far),
        Decision::HeldBack
    );
    assert_eq!(s.live_len(), 2);
    // 10:59 UTC is 10:59 in London in November: not over yet.
    s.sweep(&w, "2026-11-24T10:59:00Z".parse().unwrap());
    assert!(s.contains_live("\"l\""));
    s.sweep(&w, "2026-11-24T11:01:00Z".parse().unwrap());
    assert!(!s.contains_live("\"l\""), "expired at its local end");
    assert!(s.contains_live("\"d\""));
    s.sweep(&w, "2026-11-26T00:01:00Z".parse().unwrap());
    assert!(!s.contains_live("\"d\""));
    assert_eq!(s.live_len(), 0);
    // The held one enters the window, then ends too.
    s.sweep(&w, "2026-12-20T00:00:00Z".parse().unwrap());
    assert!(s.contains_live("\"f\""));
    s.sweep(&w, "2027-01-10T11:01:00Z".parse().unwrap());
    assert!(!s.contains_live("\"f\""));
    assert_eq!(s.live_len(), 0);
    // Its tombstone is relayed (the November ones are older than a week by now).
    assert_eq!(
        s.page(0, 10).iter().map(|(_, j)| *j).collect::<Vec<_>>(),
        [r#"{"state":"deleted","kind":"ScheduledSession","id":"f","modified":6}"#]
    );
}

#[test]
fn region_placement_reads_the_model_location_and_parent() {
    let mut s = FeedStore::new(1);
    let w = Window {
        lookahead_days: 28,
        region: Some(Region::Bbox {
            min_lat: 51.0,
            min_lon: -1.0,
            max_lat: 52.0,
            max_lon: 1.0,
        }),
    };
    let apply = |s: &mut FeedStore, id: &str, data: &str, outside: &dyn Fn(&str) -> bool| {
        let item = parse_item(&format!(
            r#"{{"state":"updated","kind":"SessionSeries","id":"{id}","modified":1,"data":{data}}}"#
        ))
        .unwrap();
        s.apply(&item, "SessionSeries", &w, now(), outside)
    };
    let no = |_: &str| false;
    // Coordinates as numeric strings, on the location itself or under `geo`.
    assert_eq!(
        apply(
            &mut s,
            "in",
            r#"{"@type":"SessionSeries","location":{"latitude":"51.5","longitude":"0.1"}}"#,
            &no
        ),
        Decision::Upserted
    );
    assert_eq!(
        apply(
            &mut s,
            "out",
            r#"{"@type":"SessionSeries","@id":"https://x/out","location":{"geo":{"latitude":55.9,"longitude":-3.2}}}"#,
            &no
        ),
        Decision::Dropped
    );
    assert!(s.is_outside("https://x/out"));
    // A child without coordinates follows its parent: embedded, or known outside by @id.
    assert_eq!(
        apply(
            &mut s,
            "c1",
            r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00Z","superEvent":{"@id":"https://x/p","location":{"geo":{"latitude":55.9,"longitude":-3.2}}}}"#,
            &no
        ),
        Decision::Dropped
    );
    let out = |id: &str| id == "https://x/out";
    assert_eq!(
        apply(
            &mut s,
            "c2",
            r#"{"@type":"Slot","startDate":"2026-11-24T10:00:00Z","facilityUse":"https://x/out"}"#,
            &out
        ),
        Decision::Dropped
    );
    assert_eq!(
        apply(
            &mut s,
            "c3",
            r#"{"@type":"Slot","startDate":"2026-11-24T10:00:00Z","facilityUse":"https://x/in"}"#,
            &out
        ),
        Decision::Upserted
    );
    assert_eq!(s.live_len(), 2);
}
