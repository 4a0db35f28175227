//! Filter semantics on hand-made occurrences: each filter, combinations, the activity
//! hierarchy, Europe/London local time across the clock change, and the spec's age and gender
//! defaults.

use chrono::{DateTime, FixedOffset};
use finder::filter::{DayPart, DaySet, GenderFilter, Place, Sort, TimeOfDay};
use finder::{ActivityVocabulary, FilterKind, Filters, Index};
use openactive::{
    AgeRange, ConceptRef, Details, Gender, Occurrence, Offer, OpportunityKind, Venue,
};
use std::sync::Arc;

const SWIM: &str = "https://openactive.io/activity-list#swim";
const SWIM_LESSONS: &str = "https://openactive.io/activity-list#lessons";
const YOGA: &str = "https://openactive.io/activity-list#yoga";
const ACC_VISUAL: &str = "https://openactive.io/accessibility-support#visual";

struct Vocab;
impl ActivityVocabulary for Vocab {
    fn label_of(&self, id: &str) -> Option<String> {
        Some(
            match id {
                SWIM => "Swimming",
                SWIM_LESSONS => "Swimming Lessons",
                YOGA => "Yoga",
                _ => return None,
            }
            .into(),
        )
    }
    fn id_for_label(&self, label: &str) -> Option<String> {
        (label.eq_ignore_ascii_case("yoga")).then(|| YOGA.to_string())
    }
    fn ancestors_of(&self, id: &str) -> Vec<String> {
        if id == SWIM_LESSONS {
            vec![SWIM.into()]
        } else {
            vec![]
        }
    }
}

fn occ(key: &str, start: &str) -> Occurrence {
    Occurrence {
        key: key.into(),
        feed: 0,
        kind: OpportunityKind::Session,
        start: DateTime::<FixedOffset>::parse_from_rfc3339(start).unwrap(),
        end: None,
        cancelled: false,
        remaining_capacity: None,
        maximum_capacity: None,
        url: None,
        from_schedule: false,
        provisional: false,
        booking_grid: false,
        updated: None,
        details: Arc::new(Details {
            series_key: None,
            name: key.into(),
            description: None,
            activities: vec![],
            venue: Venue {
                id: Some(format!("venue-{key}")),
                name: Some(format!("Venue {key}")),
                address: vec![],
                postcode: Some("E15 1AA".into()),
                geo: Some((51.54, 0.0)),
            },
            offers: vec![],
            free: false,
            age_range: AgeRange::default(),
            gender: Gender::Unspecified,
            levels: vec![],
            accessibility: vec![],
            accessibility_information: None,
            wheelchair: None,
            organizer: None,
            attendee_instructions: None,
            what_to_bring: vec![],
            meeting_point: None,
            ..Details::default()
        }),
    }
}

fn act(id: &str) -> ConceptRef {
    ConceptRef {
        id: Some(id.into()),
        label: None,
    }
}

fn keys(ix: &Index, f: &Filters) -> Vec<String> {
    ix.query(f)
        .results
        .iter()
        .map(|&i| ix.occurrences[i as usize].key.clone())
        .collect()
}

/// Monday 2026-11-30 09:00 London (GMT), Wednesday evening, Saturday afternoon...
fn sample() -> Index {
    let mut a = occ("lessons-mon-am", "2026-11-30T09:00:00Z");
    a.activities = vec![act(SWIM_LESSONS)];
    a.offers = vec![Offer {
        name: None,
        price: Some(0.0),
        currency: Some("GBP".into()),
        url: None,
    }];
    a.free = true;
    a.gender = Gender::FemaleOnly;
    a.levels = vec!["Beginner".into()];
    a.age_range = AgeRange {
        min: Some(16),
        max: None,
        declared: true,
    };
    let mut b = occ("yoga-wed-eve", "2026-12-02T19:30:00Z");
    b.activities = vec![ConceptRef {
        id: None,
        label: Some("YOGA".into()),
    }];
    b.offers = vec![Offer {
        name: None,
        price: Some(6.5),
        currency: Some("GBP".into()),
        url: None,
    }];
    b.accessibility = vec![act(ACC_VISUAL)];
    b.wheelchair = Some(true);
    b.venue.geo = Some((51.60, -0.20));
    b.venue.postcode = Some("NW4 2XX".into());
    let mut c = occ("swim-sat-pm", "2026-12-05T14:00:00Z");
    c.activities = vec![act(SWIM)];
    c.offers = vec![Offer {
        name: None,
        price: Some(3.0),
        currency: Some("GBP".into()),
        url: None,
    }];
    c.gender = Gender::MaleOnly;
    c.age_range = AgeRange {
        min: Some(0),
        max: Some(11),
        declared: true,
    };
    let mut cancelled = occ("cancelled", "2026-12-01T10:00:00Z");
    cancelled.cancelled = true;
    Index::build(vec![c, b, a, cancelled], &Vocab)
}

