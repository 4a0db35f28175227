//! One test per feed-normaliser input fixture (`tests/fixtures/rpde/feed-normaliser-fixtures/`):
//! single items from real publishers, wrapped into one-item pages.

mod common;

use common::*;
use openactive::model::OpportunityType;
use openactive::{Gender, Modified, OpportunityKind};

const DIR: &str = "rpde/feed-normaliser-fixtures";

fn item(name: &str) -> openactive::Page {
    wrap_item(&format!("{DIR}/{name}"))
}

#[test]
fn course_with_schedule() {
    let p = item("course-with-schedule.json");
    assert_eq!(p.items[0].id, "311870");
    let occ = between(
        &store_of(&[p]),
        "2020-01-01T00:00:00Z",
        "2021-01-01T00:00:00Z",
    );
    // Weekly on Fridays 14:30-15:00, repeatCount 19, 2020-05-01..2020-09-04.
    assert_eq!(occ.len(), 19);
    assert_eq!(occ[0].start.to_rfc3339(), "2020-05-01T14:30:00+01:00");
    assert_eq!(occ[18].start.to_rfc3339(), "2020-09-04T14:30:00+01:00");
    assert_eq!(
        occ[0].end.unwrap().to_rfc3339(),
        "2020-05-01T15:00:00+01:00"
    );
    assert!(
        occ.iter()
            .all(|o| o.kind == OpportunityKind::Course && o.from_schedule && !o.provisional)
    );
    assert_eq!(occ[0].name, "S4K TV - Dance");
    assert_eq!(labels(&occ[0]), ["Dance"]);
    assert!(occ[0].free);
}

#[test]
fn courseinstance() {
    let p = item("courseinstance.json");
    assert_eq!(
        p.items[0].modified,
        Modified::Str("2014-09-15T09:12:51.706+01:00".into())
    );
    let occ = between(
        &store_of(&[p]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].kind, OpportunityKind::Course);
    assert_eq!(occ[0].name, "Sailing Course");
    assert_eq!(occ[0].start.to_rfc3339(), "2018-08-30T09:00:00-05:00");
    assert_eq!(
        occ[0].url.as_deref(),
        Some("http://www.example.org/events/2")
    );
    assert!(occ[0].key.starts_with("item:"));
}

#[test]
fn event_with_superevent() {
    let occ = between(
        &store_of(&[item("event-with-superevent.json")]),
        "2020-01-01T00:00:00Z",
        "2021-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 1);
    let o = &occ[0];
    assert_eq!(o.name, "WOD Class");
    assert_eq!(labels(o), ["Crossfit"]);
    assert_eq!(o.venue.postcode.as_deref(), Some("CW12 1QU"));
    assert_eq!(o.venue.geo, Some((53.1654998, -2.2045996)));
    assert_eq!(o.offers[0].price, Some(5.0));
    assert_eq!(o.age_range.min, Some(14));
    assert!(o.is_full());
    assert_eq!(
        o.series_key.as_deref(),
        Some("https://goteamup.com/api/openactive/v1/id/event-series/7837")
    );
}

#[test]
fn facilityuse_2() {
    let p = item("facilityuse-2.json");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.kind, OpportunityType::FacilityUse);
    assert_eq!(o.name.as_deref(), Some("Squash Activities ST"));
    assert_eq!(
        o.id.as_deref(),
        Some("https://lincsinspire-openactive.legendonlineservices.co.uk/api/facility-uses/10-3")
    );
    assert!(o.organizer.is_some()); // `provider`
}

