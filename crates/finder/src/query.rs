//! Running the filters over the index: results in order, live counts for every option
//! (each facet counted with all the *other* filters applied), markers per venue, and, when
//! nothing matches, the one filter whose removal brings back the most sessions.

use crate::filter::{DayPart, Filters, GenderFilter, Place, Sort, TimeOfDay};
use crate::geo::distance_km;
use crate::index::{Index, Row};
use openactive::Gender;

/// The filters that can remove an occurrence, as bits of a mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterKind {
    /// Activity.
    Activity = 0,
    /// Location and radius.
    Place,
    /// Days of week.
    Days,
    /// Time of day.
    Time,
    /// Date range.
    Dates,
    /// Free / maximum price.
    Price,
    /// Age of the person.
    Age,
    /// Gender.
    Gender,
    /// Accessibility support.
    Accessibility,
    /// Wheelchair access.
    Wheelchair,
    /// Beginner-friendly.
    Level,
    /// Organiser or venue.
    Organiser,
    /// Keyword.
    Keyword,
    /// Facility slots excluded unless asked for.
    Kind,
    /// Cancelled sessions excluded unless asked for (`cx=1`).
    Cancelled,
}

impl FilterKind {
    /// Every filter, in bit order.
    pub const ALL: [FilterKind; 15] = [
        FilterKind::Activity,
        FilterKind::Place,
        FilterKind::Days,
        FilterKind::Time,
        FilterKind::Dates,
        FilterKind::Price,
        FilterKind::Age,
        FilterKind::Gender,
        FilterKind::Accessibility,
        FilterKind::Wheelchair,
        FilterKind::Level,
        FilterKind::Organiser,
        FilterKind::Keyword,
        FilterKind::Kind,
        FilterKind::Cancelled,
    ];
    /// Filters a person can relax in one tap (not `Kind`).
    pub const RELAXABLE: [FilterKind; 13] = [
        FilterKind::Activity,
        FilterKind::Place,
        FilterKind::Days,
        FilterKind::Time,
        FilterKind::Dates,
        FilterKind::Price,
        FilterKind::Age,
        FilterKind::Gender,
        FilterKind::Accessibility,
        FilterKind::Wheelchair,
        FilterKind::Level,
        FilterKind::Organiser,
        FilterKind::Keyword,
    ];
    fn bit(self) -> u16 {
        1 << (self as u16)
    }
    /// Plain words for "remove the … filter".
    pub fn label(self) -> &'static str {
        match self {
            FilterKind::Activity => "activity",
            FilterKind::Place => "distance",
            FilterKind::Days => "days",
            FilterKind::Time => "time of day",
            FilterKind::Dates => "dates",
            FilterKind::Price => "price",
            FilterKind::Age => "age",
            FilterKind::Gender => "gender",
            FilterKind::Accessibility => "accessibility",
            FilterKind::Wheelchair => "wheelchair access",
            FilterKind::Level => "beginner-friendly",
            FilterKind::Organiser => "organiser or venue",
            FilterKind::Keyword => "keyword",
            FilterKind::Kind => "session type",
            FilterKind::Cancelled => "cancelled sessions",
        }
    }
    /// The filters with this one cleared.
    pub fn relax(self, f: &Filters) -> Filters {
        let mut f = f.clone();
        match self {
            FilterKind::Activity => f.activities.clear(),
            FilterKind::Place => {
                f.place = Place::Anywhere;
                f.radius_km = None;
            }
            FilterKind::Days => f.days = Default::default(),
            FilterKind::Time => f.time = TimeOfDay::Any,
            FilterKind::Dates => {
                f.from = None;
                f.to = None;
            }
            FilterKind::Price => {
                f.free = false;
                f.max_price = None;
            }
            FilterKind::Age => f.age = None,
            FilterKind::Gender => f.gender = GenderFilter::Any,
            FilterKind::Accessibility => f.accessibility.clear(),
            FilterKind::Wheelchair => f.wheelchair = false,
            FilterKind::Level => f.beginner = false,
            FilterKind::Organiser => f.organiser.clear(),
            FilterKind::Keyword => f.keyword.clear(),
            FilterKind::Kind => f.slots = true,
            FilterKind::Cancelled => f.cancelled = true,
        }
        f
    }
}