#[test]
fn no_filter_lists_everything_but_cancelled_soonest_first() {
    let ix = sample();
    assert_eq!(
        keys(&ix, &Filters::default()),
        ["lessons-mon-am", "yoga-wed-eve", "swim-sat-pm"]
    );
}

#[test]
fn an_activity_includes_its_narrower_activities() {
    let ix = sample();
    let f = Filters {
        activities: vec![SWIM.into()],
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["lessons-mon-am", "swim-sat-pm"]);
    let f = Filters {
        activities: vec![SWIM_LESSONS.into()],
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["lessons-mon-am"]);
}

#[test]
fn a_legacy_label_only_activity_is_matched_to_the_list() {
    let ix = sample();
    let f = Filters {
        activities: vec![YOGA.into()],
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["yoga-wed-eve"]);
}

#[test]
fn days_and_time_of_day_use_london_local_time() {
    let ix = sample();
    let f = Filters {
        days: DaySet::WEEKDAYS,
        time: TimeOfDay::Parts(vec![DayPart::Morning]),
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["lessons-mon-am"]);
    let f = Filters {
        time: TimeOfDay::Range(19 * 60, 20 * 60),
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["yoga-wed-eve"]);
}

#[test]
fn summer_time_shifts_the_local_hour() {
    // 08:30Z on 1 July is 09:30 BST: a morning session, and on a Wednesday.
    let summer = occ("summer", "2026-07-01T08:30:00Z");
    // 23:30Z on Saturday 31 October 2026 (after the clocks went back) is still Saturday 23:30 GMT.
    let late = occ("late", "2026-10-31T23:30:00+00:00");
    let ix = Index::build(vec![summer, late], &Vocab);
    let f = Filters {
        time: TimeOfDay::Range(9 * 60 + 30, 9 * 60 + 31),
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["summer"]);
    let f = Filters {
        days: DaySet(1 << 5),
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["late"]);
}

#[test]
fn price_free_and_maximum() {
    let ix = sample();
    assert_eq!(
        keys(
            &ix,
            &Filters {
                free: true,
                ..Filters::default()
            }
        ),
        ["lessons-mon-am"]
    );
    let f = Filters {
        max_price: Some(3.0),
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["lessons-mon-am", "swim-sat-pm"]);
}

#[test]
fn age_uses_the_spec_default_of_adults_only_when_no_range_is_published() {
    let ix = sample();
    // yoga has no ageRange: adults only.
    assert_eq!(
        keys(
            &ix,
            &Filters {
                age: Some(8),
                ..Filters::default()
            }
        ),
        ["swim-sat-pm"]
    );
    assert_eq!(
        keys(
            &ix,
            &Filters {
                age: Some(16),
                ..Filters::default()
            }
        ),
        ["lessons-mon-am"]
    );
    assert_eq!(
        keys(
            &ix,
            &Filters {
                age: Some(70),
                ..Filters::default()
            }
        ),
        ["lessons-mon-am", "yoga-wed-eve"]
    );
}

#[test]
fn gender_options() {
    let ix = sample();
    let g = |g| {
        keys(
            &ix,
            &Filters {
                gender: g,
                ..Filters::default()
            },
        )
    };
    assert_eq!(g(GenderFilter::WomenOnly), ["lessons-mon-am"]);
    assert_eq!(
        g(GenderFilter::OpenToWomen),
        ["lessons-mon-am", "yoga-wed-eve"]
    );
    assert_eq!(g(GenderFilter::MenOnly), ["swim-sat-pm"]);
    assert_eq!(g(GenderFilter::OpenToMen), ["yoga-wed-eve", "swim-sat-pm"]);
}

