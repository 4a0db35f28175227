//! `check_pages` over the synthetic fixture directory (file names, grouped by `next`).

mod common;

use common::fixture;
use openactive::check::{check_pages, check_pages_at};

fn synthetic_pages() -> Vec<(String, String)> {
    let mut names: Vec<_> = std::fs::read_dir(format!(
        "{}/tests/fixtures/rpde/synthetic",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .map(|e| e.unwrap().file_name().into_string().unwrap())
    .filter(|n| n.ends_with(".json"))
    .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let text = fixture(&format!("rpde/synthetic/{n}"));
            (format!("rpde/synthetic/{n}"), text)
        })
        .collect()
}

#[test]
fn check_synthetic_directory() {
    let r = check_pages(synthetic_pages());
    assert_eq!(r.pages, 9);
    assert_eq!(r.errors.len(), 1); // index.json is not a page
    assert_eq!(r.errors[0].file, "rpde/synthetic/index.json");
    assert_eq!(r.feeds.len(), 2);
    assert_eq!(
        r.feeds[0].feed,
        "https://feeds.example.org/api/scheduled-sessions"
    );
    assert_eq!(r.feeds[1].pages.len(), 5);
    assert_eq!((r.items, r.updated, r.deleted, r.parsed), (13, 10, 3, 10));
    assert!(r.skipped.is_empty());
    assert_eq!(r.live_items, 5 + 3); // 5 ScheduledSessions; SS-SWIM-01, SS-YOGA-02, SS-WFOOT-04
    assert_eq!(r.orphans, 2);
    // Window from the earliest date in the data (2023-11-20), 365 days.
    assert_eq!(r.window_from.as_deref(), Some("2023-11-20T00:00:00+00:00"));
    assert!(r.occurrences >= 3 + 52);
    assert_eq!(r.cancelled, 1);
    assert_eq!(r.full, 2);
    assert_eq!(r.with_geo, r.occurrences);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["feeds"][1]["live_items"].as_u64().unwrap() == 3);
}

#[test]
fn check_reports_skips_by_reason() {
    let page = r#"{"next":"https://x/f?a=1","items":[
        {"state":"updated","id":"1","modified":1},
        {"state":"updated","id":"2","modified":2,"data":"text"},
        {"state":"gone","id":"3","modified":3},
        {"state":"deleted","id":"4","modified":4}]}"#;
    let r = check_pages_at(
        vec![
            ("https://x/f".into(), page.into()),
            ("https://x/f?a=1".into(), "{".into()),
        ],
        Some("2024-01-01T00:00:00Z".parse().unwrap()),
        30,
    );
    assert_eq!((r.items, r.deleted, r.skipped.len()), (4, 1, 3));
    // Both updated items are accounted for as skipped; the unreadable state is not updated.
    assert_eq!((r.updated, r.parsed, r.skipped_updated), (2, 0, 2));
    assert_eq!(r.feeds[0].skipped_updated, 2);
    assert_eq!(r.hidden.unreadable, 3);
    assert_eq!(
        r.skipped_by_reason.get("updated item without `data`"),
        Some(&1)
    );
    assert_eq!(r.errors.len(), 1);
    assert!(r.errors[0].error.starts_with("not valid JSON"));
    assert_eq!(r.feeds.len(), 1);
}

#[test]
fn check_real_captures_reads_everything_without_spurious_flags() {
    let names = [
        "everyone-active_sessions_20200106.json",
        "everyoneactive-test-session-series-page.json",
    ];
    let pages = names
        .iter()
        .map(|n| {
            let path = format!("rpde/real-captures/{n}");
            let text = fixture(&path);
            (path, text)
        })
        .collect();
    let r = check_pages(pages);
    assert_eq!((r.items, r.updated, r.parsed), (501, 251, 251));
    assert!(r.skipped.is_empty());
    // Everyone Active's `eventSchedule` without a start time beside its dated sessions is not
    // a disagreement; nothing else is unusual.
    assert!(r.flagged.is_empty(), "{:?}", r.flagged_by_reason);
    assert_eq!(r.hidden.unreadable, 0);
    assert_eq!(r.hidden.no_location, r.occurrences - r.with_geo);
}
