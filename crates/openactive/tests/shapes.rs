//! Shapes seen in real feeds (issue 15): one fixture per shape under
//! `tests/fixtures/rpde/shapes/`, one test per fixture, asserting what a correct reader gets,
//! and what `check` reports as read, skipped and flagged.
//!
//! What the reader does with each shape:
//! - compound `@type` (`SessionSeries.ScheduledSession`): the first part is the object's own
//!   type; flagged. CURIEs (`oa:`, `schema:`) are read by their local name, silently.
//!   Lower-case, spaced, plural or slightly misspelt types (one edit up to nine letters, two
//!   beyond) are read as the nearest type; flagged. Any other type: skipped with the reason
//!   ("not an opportunity type"), still kept in `Page::items` for relays.
//! - a parent without `@id` carrying sessions in `subEvent`: containment links them (their
//!   `superEvent` pointing nowhere is ignored); not orphans.
//! - one child id under two parents: the copy from the item with the later `modified` is kept,
//!   then the later applied (later page, or later on the page), then the later feed; counted
//!   in `Hidden::duplicate` and noted by the join.
//! - ids as numbers: rendered in full (`7.0` → `7`); zero-padded strings kept as published
//!   (`0042` is not `42`). Numeric `@id`/`superEvent` are read as text and join.
//! - `modified` as a float: compared numerically (as are digit strings); 13-digit ms, Unix
//!   seconds, .NET ticks or ISO text give `Modified::as_timestamp`; a counter gives none.
//!   Going down within a page: one flag per page; of two versions of an item the higher
//!   `modified` is kept.
//! - prices and coordinates as strings (`"£5.50"`, `"51.46"`): read as numbers.
//! - a location given only as a reference: filled from a Place with that `@id` elsewhere in the
//!   same document (an embedded parent's location, `@graph`…), else from a Place feed item.
//! - `eventSchedule` as an object or an array; `byDay` as a bare string, URL or CURIE; times
//!   such as `9:30:00`: all read.
//! - `endTime` not after `startTime`: next day when it plausibly crosses midnight (start from
//!   17:00, end up to 06:00), else end unknown (or from `duration`); flagged either way. Same
//!   for a dated `endDate` on the same day before its `startDate`.
//! - `exceptDate` with a space and no offset: read as London wall-clock time.
//! - a schedule disagreeing with dated sessions beside it: the dated sessions are listed; the
//!   join notes the disagreement (a schedule without a start time is not compared).
//! - an offset no UK venue has (`+05:30`): the instant is kept; flagged (one flag per item
//!   and kind, with a count).
//! - a key given twice (in the item, the page or `data`): the last value is kept; flagged for
//!   the item envelope.

mod common;

use common::{at, fixture, starts};
use openactive::check::{CheckReport, check_pages_at};
use openactive::model::OpportunityType;
use openactive::{Dataset, Gender, Modified, Occurrence, Page, Store, parse_page};

const NOW: &str = "2024-01-01T00:00:00Z";