#[test]
fn accessibility_wheelchair_level_keyword_organiser() {
    let ix = sample();
    let f = Filters {
        accessibility: vec![ACC_VISUAL.into()],
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["yoga-wed-eve"]);
    assert_eq!(
        keys(
            &ix,
            &Filters {
                wheelchair: true,
                ..Filters::default()
            }
        ),
        ["yoga-wed-eve"]
    );
    assert_eq!(
        keys(
            &ix,
            &Filters {
                beginner: true,
                ..Filters::default()
            }
        ),
        ["lessons-mon-am"]
    );
    assert_eq!(
        keys(
            &ix,
            &Filters {
                keyword: "swimming LESSONS".into(),
                ..Filters::default()
            }
        ),
        ["lessons-mon-am"]
    );
    assert_eq!(
        keys(
            &ix,
            &Filters {
                organiser: "venue swim".into(),
                ..Filters::default()
            }
        ),
        ["swim-sat-pm"]
    );
}

#[test]
fn location_by_outward_code_and_radius_and_nearest_sort() {
    let ix = sample();
    let f = Filters {
        place: Place::Outward("E15".into()),
        radius_km: Some(2.0),
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["lessons-mon-am", "swim-sat-pm"]);
    let f = Filters {
        place: Place::Point(51.60, -0.20),
        radius_km: Some(50.0),
        sort: Sort::Nearest,
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f)[0], "yoga-wed-eve");
    let out = ix.query(&f);
    assert!(out.distance(0).unwrap() < 0.01);
    assert_eq!(out.distances.len(), out.results.len());
    // Without a place there are no distances, and none is stored per result.
    let anywhere = ix.query(&Filters::default());
    assert!(!anywhere.results.is_empty());
    assert!(anywhere.distances.is_empty());
    assert_eq!(anywhere.distance(0), None);
    let mut st = finder::QueryState::new(&ix);
    assert!(st.query(&ix, &Filters::default()).distances.is_empty());
    assert_eq!(st.query(&ix, &f).distances.len(), out.results.len());
    let unknown = Filters {
        place: Place::Outward("ZZ9".into()),
        ..Filters::default()
    };
    assert!(ix.query(&unknown).unknown_place);
}

#[test]
fn facet_counts_apply_every_other_filter() {
    let ix = sample();
    let f = Filters {
        gender: GenderFilter::WomenOnly,
        days: DaySet(1 << 2),
        ..Filters::default()
    };
    let out = ix.query(&f);
    assert!(out.results.is_empty());
    // Days facet ignores the days filter but applies gender: only Monday's women-only session.
    assert_eq!(out.facets.days, [1, 0, 0, 0, 0, 0, 0]);
    // Gender facet ignores gender but applies days (Wednesday): yoga is open to women.
    assert_eq!(out.facets.gender[GenderFilter::OpenToWomen as usize], 1);
}

