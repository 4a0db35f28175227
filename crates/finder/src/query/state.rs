//! The query kept between filter changes (only the changed filters evaluated again).

use super::compile::gender_ok;
use super::{Facets, FilterKind, Outcome};
use crate::filter::{Filters, GenderFilter, Sort};
use crate::geo::distance_km;
use crate::index::VenueId;
use crate::index::{Index, Row};
use openactive::Gender;

/// The mask of a row that is never listed or counted (hidden), and of every row before the
/// first query: more than one bit set, so it contributes to nothing.
const UNCOUNTED: u32 = u32::MAX;

fn bump(n: &mut u32, add: bool) {
    *n = if add {
        n.wrapping_add(1)
    } else {
        n.wrapping_sub(1)
    };
}

/// How [`QueryState::query_with`] brings its counts up to date.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recount {
    /// Adjust the counts by the rows whose mask changed, unless more than half of them did
    /// (then count again from the masks).
    Auto,
    /// Always adjust by the changed rows.
    Delta,
    /// Always count again from the masks.
    Full,
}

/// The query kept between filter changes: each occurrence's fail mask (one bit per filter),
/// the counts and the distances. When one filter changes, only that filter is evaluated again
/// (the other filters' bits are reused), and the counts are adjusted by the occurrences whose
/// mask changed. [`QueryState::query`] gives exactly what [`Index::query`] gives for the same
/// filters (a property test checks it over random sequences of changes).
///
/// A state belongs to one index: make a new one when the index is rebuilt.
#[derive(Debug, Clone)]
pub struct QueryState {
    /// The filters the masks were computed for (none before the first query).
    last: Option<Filters>,
    masks: Vec<u32>,
    /// Distance of each venue from the centre, when a place is set.
    venue_dist: Vec<Option<f64>>,
    centre: Option<(f64, f64)>,
    unknown_place: bool,
    facets: Facets,
    venue_counts: Vec<u32>,
    relax_counts: [u32; 32],
    /// Rows counted for the gender facet, by their own gender (the options are sums of these).
    by_gender: [u32; 4],
    /// The rows whose mask the last change changed, with their old mask (kept to reuse the
    /// allocation).
    touched: Vec<(u32, u32)>,
}

/// The four genders a row can have, in `by_gender` order.
const GENDERS: [Gender; 4] = [
    Gender::NoRestriction,
    Gender::MaleOnly,
    Gender::FemaleOnly,
    Gender::Unspecified,
];

fn gender_slot(g: Gender) -> usize {
    match g {
        Gender::NoRestriction => 0,
        Gender::MaleOnly => 1,
        Gender::FemaleOnly => 2,
        Gender::Unspecified => 3,
    }
}

/// Part of the day of a start minute (`DayPart::ALL` order), without a search.
fn part_index(minute: u16) -> usize {
    match minute {
        m if m < 12 * 60 => 0,
        m if m < 17 * 60 => 1,
        _ => 2,
    }
}

impl QueryState {
    /// A state for `ix` with nothing computed yet.
    pub fn new(ix: &Index) -> QueryState {
        QueryState {
            last: None,
            masks: vec![UNCOUNTED; ix.rows.len()],
            venue_dist: Vec::new(),
            centre: None,
            unknown_place: false,
            facets: Facets {
                activities: vec![0; ix.activity_ids.len()],
                accessibility: vec![0; ix.accessibility_ids.len()],
                suits: vec![0; ix.suit_keys.len()],
                collections: vec![0; crate::collections::all().len()],
                ..Facets::default()
            },
            venue_counts: vec![0; ix.venues.len()],
            relax_counts: [0; 32],
            by_gender: [0; 4],
            touched: Vec::new(),
        }
    }

    /// Applies the filters to `ix` (the index this state was made for), reusing what the
    /// previous filters computed: results, counts, venue markers and a relax suggestion.
    pub fn query(&mut self, ix: &Index, f: &Filters) -> Outcome {
        self.query_with(ix, f, Recount::Auto)
    }

    /// [`QueryState::query`] with a chosen way of recounting (for tests and benchmarks).
    #[doc(hidden)]
    pub fn query_with(&mut self, ix: &Index, f: &Filters, recount: Recount) -> Outcome {
        assert_eq!(
            self.masks.len(),
            ix.rows.len(),
            "a QueryState belongs to one index"
        );
        let changed: Vec<FilterKind> = match &self.last {
            None => FilterKind::ALL.to_vec(),
            Some(last) => FilterKind::ALL
                .into_iter()
                .filter(|k| k.differs(last, f))
                .collect(),
        };
        let need: u32 = changed.iter().fold(0, |m, k| m | k.bit());
        let (c, unknown_place) = ix.compile_for(f, need);
        if need & FilterKind::Place.bit() != 0 {
            self.centre = c.centre;
            self.unknown_place = unknown_place;
            self.venue_dist = match c.centre {
                Some(cn) => ix
                    .venues
                    .iter()
                    .map(|v| v.geo.map(|g| distance_km(cn, g)))
                    .collect(),
                None => Vec::new(),
            };
        }
        // New masks: the changed filters' bits evaluated again, the others kept.
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        if need != 0 {
            for (i, r) in ix.rows.iter().enumerate() {
                if r.hidden {
                    continue;
                }
                let dist = self.venue_dist.get(r.venue.index()).copied().flatten();
                let mut m = if self.masks[i] == UNCOUNTED {
                    0
                } else {
                    self.masks[i] & !need
                };
                for &k in &changed {
                    if ix.fails(k, f, &c, r, dist) {
                        m |= k.bit();
                    }
                }
                if m != self.masks[i] {
                    touched.push((i as u32, self.masks[i]));
                    self.masks[i] = m;
                }
            }
        }
        let visible = ix.rows.len();
        let delta = match recount {
            Recount::Delta => true,
            Recount::Full => false,
            Recount::Auto => touched.len() * 2 <= visible,
        };
        if delta {
            for &(i, old) in &touched {
                let r = &ix.rows[i as usize];
                let acts = ix.acts_of(r);
                self.contribute(r, acts, old, false);
                self.contribute(r, acts, self.masks[i as usize], true);
            }
        } else {
            let mut activities = std::mem::take(&mut self.facets.activities);
            let mut accessibility = std::mem::take(&mut self.facets.accessibility);
            let mut suits = std::mem::take(&mut self.facets.suits);
            let mut collections = std::mem::take(&mut self.facets.collections);
            activities.fill(0);
            accessibility.fill(0);
            suits.fill(0);
            collections.fill(0);
            self.facets = Facets {
                activities,
                accessibility,
                suits,
                collections,
                ..Facets::default()
            };
            self.venue_counts.fill(0);
            self.relax_counts = [0; 32];
            self.by_gender = [0; 4];
            for (i, r) in ix.rows.iter().enumerate() {
                let m = self.masks[i];
                if m.count_ones() <= 1 {
                    self.contribute(r, ix.acts_of(r), m, true);
                }
            }
        }
        self.touched = touched;
        self.last = Some(f.clone());
        self.outcome(ix, f)
    }