fn shape_page(name: &str) -> Page {
    let text = fixture(&format!("rpde/shapes/{name}"));
    parse_page(&text, "").unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn check(names: &[&str]) -> CheckReport {
    let pages = names
        .iter()
        .map(|n| {
            (
                format!("rpde/shapes/{n}"),
                fixture(&format!("rpde/shapes/{n}")),
            )
        })
        .collect();
    check_pages_at(pages, Some(at(NOW)), 60)
}

/// One feed holding the pages, applied in order; occurrences over 60 days from NOW.
fn occurrences(pages: &[Page]) -> (Store, Vec<Occurrence>) {
    let mut store = Store::new();
    let f = store.add_feed(Dataset {
        publisher: "Shapes".into(),
        ..Dataset::default()
    });
    for p in pages {
        store.apply_page(f, p);
    }
    let occ = store.occurrences(at(NOW), 60);
    (store, occ)
}

fn notes(p: &Page) -> Vec<&str> {
    p.report.flagged.iter().map(|f| f.note.as_str()).collect()
}

fn assert_accounted(p: &Page) {
    let r = &p.report;
    assert_eq!(r.parsed + r.skipped_updated, r.updated, "{r:?}");
}

#[test]
fn compound_type_sessionseries_scheduledsession() {
    let p = shape_page("compound-type.json");
    assert_accounted(&p);
    assert_eq!((p.report.updated, p.report.parsed), (1, 1));
    assert!(p.report.skipped.is_empty());
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.kind, OpportunityType::SessionSeries);
    assert_eq!(o.sub_events.len(), 3);
    assert_eq!(
        notes(&p),
        ["compound type `SessionSeries.ScheduledSession` read as SessionSeries"]
    );
    let (_, occ) = occurrences(&[p]);
    assert_eq!(
        starts(&occ),
        [
            "2024-01-02T10:00:00+00:00",
            "2024-01-09T10:00:00+00:00",
            "2024-01-16T10:00:00+00:00"
        ]
    );
    assert!(occ.iter().all(|o| o.name == "Chair Yoga"));
    assert_eq!(occ[0].venue.postcode.as_deref(), Some("N1 1AA"));
    assert_eq!(occ[0].offers[0].price, Some(3.0));
    assert_eq!(
        occ[0].organizer.as_ref().unwrap().name.as_deref(),
        Some("Northgate Active Trust")
    );
    assert_eq!(
        occ.iter().map(|o| o.cancelled).collect::<Vec<_>>(),
        [false, false, true]
    );
    let r = check(&["compound-type.json"]);
    assert_eq!((r.updated, r.parsed, r.skipped.len()), (1, 1, 0));
    assert_eq!(r.occurrences, 3);
    assert_eq!(r.hidden.cancelled, 1);
    assert_eq!(
        r.flagged_by_reason
            .get("compound type read as SessionSeries"),
        Some(&1)
    );
}

#[test]
fn compound_type_with_96_sessions_is_read() {
    // The capture that started issue 15: one SessionSeries.ScheduledSession with 96 sessions.
    let subs: Vec<_> = (0..96)
        .map(|i| {
            serde_json::json!({"@type": "ScheduledSession",
                "@id": format!("https://x/s/{i}"),
                "startDate": format!("2024-{:02}-{:02}T10:00:00Z", 1 + i / 28, 1 + i % 28)})
        })
        .collect();
    let page = serde_json::json!({"next": "https://x/f?n=1", "items": [{
        "state": "updated", "kind": "SessionSeries.ScheduledSession", "id": "1", "modified": 1,
        "data": {"@type": "SessionSeries.ScheduledSession", "@id": "https://x/series", "name": "Yoga",
                 "subEvent": subs}}]});
    let p = parse_page(&page.to_string(), "https://x/f").unwrap();
    assert_eq!((p.report.updated, p.report.parsed), (1, 1));
    assert_eq!(notes(&p).len(), 1);
    let mut store = Store::new();
    let f = store.add_feed(Dataset::default());
    store.apply_page(f, &p);
    assert_eq!(store.occurrences(at(NOW), 200).len(), 96);
    // 96 sessions at an offset no UK venue has: one flag for the item, with the count.
    let shifted = page.to_string().replace("T10:00:00Z", "T10:00:00+05:30");
    let p = parse_page(&shifted, "https://x/f").unwrap();
    let n = notes(&p);
    assert_eq!(n.len(), 2);
    assert!(n[1].ends_with("not a UK offset (the instant is kept) [+95 more in this item]"));
    let r = check_pages_at(vec![("https://x/f".into(), shifted)], Some(at(NOW)), 200);
    assert_eq!(
        r.flagged_by_reason
            .get("`startDate` has offset not a UK offset (the instant is kept)"),
        Some(&1)
    );
}

