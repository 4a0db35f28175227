//! URL contract properties: any filter state survives encode → decode unchanged, and any
//! query string decodes without panicking.

use finder::Filters;
use finder::filter::{DayPart, DaySet, GenderFilter, MapView, Place, Sort, TimeOfDay, View};
use finder::url::{ACCESSIBILITY_PREFIX, ACTIVITY_PREFIX, decode, encode};
use proptest::prelude::*;

fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
}

prop_compose! {
    fn filters()(
        acts in prop::collection::btree_set(uuid(), 0..3),
        place in prop_oneof![
            Just(Place::Anywhere),
            "[A-Z]{1,2}[0-9]{1,2}".prop_map(Place::Outward),
            (49.0f64..61.0, -8.0f64..2.0).prop_map(|(a, b)| Place::Point((a * 1000.0).round() / 1000.0, (b * 1000.0).round() / 1000.0)),
        ],
        radius in prop::option::of((1u32..1000).prop_map(|r| r as f64 / 10.0)),
        days in 0u8..128,
        time in prop_oneof![
            Just(TimeOfDay::Any),
            prop::sample::subsequence(DayPart::ALL.to_vec(), 1..=3).prop_map(TimeOfDay::Parts),
            (0u16..1439).prop_flat_map(|a| (Just(a), (a + 1)..=1440)).prop_map(|(a, b)| TimeOfDay::Range(a, b)),
        ],
        from in prop::option::of(11000i32..47000),
        to in prop::option::of(11000i32..47000),
        free in any::<bool>(),
        max in prop::option::of((0u32..100000).prop_map(|p| p as f64 / 100.0)),
        age in prop::option::of(0u32..=120),
        gender in prop::sample::select(GenderFilter::ALL.to_vec()),
        acc in prop::collection::btree_set(uuid(), 0..3),
        flags in any::<(bool, bool, bool, bool, bool, bool)>(),
        org in "[a-zA-Z0-9 &'£#+%]{0,20}",
        keyword in "\\PC{0,20}",
        selected in prop::option::of("\\PC{1,40}"),
        map in prop::option::of((49.0f64..61.0, -8.0f64..2.0, 0u8..=19)),
        suits in prop::collection::btree_set(prop_oneof![
            prop::sample::select(finder::suits::CONCEPTS.iter().map(|c| c.0.to_string()).collect::<Vec<_>>()),
            "x-[a-z0-9]{1,8}(-[a-z0-9]{1,8})?",
        ], 0..3),
        col in prop::option::of(prop::sample::select(finder::collections::all().iter().map(|c| c.id.clone()).collect::<Vec<_>>())),
    ) -> Filters {
        Filters {
            activities: acts.into_iter().map(|a| format!("{ACTIVITY_PREFIX}{a}")).collect(),
            place,
            radius_km: radius,
            days: DaySet(days),
            time,
            from,
            to,
            free,
            max_price: max,
            age,
            gender,
            accessibility: acc.into_iter().map(|a| format!("{ACCESSIBILITY_PREFIX}{a}")).collect(),
            wheelchair: flags.0,
            beginner: flags.1,
            slots: flags.2,
            cancelled: flags.5,
            sort: if flags.3 { Sort::Nearest } else { Sort::Soonest },
            view: if flags.4 { View::Map } else { View::List },
            organiser: org.trim().to_string(),
            keyword: keyword.trim().to_string(),
            selected: selected.filter(|s| !s.trim().is_empty()).map(|s| s.trim().to_string()),
            map: map.map(|(lat, lon, zoom)| MapView { lat: (lat * 1e4).round() / 1e4, lon: (lon * 1e4).round() / 1e4, zoom }),
            shared: Vec::new(),
            suits: suits.into_iter().collect(),
            collection: col,
        }
    }
}

proptest! {
    #[test]
    fn any_filter_state_round_trips(f in filters()) {
        let q = encode(&f);
        let (back, notices) = decode(&q);
        prop_assert!(notices.is_empty(), "{q}: {notices:?}");
        prop_assert_eq!(back, f);
    }

    #[test]
    fn arbitrary_query_strings_never_panic(q in "\\PC{0,200}") {
        let _ = decode(&q);
    }

    #[test]
    fn arbitrary_values_for_known_keys_never_panic(
        k in prop::sample::select(vec!["v","act","near","at","r","days","tod","from","to","free","max","age","g","acc","wc","lvl","org","q","slots","cx","suit","col","sort","view","s","map"]),
        v in "\\PC{0,40}",
    ) {
        let (f, _) = decode(&format!("{k}={}", v.replace('&', "%26")));
        // Whatever was read, it encodes to something that reads back the same.
        prop_assert_eq!(decode(&encode(&f)).0, f);
    }
}
