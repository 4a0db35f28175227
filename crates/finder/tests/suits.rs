//! "Suits me": the EMD UK tags read leniently, the collections file against the shipped
//! vocabularies, the suit and collection filters with their live counts (over the real Activity
//! List hierarchy), the URL keys and "why it matched".

use chrono::{DateTime, FixedOffset};
use finder::collections;
use finder::filter::GenderFilter;
use finder::suits::{self, CONCEPTS, Suit};
use finder::{FilterKind, Filters, Index, QueryState};
use openactive::model::take_special_requirements;
use openactive::vocab::{ActivityList, ConceptList};
use openactive::{
    AgeRange, ConceptRef, Details, Gender, Occurrence, Offer, OpportunityKind, Venue,
};
use serde_json::json;
use std::sync::Arc;

const ACTIVITY_LIST: &str = include_str!("../../openactive/vocab/activity-list.jsonld");
const ACCESSIBILITY: &str = include_str!("../../openactive/vocab/accessibility-support.jsonld");
const SPECIAL: &str = include_str!("../../openactive/vocab/special-requirements.jsonld");
const AL: &str = "https://openactive.io/activity-list#";

fn list() -> ActivityList {
    ActivityList::from_jsonld(ACTIVITY_LIST).unwrap()
}

fn frag(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, f)| f)
}

#[test]
fn the_compiled_in_list_is_the_snapshot() {
    let snap = ConceptList::from_jsonld(SPECIAL).unwrap();
    let mut from_file: Vec<(String, String)> = snap
        .iter()
        .map(|(id, l)| (id.to_string(), l.to_string()))
        .collect();
    from_file.sort();
    let mut ours: Vec<(String, String)> = CONCEPTS
        .iter()
        .map(|(u, l)| (format!("{}{u}", suits::PREFIX), l.to_string()))
        .collect();
    ours.sort();
    assert_eq!(ours, from_file);
}

#[test]
fn the_collections_file_parses_and_every_id_is_in_the_shipped_vocabularies() {
    let cols = collections::parse(collections::SOURCE).expect("data/collections.json");
    assert_eq!(cols, collections::all());
    assert!(cols.len() >= 7, "the seven pathways of the issue");
    assert!(
        cols.iter().any(|c| !c.accessibility.is_empty()),
        "accessibility ids are checked too"
    );
    let al = list();
    let acc = ConceptList::from_jsonld(ACCESSIBILITY).unwrap();
    let acc_ids: Vec<&str> = acc.iter().map(|(id, _)| frag(id)).collect();
    for c in &cols {
        for a in &c.activities {
            assert!(
                al.label(&format!("{AL}{a}")).is_some(),
                "{}: activity {a} is not in the Activity List",
                c.id
            );
        }
        for a in &c.accessibility {
            assert!(acc_ids.contains(&a.as_str()), "{}: accessibility {a}", c.id);
        }
        for s in &c.special_requirements {
            assert!(
                suits::by_id(s).is_some(),
                "{}: special requirement {s}",
                c.id
            );
        }
        assert!(c.has_what() || c.gender.is_some() || c.level.is_some() || c.open_to_age.is_some());
    }
    for wanted in [
        "Low impact",
        "Seated and chair-based",
        "Walking sports",
        "In the water",
        "Women only",
        "60+",
        "GP referral welcome",
    ] {
        assert!(cols.iter().any(|c| c.label == wanted), "{wanted}");
    }
}

#[test]
fn a_bad_collections_file_is_refused_with_a_reason() {
    for (text, why) in [
        (
            r#"{"collections": [{"id": "A B", "label": "x", "description": ""}]}"#,
            "URL key",
        ),
        (
            r#"{"collections": [{"id": "a", "label": "x", "description": "", "gender": "zz"}]}"#,
            "gender",
        ),
        (
            r#"{"collections": [{"id": "a", "label": "x", "description": "", "level": "pro"}]}"#,
            "level",
        ),
        (
            r#"{"collections": [{"id": "a", "label": "x", "description": ""}, {"id": "a", "label": "y", "description": ""}]}"#,
            "twice",
        ),
        (
            r#"{"collections": [{"id": "a", "label": "x", "description": "", "activity": []}]}"#,
            "unknown field",
        ),
    ] {
        let e = collections::parse(text).unwrap_err();
        assert!(e.0.contains(why), "{text}: {e}");
    }
}

/// The model's lenient reader, then the normalisation, on one object.
fn read(v: serde_json::Value) -> (Vec<Suit>, usize) {
    let mut m = v.as_object().unwrap().clone();
    let refs = take_special_requirements(&mut m).unwrap_or_default();
    suits::read_all(&refs)
}

