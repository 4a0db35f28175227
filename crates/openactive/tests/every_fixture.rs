//! Every fixture file has a test: `every_fixture!` below lists each file under
//! `tests/fixtures/` with a test name. A listed file that is missing fails the build
//! (`include_str!`); a file that is not listed fails `every_fixture_file_is_listed`.
//!
//! The generated test is the floor every fixture must pass, whatever its own tests assert: the
//! reader accounts for every item (`parsed + skipped == updated`, and `updated + deleted` is
//! every valid item), `check` reads the page without an error, and an official example gives
//! at least one opportunity. Index files (the synthetic feeds' `index.json`, the examples'
//! `example_list.json`) must name only files that exist. The tests that assert what a correct
//! reader gets from each fixture are beside it (`examples.rs`, `shapes.rs`,
//! `feed_normaliser.rs`, `rpde_feeds.rs`).

mod common;

use openactive::check::check_pages;
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");

/// What every fixture must satisfy; `path` is relative to `tests/fixtures/`.
fn holds(path: &str, text: &str) {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: not JSON: {e}"));
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    // Index files: every file they name exists.
    let named: Vec<&str> = match (&v, v.get("pages"), v.get("exampleList")) {
        (_, Some(Value::Array(p)), _) | (_, _, Some(Value::Array(p))) => {
            p.iter().filter_map(|e| e.get("file")?.as_str()).collect()
        }
        // The data-models list of every example: only the opportunity-data groups were copied
        // (SOURCES.md); every file of those must be here.
        (Value::Array(groups), _, _) => groups
            .iter()
            .filter(|g| {
                g.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.starts_with("Opportunity Data Publishing"))
            })
            .filter_map(|g| g.get("exampleList")?.as_array())
            .flatten()
            .filter_map(|e| e.get("file")?.as_str())
            .collect(),
        _ => Vec::new(),
    };
    if v.is_array() || v.get("pages").is_some() {
        assert!(!named.is_empty(), "{path}: an index naming no file");
        for f in named {
            let full = format!("{ROOT}{dir}/{f}");
            assert!(
                std::path::Path::new(&full).is_file(),
                "{path} names {f}, which is missing"
            );
        }
        return;
    }
    // A page as published, or a single item (wrapped into a one-item page).
    let page_text = if v.get("items").is_some() {
        text.to_string()
    } else {
        let item = if v.get("data").is_some() {
            v.clone()
        } else {
            serde_json::json!({ "data": v })
        };
        let mut item = item;
        if item.get("state").is_none() {
            item = serde_json::json!({
                "state": "updated", "kind": "x", "id": path, "modified": 1,
                "data": item["data"].take()
            });
        }
        serde_json::json!({ "next": "https://feed.example/next", "items": [item] }).to_string()
    };
    let report = check_pages(vec![(path.to_string(), page_text)]);
    assert!(report.errors.is_empty(), "{path}: {:?}", report.errors);
    assert_eq!(report.pages, 1);
    assert_eq!(
        report.parsed + report.skipped_updated,
        report.updated,
        "{path}: every updated item is read or skipped with a reason"
    );
    assert!(
        report.updated + report.deleted <= report.items,
        "{path}: more items accounted than given"
    );
    if path.starts_with("examples/") {
        assert!(
            report.parsed >= 1,
            "{path}: an official example gives an opportunity"
        );
    }
}

macro_rules! every_fixture {
    ($($name:ident => $path:literal,)*) => {
        $(
            #[test]
            fn $name() {
                holds($path, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $path)));
            }
        )*
        /// Every file the macro lists.
        const LISTED: &[&str] = &[$($path),*];
    };
}

