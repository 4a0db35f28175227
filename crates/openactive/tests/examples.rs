//! One test per official data-models example (`tests/fixtures/examples/`).

mod common;

use common::*;
use openactive::model::{Opportunity, OpportunityType, Ref};
use openactive::{Gender, OpportunityKind, PageError, parse_page};

const MIDDLESBROUGH: (f64, f64) = (54.543964, -1.20978500000001);

#[test]
fn courseinstance_event_example_1() {
    let p = page(
        "examples/courseinstance_event_example_1.json",
        "https://x/c",
    );
    let occ = between(
        &store_of(&[p]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 2);
    assert_eq!(
        starts(&occ),
        ["2018-10-02T19:15:00+00:00", "2018-10-09T19:15:00+00:00"]
    );
    let o = &occ[0];
    assert_eq!(o.kind, OpportunityKind::Course);
    assert_eq!(o.name, "Netball Youth Camp");
    assert_eq!(labels(o), ["Netball"]); // from the embedded instanceOfCourse
    assert_eq!((o.age_range.min, o.age_range.max), (Some(11), Some(16)));
    assert_eq!(
        o.series_key.as_deref(),
        Some("https://id.bookingsystem.example.com/course-instances/76121")
    );
    assert_eq!(o.venue.postcode.as_deref(), Some("NG10 4AD"));
}

#[test]
fn courseinstance_example_1() {
    let p = page("examples/courseinstance_example_1.json", "https://x/c");
    assert_eq!(p.items[0].id, "76121"); // integer item id
    let occ = between(
        &store_of(&[p]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    // Its Schedule (daily 09:00-17:00, repeatCount 3) gives one occurrence per day.
    assert_eq!(
        starts(&occ),
        [
            "2018-08-01T09:00:00+01:00",
            "2018-08-02T09:00:00+01:00",
            "2018-08-03T09:00:00+01:00"
        ]
    );
    let o = &occ[0];
    assert_eq!(o.kind, OpportunityKind::Course);
    assert_eq!(o.end.unwrap().to_rfc3339(), "2018-08-01T17:00:00+01:00");
    assert!(o.from_schedule && !o.provisional);
    let prices: Vec<_> = o.offers.iter().map(|x| x.price.unwrap()).collect();
    assert_eq!(prices, [124.0, 154.0]);
    assert_eq!(
        (o.remaining_capacity, o.maximum_capacity),
        (Some(21), Some(30))
    );
    assert_eq!(
        o.organizer.as_ref().unwrap().name.as_deref(),
        Some("England Netball")
    );
    assert_eq!(
        o.venue.address,
        ["Long Eaton", "Nottingham", "Nottinghamshire"]
    );
}

#[test]
fn event_eventseries_example_1() {
    let p = page("examples/event_eventseries_example_1.json", "https://x/e");
    let occ = between(
        &store_of(&[p]),
        "2019-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 1);
    let o = &occ[0];
    assert_eq!(o.kind, OpportunityKind::Event);
    assert_eq!(o.name, "Alan's social ride group Gorhambury House loop");
    assert_eq!(
        o.series_key.as_deref(),
        Some("https://opensessions.io/api/event-series/123456")
    );
    assert_eq!(o.gender, Gender::NoRestriction); // inherited from the EventSeries
    assert!(o.free);
    assert_eq!(o.end.unwrap().to_rfc3339(), "2019-08-25T12:40:00+01:00");
}

#[test]
fn event_example_1() {
    let p = page("examples/event_example_1.json", "https://x/e");
    let occ = between(
        &store_of(&[p]),
        "2019-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 1);
    let o = &occ[0];
    assert_eq!(o.key, "https://id.bookingsystem.example.com/events/158313");
    assert_eq!(labels(o), ["Road Cycling"]);
    assert_eq!(o.gender, Gender::Unspecified);
    assert_eq!(o.venue.geo, Some(MIDDLESBROUGH));
    assert_eq!(o.remaining_capacity, Some(21));
    assert_eq!(
        o.url.as_deref(),
        Some("https://www.letsride.co.uk/rides/gorhambury-house-loop")
    );
}

#[test]
fn example_list() {
    // An index of the examples, not an RPDE page.
    let text = fixture("examples/example_list.json");
    assert!(matches!(
        parse_page(&text, "u"),
        Err(PageError::NotAPage(_))
    ));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);
    assert_eq!(
        v[0]["exampleList"][0]["file"],
        "sessionseries_example_1.json"
    );
}

#[test]
fn facilityuse_example_1() {
    let p = page("examples/facilityuse_example_1.json", "https://x/fu");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.kind, OpportunityType::FacilityUse);
    assert_eq!(o.individual_facility_uses.len(), 2);
    assert_eq!(
        o.individual_facility_uses[0].id.as_deref(),
        Some("http://www.example.org/facility-uses/1/individual-facility-uses/1")
    );
    assert_eq!(
        o.organizer.as_ref().unwrap().name.as_deref(),
        Some("Everyone Active")
    );
    let store = store_of(&[p]);
    // The embedded IndividualFacilityUse is indexed by its own @id.
    let ifu = store
        .lookup("http://www.example.org/facility-uses/1/individual-facility-uses/1")
        .unwrap();
    assert_eq!(ifu.kind, OpportunityType::IndividualFacilityUse);
    assert!(between(&store, "2000-01-01T00:00:00Z", "2030-01-01T00:00:00Z").is_empty());
}

#[test]
fn ondemandevent_example_1() {
    let p = page("examples/ondemandevent_example_1.json", "https://x/od");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.kind, OpportunityType::OnDemandEvent);
    assert_eq!(o.name.as_deref(), Some("Alan's indoor cycling exercises"));
    assert_eq!(o.duration.unwrap().seconds, 2 * 3600 + 40 * 60);
    assert_eq!(o.is_free, Some(true));
    // No start date and no place: never listed as an occurrence.
    assert!(
        between(
            &store_of(&[p]),
            "2000-01-01T00:00:00Z",
            "2030-01-01T00:00:00Z"
        )
        .is_empty()
    );
}

#[test]
fn place_example_1() {
    let p = page("examples/place_example_1.json", "https://x/places");
    assert_eq!(p.items[0].kind, "Place");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.kind, OpportunityType::Place);
    assert_eq!(o.name.as_deref(), Some("Belle Vue Sports Village"));
    assert!(o.extra.contains_key("amenityFeature"));
    // A session whose location is a reference to this Place gets its name and geo.
    let session = r#"{"next":"n","items":[{"state":"updated","kind":"Event","id":"e1","modified":1,
      "data":{"@type":"Event","@id":"https://x/e1","name":"Netball","startDate":"2024-05-01T10:00:00Z",
      "location":"https://api.example.com/places/1402CBP20150217"}}]}"#;
    let store = store_of(&[p, parse_page(session, "https://x/e").unwrap()]);
    let occ = between(&store, "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z");
    assert_eq!(
        occ[0].venue.name.as_deref(),
        Some("Belle Vue Sports Village")
    );
    assert!(occ[0].venue.geo.is_some());
}

