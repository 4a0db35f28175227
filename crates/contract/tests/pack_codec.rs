//! The pack format: every field round-trips; bad, truncated and newer packs are refused with a
//! reason (never a panic); unknown optional sections are skipped.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone};
use contract::pack::{self, PackError};
use finder::ActivityVocabulary;
use finder::vocab::NoVocabulary;
use openactive::{
    AgeRange, ConceptRef, Details, Gender, Occurrence, Offer, OpportunityKind, Organizer, Venue,
};
use proptest::prelude::*;

/// A tiny hierarchy: swimming-lessons < swimming < water-sports; "Swim" is a legacy label.
struct Tiny;
impl ActivityVocabulary for Tiny {
    fn label_of(&self, id: &str) -> Option<String> {
        Some(
            match id {
                "a#lessons" => "Swimming Lessons",
                "a#swim" => "Swimming",
                "a#water" => "Water Sports",
                _ => return None,
            }
            .into(),
        )
    }
    fn id_for_label(&self, label: &str) -> Option<String> {
        (label == "Swim").then(|| "a#swim".into())
    }
    fn ancestors_of(&self, id: &str) -> Vec<String> {
        match id {
            "a#lessons" => vec!["a#swim".into(), "a#water".into()],
            "a#swim" => vec!["a#water".into()],
            _ => Vec::new(),
        }
    }
}

fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

fn full_details() -> Arc<Details> {
    Arc::new(Details {
        series_key: Some("https://pub.example/series/1".into()),
        name: "Aqua fit — \u{202e}reversed".into(),
        description: Some("Gentle <b>not html</b>".into()),
        activities: vec![
            ConceptRef {
                id: Some("a#lessons".into()),
                label: Some("Lessons".into()),
            },
            ConceptRef {
                id: None,
                label: Some("Unknown thing".into()),
            },
        ],
        venue: Venue {
            id: Some("https://pub.example/place/9".into()),
            name: Some("Pool".into()),
            address: vec!["1 High St".into(), "London".into()],
            postcode: Some("E15 4HT".into()),
            geo: Some((51.541_234_5, -0.003_456_7)),
        },
        offers: vec![Offer {
            name: Some("Adult".into()),
            price: Some(4.5),
            currency: Some("GBP".into()),
            url: Some("https://pub.example/book".into()),
        }],
        free: false,
        age_range: AgeRange {
            min: Some(16),
            max: None,
            declared: true,
        },
        gender: Gender::FemaleOnly,
        levels: vec!["Beginner".into()],
        accessibility: vec![ConceptRef {
            id: Some("https://openactive.io/accessibility-support#x".into()),
            label: Some("Visual".into()),
        }],
        accessibility_information: Some("Hoist".into()),
        wheelchair: Some(true),
        organizer: Some(Organizer {
            name: Some("Org".into()),
            url: Some("https://org.example/".into()),
            email: Some("a@b.c".into()),
            telephone: Some("020".into()),
        }),
        attendee_instructions: Some("Arrive early".into()),
        what_to_bring: vec!["Towel".into()],
        meeting_point: Some("Reception".into()),
        special_requirements: vec![
            ConceptRef {
                id: Some("https://data.emduk.org/special-requirements#gp".into()),
                label: Some("GP Referral".into()),
            },
            ConceptRef {
                id: None,
                label: Some("Chair Based".into()),
            },
        ],
        schedule: Some(openactive::schedule::ScheduleRule {
            rrule: "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH".into(),
            start_time: "09:30".into(),
            duration_minutes: Some(45),
            timezone: "Europe/London".into(),
            start_date: Some("2026-09-01".into()),
            end_date: Some("2027-03-29".into()),
            except_dates: vec!["2026-12-24".into(), "2026-12-31".into()],
        }),
        listed_until: Some(at("2027-03-29T09:30:00+01:00")),
    })
}

fn occ(key: &str, start: &str, details: Arc<Details>) -> Occurrence {
    Occurrence {
        key: key.into(),
        feed: 3,
        kind: OpportunityKind::Session,
        start: at(start),
        end: Some(at(start) + chrono::Duration::minutes(45)),
        cancelled: false,
        remaining_capacity: Some(0),
        maximum_capacity: Some(20),
        url: Some("https://pub.example/s".into()),
        from_schedule: false,
        provisional: false,
        booking_grid: false,
        updated: Some(DateTime::from_timestamp(1_790_000_000, 0).unwrap()),
        details,
    }
}

