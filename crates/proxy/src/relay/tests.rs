//! The relay's unit tests (moved out of `store.rs` unchanged).

use chrono::{DateTime, Duration, Utc};
use openactive::rpde::parse_item;

use super::{Decision, FeedStore, ParentOutside, Window};
use crate::config::Region;

fn window() -> Window {
    Window {
        lookahead_days: 28,
        region: None,
    }
}

fn now() -> DateTime<Utc> {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

/// Applies an `updated` item given as JSON fragments (`id` and `modified` as JSON).
fn upsert(s: &mut FeedStore, kind: &str, id: &str, modified: &str, data: &str) -> Decision {
    upsert_at(s, kind, id, modified, data, now())
}

fn upsert_at(
    s: &mut FeedStore,
    kind: &str,
    id: &str,
    modified: &str,
    data: &str,
    at: DateTime<Utc>,
) -> Decision {
    let item = parse_item(&format!(
        r#"{{"state":"updated","kind":"{kind}","id":{id},"modified":{modified},"data":{data}}}"#
    ))
    .unwrap();
    s.apply(&item, "Fallback", &window(), at, &|_| false)
}

fn delete(s: &mut FeedStore, kind: &str, id: &str, modified: &str) -> Decision {
    let item = parse_item(&format!(
        r#"{{"state":"deleted","kind":"{kind}","id":{id},"modified":{modified}}}"#
    ))
    .unwrap();
    s.apply(&item, "Fallback", &window(), now(), &|_| false)
}

#[test]
fn modified_follows_openactive_ordering_big_integers_and_mixed_classes() {
    let mut s = FeedStore::new(1);
    let d = r#"{"@type":"SessionSeries"}"#;
    let d2 = r#"{"@type":"SessionSeries","name":"2"}"#;
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000001", d),
        Decision::Upserted
    );
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000000", d2),
        Decision::Stale
    );
    // A digit string compares with an integer numerically…
    assert_eq!(
        upsert(
            &mut s,
            "SessionSeries",
            "\"a\"",
            "\"637890336000000002\"",
            d2
        ),
        Decision::Upserted
    );
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000001", d),
        Decision::Stale
    );
    // …and any other string is newer than any number (as in `openactive::rpde`).
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "\"2020-01-02\"", d),
        Decision::Upserted
    );
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "99999999999999999999", d2),
        Decision::Stale
    );
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "\"2020-01-01\"", d2),
        Decision::Stale
    );
}

#[test]
fn latest_version_wins_and_stale_versions_are_ignored() {
    let mut s = FeedStore::new(100);
    let d1 = r#"{"@type":"SessionSeries","name":"one"}"#;
    let d0 = r#"{"@type":"SessionSeries","name":"zero"}"#;
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "2", d1),
        Decision::Upserted
    );
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "1", d0),
        Decision::Stale
    );
    let page = s.page(0, 10);
    assert_eq!(page.len(), 1);
    assert!(page[0].1.contains("\"one\""));
    assert_eq!(page[0].0, 100);
    // The same version re-published keeps its change number; a new one gets a new number.
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "2", d1),
        Decision::Stale
    );
    assert_eq!(s.last_seq(), 100);
    assert_eq!(
        upsert(&mut s, "SessionSeries", "\"a\"", "2", d0),
        Decision::Upserted
    );
    assert_eq!(s.page(0, 10)[0].0, 101);
}

