//! The incremental query (`QueryState`, which keeps the set of occurrences passing each filter
//! between filter changes) gives exactly what a full `Index::query` gives, for random indexes
//! (up to a few hundred occurrences: several 64-bit words) and random sequences of changes.

use chrono::{DateTime, Duration, FixedOffset};
use finder::filter::{DayPart, DaySet, GenderFilter, Place, Sort, TimeOfDay};
use finder::{ActivityVocabulary, Filters, Index, QueryState};
use openactive::{
    AgeRange, ConceptRef, Details, Gender, Occurrence, Offer, OpportunityKind, Organizer, Venue,
};
use proptest::prelude::*;
use std::sync::Arc;

const ACT: &str = "https://openactive.io/activity-list#a";
const ACC: &str = "https://openactive.io/accessibility-support#c";

/// Activities a0..a5; a3..a5 are narrower than a0..a2 (a3 under a0, …).
struct Vocab;
impl ActivityVocabulary for Vocab {
    fn label_of(&self, id: &str) -> Option<String> {
        id.strip_prefix(ACT).map(|n| format!("Activity {n}"))
    }
    fn id_for_label(&self, _: &str) -> Option<String> {
        None
    }
    fn ancestors_of(&self, id: &str) -> Vec<String> {
        match id.strip_prefix(ACT).and_then(|n| n.parse::<u32>().ok()) {
            Some(n) if n >= 3 => vec![format!("{ACT}{}", n - 3)],
            _ => vec![],
        }
    }
}

const WORDS: [&str; 6] = ["yoga", "swim", "walk", "beginners", "club", "park"];
const ORGS: [&str; 3] = ["Better", "Parkrun", "Local Club"];
/// A venue: name, outward postcode, position.
type VenueSpec = (&'static str, &'static str, Option<(f64, f64)>);
/// The venues; the last has no position.
const VENUES: [VenueSpec; 5] = [
    ("Leisure Centre", "E15", Some((51.541, -0.003))),
    ("Park", "E15", Some((51.55, 0.01))),
    ("Pool", "SW9", Some((51.47, -0.11))),
    ("Hall", "N1", Some((51.54, -0.10))),
    ("Community Room", "E1", None),
];

/// One occurrence from a tuple of small choices.
#[allow(clippy::type_complexity)]
fn occurrence(
    i: usize,
    (series, slot_minutes, venue, act, price, age, gender, flags): (
        u8,
        u16,
        u8,
        u8,
        u8,
        u8,
        u8,
        u8,
    ),
) -> Occurrence {
    let base = DateTime::<FixedOffset>::parse_from_rfc3339("2026-11-30T00:00:00Z").unwrap();
    let start = base + Duration::minutes(slot_minutes as i64 * 15);
    let (vname, outward, geo) = VENUES[venue as usize % VENUES.len()];
    let price = [None, Some(0.0), Some(2.5), Some(6.0)][price as usize % 4];
    let age_range = match age % 4 {
        0 => AgeRange::default(),
        1 => AgeRange {
            min: Some(0),
            max: Some(11),
            declared: true,
        },
        2 => AgeRange {
            min: Some(16),
            max: None,
            declared: true,
        },
        _ => AgeRange {
            min: Some(60),
            max: Some(99),
            declared: true,
        },
    };
    let gender = [
        Gender::Unspecified,
        Gender::NoRestriction,
        Gender::FemaleOnly,
        Gender::MaleOnly,
    ][gender as usize % 4];
    let word = WORDS[series as usize % WORDS.len()];
    Occurrence {
        key: format!("occ-{i}"),
        feed: 0,
        kind: if flags & 1 != 0 {
            OpportunityKind::FacilitySlot
        } else {
            OpportunityKind::Session
        },
        start,
        end: None,
        cancelled: flags & 2 != 0 && flags & 4 != 0,
        remaining_capacity: None,
        maximum_capacity: None,
        url: None,
        from_schedule: false,
        provisional: false,
        booking_grid: false,
        updated: None,
        details: Arc::new(Details {
            series_key: Some(format!("series-{series}")),
            name: format!("{word} session {series}"),
            description: Some(format!(
                "A {} for all",
                WORDS[(series as usize + 1) % WORDS.len()]
            )),
            activities: vec![ConceptRef {
                id: Some(format!("{ACT}{}", act % 6)),
                label: None,
            }],
            venue: Venue {
                id: Some(format!("venue-{venue}")),
                name: Some(vname.into()),
                address: vec![],
                postcode: Some(format!("{outward} 1AA")),
                geo,
            },
            offers: price
                .map(|p| {
                    vec![Offer {
                        name: None,
                        price: Some(p),
                        currency: Some("GBP".into()),
                        url: None,
                    }]
                })
                .unwrap_or_default(),
            free: price == Some(0.0),
            age_range,
            gender,
            levels: if flags & 8 != 0 {
                vec!["Beginner".into()]
            } else {
                vec![]
            },
            accessibility: if flags & 16 != 0 {
                vec![ConceptRef {
                    id: Some(format!("{ACC}{}", flags >> 6)),
                    label: None,
                }]
            } else {
                vec![]
            },
            accessibility_information: None,
            wheelchair: (flags & 32 != 0).then_some(true),
            organizer: Some(Organizer {
                name: Some(ORGS[series as usize % ORGS.len()].into()),
                ..Organizer::default()
            }),
            attendee_instructions: None,
            what_to_bring: vec![],
            meeting_point: None,
            special_requirements: match series % 4 {
                0 => vec![],
                1 => vec![ConceptRef { id: None, label: Some("Chair Based".into()) }],
                2 => vec![
                    ConceptRef { id: None, label: Some("GP referral".into()) },
                    ConceptRef { id: None, label: Some("Menopause support".into()) },
                ],
                _ => vec![ConceptRef {
                    id: Some("https://data.emduk.org/special-requirements#2fa48dbf-0165-433c-9b15-604afb5248b3".into()),
                    label: None,
                }],
            },
            ..Details::default()
        }),
    }
}