#[test]
fn facility_slots_are_opt_in_and_counted_like_the_other_options() {
    let session = occ("session-mon-am", "2026-11-30T09:00:00Z");
    let mut court_am = occ("court-mon-am", "2026-11-30T10:00:00Z");
    court_am.kind = OpportunityKind::FacilitySlot;
    let mut court_eve = occ("court-wed-eve", "2026-12-02T19:00:00Z");
    court_eve.kind = OpportunityKind::FacilitySlot;
    let mut court_cancelled = occ("court-cancelled", "2026-12-01T10:00:00Z");
    court_cancelled.kind = OpportunityKind::FacilitySlot;
    court_cancelled.cancelled = true;
    let ix = Index::build(vec![court_eve, session, court_am, court_cancelled], &Vocab);

    assert_eq!(
        ix.visible_len(),
        1,
        "\"sessions loaded\" counts the session, not the slots"
    );
    // Off by default: only the session is listed; the option counts what it would add.
    let off = Filters::default();
    assert_eq!(off.active_count(), 0);
    assert_eq!(
        Filters {
            slots: true,
            ..Filters::default()
        }
        .active_count(),
        1,
        "the Filters (n) button counts the opt-in"
    );
    let out = ix.query(&off);
    assert_eq!(keys(&ix, &off), ["session-mon-am"]);
    assert_eq!(out.facets.slots, 2, "cancelled slots are never counted");
    // The other facets do not count hidden slots.
    assert_eq!(out.facets.parts, [1, 0, 0]);

    // Every other filter applies to the count (mornings: one slot).
    let mornings = Filters {
        time: TimeOfDay::Parts(vec![DayPart::Morning]),
        ..Filters::default()
    };
    assert_eq!(ix.query(&mornings).facets.slots, 1);
    let evenings = Filters {
        time: TimeOfDay::Range(18 * 60, 21 * 60),
        ..Filters::default()
    };
    assert_eq!(ix.query(&evenings).facets.slots, 1);
    assert!(ix.query(&evenings).results.is_empty());
    let yoga = Filters {
        activities: vec![YOGA.into()],
        ..Filters::default()
    };
    assert_eq!(ix.query(&yoga).facets.slots, 0);

    // Opted in: the slots are listed in start order, and the count is how many results are slots.
    let on = Filters {
        slots: true,
        ..mornings
    };
    let out = ix.query(&on);
    assert_eq!(keys(&ix, &on), ["session-mon-am", "court-mon-am"]);
    assert_eq!(out.facets.slots, 1);
    let all = Filters {
        slots: true,
        ..Filters::default()
    };
    let out = ix.query(&all);
    assert_eq!(out.results.len(), 3);
    assert_eq!(out.facets.slots, 2);
    assert_eq!(out.facets.parts, [2, 0, 1]);
    // The opt-in is not a filter to relax.
    assert!(!FilterKind::RELAXABLE.contains(&FilterKind::Kind));
}

#[test]
fn when_nothing_matches_the_filter_that_removes_most_is_offered() {
    let ix = sample();
    let f = Filters {
        free: true,
        wheelchair: true,
        ..Filters::default()
    };
    let out = ix.query(&f);
    assert!(out.results.is_empty());
    let (kind, n) = out.relax.unwrap();
    assert_eq!(n, 1);
    assert!(matches!(kind, FilterKind::Price | FilterKind::Wheelchair));
    assert_eq!(keys(&ix, &kind.relax(&f)).len(), 1);
}

#[test]
fn the_activity_picker_nests_narrower_activities_and_searches_labels() {
    let ix = sample();
    let out = ix.query(&Filters::default());
    let tree: Vec<(String, usize, u32)> = ix
        .activity_options(&out.facets.activities, "")
        .into_iter()
        .map(|o| (o.label, o.depth, o.count))
        .collect();
    assert_eq!(
        tree,
        [
            ("Swimming".to_string(), 0, 2),
            ("Swimming Lessons".to_string(), 1, 1),
            ("Yoga".to_string(), 0, 1)
        ]
    );
    let found: Vec<String> = ix
        .activity_options(&out.facets.activities, "LESS")
        .into_iter()
        .map(|o| o.label)
        .collect();
    assert_eq!(found, ["Swimming Lessons"]);
    // Options without sessions under the other filters disappear.
    let women = ix.query(&Filters {
        gender: GenderFilter::MenOnly,
        ..Filters::default()
    });
    let labels: Vec<String> = ix
        .activity_options(&women.facets.activities, "")
        .into_iter()
        .map(|o| o.label)
        .collect();
    assert_eq!(labels, ["Swimming"]);
}

#[test]
fn every_occurrence_is_found_by_its_key() {
    let ix = Index::build(
        vec![
            occ("b", "2026-11-30T09:00:00Z"),
            occ("a", "2026-11-30T10:00:00Z"),
            occ("c", "2026-11-29T10:00:00Z"),
        ],
        &Vocab,
    );
    for key in ["a", "b", "c"] {
        let pos = ix.position(key).unwrap();
        assert_eq!(ix.occurrences[pos].key, key);
    }
    assert_eq!(ix.position("d"), None);
    assert_eq!(Index::default().position("a"), None);
}