#[test]
fn ids_keep_their_published_form_and_a_number_and_its_string_are_one_item() {
    let mut s = FeedStore::new(1);
    let d = r#"{"@type":"SessionSeries"}"#;
    upsert(&mut s, "SessionSeries", "7", "1", d);
    upsert(&mut s, "", "\"x\\u00e9\"", "1", d);
    let page = s.page(0, 10);
    assert_eq!(
        page[0].1,
        r#"{"state":"updated","kind":"SessionSeries","id":7,"modified":1,"data":{"@type":"SessionSeries"}}"#
    );
    // No kind on the item: the feed's stands in.
    assert!(
        page[1]
            .1
            .starts_with(r#"{"state":"updated","kind":"Fallback","id":"xé","#)
    );
    assert!(s.contains_live("7") && s.contains_live("\"7\""));
    assert_eq!(
        delete(&mut s, "SessionSeries", "\"7\"", "2"),
        Decision::Deleted
    );
    assert_eq!(s.live_len(), 1);
    assert_eq!(
        s.page(0, 10)[1].1,
        r#"{"state":"deleted","kind":"SessionSeries","id":"7","modified":3}"#
    );
}

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

#[test]
fn snapshot_round_trips_items_tombstones_held_items_and_cursor() {
    let mut s = FeedStore::new(500);
    let d = r#"{"@type":"SessionSeries","name":"caf\u00e9 \"q\""}"#;
    upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000001", d);
    upsert(&mut s, "SessionSeries", "7", "\"x\"", d);
    delete(&mut s, "SessionSeries", "7", "\"y\"");
    let far = r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"}"#;
    upsert(&mut s, "ScheduledSession", "\"f\"", "3", far);
    upsert(&mut s, "ScheduledSession", "12", "3", far);
    s.set_cursor("http://x.example/feed?afterChangeNumber=9");
    s.begin_resync(now());
    s.saw("a");
    s.set_cursor("http://x.example/feed?afterChangeNumber=9");
    let mut buf = Vec::new();
    s.write_snapshot(&mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mut r = FeedStore::read_snapshot(text.lines()).unwrap();
    assert_eq!(r.page(0, 10), s.page(0, 10));
    assert_eq!(r.live_len(), 1);
    assert_eq!(r.held_len(), 2);
    assert_eq!(r.cursor(), s.cursor());
    assert_eq!(r.next_seq, s.next_seq);
    // The same version again keeps its change number after a reload.
    assert_eq!(
        upsert(&mut r, "SessionSeries", "\"a\"", "637890336000000001", d),
        Decision::Stale
    );
    // Stale against the restored tombstone; the resync keeps "a" and the held items go.
    assert_eq!(
        upsert(&mut r, "SessionSeries", "7", "\"x\"", d),
        Decision::Stale
    );
    assert_eq!(r.finish_resync(now()), 2);
    assert!(r.contains_live("\"a\""));
    // Held items keep their id form when they enter the window.
    let mut r = FeedStore::read_snapshot(text.lines()).unwrap();
    r.sweep(&window(), "2026-12-20T00:00:00Z".parse().unwrap());
    assert!(r.page(0, 10).iter().any(|(_, j)| j.contains(r#""id":12,"#)));
    assert!(
        r.page(0, 10)
            .iter()
            .any(|(_, j)| j.contains(r#""id":"f","#))
    );
}

#[test]
fn a_snapshot_from_the_former_reader_restores_and_its_offset_less_items_now_expire() {
    // Written before items were read through `openactive`: no `version`, resync ids and
    // keys as JSON text, no `kind` on records, no expiry for offset-less dates.
    let old = [
        r#"{"next_seq":12,"cursor":"http://x.example/f?after=9","pass_started":"2026-11-20T00:00:00Z","resync_seen":["\"s\"","5"],"outside":[]}"#,
        r#"R{"seq":9,"key":"5","modified":{"i":"3"},"ends":null,"deleted_at":null,"hash":1,"item":{"state":"updated","kind":"ScheduledSession","id":5,"modified":9,"data":{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00","endDate":"2026-11-24T11:00:00"}}}"#,
        r#"R{"seq":10,"key":"\"s\"","modified":{"s":"b"},"ends":null,"deleted_at":null,"hash":2,"item":{"state":"updated","kind":"SessionSeries","id":"s","modified":10,"data":{"@type":"SessionSeries"}}}"#,
        r#"R{"seq":11,"key":"\"gone\"","modified":{"i":"4"},"ends":null,"deleted_at":"2026-11-22T00:00:00Z","hash":0,"item":{"state":"deleted","kind":"SessionSeries","id":"gone","modified":11}}"#,
        r#"H{"key":"\"h\"","kind":"ScheduledSession","id":"h","modified":{"i":"1"},"data":{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"},"starts":"2027-01-10T10:00:00Z"}"#,
    ]
    .join("\n");
    let mut s = FeedStore::read_snapshot(old.lines()).unwrap();
    assert_eq!((s.live_len(), s.held_len(), s.last_seq()), (2, 1, 11));
    assert!(s.contains_live("5") && s.contains_live("\"s\""));
    assert!(s.resyncing());
    // Stale against the restored tombstone and versions.
    assert_eq!(
        delete(&mut s, "SessionSeries", "\"gone\"", "3"),
        Decision::Stale
    );
    assert_eq!(
        upsert(
            &mut s,
            "SessionSeries",
            "\"s\"",
            "\"a\"",
            r#"{"@type":"SessionSeries"}"#
        ),
        Decision::Stale
    );
    s.sweep(&window(), "2026-11-24T11:01:00Z".parse().unwrap());
    assert!(!s.contains_live("5"), "the offset-less session expired");
    assert_eq!(
        s.page(11, 10)[0].1,
        r#"{"state":"deleted","kind":"ScheduledSession","id":5,"modified":12}"#
    );
    // The resync saw both ids; nothing else to remove but the held item.
    assert_eq!(s.finish_resync(now()), 1);
    assert!(s.contains_live("\"s\""));
    // Saved again, it reads back the same.
    let mut buf = Vec::new();
    s.write_snapshot(&mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let r = FeedStore::read_snapshot(text.lines()).unwrap();
    assert_eq!(r.page(0, 20), s.page(0, 20));
}

#[test]
fn deletions_become_tombstones_that_expire_after_a_week() {
    let mut s = FeedStore::new(1);
    let w = window();
    upsert(
        &mut s,
        "SessionSeries",
        "\"x\"",
        "1",
        r#"{"@type":"SessionSeries"}"#,
    );
    assert_eq!(
        delete(&mut s, "SessionSeries", "\"x\"", "2"),
        Decision::Deleted
    );
    assert_eq!(s.live_len(), 0);
    let page = s.page(0, 10);
    assert_eq!(page.len(), 1);
    assert_eq!(
        page[0].1,
        r#"{"state":"deleted","kind":"SessionSeries","id":"x","modified":2}"#
    );
    s.sweep(&w, now() + Duration::days(8));
    assert!(s.page(0, 10).is_empty());
    // An item that ended is dropped as it arrives, even at a later time.
    assert_eq!(
        upsert_at(
            &mut s,
            "ScheduledSession",
            "\"y\"",
            "1",
            r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00"}"#,
            now() + Duration::days(2)
        ),
        Decision::Dropped
    );
}