fn index() -> impl Strategy<Value = Index> {
    prop::collection::vec(
        (
            0u8..12,
            0u16..(14 * 96),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
        ),
        0..200,
    )
    .prop_map(|v| {
        let occ = v
            .into_iter()
            .enumerate()
            .map(|(i, t)| occurrence(i, t))
            .collect();
        Index::build(occ, &Vocab)
    })
}

/// One change to the filters, as a person (or a link) would make it.
#[derive(Debug, Clone)]
enum Change {
    Activity(Option<u8>),
    Place(u8),
    Radius(u8),
    Day(u8),
    Parts(u8),
    Range(u16, u16),
    Dates(Option<i32>, Option<i32>),
    Free(bool),
    MaxPrice(Option<u8>),
    Age(Option<u8>),
    Gender(u8),
    Accessibility(u8),
    Wheelchair(bool),
    Beginner(bool),
    Organiser(u8),
    Keyword(u8),
    Slots(bool),
    Cancelled(bool),
    Sort(bool),
    Suit(u8),
    Collection(Option<u8>),
    ClearAll,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        prop::option::of(0u8..7).prop_map(Change::Activity),
        (0u8..6).prop_map(Change::Place),
        (0u8..4).prop_map(Change::Radius),
        (0u8..7).prop_map(Change::Day),
        (0u8..8).prop_map(Change::Parts),
        (0u16..1440, 0u16..1440).prop_map(|(a, b)| Change::Range(a.min(b), a.max(b))),
        (prop::option::of(0i32..14), prop::option::of(0i32..14))
            .prop_map(|(a, b)| Change::Dates(a, b)),
        any::<bool>().prop_map(Change::Free),
        prop::option::of(0u8..8).prop_map(Change::MaxPrice),
        prop::option::of(0u8..100).prop_map(Change::Age),
        (0u8..5).prop_map(Change::Gender),
        (0u8..6).prop_map(Change::Accessibility),
        any::<bool>().prop_map(Change::Wheelchair),
        any::<bool>().prop_map(Change::Beginner),
        (0u8..5).prop_map(Change::Organiser),
        (0u8..9).prop_map(Change::Keyword),
        any::<bool>().prop_map(Change::Slots),
        any::<bool>().prop_map(Change::Cancelled),
        any::<bool>().prop_map(Change::Sort),
        (0u8..4).prop_map(Change::Suit),
        prop::option::of(0u8..9).prop_map(Change::Collection),
        Just(Change::ClearAll),
    ]
}