#[test]
fn facilityuse_embedded_slot() {
    let occ = between(
        &store_of(&[item("facilityuse-embedded-slot.json")]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 2);
    assert_eq!(occ[0].key, "http://www.example.org/facility-use/slots/1");
    assert_eq!(occ[0].kind, OpportunityKind::FacilitySlot);
    assert_eq!(occ[0].name, "Example Leisure Centre Table Tennis");
    assert_eq!(labels(&occ[0]), ["Table Tennis"]);
    assert_eq!(
        (occ[0].offers[0].price, occ[1].offers[0].price),
        (Some(10.0), Some(15.0))
    );
    assert_eq!(occ[1].remaining_capacity, Some(3));
    assert_eq!(
        occ[0].organizer.as_ref().unwrap().name.as_deref(),
        Some("Leisure Centre Ltd")
    );
}

#[test]
fn facilityuse_ifu_slots() {
    let store = store_of(&[item("facilityuse-ifu-slots.json")]);
    assert!(store.lookup("https://example.org/individual/b").is_some());
    let occ = between(&store, "2018-01-01T00:00:00Z", "2019-01-01T00:00:00Z");
    let keys: Vec<_> = occ.iter().map(|o| o.key.as_str()).collect();
    assert!(
        keys.contains(&"https://example.org/slot/x")
            && keys.contains(&"https://example.org/slot/y")
    );
    let x = occ
        .iter()
        .find(|o| o.key == "https://example.org/slot/x")
        .unwrap();
    assert_eq!(x.name, "Area51"); // inherited from the FacilityUse through the IFU
    assert_eq!(
        x.series_key.as_deref(),
        Some("https://example.org/individual/a")
    );
    assert_eq!(x.end.unwrap().to_rfc3339(), "2018-03-01T11:30:00+00:00");
}

#[test]
fn facilityuse() {
    let p = item("facilityuse.json");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.name.as_deref(), Some("Creche 3-5yrs 2hrs"));
    assert_eq!(o.offers.as_ref().unwrap().len(), 6);
    assert!(o.extra.contains_key("hoursAvailable"));
    assert!(o.extra.contains_key("beta:offerValidityPeriod"));
}

#[test]
fn headline_event_with_subevents() {
    let p = item("headline-event-with-subevents.json");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.kind, OpportunityType::HeadlineEvent);
    assert!(!o.sub_events.is_empty());
    let occ = between(
        &store_of(&[p]),
        "2016-01-01T00:00:00Z",
        "2017-01-01T00:00:00Z",
    );
    // The sub-events carry no dates; the HeadlineEvent itself is listed.
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].kind, OpportunityKind::HeadlineEvent);
    assert_eq!(occ[0].name, "Hebridean Cycle Challenge");
    assert_eq!(occ[0].start.to_rfc3339(), "2016-06-18T00:00:00+01:00");
    assert_eq!(
        occ[0].end.unwrap().to_rfc3339(),
        "2016-06-19T00:00:00+01:00"
    );
    assert_eq!(occ[0].venue.geo, Some((58.002, -6.7561)));
}

#[test]
fn ifu_facilityuse_slots() {
    let occ = between(
        &store_of(&[item("ifu-facilityuse-slots.json")]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 2);
    assert_eq!(occ[0].name, "Area51"); // from the embedded aggregateFacilityUse
    assert_eq!(occ[0].remaining_capacity, Some(3));
}

#[test]
fn individualfacilityuse_embedded_slot() {
    let occ = between(
        &store_of(&[item("individualfacilityuse-embedded-slot.json")]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 2);
    assert_eq!(occ[0].name, "Play Tenns on the Main Tennis Court");
    assert_eq!(labels(&occ[0]), ["Tennis"]);
    assert_eq!(occ[1].remaining_capacity, Some(0));
    assert!(occ[1].is_full());
}

#[test]
fn on_demand_event() {
    let p = item("on-demand-event.json");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.kind, OpportunityType::OnDemandEvent);
    assert_eq!(o.name.as_deref(), Some("Otsimo Special Education"));
    assert_eq!(o.gender, Some(Gender::NoRestriction));
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
fn scheduledsession_referenced_superevent() {
    let child = item("scheduledsession-referenced-superevent.json");
    let o = child.items[0].opportunity.as_ref().unwrap();
    assert!(o.organizer.as_ref().unwrap().name.is_some()); // @type "Organization " tolerated
    let alone = store_of(std::slice::from_ref(&child));
    assert_eq!(alone.orphan_count(), 1);
    let store = store_of(&[item("sessionseries.json"), child]);
    assert_eq!(store.orphan_count(), 0);
    let occ = between(&store, "2019-11-01T00:00:00Z", "2019-12-31T00:00:00Z");
    // The series has a child, so its schedule is not expanded: only the published session.
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].start.to_rfc3339(), "2019-11-28T19:00:00+00:00");
    assert_eq!(
        occ[0].series_key.as_deref(),
        Some("https://playwaze.com/SessionSeries/jifgh8dinma")
    );
    assert!(occ[0].free); // isAccessibleForFree inherited from the series
    assert_eq!(occ[0].gender, Gender::NoRestriction);
}

