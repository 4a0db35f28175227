//! The index keeps occurrences in start order; among equal starts, in an order fixed by their
//! keys alone (never by the order the packs came in); occurrences with the same start and key
//! in the order they arrived. (Held by any faster sort that replaces today's.)

use chrono::{DateTime, FixedOffset, TimeZone};
use finder::Index;
use finder::vocab::NoVocabulary;
use openactive::{Details, Occurrence, OpportunityKind};
use proptest::prelude::*;
use std::sync::Arc;

/// An occurrence whose `feed` records where it arrived, so that ties can be told apart.
fn occ(key: u8, start_minute: u8, offset_hours: i8, arrival: usize) -> Occurrence {
    let tz = FixedOffset::east_opt(i32::from(offset_hours) * 3600).unwrap();
    let start: DateTime<FixedOffset> = tz
        .with_ymd_and_hms(2026, 3, 29, 9, 0, 0)
        .unwrap()
        .checked_add_signed(chrono::Duration::minutes(i64::from(start_minute)))
        .unwrap();
    Occurrence {
        key: format!("k{key}"),
        feed: arrival,
        kind: OpportunityKind::Session,
        start,
        end: None,
        cancelled: false,
        remaining_capacity: None,
        maximum_capacity: None,
        url: None,
        from_schedule: false,
        provisional: false,
        booking_grid: false,
        updated: None,
        details: Arc::new(Details::default()),
    }
}

proptest! {
    #[test]
    fn build_orders_like_a_stable_sort(items in prop::collection::vec((0u8..6, 0u8..8, 0i8..2), 0..200)) {
        let input: Vec<Occurrence> = items
            .iter()
            .enumerate()
            .map(|(i, &(k, m, off))| occ(k, m, off, i))
            .collect();
        let mut reversed = input.clone();
        reversed.reverse();
        let ix = Index::build(input.clone(), &NoVocabulary);
        let got: Vec<(String, i64, usize)> = ix
            .occurrences
            .iter()
            .map(|o| (o.key.clone(), o.start.timestamp(), o.feed))
            .collect();
        // Start order.
        prop_assert!(got.windows(2).all(|w| w[0].1 <= w[1].1));
        // Same start and key: arrival order.
        prop_assert!(got.windows(2).all(|w| (w[0].0 != w[1].0 || w[0].1 != w[1].1) || w[0].2 < w[1].2));
        // A permutation of the input.
        let mut a: Vec<usize> = got.iter().map(|g| g.2).collect();
        a.sort_unstable();
        prop_assert_eq!(a, (0..input.len()).collect::<Vec<_>>());
        // The order among different keys does not depend on arrival order.
        let keys_of = |ix: &Index| -> Vec<(String, i64)> {
            ix.occurrences.iter().map(|o| (o.key.clone(), o.start.timestamp())).collect()
        };
        let other = Index::build(reversed, &NoVocabulary);
        prop_assert_eq!(keys_of(&ix), keys_of(&other));
    }
}