fn apply(f: &mut Filters, c: &Change) {
    // 2026-11-30 (the data's first day) in days since 1970-01-01.
    let first_day = 20_787;
    match c {
        Change::Activity(a) => {
            f.activities = a.map(|n| vec![format!("{ACT}{n}")]).unwrap_or_default();
        }
        Change::Place(p) => {
            f.place = match p {
                0 => Place::Anywhere,
                1 => Place::Outward("E15".into()),
                2 => Place::Outward("SW9".into()),
                3 => Place::Outward("ZZ9".into()),
                4 => Place::Point(51.54, -0.05),
                _ => Place::Point(51.47, -0.11),
            }
        }
        Change::Radius(r) => f.radius_km = [None, Some(1.0), Some(5.0), Some(10.0)][*r as usize],
        Change::Day(d) => f.days = f.days.toggled(*d as u32),
        Change::Parts(p) => {
            f.time = if *p == 0 {
                TimeOfDay::Any
            } else {
                TimeOfDay::Parts(
                    DayPart::ALL
                        .into_iter()
                        .enumerate()
                        .filter(|(i, _)| p & (1 << i) != 0)
                        .map(|(_, x)| x)
                        .collect(),
                )
            }
        }
        Change::Range(a, b) => {
            f.time = if a < b {
                TimeOfDay::Range(*a, *b)
            } else {
                TimeOfDay::Any
            }
        }
        Change::Dates(a, b) => {
            f.from = a.map(|d| first_day + d);
            f.to = b.map(|d| first_day + d);
        }
        Change::Free(b) => f.free = *b,
        Change::MaxPrice(m) => f.max_price = m.map(|m| m as f64),
        Change::Age(a) => f.age = a.map(u32::from),
        Change::Gender(g) => f.gender = GenderFilter::ALL[*g as usize],
        Change::Accessibility(a) => {
            let id = format!("{ACC}{a}");
            if let Some(i) = f.accessibility.iter().position(|x| *x == id) {
                f.accessibility.remove(i);
            } else {
                f.accessibility.push(id);
            }
        }
        Change::Wheelchair(b) => f.wheelchair = *b,
        Change::Beginner(b) => f.beginner = *b,
        Change::Organiser(o) => {
            f.organiser = ["", "better", "CLUB", "park", "nobody"][*o as usize].into();
        }
        Change::Keyword(k) => {
            f.keyword = [
                "",
                "yoga",
                "swim",
                "walk for",
                "BEGINNERS",
                "club park",
                "session",
                "zzz",
                "pool",
            ][*k as usize]
                .into();
        }
        Change::Slots(b) => f.slots = *b,
        Change::Cancelled(b) => f.cancelled = *b,
        Change::Sort(b) => f.sort = if *b { Sort::Nearest } else { Sort::Soonest },
        Change::Suit(k) => {
            let k = [
                "2fa48dbf-0165-433c-9b15-604afb5248b3",
                "c4bceff4-39a5-4e39-b16a-873ed79bc498",
                "x-menopause-support",
                "b079c5db-44d9-4bf5-936d-8ac0b1ea31e7",
            ][*k as usize]
                .to_string();
            if let Some(i) = f.suits.iter().position(|x| *x == k) {
                f.suits.remove(i);
            } else {
                f.suits.push(k);
            }
        }
        Change::Collection(c) => {
            f.collection = c.map(|c| {
                finder::collections::all()
                    .get(c as usize)
                    .map_or_else(|| "not-a-collection".to_string(), |x| x.id.clone())
            });
        }
        Change::ClearAll => *f = Filters::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_full_recompute(
        ix in index(),
        start in prop::collection::vec(change(), 0..4),
        steps in prop::collection::vec(prop::collection::vec(change(), 1..3), 1..25),
    ) {
        let mut f = Filters::default();
        for c in &start {
            apply(&mut f, c);
        }
        let mut st = QueryState::new(&ix);
        prop_assert_eq!(st.query(&ix, &f), ix.query(&f), "first query");
        for (n, step) in steps.iter().enumerate() {
            for c in step {
                apply(&mut f, c);
            }
            prop_assert_eq!(st.query(&ix, &f), ix.query(&f), "step {} ({:?})", n, step);
        }
    }
}

#[test]
fn the_same_filters_twice_change_nothing_and_an_unchanged_state_is_reused() {
    let occ = (0..50)
        .map(|i| {
            occurrence(
                i,
                (
                    i as u8 % 7,
                    (i * 37 % 1300) as u16,
                    i as u8,
                    i as u8,
                    i as u8,
                    i as u8,
                    i as u8,
                    (i * 11) as u8,
                ),
            )
        })
        .collect();
    let ix = Index::build(occ, &Vocab);
    let mut st = QueryState::new(&ix);
    let mut f = Filters {
        days: DaySet(0b101),
        ..Filters::default()
    };
    let a = st.query(&ix, &f);
    assert_eq!(a, ix.query(&f));
    assert_eq!(st.query(&ix, &f), a);
    f.free = true;
    assert_eq!(st.query(&ix, &f), ix.query(&f));
    f.free = false;
    assert_eq!(st.query(&ix, &f), a, "back to where it was");
}
