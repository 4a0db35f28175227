//! Real captures and the synthetic multi-page feed pair (`tests/fixtures/rpde/`), one test
//! per file, plus the whole sequence applied through a store.

mod common;

use common::*;
use openactive::{Dataset, Gender, Modified, Store};

const SS: &str = "https://feeds.example.org/api/session-series";
const SC: &str = "https://feeds.example.org/api/scheduled-sessions";

fn syn(file: &str, url: &str) -> openactive::Page {
    page(&format!("rpde/synthetic/{file}"), url)
}

#[test]
fn real_everyone_active_sessions_20200106() {
    let url = "http://everyoneactivelive-openactive.azurewebsites.net/api/sessions?afterChangeNumber=287775000";
    let p = page(
        "rpde/real-captures/everyone-active_sessions_20200106.json",
        url,
    );
    assert_eq!(
        (p.report.items, p.report.updated, p.report.deleted),
        (500, 250, 250)
    );
    assert!(p.report.skipped.is_empty());
    assert_eq!(
        p.next,
        "http://everyoneactivelive-openactive.azurewebsites.net/api/sessions?afterChangeNumber=287950976"
    );
    assert_eq!(p.items.last().unwrap().modified, Modified::Int(287950976));
    assert!(!p.is_last);
    let first = &p.items.iter().find(|i| i.id == "0791K3220020319").unwrap();
    assert_eq!(first.kind, "session");
    let store = store_of(&[p]);
    assert_eq!(store.len(), 250);
    let occ = store.occurrences(at("2020-01-06T00:00:00Z"), 30);
    assert_eq!(occ.len(), 453); // every embedded legacy subEvent
    let bowls = occ
        .iter()
        .find(|o| o.key == "http://everyoneactivelive-openactive.azurewebsites.net/api/sessions/0791K3220020319#790937172")
        .unwrap();
    assert_eq!(bowls.name, "Bowls Leagues");
    assert_eq!(labels(bowls), ["Bowls"]); // Concept without an id
    assert_eq!(bowls.gender, Gender::NoRestriction); // http://openactive.io/ns#None
    assert_eq!((bowls.age_range.min, bowls.age_range.max), (Some(0), None));
    assert_eq!(bowls.offers.len(), 3);
    assert_eq!(bowls.offers[0].price, Some(5.95));
    assert_eq!(bowls.venue.postcode.as_deref(), Some("PL2 3DG"));
    assert_eq!(bowls.venue.geo, Some((50.3867280918278, -4.15290647116398)));
    assert_eq!(bowls.start.to_rfc3339(), "2020-01-06T20:00:00+00:00");
    assert_eq!(bowls.remaining_capacity, Some(8));
    let with_geo = occ.iter().filter(|o| o.venue.geo.is_some()).count();
    assert_eq!(with_geo, 445); // the others publish no (or implausible) coordinates
}

#[test]
fn real_everyoneactive_test_session_series_page() {
    let url = "https://opendata.leisurecloud.live/api/feeds/EveryoneActive-test-session-series";
    let p = page(
        "rpde/real-captures/everyoneactive-test-session-series-page.json",
        url,
    );
    assert!(p.next.contains("afterId=1217CRP17000217"));
    assert_ne!(p.items[0].id, "1217CRP17000217");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.schedules[0].timezone.as_deref(), Some("Europe/London")); // beta:timeZone
    let store = store_of(&[p]);
    let occ = store.occurrences(at("2019-06-01T00:00:00Z"), 14);
    assert_eq!(
        starts(&occ),
        ["2019-06-03T15:15:00+01:00", "2019-06-10T15:15:00+01:00"]
    );
    let o = &occ[0];
    assert_eq!(o.name, "Active Aqua Mon 15:15");
    assert_eq!(o.end.unwrap().to_rfc3339(), "2019-06-03T16:00:00+01:00");
    assert!(o.provisional);
    assert_eq!(labels(o), ["aqua_aerobics"]); // notation in prefLabel, from the EventSeries
    assert_eq!((o.age_range.min, o.age_range.max), (Some(16), Some(100)));
    assert_eq!(o.offers[0].price, Some(1.0));
    assert_eq!(
        o.organizer.as_ref().unwrap().name.as_deref(),
        Some("EveryoneActive")
    );
}