#[test]
fn an_activity_the_list_does_not_know_shows_the_feeds_label_never_a_raw_id() {
    let mut a = occ("a", "2026-11-30T09:00:00Z");
    Arc::make_mut(&mut a.details).activities = vec![ConceptRef {
        id: Some("https://openactive.io/activity-list#00000000-unknown".into()),
        label: Some("Parkour".into()),
    }];
    let mut b = occ("b", "2026-11-30T10:00:00Z");
    Arc::make_mut(&mut b.details).activities =
        vec![act("https://openactive.io/activity-list#11111111-unknown")];
    let ix = Index::build(vec![a, b], &Vocab);
    let label = |id: &str| ix.activity_labels[ix.activity_index(id).unwrap() as usize].clone();
    assert_eq!(
        label("https://openactive.io/activity-list#00000000-unknown"),
        "Parkour"
    );
    assert_eq!(
        label("https://openactive.io/activity-list#11111111-unknown"),
        "Activity not in the list"
    );
}

#[test]
fn cancelled_sessions_are_hidden_unless_asked_for_and_counted_like_the_other_options() {
    let am = occ("mon-am", "2026-11-30T09:00:00Z");
    let mut cancelled_am = occ("mon-am-cancelled", "2026-11-30T10:00:00Z");
    cancelled_am.cancelled = true;
    let mut cancelled_eve = occ("wed-eve-cancelled", "2026-12-02T19:00:00Z");
    cancelled_eve.cancelled = true;
    let mut cancelled_slot = occ("court-cancelled", "2026-12-01T10:00:00Z");
    cancelled_slot.kind = OpportunityKind::FacilitySlot;
    cancelled_slot.cancelled = true;
    let ix = Index::build(
        vec![cancelled_eve, am, cancelled_slot, cancelled_am],
        &Vocab,
    );
    assert_eq!(
        ix.visible_len(),
        1,
        "\"sessions loaded\" counts only what is on"
    );

    // Off by default: hidden; the option counts what ticking it would add (not the slot, which
    // needs the facility opt-in too), and no other facet counts them.
    let off = Filters::default();
    let out = ix.query(&off);
    assert_eq!(keys(&ix, &off), ["mon-am"]);
    assert_eq!(out.facets.cancelled, 2);
    assert_eq!(out.facets.parts, [1, 0, 0]);
    assert_eq!(
        out.facets.slots, 0,
        "a cancelled slot is not offered either"
    );
    assert_eq!(out.venues.len(), 1);

    // Other filters apply to the count.
    let mornings = Filters {
        time: TimeOfDay::Parts(vec![DayPart::Morning]),
        ..Filters::default()
    };
    assert_eq!(ix.query(&mornings).facets.cancelled, 1);

    // Asked for (`cx=1`): listed in start order, and counted in the other facets.
    let on = Filters {
        cancelled: true,
        ..Filters::default()
    };
    assert_eq!(on.active_count(), 1);
    let out = ix.query(&on);
    assert_eq!(
        keys(&ix, &on),
        ["mon-am", "mon-am-cancelled", "wed-eve-cancelled"]
    );
    assert_eq!(
        out.facets.cancelled, 2,
        "how many of the results are cancelled"
    );
    assert_eq!(out.facets.parts, [2, 0, 1]);
    assert_eq!(
        out.facets.slots, 1,
        "ticking facility bookings would add the cancelled slot"
    );
    let both = Filters {
        slots: true,
        ..on.clone()
    };
    assert_eq!(ix.query(&both).results.len(), 4);
    // The counts agree with the results for every combination.
    for f in [&off, &mornings, &on, &both] {
        let out = ix.query(f);
        let with = ix.query(&Filters {
            cancelled: true,
            ..f.clone()
        });
        let added = if f.cancelled {
            0
        } else {
            out.facets.cancelled as usize
        };
        assert_eq!(with.results.len(), out.results.len() + added, "{f:?}");
    }
    // The opt-in is not a filter to relax.
    assert!(!FilterKind::RELAXABLE.contains(&FilterKind::Cancelled));
}