fn sample() -> Vec<Occurrence> {
    let d = full_details();
    let mut v = vec![
        occ(
            "https://pub.example/sessions/2",
            "2026-12-02T10:00:00Z",
            d.clone(),
        ),
        occ(
            "https://pub.example/sessions/1",
            "2026-10-25T01:30:00+01:00",
            d.clone(),
        ),
    ];
    // Schedule-expanded: the key is derived, not stored.
    let start = at("2027-03-29T09:00:00+01:00");
    let mut s = occ(
        &format!("https://pub.example/series/1#{}", start.to_rfc3339()),
        "2027-03-29T09:00:00+01:00",
        d,
    );
    s.from_schedule = true;
    s.provisional = true;
    s.cancelled = true;
    s.booking_grid = true;
    s.kind = OpportunityKind::Course;
    s.end = Some(at("2027-03-29T08:30:00Z"));
    s.url = None;
    s.remaining_capacity = None;
    v.push(s);
    let mut plain = occ("7", "2026-12-01T18:00:00Z", Arc::new(Details::default()));
    plain.end = None;
    plain.feed = 0;
    plain.kind = OpportunityKind::FacilitySlot;
    plain.updated = None;
    v.push(plain);
    v
}

fn sorted(mut v: Vec<Occurrence>) -> Vec<Occurrence> {
    v.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.key.cmp(&b.key)));
    v
}

#[test]
fn every_field_round_trips() {
    let occs = sample();
    let refs: Vec<&Occurrence> = occs.iter().collect();
    let enc = pack::encode(&refs, &NoVocabulary);
    let back = pack::decode(&enc.pack).unwrap();
    // The pack alone lacks what only a session page shows; its detail chunk has it.
    let first = back
        .occurrences
        .iter()
        .find(|o| o.key.ends_with("sessions/1"))
        .unwrap();
    assert!(first.what_to_bring.is_empty() && first.attendee_instructions.is_none());
    assert_eq!(
        first.organizer.as_ref().unwrap().name.as_deref(),
        Some("Org")
    );
    assert!(first.organizer.as_ref().unwrap().email.is_none());
    let extras = pack::decode_details(&enc.details).unwrap();
    assert_eq!(extras.len(), back.details.len());
    // Filled in (as the app does when a session page opens), every field round-trips.
    let full: Vec<Arc<Details>> = back
        .details
        .iter()
        .zip(&extras)
        .map(|(d, x)| {
            let mut d = (**d).clone();
            x.apply(&mut d);
            Arc::new(d)
        })
        .collect();
    let restored: Vec<Occurrence> = back
        .occurrences
        .iter()
        .map(|o| {
            let i = back
                .details
                .iter()
                .position(|d| Arc::ptr_eq(d, &o.details))
                .unwrap();
            Occurrence {
                details: full[i].clone(),
                ..o.clone()
            }
        })
        .collect();
    assert_eq!(restored, sorted(occs));
    // Occurrences of one series share one details in the decoded pack too.
    let by_key = |k: &str| {
        back.occurrences
            .iter()
            .find(|o| o.key.ends_with(k))
            .unwrap()
    };
    assert!(Arc::ptr_eq(
        &by_key("sessions/1").details,
        &by_key("sessions/2").details
    ));
}

#[test]
fn activities_are_resolved_with_their_labels_and_broader_ones() {
    let mut occs = sample();
    let d = Arc::make_mut(&mut occs[0].details);
    d.activities.push(ConceptRef {
        id: None,
        label: Some("Swim".into()),
    });
    let refs: Vec<&Occurrence> = occs.iter().collect();
    let back = pack::decode(&pack::encode(&refs, &Tiny).pack).unwrap();
    let v = &back.vocab;
    assert_eq!(v.label_of("a#lessons").as_deref(), Some("Swimming Lessons"));
    assert_eq!(v.ancestors_of("a#lessons"), ["a#swim", "a#water"]);
    assert_eq!(v.label_of("a#water").as_deref(), Some("Water Sports"));
    // The legacy label now carries its id.
    let o = back
        .occurrences
        .iter()
        .find(|o| o.key == "https://pub.example/sessions/2")
        .unwrap();
    assert!(
        o.activities
            .iter()
            .any(|c| c.id.as_deref() == Some("a#swim") && c.label.as_deref() == Some("Swim"))
    );
}

