//! The referral pack: shortlist links (length bounds on the full URL, what became of each
//! session), calendar files (golden files, a parse by the `icalendar` crate, London local times
//! either side of both clock changes).

use chrono::{DateTime, FixedOffset, Utc};
use finder::ics;
use finder::shortlist::{self, Entry, LinkEntry, Lookup, Status};
use finder::vocab::NoVocabulary;
use finder::{Filters, Index};
use openactive::schedule::ScheduleRule;
use openactive::{AgeRange, Details, Gender, Occurrence, Offer, OpportunityKind, Venue};
use std::sync::Arc;

fn t(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn details(series: &str, name: &str) -> Arc<Details> {
    Arc::new(Details {
        series_key: Some(series.into()),
        name: name.into(),
        description: Some("Gentle exercise in the pool; all welcome, no experience needed.".into()),
        venue: Venue {
            id: Some(format!("{series}/venue")),
            name: Some("Riverside Leisure Centre".into()),
            address: vec!["1 Water Lane".into(), "Stratford".into()],
            postcode: Some("E15 4HT".into()),
            geo: Some((51.541, -0.003)),
        },
        offers: vec![Offer {
            name: None,
            price: Some(4.5),
            currency: Some("GBP".into()),
            url: None,
        }],
        age_range: AgeRange::default(),
        gender: Gender::Unspecified,
        ..Details::default()
    })
}

fn occ(key: &str, d: &Arc<Details>, start: &str, mins: i64) -> Occurrence {
    let s = t(start);
    Occurrence {
        key: key.into(),
        feed: 0,
        kind: OpportunityKind::Session,
        start: s,
        end: Some(s + chrono::Duration::minutes(mins)),
        cancelled: false,
        remaining_capacity: None,
        maximum_capacity: None,
        url: Some("https://book.example.org/aqua?x=1,2".into()),
        from_schedule: false,
        provisional: false,
        booking_grid: false,
        updated: None,
        details: d.clone(),
    }
}

fn entry(key: &str, series: &str, start: &str) -> LinkEntry {
    Entry {
        key: key.into(),
        series: Some(series.into()),
        start: t(start).timestamp(),
        label: String::new(),
    }
    .link()
}

#[test]
fn shortlist_links_stay_within_the_length_bounds() {
    let base = "https://activity-finder.example.org/?";
    let make = |n: usize| {
        let f = Filters {
            shared: (0..n)
                .map(|i| {
                    entry(
                        &format!(
                            "https://api.example-leisure.org.uk/openactive/scheduled-sessions/{i}"
                        ),
                        &format!(
                            "https://api.example-leisure.org.uk/openactive/session-series/{i}"
                        ),
                        "2026-12-03T10:00:00Z",
                    )
                })
                .collect(),
            ..Filters::default()
        };
        let url = format!("{base}{}", finder::url::encode(&f));
        let (back, notices) = finder::url::decode(url.split_once('?').unwrap().1);
        assert!(notices.is_empty());
        assert_eq!(back, f);
        url
    };
    let (five, twenty) = (make(5), make(20));
    println!(
        "5 sessions: {} chars; 20 sessions: {} chars",
        five.len(),
        twenty.len()
    );
    assert!(five.len() <= 200, "{}", five.len());
    assert!(twenty.len() <= 600, "{}", twenty.len());
}

#[test]
fn a_bad_shortlist_falls_back_to_none_with_a_notice() {
    let (f, n) = finder::url::decode("v=1&free=1&sl=not-a-shortlist");
    assert!(f.shared.is_empty() && f.free);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].key, "sl");
}