#[test]
fn synthetic_index() {
    let v: serde_json::Value = serde_json::from_str(&fixture("rpde/synthetic/index.json")).unwrap();
    let pages = v["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 8);
    // Every page's `next` resolves, and last pages are detected from the request URL.
    for e in pages {
        let p = syn(
            e["file"].as_str().unwrap(),
            e["requestUrl"].as_str().unwrap(),
        );
        assert_eq!(
            p.is_last,
            e["isLastPage"].as_bool().unwrap(),
            "{}",
            e["file"]
        );
    }
}

#[test]
fn synthetic_session_series_page_1() {
    let p = syn("session-series.page-1.json", SS);
    let ids: Vec<_> = p.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["SS-SWIM-01", "SS-YOGA-02"]);
    assert_eq!(p.items[0].modified, p.items[1].modified); // equal modified, ordered by id
    assert_eq!(
        p.next,
        format!("{SS}?afterTimestamp=1700000000&afterId=SS-YOGA-02")
    );
    let yoga = p.items[1].opportunity.as_ref().unwrap();
    assert_eq!(yoga.gender, Some(Gender::FemaleOnly));
    assert_eq!(yoga.wheelchair, Some(true));
    assert_eq!(
        yoga.accessibility.as_ref().unwrap()[0].label.as_deref(),
        Some("Mental health issues")
    );
}

#[test]
fn synthetic_session_series_page_2() {
    let p = syn(
        "session-series.page-2.json",
        &format!("{SS}?afterTimestamp=1700000000&afterId=SS-YOGA-02"),
    );
    assert_eq!((p.report.updated, p.report.deleted), (1, 1));
    let mut st = openactive::FeedState::new();
    let c = st.apply(&p);
    assert_eq!(c.deleted, ["SS-OLD-99"]); // never seen: still a valid deletion
    assert_eq!(st.len(), 1);
    assert!(
        st.get("SS-CHAIR-03")
            .unwrap()
            .opportunity
            .as_ref()
            .unwrap()
            .is_free
            == Some(true)
    );
}

#[test]
fn synthetic_session_series_page_3_last() {
    let url = format!("{SS}?afterTimestamp=1700000200&afterId=SS-OLD-99");
    let p = syn("session-series.page-3-last.json", &url);
    assert!(p.is_last && p.items.is_empty());
    assert_eq!(p.next, url);
}

#[test]
fn synthetic_session_series_page_3_polled_later() {
    let url = format!("{SS}?afterTimestamp=1700000200&afterId=SS-OLD-99");
    let p = syn("session-series.page-3-polled-later.json", &url);
    assert!(!p.is_last);
    assert_eq!((p.report.updated, p.report.deleted), (2, 1));
    let swim = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(swim.offers.as_ref().unwrap()[0].price, Some(6.0));
}

#[test]
fn synthetic_session_series_page_4_last() {
    let url = format!("{SS}?afterTimestamp=1700086600&afterId=SS-WFOOT-04");
    assert!(syn("session-series.page-4-last.json", &url).is_last);
}

#[test]
fn synthetic_scheduled_sessions_page_1() {
    let p = syn("scheduled-sessions.page-1.json", SC);
    assert_eq!(p.next, format!("{SC}?afterChangeNumber=5003"));
    let m: Vec<_> = p.items.iter().map(|i| i.modified.clone()).collect();
    assert_eq!(
        m,
        [
            Modified::Int(5001),
            Modified::Int(5002),
            Modified::Int(5003)
        ]
    );
    assert!(p.items[1].opportunity.as_ref().unwrap().is_cancelled());
}

#[test]
fn synthetic_scheduled_sessions_page_2() {
    let p = syn(
        "scheduled-sessions.page-2.json",
        &format!("{SC}?afterChangeNumber=5003"),
    );
    assert_eq!((p.report.updated, p.report.deleted), (2, 1));
    assert_eq!(p.items[2].id, "SC-1000");
}

#[test]
fn synthetic_scheduled_sessions_page_3_last() {
    let url = format!("{SC}?afterChangeNumber=5006");
    assert!(syn("scheduled-sessions.page-3-last.json", &url).is_last);
}