/// Live counts for each option, each with all the other filters applied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    /// Per interned activity (including sessions of narrower activities).
    pub activities: Vec<u32>,
    /// Per day of week, Monday first.
    pub days: [u32; 7],
    /// Per part of day (morning, afternoon, evening).
    pub parts: [u32; 3],
    /// Free sessions.
    pub free: u32,
    /// Per gender option, in [`GenderFilter::ALL`] order.
    pub gender: [u32; 5],
    /// Per accessibility concept of the index.
    pub accessibility: Vec<u32>,
    /// Wheelchair accessible.
    pub wheelchair: u32,
    /// Beginner-friendly.
    pub beginner: u32,
    /// Facility slots (courts, pitches, pools), counted with every other filter applied but
    /// not the slots opt-in: what ticking "include facility bookings" adds (or, when it is
    /// ticked, how many of the results are slots).
    pub slots: u32,
    /// Cancelled sessions, counted like `slots`: what "show cancelled sessions" adds (or, when
    /// it is ticked, how many of the results are cancelled).
    pub cancelled: u32,
}

/// The answer to a filter change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Positions of matching occurrences, in the chosen order.
    pub results: Vec<u32>,
    /// Distance in km per result (parallel to `results`) when a place is set.
    pub distances: Vec<Option<f32>>,
    /// Matching occurrences per venue: (venue, count), venues with a position only.
    pub venues: Vec<(u32, u32)>,
    /// Live counts.
    pub facets: Facets,
    /// When there are no results: the filter whose removal shows the most, and how many.
    pub relax: Option<(FilterKind, u32)>,
    /// The search centre, when a place was resolved.
    pub centre: Option<(f64, f64)>,
    /// The place could not be resolved (unknown outward code): the place filter was skipped.
    pub unknown_place: bool,
}

/// Compiled filter: lower-cased words, activity id set, bit masks.
struct Compiled {
    acts: Vec<bool>,
    any_act: bool,
    centre: Option<(f64, f64)>,
    radius: f64,
    acc_mask: u32,
    acc_unknown: bool,
    org: String,
    words: Vec<String>,
    /// Per distinct text of the index: does it contain the organiser / every keyword?
    org_ok: Vec<bool>,
    text_ok: Vec<bool>,
}

fn gender_ok(g: GenderFilter, row: Gender) -> bool {
    match g {
        GenderFilter::Any => true,
        GenderFilter::OpenToWomen => row != Gender::MaleOnly,
        GenderFilter::WomenOnly => row == Gender::FemaleOnly,
        GenderFilter::OpenToMen => row != Gender::FemaleOnly,
        GenderFilter::MenOnly => row == Gender::MaleOnly,
    }
}

fn time_ok(t: &TimeOfDay, minute: u16) -> bool {
    match t {
        TimeOfDay::Any => true,
        TimeOfDay::Parts(parts) => parts.iter().any(|p| {
            let (a, b) = p.minutes();
            (a..b).contains(&minute)
        }),
        TimeOfDay::Range(a, b) => (*a..*b).contains(&minute),
    }
}

fn part_of(minute: u16) -> usize {
    DayPart::ALL
        .iter()
        .position(|p| (p.minutes().0..p.minutes().1).contains(&minute))
        .unwrap_or(0)
}

impl Index {
    fn compile(&self, f: &Filters) -> (Compiled, bool) {
        self.compile_for(f, u16::MAX)
    }

    /// Compiles what the filters in `need` (bits) read; the text filters scan every distinct
    /// text, so they are compiled only when asked for.
    fn compile_for(&self, f: &Filters, need: u16) -> (Compiled, bool) {
        let needs = |k: FilterKind| need & k.bit() != 0;
        let mut acts = vec![
            false;
            if needs(FilterKind::Activity) {
                self.activity_ids.len()
            } else {
                0
            }
        ];
        for id in f.activities.iter().filter(|_| needs(FilterKind::Activity)) {
            if let Some(i) = self.activity_index(id) {
                acts[i as usize] = true;
            }
        }
        let (centre, unknown) = match &f.place {
            Place::Anywhere => (None, false),
            Place::Point(a, b) => (Some((*a, *b)), false),
            Place::Outward(o) => match self.gazetteer.lookup(o) {
                Some(c) => (Some(c), false),
                None => (None, true),
            },
        };
        let mut acc_mask = 0u32;
        let mut acc_unknown = false;
        for id in &f.accessibility {
            match self.accessibility_ids.iter().position(|a| a == id) {
                Some(i) if i < 32 => acc_mask |= 1 << i,
                _ => acc_unknown = true,
            }
        }
        let org = f.organiser.trim().to_lowercase();
        let words: Vec<String> = f
            .keyword
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        // Text filters are evaluated once per distinct text, not once per occurrence.
        let org_ok = if org.is_empty() || !needs(FilterKind::Organiser) {
            Vec::new()
        } else {
            self.texts.iter().map(|t| t.contains(&org)).collect()
        };
        let text_ok = if words.is_empty() || !needs(FilterKind::Keyword) {
            Vec::new()
        } else {
            self.texts
                .iter()
                .map(|t| words.iter().all(|w| t.contains(w.as_str())))
                .collect()
        };
        let c = Compiled {
            org_ok,
            text_ok,
            any_act: !f.activities.is_empty(),
            acts,
            centre,
            radius: f.radius(),
            acc_mask,
            acc_unknown,
            org,
            words,
        };
        (c, unknown)
    }