#[test]
fn every_shortlisted_session_gets_a_status_and_none_is_dropped() {
    let aqua = details("https://ex.org/series/aqua", "Aqua fit");
    let yoga = details("https://ex.org/series/yoga", "Chair yoga");
    let mut cancelled = occ("https://ex.org/s/yoga-2", &yoga, "2026-12-09T14:00:00Z", 60);
    cancelled.cancelled = true;
    let ix = Index::build(
        vec![
            occ("https://ex.org/s/aqua-1", &aqua, "2026-12-02T10:00:00Z", 45),
            // Moved from 10:00 to 10:30 (same key).
            occ("https://ex.org/s/aqua-2", &aqua, "2026-12-09T10:30:00Z", 45),
            // A schedule-expanded session whose time changed: a new key, same series and day.
            occ(
                "https://ex.org/series/yoga#2026-12-02T15:00:00Z",
                &yoga,
                "2026-12-02T15:00:00Z",
                60,
            ),
            cancelled,
            occ("https://ex.org/s/aqua-3", &aqua, "2026-12-16T10:00:00Z", 45),
        ],
        &NoVocabulary,
    );
    let lookup = Lookup::new(&ix);
    let now: DateTime<Utc> = t("2026-12-01T12:00:00Z").into();
    let status = |e: LinkEntry| shortlist::resolve(&ix, &lookup, &e, now);
    let pos = |k: &str| ix.position(k).unwrap();
    assert_eq!(
        status(entry(
            "https://ex.org/s/aqua-1",
            "https://ex.org/series/aqua",
            "2026-12-02T10:00:00Z"
        )),
        Status::Found(pos("https://ex.org/s/aqua-1"))
    );
    let moved = status(entry(
        "https://ex.org/s/aqua-2",
        "https://ex.org/series/aqua",
        "2026-12-09T10:00:00Z",
    ));
    assert_eq!(moved, Status::Moved(pos("https://ex.org/s/aqua-2")));
    assert_eq!(moved.label(&ix), "now at 10:30");
    let moved = status(entry(
        "https://ex.org/series/yoga#2026-12-02T14:00:00Z",
        "https://ex.org/series/yoga",
        "2026-12-02T14:00:00Z",
    ));
    assert_eq!(moved.label(&ix), "now at 15:00");
    let c = status(entry(
        "https://ex.org/s/yoga-2",
        "https://ex.org/series/yoga",
        "2026-12-09T14:00:00Z",
    ));
    assert_eq!(c, Status::Cancelled(pos("https://ex.org/s/yoga-2")));
    assert_eq!(c.label(&ix), "cancelled");
    let gone = status(entry(
        "https://ex.org/s/gone",
        "https://ex.org/series/gone",
        "2026-12-05T10:00:00Z",
    ));
    assert_eq!(gone, Status::NoLongerListed);
    assert_eq!(gone.label(&ix), "no longer listed");
    // A date that has passed offers the series' next one.
    let past = status(entry(
        "https://ex.org/s/aqua-0",
        "https://ex.org/series/aqua",
        "2026-11-25T10:00:00Z",
    ));
    assert_eq!(past, Status::Past(Some(pos("https://ex.org/s/aqua-1"))));
}

#[test]
fn the_device_copy_round_trips_and_toggles() {
    let aqua = details("https://ex.org/series/aqua", "Aqua fit");
    let ix = Index::build(
        vec![occ(
            "https://ex.org/s/aqua-1",
            &aqua,
            "2026-12-02T10:00:00Z",
            45,
        )],
        &NoVocabulary,
    );
    let mut list = Vec::new();
    assert!(shortlist::toggle(&mut list, &ix, 0));
    assert_eq!(list[0].label, "Aqua fit · Riverside Leisure Centre");
    let json = shortlist::to_json(&list);
    assert_eq!(shortlist::from_json(&json), list);
    assert!(shortlist::from_json("{broken").is_empty());
    assert!(!shortlist::toggle(&mut list, &ix, 0));
    assert!(list.is_empty());
}

fn golden(name: &str, got: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{path}: run with UPDATE_GOLDEN=1"));
    assert_eq!(got, want, "{name} differs from its golden file");
}

fn stamp() -> DateTime<Utc> {
    t("2026-12-01T09:00:00Z").into()
}

/// Every content line ends with CRLF and is at most 75 octets.
fn check_lines(ics: &str) {
    assert!(ics.ends_with("\r\n"));
    for l in ics.split("\r\n") {
        assert!(l.len() <= 75, "{l:?}");
        assert!(!l.contains('\n') && !l.contains('\r'));
    }
}

