//! Children parked while their parent is outside the region.

use chrono::Duration;
use openactive::rpde::parse_item;

use super::*;
use crate::config::Region;
use crate::relay::{Decision, FeedStore, ParentOutside, Window};

fn region_window() -> Window {
    Window {
        lookahead_days: 28,
        region: Some(Region::Bbox {
            min_lat: 51.0,
            min_lon: -1.0,
            max_lat: 52.0,
            max_lon: 1.0,
        }),
    }
}

/// Applies an `updated` item (`id` a string) with a region and a parent-outside rule.
fn apply_in(
    s: &mut FeedStore,
    kind: &str,
    id: &str,
    modified: u64,
    data: &str,
    outside: ParentOutside<'_>,
) -> Decision {
    let item = parse_item(&format!(
        r#"{{"state":"updated","kind":"{kind}","id":"{id}","modified":{modified},"data":{data}}}"#
    ))
    .unwrap();
    s.apply(&item, kind, &region_window(), now(), outside)
}

const SERIES_OUT: &str = r#"{"@type":"SessionSeries","@id":"https://x/p","location":{"geo":{"latitude":55.9,"longitude":-3.2}}}"#;
const SERIES_IN: &str = r#"{"@type":"SessionSeries","@id":"https://x/p","location":{"geo":{"latitude":51.5,"longitude":-0.1}}}"#;