    /// Whether row `r` fails filter `k` (`dist`: its venue's distance from the centre).
    fn fails(&self, k: FilterKind, f: &Filters, c: &Compiled, r: &Row, dist: Option<f64>) -> bool {
        match k {
            FilterKind::Activity => {
                c.any_act && !self.acts_of(r).iter().any(|&a| c.acts[a as usize])
            }
            FilterKind::Place => c.centre.is_some() && dist.is_none_or(|d| d > c.radius),
            FilterKind::Days => !f.days.is_empty() && !f.days.contains(r.weekday as u32),
            FilterKind::Time => !time_ok(&f.time, r.minute),
            FilterKind::Dates => {
                f.from.is_some_and(|d| r.day < d) || f.to.is_some_and(|d| r.day > d)
            }
            FilterKind::Price => {
                (f.free && !r.free)
                    || f.max_price
                        .is_some_and(|mx| r.min_price.is_none_or(|p| p as f64 > mx + 1e-9))
            }
            FilterKind::Age => f.age.is_some_and(|a| {
                a < r.age_min as u32 || (r.age_max != 255 && a > r.age_max as u32)
            }),
            FilterKind::Gender => !gender_ok(f.gender, r.gender),
            FilterKind::Accessibility => c.acc_unknown || r.acc & c.acc_mask != c.acc_mask,
            FilterKind::Wheelchair => f.wheelchair && !r.wheelchair,
            FilterKind::Level => f.beginner && !r.beginner,
            FilterKind::Organiser => !c.org.is_empty() && !c.org_ok[r.org_text as usize],
            FilterKind::Keyword => !c.words.is_empty() && !c.text_ok[r.text as usize],
            FilterKind::Kind => r.slot && !f.slots,
            FilterKind::Cancelled => r.cancelled && !f.cancelled,
        }
    }

    fn mask(&self, f: &Filters, c: &Compiled, r: &Row, dist: Option<f64>) -> u16 {
        let mut m = 0u16;
        for k in FilterKind::ALL {
            if self.fails(k, f, c, r, dist) {
                m |= k.bit();
            }
        }
        m
    }

    /// Applies the filters: results, counts, venue markers and a relax suggestion.
    pub fn query(&self, f: &Filters) -> Outcome {
        let (c, unknown_place) = self.compile(f);
        let mut out = Outcome {
            centre: c.centre,
            unknown_place,
            facets: Facets {
                activities: vec![0; self.activity_ids.len()],
                accessibility: vec![0; self.accessibility_ids.len()],
                ..Facets::default()
            },
            ..Outcome::default()
        };
        let mut relax_counts = [0u32; 16];
        let mut venue_counts: Vec<u32> = vec![0; self.venues.len()];
        let mut hits: Vec<(u32, Option<f32>)> = Vec::new();
        // Occurrences at one venue share its position: one distance per venue.
        let venue_dist: Vec<Option<f64>> = match c.centre {
            Some(cn) => self
                .venues
                .iter()
                .map(|v| v.geo.map(|g| distance_km(cn, g)))
                .collect(),
            None => Vec::new(),
        };
        for (i, r) in self.rows.iter().enumerate() {
            if r.hidden {
                continue;
            }
            let dist = venue_dist.get(r.venue as usize).copied().flatten();
            let m = self.mask(f, &c, r, dist);
            if m == 0 {
                hits.push((i as u32, dist.map(|d| d as f32)));
                venue_counts[r.venue as usize] += 1;
            } else if m.count_ones() == 1 {
                relax_counts[m.trailing_zeros() as usize] += 1;
            }
            let without = |k: FilterKind| m & !k.bit() == 0;
            let fx = &mut out.facets;
            if without(FilterKind::Activity) {
                for &a in self.acts_of(r) {
                    fx.activities[a as usize] += 1;
                }
            }
            if without(FilterKind::Days) {
                fx.days[r.weekday as usize] += 1;
            }
            if without(FilterKind::Time) {
                fx.parts[part_of(r.minute)] += 1;
            }
            if without(FilterKind::Price) && r.free {
                fx.free += 1;
            }
            if without(FilterKind::Gender) {
                for (gi, g) in GenderFilter::ALL.iter().enumerate() {
                    if gender_ok(*g, r.gender) {
                        fx.gender[gi] += 1;
                    }
                }
            }
            if without(FilterKind::Accessibility) {
                for (b, n) in fx.accessibility.iter_mut().enumerate() {
                    if b < 32 && r.acc & (1 << b) != 0 {
                        *n += 1;
                    }
                }
            }
            if without(FilterKind::Wheelchair) && r.wheelchair {
                fx.wheelchair += 1;
            }
            if without(FilterKind::Level) && r.beginner {
                fx.beginner += 1;
            }
            if without(FilterKind::Kind) && r.slot {
                fx.slots += 1;
            }
            if without(FilterKind::Cancelled) && r.cancelled {
                fx.cancelled += 1;
            }
        }
        let nearest = f.sort == Sort::Nearest && c.centre.is_some();
        if nearest {
            hits.sort_by(|a, b| {
                let (da, db) = (a.1.unwrap_or(f32::MAX), b.1.unwrap_or(f32::MAX));
                da.total_cmp(&db).then(
                    self.rows[a.0 as usize]
                        .start_ts
                        .cmp(&self.rows[b.0 as usize].start_ts),
                )
            });
        }
        // Otherwise rows are already in start order (see `Index::build`).
        out.results = hits.iter().map(|h| h.0).collect();
        out.distances = hits.iter().map(|h| h.1).collect();
        out.venues = venue_counts
            .iter()
            .enumerate()
            .filter(|(v, n)| **n > 0 && self.venues[*v].geo.is_some())
            .map(|(v, n)| (v as u32, *n))
            .collect();
        if out.results.is_empty() {
            out.relax = FilterKind::RELAXABLE
                .iter()
                .map(|k| (*k, relax_counts[*k as usize]))
                .filter(|(_, n)| *n > 0)
                .max_by_key(|(_, n)| *n);
        }
        out
    }
}