#[test]
fn curie_lower_case_and_misspelt_types() {
    let p = shape_page("curie-and-misspelt-types.json");
    assert_accounted(&p);
    assert_eq!((p.report.updated, p.report.parsed), (4, 3));
    assert_eq!(p.report.skipped.len(), 1);
    assert_eq!(p.report.skipped[0].item_id.as_deref(), Some("X-1"));
    assert_eq!(
        p.report.skipped[0].reason,
        "not an opportunity type: `Order`"
    );
    // The unknown item is still kept for relays.
    assert_eq!(p.items.len(), 4);
    assert_eq!(
        notes(&p),
        [
            "type `scheduledsession` read as ScheduledSession",
            "type `ScheduledSesion` read as ScheduledSession"
        ]
    );
    let (_, occ) = occurrences(&[p]);
    assert_eq!(occ.len(), 2);
    assert!(occ.iter().all(|o| o.name == "Walking Netball"));
    assert!(occ.iter().all(|o| o.gender == Gender::NoRestriction));
    let r = check(&["curie-and-misspelt-types.json"]);
    assert_eq!((r.updated, r.parsed, r.skipped.len()), (4, 3, 1));
    assert_eq!(r.flagged.len(), 2);
    assert_eq!(
        r.flagged_by_reason.get("type read as ScheduledSession"),
        Some(&2)
    );
    assert_eq!(r.hidden.unreadable, 1);
    assert_eq!(r.occurrences, 2);
}

#[test]
fn parent_without_id_links_its_subevents_by_containment() {
    let p = shape_page("subevent-parent-without-id.json");
    assert_accounted(&p);
    assert_eq!(p.report.parsed, 1);
    let (store, occ) = occurrences(&[p]);
    assert_eq!(store.orphan_count(), 0);
    assert_eq!(
        starts(&occ),
        ["2024-01-06T09:00:00+00:00", "2024-01-13T09:00:00+00:00"]
    );
    for o in &occ {
        assert_eq!(o.name, "Junior Badminton");
        assert_eq!(o.venue.name.as_deref(), Some("Sports Hall"));
        assert!(o.free);
        assert_eq!(o.end.unwrap() - o.start, chrono::TimeDelta::hours(1));
    }
    assert_eq!(occ[0].key, "https://shapes.example.org/session/B-1");
    let r = check(&["subevent-parent-without-id.json"]);
    assert_eq!((r.orphans, r.occurrences), (0, 2));
}

#[test]
fn same_child_under_two_parents_keeps_later_modified_then_later_page() {
    let p1 = shape_page("same-child-two-parents.page-1.json");
    let p2 = shape_page("same-child-two-parents.page-2.json");
    assert_accounted(&p1);
    // A (modified 20) then B (modified 10) on one page: reported.
    assert!(notes(&p1)[0].starts_with("`modified` goes down within the page"));
    // Page 1 alone: A has the later `modified`.
    let (store, occ) = occurrences(std::slice::from_ref(&p1));
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].name, "Newer listing");
    assert_eq!(occ[0].start.to_rfc3339(), "2024-01-05T07:00:00+00:00");
    let b = store.build(at(NOW), 60, None);
    assert_eq!(b.hidden[0].duplicate, 1);
    assert_eq!(b.notes.len(), 1);
    assert_eq!(b.notes[0].item_id, "B");
    assert!(b.notes[0].note.contains("also listed by item `A`"));
    // Then C, with the same `modified` as A, on a later page: C is kept.
    let (store, occ) = occurrences(&[p1, p2]);
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].name, "Same modified, later page");
    assert_eq!(store.build(at(NOW), 60, None).hidden[0].duplicate, 2);
    // Across feeds, with equal `modified`: the feed registered later.
    let mut store = Store::new();
    let f0 = store.add_feed(Dataset::default());
    let f1 = store.add_feed(Dataset::default());
    store.apply_page(f1, &shape_page("same-child-two-parents.page-2.json"));
    store.apply_page(f0, &shape_page("same-child-two-parents.page-1.json"));
    let b = store.build(at(NOW), 60, None);
    assert_eq!(b.occurrences.len(), 1);
    assert_eq!(b.occurrences[0].name, "Same modified, later page");
    assert_eq!((b.hidden[0].duplicate, b.hidden[1].duplicate), (2, 0));
    let r = check(&[
        "same-child-two-parents.page-1.json",
        "same-child-two-parents.page-2.json",
    ]);
    assert_eq!(r.feeds.len(), 1);
    assert_eq!(r.hidden.duplicate, 2);
    assert_eq!(r.occurrences, 1);
    assert!(
        r.flagged
            .iter()
            .any(|f| f.item_id == "A" && f.note.contains("item `C`"))
    );
}