#[test]
fn scheduledsession_split_virtual_example_1() {
    let p = page(
        "examples/scheduledsession-split-virtual_example_1.json",
        "https://x/ss",
    );
    let store = store_of(&[p]);
    // Its SessionSeries is in another feed that we have not seen: an orphan, held back.
    assert_eq!(store.orphan_count(), 1);
    assert!(between(&store, "2000-01-01T00:00:00Z", "2030-01-01T00:00:00Z").is_empty());
    let with_parent = store_of(&[
        page(
            "examples/sessionseries-split-virtual_example_1.json",
            "https://x/series",
        ),
        page(
            "examples/scheduledsession-split-virtual_example_1.json",
            "https://x/ss",
        ),
    ]);
    assert_eq!(with_parent.orphan_count(), 0);
    let occ = between(&with_parent, "2000-01-01T00:00:00Z", "2030-01-01T00:00:00Z");
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].name, "Virtual BODYPUMP");
    assert!(!occ[0].from_schedule);
}

#[test]
fn scheduledsession_split_example_1() {
    let series = page(
        "examples/sessionseries-split_example_1.json",
        "https://x/series",
    );
    let child = page(
        "examples/scheduledsession-split_example_1.json",
        "https://x/ss",
    );
    assert_ne!(
        child.items[0].id,
        child.items[0]
            .opportunity
            .as_ref()
            .unwrap()
            .id
            .clone()
            .unwrap()
    );
    // Child first, parent later: the orphan is joined when the parent arrives.
    let mut store = store_of(&[child]);
    assert_eq!(store.orphan_count(), 1);
    let f = store.add_feed(openactive::Dataset::default());
    store.apply_page(f, &series);
    assert_eq!(store.orphan_count(), 0);
    let occ = between(&store, "2016-01-01T00:00:00Z", "2017-01-01T00:00:00Z");
    assert_eq!(occ.len(), 1);
    let o = &occ[0];
    assert_eq!(o.feed, 0);
    assert_eq!(o.start.to_rfc3339(), "2016-05-09T18:15:00+00:00");
    assert_eq!(o.name, "Virtual BODYPUMP");
    assert_eq!(o.remaining_capacity, Some(0));
    assert!(o.is_full());
    assert_eq!(o.offers.len(), 2); // offers inherited SessionSeries -> ScheduledSession
    assert_eq!(
        o.venue.name.as_deref(),
        Some("Middlesbrough Sports Village")
    );
    assert_eq!(
        o.url.as_deref(),
        Some("https://bookwhen.com/hulafit/e/ev-ssyp-20160510011500?r=oa")
    );
    // The series has a child, so its PartialSchedule is not expanded.
    assert!(occ.iter().all(|o| !o.from_schedule));
}