fn known(label: &str) -> Suit {
    Suit::Known(CONCEPTS.iter().position(|c| c.1 == label).unwrap())
}

#[test]
fn tags_are_read_in_every_form_publishers_use() {
    // Full concept object, http id (the list's own form).
    let (s, _) = read(json!({"emduk:specialRequirements": [{"type": "Concept",
        "id": "http://data.emduk.org/special-requirements#2fa48dbf-0165-433c-9b15-604afb5248b3",
        "prefLabel": "Chair based", "inScheme": "http://data.emduk.org/special-requirements/special-requirements.jsonld"}]}));
    assert_eq!(s, [known("Chair based")]);
    // https, @id/@type keys, upper case, a stale label: the id wins.
    let (s, _) = read(json!({"beta:specialRequirements": {"@type": "Concept",
        "@id": "HTTPS://data.emduk.org/special-requirements#C4BCEFF4-39A5-4E39-B16A-873ED79BC498", "prefLabel": "Doctor referral"}}));
    assert_eq!(s, [known("GP Referral")]);
    // Bare id strings, with and without a scheme, singular key.
    let (s, _) = read(json!({"emduk:specialRequirement": [
        "https://data.emduk.org/special-requirements#b079c5db-44d9-4bf5-936d-8ac0b1ea31e7",
        "f5c631fc-51d8-4252-89c4-e5a6e17bbfd9"]}));
    assert_eq!(s, [known("Stroke"), known("Parkinsons")]);
    // Bare labels in other cases and punctuation.
    let (s, _) = read(
        json!({"specialRequirements": ["Chair Based", "chair based", "GP referral", "Parkinson's", " post-natal "]}),
    );
    assert_eq!(
        s,
        [
            known("Chair based"),
            known("GP Referral"),
            known("Parkinsons"),
            known("Post Natal")
        ]
    );
}

#[test]
fn unknown_tags_keep_their_label_and_unreadable_ones_are_counted() {
    let (s, skipped) = read(json!({"emduk:specialRequirements": [
        {"id": "https://data.emduk.org/special-requirements#not-a-concept", "prefLabel": "Menopause support"},
        "Long COVID",
        {"id": "https://example.org/tags#42"},
        "https://example.org/tags#43",
        {"prefLabel": "  "},
    ]}));
    assert_eq!(
        s,
        [
            Suit::Other("Menopause support".into()),
            Suit::Other("Long COVID".into())
        ]
    );
    assert_eq!(s[0].key(), "x-menopause-support");
    assert_eq!(s[1].key(), "x-long-covid");
    assert_eq!(
        skipped, 2,
        "two ids without a label (the blank label never reaches us)"
    );
    assert_eq!(suits::key_label("x-long-covid"), "Long covid");
    // A concept id under another host is not the EMD UK list's.
    assert_eq!(
        suits::by_id(
            "https://example.org/special-requirements#2fa48dbf-0165-433c-9b15-604afb5248b3"
        ),
        None
    );
}

// ---- index, filters and counts over the real Activity List ----

fn occ(key: &str, activity_label: &str, tags: &[&str]) -> Occurrence {
    let al = list();
    let id = al.match_label(activity_label).unwrap().to_string();
    Occurrence {
        key: key.into(),
        feed: 0,
        kind: OpportunityKind::Session,
        start: DateTime::<FixedOffset>::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap(),
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
            name: key.into(),
            activities: vec![ConceptRef {
                id: Some(id),
                label: None,
            }],
            venue: Venue {
                id: Some(format!("v-{key}")),
                name: Some("Hall".into()),
                address: vec![],
                postcode: Some("E15 1AA".into()),
                geo: Some((51.54, 0.0)),
            },
            special_requirements: tags
                .iter()
                .map(|t| ConceptRef {
                    id: None,
                    label: Some(t.to_string()),
                })
                .collect(),
            gender: Gender::NoRestriction,
            age_range: AgeRange {
                min: Some(18),
                max: None,
                declared: true,
            },
            ..Details::default()
        }),
    }
}

fn with(mut o: Occurrence, f: impl FnOnce(&mut Details)) -> Occurrence {
    f(Arc::make_mut(&mut o.details));
    o
}