#[test]
fn bad_packs_are_refused_with_a_reason() {
    let occs = sample();
    let refs: Vec<&Occurrence> = occs.iter().collect();
    let good = pack::encode(&refs, &NoVocabulary).pack;
    assert_eq!(pack::decode(b"").unwrap_err(), PackError::Truncated);
    assert_eq!(pack::decode(b"{\"a\":1}").unwrap_err(), PackError::NotAPack);
    let mut newer = good.clone();
    newer[4] = pack::VERSION + 1;
    assert_eq!(
        pack::decode(&newer).unwrap_err(),
        PackError::NewerVersion(pack::VERSION + 1)
    );
    // Every truncation is an error, never a panic; except right after the core section,
    // where the bytes are a whole pack without the added fields (as an older proxy wrote).
    let core_end = 11 + u32::from_le_bytes([good[7], good[8], good[9], good[10]]) as usize;
    for n in 0..good.len() {
        if n != core_end {
            assert!(pack::decode(&good[..n]).is_err(), "truncated at {n}");
        }
    }
    // The added fields must match the core: a section from another pack is refused.
    let other = pack::encode(&refs[..1], &NoVocabulary).pack;
    let other_core_end =
        11 + u32::from_le_bytes([other[7], other[8], other[9], other[10]]) as usize;
    let mut mixed = good[..core_end].to_vec();
    mixed.extend_from_slice(&other[other_core_end..]);
    assert_eq!(
        pack::decode(&mixed).unwrap_err(),
        PackError::Corrupt("the added fields do not match the data")
    );
    // A required section this reader does not know.
    let mut req = good.clone();
    pack::append_section(&mut req, 9, true, b"future");
    assert_eq!(
        pack::decode(&req).unwrap_err(),
        PackError::UnknownRequiredSection(9)
    );
    // A detail chunk is not a pack, and a pack is not a detail chunk.
    let chunk = pack::encode(&refs, &NoVocabulary).details;
    assert_eq!(pack::decode(&chunk).unwrap_err(), PackError::NoCore);
    assert_eq!(pack::decode_details(&good).unwrap_err(), PackError::NoCore);
    for n in 0..chunk.len() {
        assert!(
            pack::decode_details(&chunk[..n]).is_err(),
            "chunk truncated at {n}"
        );
    }
    // An optional one is skipped.
    let mut opt = good;
    pack::append_section(&mut opt, 9, false, b"future column");
    assert_eq!(pack::decode(&opt).unwrap().occurrences.len(), occs.len());
}

#[test]
fn a_pack_without_the_added_fields_reads_with_their_defaults() {
    let occs = sample();
    let refs: Vec<&Occurrence> = occs.iter().collect();
    let good = pack::encode(&refs, &NoVocabulary).pack;
    let core_end = 11 + u32::from_le_bytes([good[7], good[8], good[9], good[10]]) as usize;
    assert!(
        good.len() > core_end,
        "the added-fields section follows the core"
    );
    let older = pack::decode(&good[..core_end]).unwrap();
    assert_eq!(older.occurrences.len(), occs.len());
    assert!(older.occurrences.iter().all(|o| o.updated.is_none()
        && o.schedule.is_none()
        && o.listed_until.is_none()
        && o.special_requirements.is_empty()));
    let newer = pack::decode(&good).unwrap();
    let o = newer
        .occurrences
        .iter()
        .find(|o| o.key.ends_with("sessions/1"))
        .unwrap();
    assert_eq!(o.special_requirements.len(), 2);
    assert_eq!(o.schedule.as_ref().unwrap().except_dates.len(), 2);
    assert_eq!(
        o.updated.unwrap().timestamp(),
        1_790_000_000,
        "last-changed time kept"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Flipped bytes anywhere give an error or a pack, never a panic.
    #[test]
    fn corrupt_bytes_never_panic(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let occs = sample();
        let refs: Vec<&Occurrence> = occs.iter().collect();
        let mut bytes = pack::encode(&refs, &NoVocabulary).pack;
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        let _ = pack::decode(&bytes);
    }

    /// Starts, ends and offsets round-trip for any instant in a sensible range.
    #[test]
    fn times_round_trip(secs in 0i64..4_102_444_800, off in -14i32*3600..=14*3600, dur in proto_dur()) {
        let tz = FixedOffset::east_opt(off).unwrap();
        let start = tz.timestamp_opt(secs, 0).unwrap();
        let mut o = occ("k/1", "2026-01-01T00:00:00Z", Arc::new(Details::default()));
        o.start = start;
        o.end = dur.map(|d| start + chrono::Duration::seconds(d));
        let back = pack::decode(&pack::encode(&[&o], &NoVocabulary).pack).unwrap();
        prop_assert_eq!(&back.occurrences[0], &o);
    }
}

fn proto_dur() -> impl Strategy<Value = Option<i64>> {
    prop::option::of(-86_400i64..86_400 * 400)
}