    /// Adds (or removes) what a row with mask `m` counts for.
    fn contribute(&mut self, r: &Row, acts: &[u16], m: u32, add: bool) {
        if m.count_ones() > 1 {
            return;
        }
        if m == 0 {
            bump(&mut self.venue_counts[r.venue.index()], add);
        } else {
            bump(&mut self.relax_counts[m.trailing_zeros() as usize], add);
        }
        let without = |k: FilterKind| m & !k.bit() == 0;
        let fx = &mut self.facets;
        if without(FilterKind::Activity) {
            for &a in acts {
                bump(&mut fx.activities[a as usize], add);
            }
        }
        if without(FilterKind::Days) {
            bump(&mut fx.days[r.weekday as usize], add);
        }
        if without(FilterKind::Time) {
            bump(&mut fx.parts[part_index(r.minute)], add);
        }
        if without(FilterKind::Price) && r.free {
            bump(&mut fx.free, add);
        }
        if without(FilterKind::Gender) {
            bump(&mut self.by_gender[gender_slot(r.gender)], add);
        }
        if without(FilterKind::Accessibility) {
            // Only the concepts the row supports (usually none).
            let mut bits = r.acc;
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(n) = fx.accessibility.get_mut(b) {
                    bump(n, add);
                }
            }
        }
        if without(FilterKind::Wheelchair) && r.wheelchair {
            bump(&mut fx.wheelchair, add);
        }
        if without(FilterKind::Level) && r.beginner {
            bump(&mut fx.beginner, add);
        }
        if without(FilterKind::Kind) && r.slot {
            bump(&mut fx.slots, add);
        }
        if without(FilterKind::Cancelled) && r.cancelled {
            bump(&mut fx.cancelled, add);
        }
        if without(FilterKind::Suits) {
            let mut bits = r.suits;
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(n) = fx.suits.get_mut(b) {
                    bump(n, add);
                }
            }
        }
        if without(FilterKind::Collection) {
            let mut bits = r.cols;
            while bits != 0 {
                let b = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(n) = fx.collections.get_mut(b) {
                    bump(n, add);
                }
            }
        }
    }

    /// The answer from the current masks and counts.
    fn outcome(&self, ix: &Index, f: &Filters) -> Outcome {
        let hits_n: u32 = self.venue_counts.iter().sum();
        let mut results: Vec<u32> = Vec::with_capacity(hits_n as usize);
        for (i, &m) in self.masks.iter().enumerate() {
            if m == 0 {
                results.push(i as u32);
            }
        }
        let dist_of = |i: u32| {
            self.venue_dist
                .get(ix.rows[i as usize].venue.index())
                .copied()
                .flatten()
                .map(|d| d as f32)
        };
        if f.sort == Sort::Nearest && self.centre.is_some() {
            results.sort_by(|&a, &b| {
                let (da, db) = (
                    dist_of(a).unwrap_or(f32::MAX),
                    dist_of(b).unwrap_or(f32::MAX),
                );
                da.total_cmp(&db).then(
                    ix.rows[a as usize]
                        .start_ts
                        .cmp(&ix.rows[b as usize].start_ts),
                )
            });
        }
        let distances = if self.centre.is_some() {
            results.iter().map(|&i| dist_of(i)).collect()
        } else {
            Vec::new()
        };
        let venues = self
            .venue_counts
            .iter()
            .enumerate()
            .filter(|(v, n)| **n > 0 && ix.venues[*v].geo.is_some())
            .map(|(v, n)| (VenueId::new(v), *n))
            .collect();
        let relax = if results.is_empty() {
            FilterKind::RELAXABLE
                .iter()
                .map(|k| (*k, self.relax_counts[*k as usize]))
                .filter(|(_, n)| *n > 0)
                .max_by_key(|(_, n)| *n)
        } else {
            None
        };
        let mut facets = self.facets.clone();
        for (gi, g) in GenderFilter::ALL.iter().enumerate() {
            facets.gender[gi] = GENDERS
                .iter()
                .zip(self.by_gender)
                .filter(|(rg, _)| gender_ok(*g, **rg))
                .map(|(_, n)| n)
                .sum();
        }
        Outcome {
            results,
            distances,
            venues,
            facets,
            relax,
            centre: self.centre,
            unknown_place: self.unknown_place,
        }
    }
}