fn sample() -> Index {
    Index::build(
        vec![
            with(
                occ("chair", "KFA Seated/Chair", &["Chair Based", "GP referral"]),
                |d| {
                    d.levels = vec!["Beginner".into()];
                    d.free = true;
                },
            ),
            occ("aquafit", "Aqua Fit", &[]),
            occ(
                "walkfoot",
                "Walking Football",
                &["Weight management", "Menopause support"],
            ),
            with(occ("women", "Boxercise", &[]), |d| {
                d.gender = Gender::FemaleOnly;
            }),
            with(
                occ("over50", "Circuit Training", &["cardiac rehabilitation"]),
                |d| {
                    d.age_range = AgeRange {
                        min: Some(50),
                        max: None,
                        declared: true,
                    };
                    d.offers = vec![Offer {
                        name: None,
                        price: Some(3.5),
                        currency: Some("GBP".into()),
                        url: None,
                    }];
                },
            ),
            occ("spin", "Indoor Cycling", &[]),
            with(occ("lsupport", "Indoor Cycling", &[]), |d| {
                d.accessibility = vec![ConceptRef {
                    id: Some("https://openactive.io/accessibility-support#67902468-fd49-4238-8650-20a22d7f0e40".into()),
                    label: Some("Learning impairment".into()),
                }];
            }),
        ],
        &list(),
    )
}

fn keys(ix: &Index, f: &Filters) -> Vec<String> {
    ix.query(f)
        .results
        .iter()
        .map(|&i| ix.occurrences[i as usize].key.clone())
        .collect()
}