fn child(start: &str) -> String {
    format!(r#"{{"@type":"ScheduledSession","startDate":"{start}","superEvent":"https://x/p"}}"#)
}

#[test]
fn children_dropped_with_their_parent_come_back_when_it_moves_back_in() {
    let mut parents = FeedStore::new(1);
    let mut children = FeedStore::new(1);
    // The series is inside at first: its children are relayed.
    assert_eq!(
        apply_in(&mut parents, "SessionSeries", "p", 1, SERIES_IN, &|_| false),
        Decision::Upserted
    );
    assert!(parents.take_returned().is_empty());
    let near = child("2026-11-24T10:00:00Z");
    let far = child("2027-01-10T10:00:00Z");
    let past = child("2026-11-23T13:00:00Z");
    // It moves out; its children (sent again, or new) follow it out and are parked.
    assert_eq!(
        apply_in(&mut parents, "SessionSeries", "p", 2, SERIES_OUT, &|_| {
            false
        }),
        Decision::Dropped
    );
    let out = |id: &str| parents.is_outside(id);
    for (id, data) in [("c1", &near), ("c2", &far), ("c3", &near), ("c4", &past)] {
        assert_eq!(
            apply_in(&mut children, "ScheduledSession", id, 1, data, &out),
            Decision::Dropped,
            "{id}"
        );
    }
    assert_eq!((children.live_len(), children.parked_len()), (0, 4));
    // While parked: a newer version that still follows is parked again (one entry), an
    // older one is stale, a deletion forgets it, and one that ends is swept.
    let near2 = near.replace("10:00", "11:00");
    assert_eq!(
        apply_in(&mut children, "ScheduledSession", "c1", 3, &near2, &out),
        Decision::Dropped
    );
    assert_eq!(
        apply_in(&mut children, "ScheduledSession", "c1", 2, &near, &out),
        Decision::Stale
    );
    let del = parse_item(r#"{"state":"deleted","kind":"ScheduledSession","id":"c3","modified":2}"#)
        .unwrap();
    children.apply(&del, "ScheduledSession", &region_window(), now(), &out);
    children.sweep(&region_window(), "2026-11-23T14:00:00Z".parse().unwrap());
    assert_eq!(children.parked_len(), 2, "c1 and c2 remain");
    // The series moves back in: it is no longer outside, and it says so once.
    assert_eq!(
        apply_in(&mut parents, "SessionSeries", "p", 3, SERIES_IN, &|_| false),
        Decision::Upserted
    );
    assert!(!parents.is_outside("https://x/p"));
    let back = parents.take_returned();
    assert_eq!(back, ["https://x/p"]);
    assert!(parents.take_returned().is_empty());
    let out = |id: &str| parents.is_outside(id);
    let later = now() + Duration::hours(3);
    let placed = children.parent_returned(&back, &region_window(), later, &out);
    assert_eq!(placed, 2);
    // Its "first seen" is when this version was first seen, not when it came back.
    let times = children.live_times();
    assert_eq!(times.len(), 1);
    assert_eq!(times[0].2, Some(now()));
    assert_eq!(children.parked_len(), 0);
    // c1 (its newest version) is relayed again, c2 is held back until it enters the
    // window, c3 (deleted) and c4 (past) stay gone.
    assert!(children.contains_live("\"c1\""));
    let (_, json) = *children.page(0, 20).last().unwrap();
    assert!(
        json.contains("\"id\":\"c1\"") && json.contains("11:00"),
        "{json}"
    );
    assert_eq!(children.held_len(), 1);
    assert_eq!(children.live_len(), 1);
    assert!(!children.resync_wanted());
}

#[test]
fn children_beyond_the_parking_bound_ask_for_a_resync_when_their_parent_returns() {
    let mut parents = FeedStore::new(1);
    let mut children = FeedStore::new(1);
    let near = child("2026-11-24T10:00:00Z");
    children.parked_limit = near.len() + 100;
    apply_in(&mut parents, "SessionSeries", "p", 1, SERIES_OUT, &|_| {
        false
    });
    let out = |id: &str| parents.is_outside(id);
    apply_in(&mut children, "ScheduledSession", "c1", 1, &near, &out);
    apply_in(&mut children, "ScheduledSession", "c2", 1, &near, &out);
    assert_eq!(children.parked_len(), 1, "the second did not fit");
    // Saved and restored, the bound's verdict and the parked child survive.
    let mut buf = Vec::new();
    children.write_snapshot(&mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mut children = FeedStore::read_snapshot(text.lines()).unwrap();
    assert_eq!(children.parked_len(), 1);
    assert!(!children.resync_wanted());
    apply_in(&mut parents, "SessionSeries", "p", 2, SERIES_IN, &|_| false);
    let back = parents.take_returned();
    let out = |id: &str| parents.is_outside(id);
    assert_eq!(
        children.parent_returned(&back, &region_window(), now(), &out),
        1
    );
    assert_eq!(children.live_len(), 1);
    assert!(children.take_resync_wanted(), "c2 needs the resync");
    assert!(!children.take_resync_wanted());
}

#[test]
fn parked_children_are_saved_and_come_back_after_a_restart() {
    let mut parents = FeedStore::new(1);
    let mut children = FeedStore::new(1);
    apply_in(&mut parents, "SessionSeries", "p", 1, SERIES_OUT, &|_| {
        false
    });
    let out = |id: &str| parents.is_outside(id);
    apply_in(
        &mut children,
        "ScheduledSession",
        "c1",
        1,
        &child("2026-11-24T10:00:00Z"),
        &out,
    );
    let save = |s: &FeedStore| {
        let mut buf = Vec::new();
        s.write_snapshot(&mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    };
    let (pt, ct) = (save(&parents), save(&children));
    assert!(ct.lines().any(|l| l.starts_with("P{")), "{ct}");
    let mut parents = FeedStore::read_snapshot(pt.lines()).unwrap();
    let mut children = FeedStore::read_snapshot(ct.lines()).unwrap();
    assert_eq!(children.parked_len(), 1);
    assert_eq!(save(&children), ct, "saved again, the same");
    apply_in(&mut parents, "SessionSeries", "p", 2, SERIES_IN, &|_| false);
    let back = parents.take_returned();
    let out = |id: &str| parents.is_outside(id);
    children.parent_returned(&back, &region_window(), now(), &out);
    assert!(children.contains_live("\"c1\""));
    // A resync that does not see a parked child forgets it.
    let mut children = FeedStore::read_snapshot(ct.lines()).unwrap();
    children.begin_resync(now());
    children.finish_resync(now());
    assert_eq!(children.parked_len(), 0);
}
