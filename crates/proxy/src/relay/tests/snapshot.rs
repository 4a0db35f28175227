//! Saved state round trips, and tombstones expiring.

use chrono::Duration;

use super::*;
use crate::relay::{Decision, FeedStore};

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