#[test]
fn scheduledsession_with_superevent() {
    let occ = between(
        &store_of(&[item("scheduledsession-with-superevent.json")]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].name, "Wednesday Yoga");
    assert_eq!(occ[0].description.as_deref(), Some("Yoga on a Wednesday"));
    assert_eq!(
        occ[0].url.as_deref(),
        Some("http://www.example.org/events/2")
    );
    assert_eq!(
        occ[0].end.unwrap().to_rfc3339(),
        "2018-09-05T19:00:00-05:00"
    );
}

#[test]
fn sessionseries_with_schedule_exdates() {
    let occ = between(
        &store_of(&[item("sessionseries-with-schedule-exdates.json")]),
        "2020-07-01T00:00:00Z",
        "2020-08-01T00:00:00Z",
    );
    // Thursdays in July 2020 at 11:00 BST, minus the exceptDate 2020-07-23T11:00:00.000Z
    // (which is 12:00 BST: not an occurrence, so nothing is removed).
    assert_eq!(
        starts(&occ),
        [
            "2020-07-02T11:00:00+01:00",
            "2020-07-09T11:00:00+01:00",
            "2020-07-16T11:00:00+01:00",
            "2020-07-23T11:00:00+01:00",
            "2020-07-30T11:00:00+01:00"
        ]
    );
    assert_eq!(
        occ[0].end.unwrap().to_rfc3339(),
        "2020-07-02T14:00:00+01:00"
    );
}

#[test]
fn sessionseries_with_schedule() {
    let occ = between(
        &store_of(&[item("sessionseries-with-schedule.json")]),
        "2020-01-01T00:00:00Z",
        "2020-02-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 5); // Thursdays 2, 9, 16, 23, 30 January 2020
    assert_eq!(occ[0].start.to_rfc3339(), "2020-01-02T11:00:00+00:00");
    assert_eq!(occ[0].name, "No Strings Badminton - Thursday daytime");
    assert_eq!(occ[0].venue.geo, Some((52.0406224, -0.7594171)));
    assert!(occ.iter().all(|o| o.from_schedule && !o.provisional));
}

#[test]
fn deferred_schedules_are_expanded_only_once_the_child_feed_is_done() {
    let mut store = store_of(&[item("sessionseries-with-schedule.json")]);
    store.defer_schedules(0, true);
    let (from, until) = ("2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z");
    assert!(
        between(&store, from, until).is_empty(),
        "no guesses while deferred"
    );
    store.defer_schedules(0, false);
    assert_eq!(between(&store, from, until).len(), 5);
}

#[test]
fn occurrences_of_one_series_share_their_details() {
    let store = store_of(&[item("sessionseries-with-schedule.json")]);
    let mut occ = between(&store, "2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z");
    assert!(
        occ.windows(2)
            .all(|w| std::sync::Arc::ptr_eq(&w[0].details, &w[1].details))
    );
    // Writing through one occurrence copies its details; the others keep theirs.
    occ[0].name = "Changed".into();
    assert_eq!(occ[0].name, "Changed");
    assert_eq!(occ[1].name, "No Strings Badminton - Thursday daytime");
    assert!(!std::sync::Arc::ptr_eq(&occ[0].details, &occ[1].details));
}

#[test]
fn sessions_of_a_series_share_details_unless_they_set_their_own() {
    let series = r#"{"next":"https://x/s2","items":[{"state":"updated","kind":"SessionSeries",
      "id":"s1","modified":1,"data":{"@type":"SessionSeries","@id":"https://x/series/1",
      "name":"Yoga","location":{"@type":"Place","name":"Hall","geo":{"latitude":51.5,"longitude":-0.1}}}}]}"#;
    let sessions = r#"{"next":"https://x/p2","items":[
      {"state":"updated","kind":"ScheduledSession","id":"a","modified":1,"data":{"@type":"ScheduledSession",
        "@id":"https://x/a","superEvent":"https://x/series/1","startDate":"2020-01-02T10:00:00Z"}},
      {"state":"updated","kind":"ScheduledSession","id":"b","modified":1,"data":{"@type":"ScheduledSession",
        "@id":"https://x/b","superEvent":"https://x/series/1","startDate":"2020-01-03T10:00:00Z"}},
      {"state":"updated","kind":"ScheduledSession","id":"c","modified":1,"data":{"@type":"ScheduledSession",
        "@id":"https://x/c","superEvent":"https://x/series/1","startDate":"2020-01-04T10:00:00Z",
        "name":"Yoga (outdoors)"}}]}"#;
    let store = store_of(&[
        openactive::parse_page(series, "https://x/s1").unwrap(),
        openactive::parse_page(sessions, "https://x/p1").unwrap(),
    ]);
    let occ = between(&store, "2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z");
    let names: Vec<&str> = occ.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["Yoga", "Yoga", "Yoga (outdoors)"]);
    assert!(std::sync::Arc::ptr_eq(&occ[0].details, &occ[1].details));
    assert!(!std::sync::Arc::ptr_eq(&occ[1].details, &occ[2].details));
    assert_eq!(
        occ[2].venue.name.as_deref(),
        Some("Hall"),
        "still inherits the rest"
    );
}