fn col(id: &str) -> Filters {
    Filters {
        collection: Some(id.into()),
        ..Filters::default()
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn collections_use_the_activity_hierarchy_tags_and_constraints() {
    let ix = sample();
    // KFA Seated/Chair is narrower than Chair Based Exercise; Aqua Fit than Water-Based Classes.
    assert_eq!(keys(&ix, &col("seated")), ["chair"]);
    assert_eq!(keys(&ix, &col("water")), ["aquafit"]);
    assert_eq!(keys(&ix, &col("walking-sports")), ["walkfoot"]);
    assert_eq!(keys(&ix, &col("women-only")), ["women"]);
    assert_eq!(keys(&ix, &col("60-plus")), ["over50"]);
    assert_eq!(sorted(keys(&ix, &col("gp-referral"))), ["chair", "over50"]);
    assert_eq!(
        sorted(keys(&ix, &col("low-impact"))),
        ["aquafit", "chair", "walkfoot"]
    );
}

#[test]
fn collection_counts_are_live_and_agree_with_the_kept_state() {
    let ix = sample();
    let ids: Vec<&str> = collections::all().iter().map(|c| c.id.as_str()).collect();
    let count = |o: &finder::Outcome, id: &str| {
        o.facets.collections[ids.iter().position(|i| *i == id).unwrap()]
    };
    let all = ix.query(&Filters::default());
    assert_eq!(count(&all, "low-impact"), 3);
    assert_eq!(count(&all, "gp-referral"), 2);
    // With "free" on, only the chair session is left in every count; the collection's own
    // filter does not narrow its counts.
    let f = Filters {
        free: true,
        collection: Some("water".into()),
        ..Filters::default()
    };
    let o = ix.query(&f);
    assert!(o.results.is_empty());
    assert_eq!(count(&o, "low-impact"), 1);
    assert_eq!(count(&o, "water"), 0);
    // Removing either filter brings back one session.
    assert_eq!(o.relax.map(|r| r.1), Some(1));
    // The incremental state gives the same answers.
    let mut st = QueryState::new(&ix);
    for f in [
        Filters::default(),
        f,
        col("gp-referral"),
        Filters {
            suits: vec!["x-menopause-support".into()],
            ..col("low-impact")
        },
    ] {
        assert_eq!(st.query(&ix, &f), ix.query(&f), "{f:?}");
    }
}

#[test]
fn the_suitable_for_filter_needs_every_chosen_tag_and_counts_each() {
    let ix = sample();
    let chair = CONCEPTS
        .iter()
        .find(|c| c.1 == "Chair based")
        .unwrap()
        .0
        .to_string();
    let gp = CONCEPTS
        .iter()
        .find(|c| c.1 == "GP Referral")
        .unwrap()
        .0
        .to_string();
    let at = |k: &str| ix.suit_keys.iter().position(|x| x == k).unwrap();
    assert_eq!(ix.suit_labels[at(&chair)], "Chair based");
    assert_eq!(
        ix.suit_labels[at("x-menopause-support")],
        "Menopause support"
    );
    let f = Filters {
        suits: vec![chair.clone()],
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["chair"]);
    let f = Filters {
        suits: vec![chair.clone(), gp.clone()],
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["chair"]);
    let f = Filters {
        suits: vec!["x-menopause-support".into()],
        ..Filters::default()
    };
    assert_eq!(keys(&ix, &f), ["walkfoot"]);
    // A tag no session has: nothing, and the tag filter is what to relax.
    let f = Filters {
        suits: vec![CONCEPTS[1].0.into()],
        ..Filters::default()
    };
    let o = ix.query(&f);
    assert!(o.results.is_empty());
    assert_eq!(o.relax.map(|r| r.0), Some(FilterKind::Suits));
    // Counts: each tag with every other filter applied (here the collection).
    let o = ix.query(&col("gp-referral"));
    assert_eq!(o.facets.suits[at(&gp)], 1);
    assert_eq!(o.facets.suits[at("x-menopause-support")], 0);
    let o = ix.query(&Filters {
        suits: vec![chair],
        ..Filters::default()
    });
    assert_eq!(o.facets.suits[at(&gp)], 1);
    assert_eq!(
        o.facets.suits[at("x-menopause-support")],
        1,
        "its own filter does not narrow it"
    );
}

#[test]
fn why_it_matched_names_the_choices_the_session_meets() {
    let ix = sample();
    let pos = |k: &str| ix.position(k).unwrap();
    let f = Filters {
        beginner: true,
        free: true,
        ..col("seated")
    };
    let p = finder::why::phrases(&ix, &f, pos("chair"));
    assert_eq!(
        finder::why::line(&p),
        "Chair based · Beginner-friendly · Free"
    );
    // By activity, through a narrower one: the session's own activity is named.
    assert_eq!(
        finder::why::phrases(&ix, &col("water"), pos("aquafit")),
        ["Aqua Fit"]
    );
    assert_eq!(
        finder::why::phrases(&ix, &col("60-plus"), pos("over50")),
        ["Ages 50+"]
    );
    assert_eq!(
        finder::why::phrases(&ix, &col("women-only"), pos("women")),
        ["Women only"]
    );
    let f = Filters {
        suits: vec!["x-menopause-support".into()],
        max_price: Some(5.0),
        gender: GenderFilter::OpenToWomen,
        ..Filters::default()
    };
    assert_eq!(
        finder::why::phrases(&ix, &f, pos("walkfoot")),
        ["Menopause support", "Open to all genders"]
    );
    assert_eq!(
        finder::why::phrases(
            &ix,
            &Filters {
                max_price: Some(5.0),
                ..Filters::default()
            },
            pos("over50")
        ),
        ["Up to £5"]
    );
    assert!(finder::why::phrases(&ix, &Filters::default(), pos("spin")).is_empty());
    assert_eq!(
        finder::why::phrases(&ix, &col("learning-disability"), pos("lsupport")),
        ["Support for learning impairment"]
    );
}

#[test]
fn suit_and_col_keys_round_trip_and_bad_values_fall_back_with_a_notice() {
    let chair = "2fa48dbf-0165-433c-9b15-604afb5248b3";
    let (f, n) = finder::url::decode(&format!("v=1&col=seated&suit={chair},x-menopause-support"));
    assert!(n.is_empty(), "{n:?}");
    assert_eq!(f.collection.as_deref(), Some("seated"));
    assert_eq!(f.suits, [chair, "x-menopause-support"]);
    assert_eq!(
        finder::url::encode(&f),
        format!("v=1&suit={chair}%2Cx-menopause-support&col=seated")
    );
    assert_eq!(finder::url::decode(&finder::url::encode(&f)).0, f);
    // A full id in the link is kept as its uuid.
    let (f, n) = finder::url::decode(
        "suit=https%3A%2F%2Fdata.emduk.org%2Fspecial-requirements%232FA48DBF-0165-433C-9B15-604AFB5248B3",
    );
    assert!(n.is_empty());
    assert_eq!(f.suits, [chair]);
    let (f, n) = finder::url::decode("v=1&col=zumba-party&suit=<b>,x-&free=1");
    assert_eq!((f.collection, f.suits.len(), f.free), (None, 0, true));
    let keys: Vec<&str> = n.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys, ["col", "suit", "suit"]);
    // Both can be preset and locked in an embed.
    let preset = finder::url::decode(&format!("col=water&suit={chair}")).0;
    let mut changed = Filters::default();
    finder::embed::apply_locks(&["col", "suit"], &preset, &mut changed);
    assert_eq!(
        (changed.collection, changed.suits),
        (preset.collection.clone(), preset.suits.clone())
    );
    let summary = finder::summary::line(&finder::summary::parts(&preset, &|_| None));
    assert_eq!(summary, "In the water · Suitable for Chair based");
}