/// The calendar as the `icalendar` crate's parser reads it: (property name, params, value) of
/// every event's properties.
fn parsed_events(ics: &str) -> Vec<Vec<(String, String, String)>> {
    let unfolded = icalendar::parser::unfold(ics);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("parses");
    cal.components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            c.properties
                .iter()
                .map(|p| {
                    let params = p
                        .params
                        .iter()
                        .map(|pa| {
                            format!(
                                "{}={}",
                                pa.key,
                                pa.val.as_ref().map(|v| v.as_str()).unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(";");
                    (p.name.to_string(), params, p.val.to_string())
                })
                .collect()
        })
        .collect()
}

fn prop<'a>(ev: &'a [(String, String, String)], name: &str) -> &'a (String, String, String) {
    ev.iter()
        .find(|p| p.0 == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn a_session_calendar_keeps_london_times_across_both_clock_changes() {
    let aqua = details(
        "https://ex.org/series/aqua",
        "Aqua fit; gentle, \"warm\" pool \\ 水中 — ünïcödé",
    );
    // Last Sunday of October 2026 is 25 Oct; of March 2027, 28 Mar. 10:00 local each time.
    let starts = [
        (
            "https://ex.org/s/oct-before",
            "2026-10-24T09:00:00Z",
            "20261024T100000",
        ),
        (
            "https://ex.org/s/oct-after",
            "2026-10-26T10:00:00Z",
            "20261026T100000",
        ),
        (
            "https://ex.org/s/mar-before",
            "2027-03-27T10:00:00Z",
            "20270327T100000",
        ),
        (
            "https://ex.org/s/mar-after",
            "2027-03-29T09:00:00+00:00",
            "20270329T100000",
        ),
    ];
    let ix = Index::build(
        starts
            .iter()
            .map(|(k, s, _)| occ(k, &aqua, s, 45))
            .collect(),
        &NoVocabulary,
    );
    let events: Vec<ics::Event> = (0..ix.occurrences.len())
        .map(|p| ics::session_event(&ix, p))
        .collect();
    let text = ics::calendar(&events, stamp());
    check_lines(&text);
    golden("shortlist.ics", &text);
    let parsed = parsed_events(&text);
    assert_eq!(parsed.len(), 4);
    for (ev, (key, _, local)) in parsed.iter().zip(starts.iter()) {
        assert_eq!(prop(ev, "UID").2, *key);
        let start = prop(ev, "DTSTART");
        assert_eq!(start.1, "TZID=Europe/London");
        assert_eq!(start.2, *local);
        assert_eq!(prop(ev, "DTEND").2, local.replace("T1000", "T1045"));
        // Escaped text reads back as written.
        assert_eq!(
            prop(ev, "SUMMARY").2,
            "Aqua fit; gentle, \"warm\" pool \\ 水中 — ünïcödé"
        );
        assert!(
            prop(ev, "LOCATION")
                .2
                .contains("Riverside Leisure Centre, 1 Water Lane")
        );
    }
    assert!(text.contains("TZID:Europe/London\r\nBEGIN:DAYLIGHT"));
}

#[test]
fn a_weekly_series_is_one_repeating_event_with_the_london_zone() {
    let mut d = (*details("https://ex.org/series/aqua", "Aqua fit")).clone();
    d.schedule = Some(ScheduleRule {
        rrule: "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA".into(),
        start_time: "10:00".into(),
        duration_minutes: Some(45),
        timezone: "Europe/London".into(),
        start_date: Some("2026-10-17".into()),
        end_date: Some("2027-04-24".into()),
        except_dates: vec!["2026-12-26".into()],
    });
    let d = Arc::new(d);
    let ix = Index::build(
        vec![
            occ(
                "https://ex.org/series/aqua#1",
                &d,
                "2026-10-24T09:00:00Z",
                45,
            ),
            occ(
                "https://ex.org/series/aqua#2",
                &d,
                "2026-10-31T10:00:00Z",
                45,
            ),
        ],
        &NoVocabulary,
    );
    let events = ics::series_events(&ix, 0);
    assert_eq!(events.len(), 1);
    let text = ics::calendar(&events, stamp());
    check_lines(&text);
    golden("series.ics", &text);
    let parsed = parsed_events(&text);
    let ev = &parsed[0];
    assert_eq!(prop(ev, "UID").2, "https://ex.org/series/aqua");
    assert_eq!(prop(ev, "DTSTART").2, "20261024T100000");
    assert_eq!(prop(ev, "DTEND").2, "20261024T104500");
    assert_eq!(
        prop(ev, "RRULE").2,
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=SA;UNTIL=20270424T225959Z"
    );
    assert_eq!(prop(ev, "EXDATE").2, "20261226T100000");
    assert_eq!(prop(ev, "EXDATE").1, "TZID=Europe/London");
}

#[test]
fn long_lines_fold_and_unfold_to_the_same_text() {
    let long = "Bring a towel, a swimming costume and water. ".repeat(6)
        + "Ünïcödé at the fold: éééééééééééééééééééééééééééééééééééééééé";
    let e = ics::Event {
        uid: "u1".into(),
        summary: "S".into(),
        description: long.clone(),
        start: t("2026-12-02T10:00:00Z").naive_utc(),
        ..ics::Event::default()
    };
    let text = ics::calendar(&[e], stamp());
    check_lines(&text);
    golden("folding.ics", &text);
    let parsed = parsed_events(&text);
    assert_eq!(prop(&parsed[0], "DESCRIPTION").2, long);
}