#[test]
fn a_series_is_expanded_from_its_schedule_only_while_it_has_no_children() {
    let series = r#"{"next":"https://x/s2","items":[{"state":"updated","kind":"SessionSeries",
      "id":"s1","modified":1,"data":{"@type":"SessionSeries","@id":"https://x/series/1","name":"Yoga",
      "eventSchedule":[{"@type":"Schedule","byDay":["https://schema.org/Thursday"],"startTime":"11:00",
      "endTime":"12:00","repeatFrequency":"P1W","startDate":"2020-01-01","scheduleTimezone":"Europe/London"}]}}]}"#;
    let session = |state: &str, modified: u32| {
        let data = if state == "updated" {
            r#","data":{"@type":"ScheduledSession","@id":"https://x/a","superEvent":"https://x/series/1","startDate":"2020-01-02T11:00:00Z"}"#
        } else {
            ""
        };
        format!(
            r#"{{"next":"https://x/p2","items":[{{"state":"{state}","kind":"ScheduledSession","id":"a","modified":{modified}{data}}}]}}"#
        )
    };
    let mut store = store_of(&[openactive::parse_page(series, "https://x/s1").unwrap()]);
    let sessions = store.add_feed(openactive::Dataset::default());
    let (from, until) = ("2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z");
    assert_eq!(
        between(&store, from, until).len(),
        5,
        "no children: the timetable"
    );
    store.apply_page(
        sessions,
        &openactive::parse_page(&session("updated", 2), "https://x/p1").unwrap(),
    );
    let occ = between(&store, from, until);
    assert_eq!(occ.len(), 1, "a child: only the published session");
    assert!(!occ[0].from_schedule);
    store.apply_page(
        sessions,
        &openactive::parse_page(&session("deleted", 3), "https://x/p1").unwrap(),
    );
    assert_eq!(
        between(&store, from, until).len(),
        5,
        "its only child deleted: the timetable again"
    );
}

#[test]
fn sessionseries_with_subevent() {
    let occ = between(
        &store_of(&[item("sessionseries-with-subevent.json")]),
        "2018-01-01T00:00:00Z",
        "2019-01-01T00:00:00Z",
    );
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].kind, OpportunityKind::Session);
    assert_eq!(occ[0].name, "Wednesday Yoga");
    assert_eq!(occ[0].start.to_rfc3339(), "2018-09-05T18:00:00-05:00");
}

#[test]
fn sessionseries() {
    let p = item("sessionseries.json");
    let o = p.items[0].opportunity.as_ref().unwrap();
    assert_eq!(o.schedules.len(), 1);
    let occ = between(
        &store_of(&[p]),
        "2019-11-01T00:00:00Z",
        "2019-12-01T00:00:00Z",
    );
    assert!(!occ.is_empty());
    assert!(
        occ.iter()
            .all(|o| o.start.format("%H:%M").to_string() == "19:00")
    );
    assert_eq!(occ[0].end.unwrap().format("%H:%M").to_string(), "23:00");
    assert_eq!(occ[0].offers[0].currency.as_deref(), Some("GBP"));
}

#[test]
fn slot_referenced_facilityuse_2() {
    let store = store_of(&[
        item("facilityuse-2.json"),
        item("slot-referenced-facilityuse-2.json"),
    ]);
    assert_eq!(store.orphan_count(), 0);
    let occ = between(&store, "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z");
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0].name, "Squash Activities ST");
    assert_eq!(occ[0].start.to_rfc3339(), "2020-06-25T10:20:00+01:00");
    assert_eq!(occ[0].maximum_capacity, Some(2));
    assert_eq!(occ[0].feed, 1);
}

#[test]
fn slot_referenced_facilityuse() {
    // Its FacilityUse is not published anywhere: an orphan, counted and held back.
    let store = store_of(&[item("slot-referenced-facilityuse.json")]);
    assert_eq!(store.orphan_count(), 1);
    assert_eq!(store.len(), 1);
    assert!(between(&store, "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z").is_empty());
}