#[test]
fn ids_as_numbers_and_zero_padded_strings() {
    let p = shape_page("ids-numbers-and-padded.json");
    assert_accounted(&p);
    let ids: Vec<&str> = p.items.iter().map(|i| i.id.as_str()).collect();
    // Numbers in full (an integral float without `.0`); padded strings as published.
    assert_eq!(ids, ["42", "0042", "7"]);
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.id.as_deref(), Some("123"));
    let (store, occ) = occurrences(&[p]);
    assert_eq!(store.orphan_count(), 0);
    assert_eq!(occ.len(), 2);
    assert!(occ.iter().all(|o| o.name == "Boxercise"));
    assert_eq!(occ[0].key, "0042");
    assert_eq!(occ[0].series_key.as_deref(), Some("123"));
}

#[test]
fn modified_as_float() {
    let p = shape_page("modified-float.json");
    assert_accounted(&p);
    assert_eq!(p.items[0].modified, Modified::Str("1704067200.25".into()));
    assert_eq!(
        p.items[0].modified.as_timestamp().unwrap().to_rfc3339(),
        "2024-01-01T00:00:00.250+00:00"
    );
    // 999.5 after 1704067300.75 goes down (numerically, not as text) and is reported.
    assert_eq!(notes(&p).len(), 1);
    assert!(notes(&p)[0].contains("999.5 after 1704067300.75"));
    let (_, occ) = occurrences(&[p]);
    assert_eq!(occ.len(), 2);
    assert_eq!(occ[0].name, "Park Run Warm-up"); // the stale copy was not applied
    let r = check(&["modified-float.json"]);
    assert_eq!(r.feeds[0].ignored_stale, 1);
    assert_eq!(r.feeds[0].flagged, 1);
}

#[test]
fn modified_as_13_digit_milliseconds() {
    let p = shape_page("modified-millis.json");
    assert_accounted(&p);
    assert!(notes(&p).is_empty());
    assert_eq!(
        p.items[0].modified.as_timestamp().unwrap().to_rfc3339(),
        "2024-01-01T00:00:00+00:00"
    );
    assert_eq!(
        p.items[1].modified.as_timestamp().unwrap().to_rfc3339(),
        "2024-01-01T00:03:20+00:00"
    );
    assert!(p.items[1].modified > p.items[0].modified);
    let (store, _) = occurrences(&[p]);
    assert_eq!(
        store.last_changed(0, "M-2").unwrap().to_rfc3339(),
        "2024-01-01T00:03:20+00:00"
    );
    assert_eq!(store.last_changed(0, "nope"), None);
}

#[test]
fn modified_as_counter_going_down_within_the_page() {
    let p = shape_page("modified-counter-going-down.json");
    assert_accounted(&p);
    assert!(p.items.iter().all(|i| i.modified.as_timestamp().is_none()));
    // A counter is not a time; `dateModified` is used when the data has one.
    let with_date = serde_json::json!({"next": "https://x/f?n=1", "items": [
        {"state": "updated", "kind": "Event", "id": "a", "modified": 3,
         "data": {"@type": "Event", "dateModified": "2023-12-30T08:00:00Z"}},
        {"state": "updated", "kind": "Event", "id": "b", "modified": 4, "data": {"@type": "Event"}}]});
    let (store, _) = occurrences(&[parse_page(&with_date.to_string(), "https://x/f").unwrap()]);
    assert_eq!(
        store.last_changed(0, "a").unwrap().to_rfc3339(),
        "2023-12-30T08:00:00+00:00"
    );
    assert_eq!(store.last_changed(0, "b"), None);
    let n = notes(&p);
    assert_eq!(n.len(), 1);
    assert_eq!(p.report.flagged[0].item_id, "K-2");
    assert!(n[0].contains("5 after 9 on `K-1`"));
    assert!(n[0].ends_with("is kept [+1 more on this page]"));
    let (_, occ) = occurrences(&[p]);
    // K-1 keeps the version with the higher `modified` (9), though it came first.
    let k1 = occ.iter().find(|o| o.key.ends_with("K-1")).unwrap();
    assert_eq!(k1.name, "Newest version");
    let r = check(&["modified-counter-going-down.json"]);
    assert_eq!(r.feeds[0].ignored_stale, 1);
    assert_eq!(r.flagged.len(), 1);
}

