//! The query kept between filter changes: for each filter, the set of occurrences that pass
//! it (a bit per occurrence), evaluated again only when that filter changes. Results, live
//! counts and markers are then read from those sets a word (64 occurrences) at a time.

use super::compile::{Compiled, gender_ok};
use super::{Facets, FilterKind, Outcome};
use crate::filter::{DayPart, Filters, GenderFilter, Sort, TimeOfDay};
use crate::geo::distance_km;
use crate::index::{Index, VenueId};
use openactive::Gender;

/// How many filters there are.
const KINDS: usize = FilterKind::ALL.len();

/// A set of occurrences: bit `i % 64` of word `i / 64` for occurrence `i`.
type Bits = Vec<u64>;

/// The word and bit of occurrence `i`.
fn slot(i: usize) -> (usize, u64) {
    (i / 64, 1u64 << (i % 64))
}

/// Calls `f` with the position of each set bit of `bits`, lowest first.
fn each_bit(mut bits: u64, mut f: impl FnMut(usize)) {
    while bits != 0 {
        f(bits.trailing_zeros() as usize);
        bits &= bits - 1;
    }
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

/// Part of the day of a start minute (`DayPart::ALL` order), as the time filter reads it.
fn part_index(minute: u16) -> Option<usize> {
    DayPart::ALL.iter().position(|p| {
        let (a, b) = p.minutes();
        (a..b).contains(&minute)
    })
}

/// The occurrences by what each live count counts (a weekday, a part of the day, free, …),
/// built once per index: a count is then the size of "passes every other filter" and one of
/// these, a popcount per word.
#[derive(Debug, Clone)]
struct FacetSets {
    /// Every occurrence that is listed at all (not hidden).
    visible: Bits,
    days: [Bits; 7],
    parts: [Bits; 3],
    free: Bits,
    /// By the row's own gender, in [`GENDERS`] order (the options are sums of these).
    gender: [Bits; 4],
    wheelchair: Bits,
    beginner: Bits,
    slot: Bits,
    cancelled: Bits,
    /// Per accessibility concept of the index (its first 32: a row keeps 32 bits).
    accessibility: Vec<Bits>,
    /// Per "suitable for" tag of the index (its first 32).
    suits: Vec<Bits>,
    /// Per pathway collection (the first 16).
    collections: Vec<Bits>,
}

impl FacetSets {
    fn of(ix: &Index, words: usize) -> FacetSets {
        let empty = || vec![0u64; words];
        let mut s = FacetSets {
            visible: empty(),
            days: std::array::from_fn(|_| empty()),
            parts: std::array::from_fn(|_| empty()),
            free: empty(),
            gender: std::array::from_fn(|_| empty()),
            wheelchair: empty(),
            beginner: empty(),
            slot: empty(),
            cancelled: empty(),
            accessibility: (0..ix.accessibility_ids.len().min(32))
                .map(|_| empty())
                .collect(),
            suits: (0..ix.suit_keys.len().min(32)).map(|_| empty()).collect(),
            collections: (0..crate::collections::all().len().min(16))
                .map(|_| empty())
                .collect(),
        };
        for (i, r) in ix.rows.iter().enumerate() {
            if r.hidden {
                continue;
            }
            let (w, b) = slot(i);
            s.visible[w] |= b;
            s.days[r.weekday as usize][w] |= b;
            if let Some(p) = part_index(r.minute) {
                s.parts[p][w] |= b;
            }
            s.gender[gender_slot(r.gender)][w] |= b;
            for (on, set) in [
                (r.free, &mut s.free),
                (r.wheelchair, &mut s.wheelchair),
                (r.beginner, &mut s.beginner),
                (r.slot, &mut s.slot),
                (r.cancelled, &mut s.cancelled),
            ] {
                if on {
                    set[w] |= b;
                }
            }
            each_bit(u64::from(r.acc), |k| {
                if let Some(set) = s.accessibility.get_mut(k) {
                    set[w] |= b;
                }
            });
            each_bit(u64::from(r.suits), |k| {
                if let Some(set) = s.suits.get_mut(k) {
                    set[w] |= b;
                }
            });
            each_bit(u64::from(r.cols), |k| {
                if let Some(set) = s.collections.get_mut(k) {
                    set[w] |= b;
                }
            });
        }
        s
    }
}

/// The words at one position of the filters' sets, with what each filter's count needs:
/// the occurrences that pass every filter but that one.
struct Word {
    /// `before[k]`: passes filters `0..k`; `after[k]`: passes filters `k..`.
    before: [u64; KINDS + 1],
    after: [u64; KINDS + 1],
}

impl Word {
    fn at(pass: &[Bits], w: usize) -> Word {
        let mut before = [!0u64; KINDS + 1];
        let mut after = [!0u64; KINDS + 1];
        for k in 0..KINDS {
            before[k + 1] = before[k] & pass[k][w];
        }
        for k in (0..KINDS).rev() {
            after[k] = after[k + 1] & pass[k][w];
        }
        Word { before, after }
    }
    /// Passes every filter.
    fn all(&self) -> u64 {
        self.before[KINDS]
    }
    /// Passes every filter but `k`.
    fn but(&self, k: FilterKind) -> u64 {
        self.before[k as usize] & self.after[k as usize + 1]
    }
}

/// The query kept between filter changes: the set of occurrences passing each filter. When
/// one filter changes, only that filter is evaluated again (one pass over the occurrences);
/// the results, counts and markers are read from the sets. [`QueryState::query`] gives
/// exactly what [`Index::query`] gives for the same filters (a property test checks it over
/// random sequences of changes).
///
/// A state belongs to one index: make a new one when the index is rebuilt.
#[derive(Debug, Clone)]
pub struct QueryState {
    /// The filters the sets were computed for (none before the first query).
    last: Option<Filters>,
    /// The occurrences of the index, and the words of a set.
    rows: usize,
    words: usize,
    /// Per filter (in [`FilterKind::ALL`] order), the occurrences that pass it. Hidden
    /// occurrences pass none.
    pass: Vec<Bits>,
    sets: FacetSets,
    /// Each occurrence's venue, copied out of the rows: reading results and markers then
    /// streams 4 bytes an occurrence, not a whole row.
    venue_col: Vec<u32>,
    /// Each occurrence's search text and organiser text (indexes into `Index::texts`): the
    /// words and organiser filters are decided once per distinct text, then read here.
    text_col: Vec<u32>,
    org_col: Vec<u32>,
    /// The distinct activity lists (each occurrence's activity with every broader one), and
    /// each occurrence's: the activity filter is decided once per list, and
    /// the activity counts count occurrences per list, then add each list's count to its
    /// activities.
    act_lists: Vec<Vec<u16>>,
    act_list_of: Vec<u32>,
    /// Distance of each venue from the centre, when a place is set.
    venue_dist: Vec<Option<f64>>,
    centre: Option<(f64, f64)>,
    unknown_place: bool,
    /// The activity counts, and the filters they were counted for: they depend on every
    /// filter but the activity, so choosing an activity reuses them.
    activities: Option<(Filters, Vec<u32>)>,
}

impl QueryState {
    /// A state for `ix` with nothing computed yet.
    pub fn new(ix: &Index) -> QueryState {
        let rows = ix.rows.len();
        let words = rows.div_ceil(64);
        // Lists with the same activities are one list (a few hundred at most, however many
        // series share them).
        let mut act_lists: Vec<Vec<u16>> = Vec::new();
        let mut list_ids: std::collections::HashMap<&[u16], u32> = std::collections::HashMap::new();
        let act_list_of = ix
            .rows
            .iter()
            .map(|r| {
                let acts = ix.acts_of(r);
                *list_ids.entry(acts).or_insert_with(|| {
                    act_lists.push(acts.to_vec());
                    (act_lists.len() - 1) as u32
                })
            })
            .collect();
        QueryState {
            last: None,
            rows,
            words,
            pass: vec![vec![0u64; words]; KINDS],
            sets: FacetSets::of(ix, words),
            venue_col: ix.rows.iter().map(|r| r.venue.index() as u32).collect(),
            text_col: ix.rows.iter().map(|r| r.text).collect(),
            org_col: ix.rows.iter().map(|r| r.org_text).collect(),
            act_lists,
            act_list_of,
            venue_dist: Vec::new(),
            centre: None,
            unknown_place: false,
            activities: None,
        }
    }

    /// Applies the filters to `ix` (the index this state was made for), reusing what the
    /// previous filters computed: results, counts, venue markers and a relax suggestion.
    pub fn query(&mut self, ix: &Index, f: &Filters) -> Outcome {
        assert_eq!(
            self.rows,
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
        let place = need & FilterKind::Place.bit() != 0;
        if place {
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
        // The changed filters' sets again: from the sets built with the index where the
        // filter reads only what they hold (a tick box, days, parts of the day, …), and the
        // others in one pass over the occurrences.
        let mut scan: Vec<FilterKind> = Vec::new();
        for &k in &changed {
            match self.pass_from_sets(k, f, &c) {
                Some(set) => self.pass[k as usize] = set,
                None => scan.push(k),
            }
        }
        let changed = scan;
        if !changed.is_empty() {
            let mut sets: Vec<Bits> = changed
                .iter()
                .map(|&k| {
                    let mut s = std::mem::take(&mut self.pass[k as usize]);
                    s.fill(0);
                    s
                })
                .collect();
            for (i, r) in ix.rows.iter().enumerate() {
                if r.hidden {
                    continue;
                }
                let dist = if place {
                    self.venue_dist.get(r.venue.index()).copied().flatten()
                } else {
                    None
                };
                let (w, b) = slot(i);
                for (set, &k) in sets.iter_mut().zip(&changed) {
                    if !ix.fails(k, f, &c, r, dist) {
                        set[w] |= b;
                    }
                }
            }
            for (set, &k) in sets.into_iter().zip(&changed) {
                self.pass[k as usize] = set;
            }
        }
        let outcome = self.outcome(ix, f);
        self.last = Some(f.clone());
        outcome
    }

    /// The answer from the sets.
    fn outcome(&mut self, ix: &Index, f: &Filters) -> Outcome {
        let activities_kept = self.activities.as_ref().and_then(|(g, counts)| {
            let same = FilterKind::ALL
                .into_iter()
                .all(|k| k == FilterKind::Activity || !k.differs(g, f));
            same.then(|| counts.clone())
        });
        let count_activities = activities_kept.is_none();
        let mut facets = Facets {
            activities: activities_kept.unwrap_or_else(|| vec![0; ix.activity_ids.len()]),
            accessibility: vec![0; ix.accessibility_ids.len()],
            suits: vec![0; ix.suit_keys.len()],
            collections: vec![0; crate::collections::all().len()],
            ..Facets::default()
        };
        let mut by_gender = [0u32; 4];
        let mut venue_counts = vec![0u32; ix.venues.len()];
        let mut per_list = vec![
            0u32;
            if count_activities {
                self.act_lists.len()
            } else {
                0
            }
        ];
        // Exactly the room the results need (growing by doubling copies them up to 17 times
        // for 90,000 and can leave half the room unused).
        let passing: usize = (0..self.words)
            .map(|w| {
                self.pass
                    .iter()
                    .fold(!0u64, |a, set| a & set[w])
                    .count_ones() as usize
            })
            .sum();
        let mut results: Vec<u32> = Vec::with_capacity(passing);
        let s = &self.sets;
        let count = |x: u64| x.count_ones();
        for w in 0..self.words {
            let word = Word::at(&self.pass, w);
            each_bit(word.all(), |b| {
                let i = w * 64 + b;
                results.push(i as u32);
                venue_counts[self.venue_col[i] as usize] += 1;
            });
            let days = word.but(FilterKind::Days);
            for (n, set) in facets.days.iter_mut().zip(&s.days) {
                *n += count(days & set[w]);
            }
            let time = word.but(FilterKind::Time);
            for (n, set) in facets.parts.iter_mut().zip(&s.parts) {
                *n += count(time & set[w]);
            }
            let gender = word.but(FilterKind::Gender);
            for (n, set) in by_gender.iter_mut().zip(&s.gender) {
                *n += count(gender & set[w]);
            }
            facets.free += count(word.but(FilterKind::Price) & s.free[w]);
            facets.wheelchair += count(word.but(FilterKind::Wheelchair) & s.wheelchair[w]);
            facets.beginner += count(word.but(FilterKind::Level) & s.beginner[w]);
            facets.slots += count(word.but(FilterKind::Kind) & s.slot[w]);
            facets.cancelled += count(word.but(FilterKind::Cancelled) & s.cancelled[w]);
            for (kind, counts, sets) in [
                (
                    FilterKind::Accessibility,
                    &mut facets.accessibility,
                    &s.accessibility,
                ),
                (FilterKind::Suits, &mut facets.suits, &s.suits),
                (
                    FilterKind::Collection,
                    &mut facets.collections,
                    &s.collections,
                ),
            ] {
                let but = word.but(kind);
                if but != 0 {
                    for (n, set) in counts.iter_mut().zip(sets) {
                        *n += count(but & set[w]);
                    }
                }
            }
            if count_activities {
                each_bit(word.but(FilterKind::Activity), |b| {
                    per_list[self.act_list_of[w * 64 + b] as usize] += 1;
                });
            }
        }
        if count_activities {
            // Each occurrence counts for its activity and every broader one.
            for (&n, list) in per_list.iter().zip(&self.act_lists) {
                if n > 0 {
                    for &a in list {
                        facets.activities[a as usize] += n;
                    }
                }
            }
            self.activities = Some((f.clone(), facets.activities.clone()));
        }
        for (gi, g) in GenderFilter::ALL.iter().enumerate() {
            facets.gender[gi] = GENDERS
                .iter()
                .zip(by_gender)
                .filter(|(rg, _)| gender_ok(*g, **rg))
                .map(|(_, n)| n)
                .sum();
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
        let venues = venue_counts
            .iter()
            .enumerate()
            .filter(|(v, n)| **n > 0 && ix.venues[*v].geo.is_some())
            .map(|(v, n)| (VenueId::new(v), *n))
            .collect();
        let relax = if results.is_empty() {
            self.relax()
        } else {
            None
        };
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

    /// The visible occurrences whose value in `col` (a text, a venue) is `ok`.
    fn by_column(&self, ok: &[bool], col: &[u32]) -> Bits {
        let mut out = vec![0u64; self.words];
        for (w, word) in out.iter_mut().enumerate() {
            each_bit(self.sets.visible[w], |b| {
                if ok[col[w * 64 + b] as usize] {
                    *word |= 1 << b;
                }
            });
        }
        out
    }

    /// The occurrences passing filter `k`, from the sets built with the index, for a filter
    /// that reads only what those sets hold (word operations, not a pass over the
    /// occurrences), or from the activity lists, the distinct texts (words, organiser) and the
    /// venues (a place); a filter not set passes them all. `None` for a set filter that reads
    /// more (a time range, a maximum price, an age, dates).
    fn pass_from_sets(&self, k: FilterKind, f: &Filters, c: &Compiled) -> Option<Bits> {
        let s = &self.sets;
        let words = self.words;
        let none = || vec![0u64; words];
        // The union of some sets (the occurrences in any of them).
        let any = |sets: &[&Bits]| -> Bits {
            (0..words)
                .map(|w| sets.iter().fold(0, |a, set| a | set[w]))
                .collect()
        };
        // The intersection of the sets of each bit of `mask` (every one of them); a bit
        // without a set is a value no occurrence has.
        let every = |sets: &[Bits], mask: u32| -> Bits {
            let mut out = s.visible.clone();
            each_bit(u64::from(mask), |b| match sets.get(b) {
                Some(set) => out.iter_mut().zip(set).for_each(|(o, x)| *o &= x),
                None => out.fill(0),
            });
            out
        };
        let but = |set: &Bits| -> Bits { s.visible.iter().zip(set).map(|(v, x)| v & !x).collect() };
        Some(match k {
            // A filter not set passes every occurrence.
            FilterKind::Activity if !c.any_act => s.visible.clone(),
            FilterKind::Place if c.centre.is_none() => s.visible.clone(),
            FilterKind::Dates if f.from.is_none() && f.to.is_none() => s.visible.clone(),
            FilterKind::Age if f.age.is_none() => s.visible.clone(),
            FilterKind::Organiser if c.org.is_empty() => s.visible.clone(),
            FilterKind::Keyword if c.words.is_empty() => s.visible.clone(),
            // Decided once per venue (its distance from the centre), then read per occurrence.
            FilterKind::Place => {
                let near: Vec<bool> = self
                    .venue_dist
                    .iter()
                    .map(|d| d.is_some_and(|d| d <= c.radius))
                    .collect();
                self.by_column(&near, &self.venue_col)
            }
            // Decided once per distinct text (`Compiled`), then read per occurrence.
            FilterKind::Keyword => self.by_column(&c.text_ok, &self.text_col),
            FilterKind::Organiser => self.by_column(&c.org_ok, &self.org_col),
            // Decided once per activity list, then read per occurrence.
            FilterKind::Activity => {
                let ok: Vec<bool> = self
                    .act_lists
                    .iter()
                    .map(|list| list.iter().any(|&a| c.acts[a as usize]))
                    .collect();
                let mut out = none();
                for (w, word) in out.iter_mut().enumerate() {
                    each_bit(s.visible[w], |b| {
                        if ok[self.act_list_of[w * 64 + b] as usize] {
                            *word |= 1 << b;
                        }
                    });
                }
                out
            }
            FilterKind::Days if f.days.is_empty() => s.visible.clone(),
            FilterKind::Days => {
                let days: Vec<&Bits> = (0..7u32)
                    .filter(|d| f.days.contains(*d))
                    .map(|d| &s.days[d as usize])
                    .collect();
                any(&days)
            }
            FilterKind::Time => match &f.time {
                TimeOfDay::Any => s.visible.clone(),
                TimeOfDay::Parts(parts) => {
                    let sets: Vec<&Bits> = DayPart::ALL
                        .iter()
                        .zip(&s.parts)
                        .filter(|(p, _)| parts.contains(p))
                        .map(|(_, set)| set)
                        .collect();
                    any(&sets)
                }
                TimeOfDay::Range(..) => return None,
            },
            FilterKind::Price if f.max_price.is_none() => {
                if f.free {
                    s.free.clone()
                } else {
                    s.visible.clone()
                }
            }
            FilterKind::Gender => {
                let sets: Vec<&Bits> = GENDERS
                    .iter()
                    .zip(&s.gender)
                    .filter(|(g, _)| gender_ok(f.gender, **g))
                    .map(|(_, set)| set)
                    .collect();
                any(&sets)
            }
            FilterKind::Accessibility if c.acc_unknown => none(),
            FilterKind::Accessibility => every(&s.accessibility, c.acc_mask),
            FilterKind::Suits if c.suit_unknown => none(),
            FilterKind::Suits => every(&s.suits, c.suit_mask),
            FilterKind::Collection if c.col_unknown => none(),
            FilterKind::Collection if c.col_bit == 0 => s.visible.clone(),
            FilterKind::Collection => {
                let mut sets = Vec::new();
                each_bit(u64::from(c.col_bit), |b| sets.extend(s.collections.get(b)));
                any(&sets)
            }
            FilterKind::Wheelchair if f.wheelchair => s.wheelchair.clone(),
            FilterKind::Level if f.beginner => s.beginner.clone(),
            FilterKind::Wheelchair | FilterKind::Level => s.visible.clone(),
            FilterKind::Kind if f.slots => s.visible.clone(),
            FilterKind::Kind => but(&s.slot),
            FilterKind::Cancelled if f.cancelled => s.visible.clone(),
            FilterKind::Cancelled => but(&s.cancelled),
            _ => return None,
        })
    }

    /// When nothing matches: the filter that alone keeps the most occurrences out, and how
    /// many it keeps out (those that fail it and pass every other).
    fn relax(&self) -> Option<(FilterKind, u32)> {
        let mut only = [0u32; KINDS];
        for w in 0..self.words {
            let word = Word::at(&self.pass, w);
            for k in FilterKind::RELAXABLE {
                only[k as usize] += (word.but(k) & !self.pass[k as usize][w]).count_ones();
            }
        }
        FilterKind::RELAXABLE
            .iter()
            .map(|k| (*k, only[*k as usize]))
            .filter(|(_, n)| *n > 0)
            .max_by_key(|(_, n)| *n)
    }
}
