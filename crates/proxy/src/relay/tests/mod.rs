//! The relay's unit tests: ordering and versions here; `placement.rs` (past, held back,
//! region), `parking.rs` (children following their parent), `snapshot.rs` (saved state and
//! tombstones).

mod parking;
mod placement;
mod snapshot;

use chrono::{DateTime, Utc};
use openactive::rpde::parse_item;

use super::{Decision, FeedStore, Window};

pub(super) fn window() -> Window {
    Window {
        lookahead_days: 28,
        region: None,
    }
}

pub(super) fn now() -> DateTime<Utc> {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

/// Applies an `updated` item given as JSON fragments (`id` and `modified` as JSON).
pub(super) fn upsert(
    s: &mut FeedStore,
    kind: &str,
    id: &str,
    modified: &str,
    data: &str,
) -> Decision {
    upsert_at(s, kind, id, modified, data, now())
}

pub(super) fn upsert_at(
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

pub(super) fn delete(s: &mut FeedStore, kind: &str, id: &str, modified: &str) -> Decision {
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