#[test]
fn prices_and_coordinates_as_strings() {
    let p = shape_page("prices-and-coordinates-as-strings.json");
    assert_accounted(&p);
    let (_, occ) = occurrences(&[p]);
    let o = &occ[0];
    assert_eq!(o.offers[0].price, Some(5.5));
    assert_eq!(o.offers[1].price, Some(0.0));
    assert_eq!(o.offers[1].currency.as_deref(), Some("GBP"));
    assert!(!o.free); // one offer is paid
    assert_eq!(o.venue.geo, Some((51.4613, -0.1151)));
    assert_eq!(
        (o.remaining_capacity, o.maximum_capacity),
        (Some(4), Some(20))
    );
}

#[test]
fn location_given_as_a_reference_into_the_same_document() {
    let p = shape_page("location-reference.json");
    assert_accounted(&p);
    let (_, occ) = occurrences(&[p]);
    assert_eq!(occ.len(), 2);
    let circuits = &occ[0];
    assert_eq!(circuits.name, "Circuits");
    assert_eq!(circuits.venue.name.as_deref(), Some("Drill Hall"));
    assert_eq!(circuits.venue.postcode.as_deref(), Some("LS1 4AB"));
    assert_eq!(circuits.venue.geo, Some((53.8, -1.55)));
    let dance = &occ[1];
    assert_eq!(dance.venue.name.as_deref(), Some("Studio 2"));
    assert_eq!(dance.venue.geo, Some((53.81, -1.54)));
    let r = check(&["location-reference.json"]);
    assert_eq!((r.with_geo, r.hidden.no_location), (2, 0));
}

#[test]
fn event_schedule_as_object_bare_day_and_short_time() {
    let p = shape_page("schedule-object-bare-day.json");
    assert_accounted(&p);
    assert!(notes(&p).is_empty());
    let (_, occ) = occurrences(&[p]);
    assert_eq!(
        starts(&occ),
        [
            "2024-01-04T09:30:00+00:00",
            "2024-01-11T09:30:00+00:00",
            "2024-01-18T09:30:00+00:00",
            "2024-01-25T09:30:00+00:00"
        ]
    );
    assert_eq!(
        occ[0].end.unwrap().to_rfc3339(),
        "2024-01-04T10:30:00+00:00"
    );
    assert!(occ.iter().all(|o| o.from_schedule && o.name == "Tai Chi"));
}

#[test]
fn event_schedule_as_array_curie_day_and_except_date_with_a_space() {
    let p = shape_page("schedule-array-curie-exceptdate.json");
    assert_accounted(&p);
    let (_, occ) = occurrences(&[p]);
    // Tuesdays in January 2024, without the 16th (`2024-01-16 18:00:00`, London time).
    assert_eq!(
        starts(&occ),
        [
            "2024-01-02T18:00:00+00:00",
            "2024-01-09T18:00:00+00:00",
            "2024-01-23T18:00:00+00:00",
            "2024-01-30T18:00:00+00:00"
        ]
    );
}