every_fixture! {
    examples_courseinstance_event_example_1 => "examples/courseinstance_event_example_1.json",
    examples_courseinstance_example_1 => "examples/courseinstance_example_1.json",
    examples_event_eventseries_example_1 => "examples/event_eventseries_example_1.json",
    examples_event_example_1 => "examples/event_example_1.json",
    examples_example_list => "examples/example_list.json",
    examples_facilityuse_example_1 => "examples/facilityuse_example_1.json",
    examples_ondemandevent_example_1 => "examples/ondemandevent_example_1.json",
    examples_place_example_1 => "examples/place_example_1.json",
    examples_scheduledsession_split_virtual_example_1 => "examples/scheduledsession-split-virtual_example_1.json",
    examples_scheduledsession_split_example_1 => "examples/scheduledsession-split_example_1.json",
    examples_scheduledsession_example_1 => "examples/scheduledsession_example_1.json",
    examples_sessionseries_eventseries_split_example_1 => "examples/sessionseries-eventseries-split_example_1.json",
    examples_sessionseries_split_virtual_example_1 => "examples/sessionseries-split-virtual_example_1.json",
    examples_sessionseries_split_example_1 => "examples/sessionseries-split_example_1.json",
    examples_sessionseries_example_1 => "examples/sessionseries_example_1.json",
    examples_slot_example_1 => "examples/slot_example_1.json",
    examples_tutorial_describing_events_part_one_finished => "examples/tutorial-describing-events-part-one-finished.json",
    examples_tutorial_describing_events_part_two_finished => "examples/tutorial-describing-events-part-two-finished.json",
    rpde_feed_normaliser_fixtures_course_with_schedule => "rpde/feed-normaliser-fixtures/course-with-schedule.json",
    rpde_feed_normaliser_fixtures_courseinstance => "rpde/feed-normaliser-fixtures/courseinstance.json",
    rpde_feed_normaliser_fixtures_event_with_superevent => "rpde/feed-normaliser-fixtures/event-with-superevent.json",
    rpde_feed_normaliser_fixtures_facilityuse_2 => "rpde/feed-normaliser-fixtures/facilityuse-2.json",
    rpde_feed_normaliser_fixtures_facilityuse_embedded_slot => "rpde/feed-normaliser-fixtures/facilityuse-embedded-slot.json",
    rpde_feed_normaliser_fixtures_facilityuse_ifu_slots => "rpde/feed-normaliser-fixtures/facilityuse-ifu-slots.json",
    rpde_feed_normaliser_fixtures_facilityuse => "rpde/feed-normaliser-fixtures/facilityuse.json",
    rpde_feed_normaliser_fixtures_headline_event_with_subevents => "rpde/feed-normaliser-fixtures/headline-event-with-subevents.json",
    rpde_feed_normaliser_fixtures_ifu_facilityuse_slots => "rpde/feed-normaliser-fixtures/ifu-facilityuse-slots.json",
    rpde_feed_normaliser_fixtures_individualfacilityuse_embedded_slot => "rpde/feed-normaliser-fixtures/individualfacilityuse-embedded-slot.json",
    rpde_feed_normaliser_fixtures_on_demand_event => "rpde/feed-normaliser-fixtures/on-demand-event.json",
    rpde_feed_normaliser_fixtures_scheduledsession_referenced_superevent => "rpde/feed-normaliser-fixtures/scheduledsession-referenced-superevent.json",
    rpde_feed_normaliser_fixtures_scheduledsession_with_superevent => "rpde/feed-normaliser-fixtures/scheduledsession-with-superevent.json",
    rpde_feed_normaliser_fixtures_sessionseries_with_schedule_exdates => "rpde/feed-normaliser-fixtures/sessionseries-with-schedule-exdates.json",
    rpde_feed_normaliser_fixtures_sessionseries_with_schedule => "rpde/feed-normaliser-fixtures/sessionseries-with-schedule.json",
    rpde_feed_normaliser_fixtures_sessionseries_with_subevent => "rpde/feed-normaliser-fixtures/sessionseries-with-subevent.json",
    rpde_feed_normaliser_fixtures_sessionseries => "rpde/feed-normaliser-fixtures/sessionseries.json",
    rpde_feed_normaliser_fixtures_slot_referenced_facilityuse_2 => "rpde/feed-normaliser-fixtures/slot-referenced-facilityuse-2.json",
    rpde_feed_normaliser_fixtures_slot_referenced_facilityuse => "rpde/feed-normaliser-fixtures/slot-referenced-facilityuse.json",
    rpde_real_captures_everyone_active_sessions_20200106 => "rpde/real-captures/everyone-active_sessions_20200106.json",
    rpde_real_captures_everyoneactive_test_session_series_page => "rpde/real-captures/everyoneactive-test-session-series-page.json",
    rpde_shapes_compound_type => "rpde/shapes/compound-type.json",
    rpde_shapes_curie_and_misspelt_types => "rpde/shapes/curie-and-misspelt-types.json",
    rpde_shapes_duplicate_keys => "rpde/shapes/duplicate-keys.json",
    rpde_shapes_ids_numbers_and_padded => "rpde/shapes/ids-numbers-and-padded.json",
    rpde_shapes_location_reference => "rpde/shapes/location-reference.json",
    rpde_shapes_modified_counter_going_down => "rpde/shapes/modified-counter-going-down.json",
    rpde_shapes_modified_float => "rpde/shapes/modified-float.json",
    rpde_shapes_modified_millis => "rpde/shapes/modified-millis.json",
    rpde_shapes_offset_not_uk => "rpde/shapes/offset-not-uk.json",
    rpde_shapes_prices_and_coordinates_as_strings => "rpde/shapes/prices-and-coordinates-as-strings.json",
    rpde_shapes_same_child_two_parents_page_1 => "rpde/shapes/same-child-two-parents.page-1.json",
    rpde_shapes_same_child_two_parents_page_2 => "rpde/shapes/same-child-two-parents.page-2.json",
    rpde_shapes_schedule_array_curie_exceptdate => "rpde/shapes/schedule-array-curie-exceptdate.json",
    rpde_shapes_schedule_disagrees_with_sessions => "rpde/shapes/schedule-disagrees-with-sessions.json",
    rpde_shapes_schedule_end_before_start => "rpde/shapes/schedule-end-before-start.json",
    rpde_shapes_schedule_object_bare_day => "rpde/shapes/schedule-object-bare-day.json",
    rpde_shapes_subevent_parent_without_id => "rpde/shapes/subevent-parent-without-id.json",
    rpde_synthetic_index => "rpde/synthetic/index.json",
    rpde_synthetic_scheduled_sessions_page_1 => "rpde/synthetic/scheduled-sessions.page-1.json",
    rpde_synthetic_scheduled_sessions_page_2 => "rpde/synthetic/scheduled-sessions.page-2.json",
    rpde_synthetic_scheduled_sessions_page_3_last => "rpde/synthetic/scheduled-sessions.page-3-last.json",
    rpde_synthetic_session_series_page_1 => "rpde/synthetic/session-series.page-1.json",
    rpde_synthetic_session_series_page_2 => "rpde/synthetic/session-series.page-2.json",
    rpde_synthetic_session_series_page_3_last => "rpde/synthetic/session-series.page-3-last.json",
    rpde_synthetic_session_series_page_3_polled_later => "rpde/synthetic/session-series.page-3-polled-later.json",
    rpde_synthetic_session_series_page_4_last => "rpde/synthetic/session-series.page-4-last.json",
}

#[test]
fn every_fixture_file_is_listed() {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                let rel = p
                    .strip_prefix(ROOT)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(rel);
            }
        }
    }
    let mut found = Vec::new();
    walk(std::path::Path::new(ROOT), &mut found);
    let unlisted: Vec<&String> = found
        .iter()
        .filter(|f| !LISTED.contains(&f.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "fixtures without a test (add them to every_fixture! in tests/every_fixture.rs): {unlisted:?}"
    );
    assert_eq!(found.len(), LISTED.len());
}