#[test]
fn scheduledsession_example_1() {
    let p = page("examples/scheduledsession_example_1.json", "https://x/ss");
    assert_eq!(p.items[0].kind, "ScheduledSession.SessionSeries");
    let occ = between(
        &store_of(&[p]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 1);
    let o = &occ[0];
    assert_eq!(o.name, "Hot Yoga"); // child wins
    assert_eq!(labels(o), ["Bodypump™"]); // inherited from the embedded superEvent
    assert_eq!(
        o.organizer.as_ref().unwrap().name.as_deref(),
        Some("Better")
    );
    assert_eq!(o.offers[0].price, Some(3.3));
    assert_eq!(o.accessibility.len(), 1);
    assert_eq!(o.levels, ["Beginner"]);
    assert_eq!(o.age_range.min, Some(16));
}

#[test]
fn sessionseries_eventseries_split_example_1() {
    let p = page(
        "examples/sessionseries-eventseries-split_example_1.json",
        "https://x/series",
    );
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert!(
        matches!(&o.super_event, Some(Ref::Embedded(e)) if e.kind == OpportunityType::EventSeries)
    );
    let occ = between(
        &store_of(&[p]),
        "2018-10-01T00:00:00Z",
        "2018-12-01T00:00:00Z",
    );
    // PartialSchedule Tue+Sun 08:30 from 2018-10-19 to 2018-11-04, across the October DST change.
    assert_eq!(
        starts(&occ),
        [
            "2018-10-21T08:30:00+01:00",
            "2018-10-23T08:30:00+01:00",
            "2018-10-28T08:30:00+00:00",
            "2018-10-30T08:30:00+00:00",
            "2018-11-04T08:30:00+00:00"
        ]
    );
    assert!(occ.iter().all(|o| o.from_schedule && o.provisional));
    assert_eq!(occ[0].name, "Virtual BODYPUMP");
    assert_eq!(
        (occ[0].age_range.min, occ[0].age_range.max),
        (Some(18), Some(30))
    );
    assert_eq!(
        occ[0].series_key.as_deref(),
        Some("https://opensessions.io/api/event-series/123456")
    );
    assert_eq!(
        occ[0].key,
        "https://opensessions.io/api/session-series/1402CBP20150217#2018-10-21T08:30:00+01:00"
    );
}

#[test]
fn sessionseries_split_virtual_example_1() {
    let p = page(
        "examples/sessionseries-split-virtual_example_1.json",
        "https://x/series",
    );
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert!(o.location.is_none());
    assert!(o.extra.contains_key("beta:affiliatedLocation"));
    // `beta:participantSuppliedEquipment` here is a RequiredStatus URL, not equipment text.
    assert_eq!(o.what_to_bring, None);
    let occ = between(
        &store_of(&[p]),
        "2018-10-01T00:00:00Z",
        "2018-12-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 5);
    assert_eq!(occ[0].venue, openactive::Venue::default());
}

#[test]
fn sessionseries_split_example_1() {
    let p = page(
        "examples/sessionseries-split_example_1.json",
        "https://x/series",
    );
    assert_eq!(
        p.next,
        "https://www.example.com/api/rpde/session-series?afterTimestamp=1521565719&afterId=1402CBP20150217"
    );
    assert_eq!(
        p.license.as_deref(),
        Some("https://creativecommons.org/licenses/by/4.0/")
    );
    let occ = between(
        &store_of(&[p]),
        "2018-10-22T00:00:00Z",
        "2018-12-01T00:00:00Z",
    );
    assert_eq!(starts(&occ)[0], "2018-10-23T08:30:00+01:00");
    let o = &occ[0];
    assert_eq!(o.end.unwrap().to_rfc3339(), "2018-10-23T09:30:00+01:00");
    assert_eq!(o.venue.geo, Some(MIDDLESBROUGH));
    assert_eq!(
        o.venue.address,
        ["Alan Peacock Way", "Village East", "Middlesbrough"]
    );
    assert_eq!(
        o.organizer.as_ref().unwrap().telephone.as_deref(),
        Some("01455 890508")
    );
}

#[test]
fn sessionseries_example_1() {
    let p = page("examples/sessionseries_example_1.json", "https://x/series");
    let occ = between(
        &store_of(&[p]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    // Embedded subEvents win over the PartialSchedule.
    assert_eq!(
        starts(&occ),
        ["2018-10-02T19:15:00+00:00", "2018-10-09T19:15:00+00:00"]
    );
    assert_eq!(
        occ[0].key,
        "https://example.com/api/session-series/1402CBP20150217#/subEvent/1400109454"
    );
    assert_eq!(
        (occ[0].remaining_capacity, occ[1].remaining_capacity),
        (Some(2), Some(12))
    );
    assert_eq!(occ[0].kind, OpportunityKind::Session);
    assert_eq!(occ[0].offers.len(), 2);
}

#[test]
fn slot_example_1() {
    let slot = page("examples/slot_example_1.json", "https://x/slots");
    assert_eq!(
        slot.next,
        "http://www.example.org/feeds/individual-facility-use-slots?afterChangeNumber=44254329"
    );
    let store = store_of(&[
        page("examples/facilityuse_example_1.json", "https://x/fu"),
        slot,
    ]);
    assert_eq!(store.orphan_count(), 0);
    let occ = between(&store, "2018-01-01T00:00:00Z", "2019-01-01T00:00:00Z");
    assert_eq!(occ.len(), 1);
    let o = &occ[0];
    assert_eq!(o.kind, OpportunityKind::FacilitySlot);
    assert_eq!(o.feed, 1);
    assert_eq!(o.name, "Outdoor Tennis on Main Tennis Court 1"); // from the embedded IFU
    assert_eq!(o.venue.postcode.as_deref(), Some("BS1 4SD"));
    assert_eq!(o.offers[0].price, Some(10.0)); // own offers win
    assert_eq!(
        o.organizer.as_ref().unwrap().name.as_deref(),
        Some("Everyone Active")
    );
    assert_eq!(
        o.series_key.as_deref(),
        Some("http://www.example.org/facility-uses/1/individual-facility-uses/1")
    );
}

#[test]
fn tutorial_describing_events_part_one_finished() {
    let o = Opportunity::from_json(&fixture(
        "examples/tutorial-describing-events-part-one-finished.json",
    ))
    .unwrap();
    assert_eq!(o.kind, OpportunityType::Event);
    assert_eq!(o.name.as_deref(), Some("Blade and tone"));
    assert_eq!(o.start.unwrap().to_rfc3339(), "2018-08-13T20:00:00+00:00");
    assert_eq!(o.duration.unwrap().seconds, 3600);
    assert!(matches!(o.location, Some(Ref::Embedded(_))));
}

#[test]
fn tutorial_describing_events_part_two_finished() {
    let o = Opportunity::from_json(&fixture(
        "examples/tutorial-describing-events-part-two-finished.json",
    ))
    .unwrap();
    assert_eq!(o.schedules.len(), 1);
    assert_eq!(o.gender, Some(Gender::NoRestriction));
    assert!(o.age_range.unwrap().declared);
    assert_eq!(o.levels.as_ref().unwrap().len(), 1);
    assert_eq!(o.offers.as_ref().unwrap().len(), 1);
}