#[test]
fn end_time_before_start_time() {
    let p = shape_page("schedule-end-before-start.json");
    assert_accounted(&p);
    let n = notes(&p);
    assert_eq!(n.len(), 3);
    assert_eq!(
        n[0],
        "schedule `endTime` 01:00 is before `startTime` 22:00: read as crossing midnight (next day)"
    );
    assert_eq!(
        n[1],
        "schedule `endTime` 08:00 is not after `startTime` 09:00: end unknown"
    );
    assert!(n[2].contains("read as crossing midnight"));
    let (_, occ) = occurrences(&[p]);
    let late: Vec<_> = occ.iter().filter(|o| o.name == "Late Swim").collect();
    assert_eq!(late.len(), 2);
    assert_eq!(
        late[0].end.unwrap().to_rfc3339(),
        "2024-01-06T01:00:00+00:00"
    );
    let morning: Vec<_> = occ.iter().filter(|o| o.name == "Morning Stretch").collect();
    assert_eq!(morning.len(), 2);
    assert!(morning.iter().all(|o| o.end.is_none()));
    let ride = occ.iter().find(|o| o.name == "Midnight Ride").unwrap();
    assert_eq!(ride.end.unwrap().to_rfc3339(), "2024-01-06T02:00:00+00:00");
    let r = check(&["schedule-end-before-start.json"]);
    assert_eq!(r.flagged.len(), 3);
}

#[test]
fn schedule_disagreeing_with_dated_sessions() {
    let p = shape_page("schedule-disagrees-with-sessions.json");
    assert_accounted(&p);
    let (store, occ) = occurrences(&[p]);
    // The dated sessions win: the Wednesday is listed, the scheduled 8 January is not.
    assert_eq!(
        starts(&occ),
        [
            "2024-01-01T10:00:00+00:00",
            "2024-01-10T10:00:00+00:00",
            "2024-01-15T10:00:00+00:00"
        ]
    );
    assert!(occ.iter().all(|o| !o.from_schedule));
    let b = store.build(at(NOW), 60, None);
    assert_eq!(b.notes.len(), 1);
    assert_eq!(
        b.notes[0].note,
        "`eventSchedule` disagrees with the dated sessions listed: 1 of 3 listed not in the schedule, 1 scheduled but not listed; the dated sessions are used"
    );
    let r = check(&["schedule-disagrees-with-sessions.json"]);
    assert_eq!(r.flagged.len(), 1);
    assert_eq!(r.flagged[0].item_id, "W-1");
}

#[test]
fn offset_that_cannot_be_right_for_a_uk_venue() {
    let p = shape_page("offset-not-uk.json");
    assert_accounted(&p);
    let o = p.items[0].opportunity.as_ref().unwrap();
    // The instant is kept: 15:30 at +05:30 is 10:00 UTC.
    assert_eq!(
        o.start.unwrap().with_timezone(&chrono::Utc).to_rfc3339(),
        "2024-01-07T10:00:00+00:00"
    );
    assert_eq!(notes(&p).len(), 2);
    assert!(notes(&p)[0].starts_with("`startDate` 2024-01-07T15:30:00+05:30 has offset +05:30"));
    let r = check(&["offset-not-uk.json"]);
    assert_eq!(r.occurrences, 1);
    assert_eq!(
        r.flagged_by_reason
            .get("`startDate` has offset not a UK offset (the instant is kept)"),
        Some(&1)
    );
}

#[test]
fn duplicate_keys_keep_the_last_value() {
    let p = shape_page("duplicate-keys.json");
    assert_accounted(&p);
    // On the page too.
    assert_eq!(
        p.next,
        "https://shapes.example.org/duplicate-keys?afterChangeNumber=2"
    );
    assert_eq!(
        p.license.as_deref(),
        Some("https://creativecommons.org/licenses/by/4.0/")
    );
    assert!(p.report.skipped.is_empty());
    assert_eq!(p.items[0].modified, Modified::Int(2));
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.name.as_deref(), Some("Last name"));
    assert_eq!(
        notes(&p),
        ["duplicate key `modified` in the item (the last value is kept)"]
    );
    // The model-only reader (the browser app) reads it the same way.
    let text = fixture("rpde/shapes/duplicate-keys.json");
    let m = openactive::parse_page_model(text.as_bytes(), "").unwrap();
    assert_eq!(m.items[0].modified, Modified::Int(2));
    assert_eq!(
        m.items[0].opportunity.as_ref().unwrap().name.as_deref(),
        Some("Last name")
    );
}