impl FilterKind {
    /// Whether the part of the filters this one reads differs between `a` and `b`.
    fn differs(self, a: &Filters, b: &Filters) -> bool {
        match self {
            FilterKind::Activity => a.activities != b.activities,
            FilterKind::Place => a.place != b.place || a.radius() != b.radius(),
            FilterKind::Days => a.days != b.days,
            FilterKind::Time => a.time != b.time,
            FilterKind::Dates => a.from != b.from || a.to != b.to,
            FilterKind::Price => a.free != b.free || a.max_price != b.max_price,
            FilterKind::Age => a.age != b.age,
            FilterKind::Gender => a.gender != b.gender,
            FilterKind::Accessibility => a.accessibility != b.accessibility,
            FilterKind::Wheelchair => a.wheelchair != b.wheelchair,
            FilterKind::Level => a.beginner != b.beginner,
            FilterKind::Organiser => a.organiser != b.organiser,
            FilterKind::Keyword => a.keyword != b.keyword,
            FilterKind::Kind => a.slots != b.slots,
            FilterKind::Cancelled => a.cancelled != b.cancelled,
        }
    }
}

/// The mask of a row that is never listed or counted (hidden), and of every row before the
/// first query: more than one bit set, so it contributes to nothing.
const UNCOUNTED: u16 = u16::MAX;

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
    masks: Vec<u16>,
    /// Distance of each venue from the centre, when a place is set.
    venue_dist: Vec<Option<f64>>,
    centre: Option<(f64, f64)>,
    unknown_place: bool,
    facets: Facets,
    venue_counts: Vec<u32>,
    relax_counts: [u32; 16],
    /// Rows counted for the gender facet, by their own gender (the options are sums of these).
    by_gender: [u32; 4],
    /// The rows whose mask the last change changed, with their old mask (kept to reuse the
    /// allocation).
    touched: Vec<(u32, u16)>,
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
                ..Facets::default()
            },
            venue_counts: vec![0; ix.venues.len()],
            relax_counts: [0; 16],
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
        let need: u16 = changed.iter().fold(0, |m, k| m | k.bit());
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
                let dist = self.venue_dist.get(r.venue as usize).copied().flatten();
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
            activities.iter_mut().for_each(|n| *n = 0);
            accessibility.iter_mut().for_each(|n| *n = 0);
            self.facets = Facets {
                activities,
                accessibility,
                ..Facets::default()
            };
            self.venue_counts.iter_mut().for_each(|n| *n = 0);
            self.relax_counts = [0; 16];
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
    fn contribute(&mut self, r: &Row, acts: &[u16], m: u16, add: bool) {
        if m.count_ones() > 1 {
            return;
        }
        if m == 0 {
            bump(&mut self.venue_counts[r.venue as usize], add);
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
                .get(ix.rows[i as usize].venue as usize)
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
        let distances = results.iter().map(|&i| dist_of(i)).collect();
        let venues = self
            .venue_counts
            .iter()
            .enumerate()
            .filter(|(v, n)| **n > 0 && ix.venues[*v].geo.is_some())
            .map(|(v, n)| (v as u32, *n))
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