/// The whole synthetic sequence through a store, including the later poll.
#[test]
fn synthetic_sequence_joined() {
    let mut store = Store::new();
    let ss = store.add_feed(Dataset {
        publisher: "Example Leisure Trust".into(),
        url: Some("https://leisure.example.org/open-data".into()),
        license: None,
    });
    let sc = store.add_feed(Dataset::default());
    // Children first: order across feeds is not guaranteed.
    store.apply_page(sc, &syn("scheduled-sessions.page-1.json", SC));
    store.apply_page(
        sc,
        &syn(
            "scheduled-sessions.page-2.json",
            &format!("{SC}?afterChangeNumber=5003"),
        ),
    );
    store.apply_page(
        sc,
        &syn(
            "scheduled-sessions.page-3-last.json",
            &format!("{SC}?afterChangeNumber=5006"),
        ),
    );
    assert_eq!(store.orphan_count(), 5);
    store.apply_page(ss, &syn("session-series.page-1.json", SS));
    store.apply_page(
        ss,
        &syn(
            "session-series.page-2.json",
            &format!("{SS}?afterTimestamp=1700000000&afterId=SS-YOGA-02"),
        ),
    );
    assert_eq!(store.orphan_count(), 1); // SS-MISSING-77
    let now = at("2023-11-15T00:00:00Z");
    let occ = store.occurrences(now, 30);
    let keys: Vec<_> = occ
        .iter()
        .map(|o| o.key.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(keys, ["SC-1001", "SC-2001", "SC-3001", "SC-1002"]);
    let swim = &occ[0];
    assert_eq!(swim.offers[0].price, Some(5.5));
    assert_eq!(swim.venue.postcode.as_deref(), Some("E20 2ZQ"));
    assert_eq!(store.dataset(swim.feed).publisher, "");
    assert!(occ[3].cancelled);
    assert!(occ[1].is_full() && occ[1].gender == Gender::FemaleOnly);
    assert!(occ[2].free);

    // Later poll: price 5.5 -> 6.0, SS-CHAIR-03 deleted, SS-WFOOT-04 added.
    let later = format!("{SS}?afterTimestamp=1700000200&afterId=SS-OLD-99");
    let c = store.apply_page(ss, &syn("session-series.page-3-polled-later.json", &later));
    assert_eq!(c.upserted, ["SS-SWIM-01", "SS-WFOOT-04"]);
    assert_eq!(c.deleted, ["SS-CHAIR-03"]);
    store.apply_page(
        ss,
        &syn(
            "session-series.page-4-last.json",
            &format!("{SS}?afterTimestamp=1700086600&afterId=SS-WFOOT-04"),
        ),
    );
    assert_eq!(store.orphan_count(), 2); // SS-MISSING-77 and SC-3001 (parent deleted)
    let occ = store.occurrences(now, 30);
    let swim = occ.iter().find(|o| o.key.ends_with("SC-1001")).unwrap();
    assert_eq!(swim.offers[0].price, Some(6.0));
    assert!(!occ.iter().any(|o| o.key.ends_with("SC-3001")));
    assert!(!occ.iter().any(|o| o.key.ends_with("SC-9001")));
    // Walking Football has no ScheduledSessions: its PartialSchedule is expanded (Saturdays).
    let wf: Vec<_> = occ
        .iter()
        .filter(|o| o.name == "Walking Football")
        .collect();
    assert_eq!(
        starts(&wf.iter().map(|o| (*o).clone()).collect::<Vec<_>>()),
        [
            "2023-11-18T09:00:00+00:00",
            "2023-11-25T09:00:00+00:00",
            "2023-12-02T09:00:00+00:00",
            "2023-12-09T09:00:00+00:00"
        ]
    );
    assert!(
        wf.iter()
            .all(|o| o.provisional && o.from_schedule && o.gender == Gender::MaleOnly)
    );
    assert_eq!(wf[0].end.unwrap().to_rfc3339(), "2023-11-18T10:00:00+00:00");
    assert_eq!(wf[0].feed, ss);
    assert_eq!(store.dataset(wf[0].feed).publisher, "Example Leisure Trust");
    // Past sessions disappear.
    assert!(
        store
            .occurrences(at("2023-11-21T00:00:00Z"), 30)
            .iter()
            .all(|o| !o.key.ends_with("SC-1001"))
    );
}

#[test]
fn pages_parse_from_bytes_and_invalid_utf8_becomes_replacement_characters() {
    // The model-only parse the browser uses: bytes in, no raw `data` kept.
    let mut bytes = br#"{"next":"https://x/2","items":[{"state":"updated","kind":"SessionSeries","id":"1","modified":1,"data":{"@type":"SessionSeries","@id":"https://x/s/1","name":"Yoga "#.to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(br#""}}]}"#);
    let page = openactive::parse_page_model(&bytes, "https://x/1").unwrap();
    let o = page.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.name.as_deref(), Some("Yoga \u{fffd}\u{fffd}"));
    assert!(page.items[0].data.is_none());
}