#[test]
fn check_over_every_shape_accounts_for_every_item() {
    let dir = format!("{}/tests/fixtures/rpde/shapes", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let r = check(&refs);
    assert!(r.errors.is_empty());
    assert_eq!(r.feeds.len(), names.len() - 1); // the two-parents pages are one feed
    for f in &r.feeds {
        assert_eq!(f.parsed + f.skipped_updated, f.updated, "{f:?}");
        assert_eq!(f.skipped, f.skipped_updated, "{f:?}");
    }
    assert_eq!(r.parsed + r.skipped_updated, r.updated);
    assert_eq!(r.skipped.len(), 1); // the Order
}

#[test]
fn hidden_counts_by_reason_per_feed() {
    let geo = |lat: f64, lon: f64| serde_json::json!({"@type": "Place", "name": "Venue", "geo": {"latitude": lat, "longitude": lon}});
    let event = |id: &str, start: Option<&str>, loc: Option<serde_json::Value>| {
        let mut d =
            serde_json::json!({"@type": "Event", "@id": format!("https://x/e/{id}"), "name": id});
        if let Some(s) = start {
            d["startDate"] = s.into();
        }
        if let Some(l) = loc {
            d["location"] = l;
        }
        d
    };
    let london = geo(51.5, -0.12);
    let mut items = vec![
        event("past", Some("2023-12-01T10:00:00Z"), Some(london.clone())),
        event("far", Some("2030-01-01T10:00:00Z"), Some(london.clone())),
        event("nowhere", Some("2024-01-05T10:00:00Z"), None),
        event(
            "manchester",
            Some("2024-01-05T10:00:00Z"),
            Some(geo(53.48, -2.24)),
        ),
        event("undated", None, Some(london.clone())),
        serde_json::json!({"@type": "ScheduledSession", "@id": "https://x/orphan",
            "superEvent": "https://x/missing", "startDate": "2024-01-05T10:00:00Z"}),
    ];
    // A booking grid: one court every 15 minutes (the first of the run is shown).
    for (i, m) in ["00", "15", "30"].iter().enumerate() {
        let mut e = event(
            "Court 1",
            Some(&format!("2024-01-06T09:{m}:00Z")),
            Some(london.clone()),
        );
        e["@id"] = format!("https://x/slot/{i}").into();
        items.push(e);
    }
    let page = serde_json::json!({"next": "https://x/f?n=1", "items": items.into_iter().enumerate().map(|(i, d)| serde_json::json!({
        "state": "updated", "kind": "Event", "id": i.to_string(), "modified": i, "data": d})).collect::<Vec<_>>()});
    let p = parse_page(&page.to_string(), "https://x/f").unwrap();
    assert_accounted(&p);
    let mut store = Store::new();
    let empty = store.add_feed(Dataset::default());
    let f = store.add_feed(Dataset::default());
    store.apply_page(f, &p);
    // Greater London, roughly.
    let in_london = |lat: f64, lon: f64| (51.2..51.8).contains(&lat) && (-0.6..0.4).contains(&lon);
    let b = store.build(at(NOW), 3_000, Some(&in_london));
    let h = &b.hidden[f];
    assert_eq!(b.hidden[empty], openactive::join::Hidden::default());
    assert_eq!(h.past, 1);
    assert_eq!(h.absurd_date, 1);
    assert_eq!(h.no_location, 1);
    assert_eq!(h.outside_region, 1);
    assert_eq!(h.undated, 1);
    assert_eq!(h.orphaned, 1);
    assert_eq!(h.booking_grid, 2);
    assert_eq!((h.cancelled, h.duplicate, h.unreadable), (0, 0, 0));
    // Listed: nowhere, manchester and the three grid slots (the app hides two of them).
    assert_eq!(b.occurrences.len(), 5);
    // Without a region nothing is outside it.
    assert_eq!(
        store.build(at(NOW), 3_000, None).hidden[f].outside_region,
        0
    );
}
