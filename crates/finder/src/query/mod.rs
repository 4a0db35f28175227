//! Running the filters over the index: results in order, live counts for every option
//! (each facet counted with all the *other* filters applied), markers per venue, and, when
//! nothing matches, the one filter whose removal brings back the most sessions.

use crate::filter::{Filters, GenderFilter, Place, TimeOfDay};
use crate::index::VenueId;

mod compile;
mod full;
mod state;

pub use compile::containing_all;
pub(crate) use compile::gender_ok;
pub use state::QueryState;

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
    /// "Suitable for" (EMD UK special requirements).
    Suits,
    /// A pathway collection.
    Collection,
}

impl FilterKind {
    /// Every filter, in bit order.
    pub const ALL: [FilterKind; 17] = [
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
        FilterKind::Suits,
        FilterKind::Collection,
    ];
    /// Filters a person can relax in one tap (not `Kind`).
    pub const RELAXABLE: [FilterKind; 15] = [
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
        FilterKind::Suits,
        FilterKind::Collection,
    ];
    fn bit(self) -> u32 {
        1 << (self as u32)
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
            FilterKind::Suits => "suitable for",
            FilterKind::Collection => "pathway",
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
            FilterKind::Suits => f.suits.clear(),
            FilterKind::Collection => f.collection = None,
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
    /// Per "suitable for" tag of the index (`Index::suit_keys`).
    pub suits: Vec<u32>,
    /// Per pathway collection ([`crate::collections::all`]).
    pub collections: Vec<u32>,
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
    /// Distance in km per result (parallel to `results`) when a place is set; empty when none
    /// is (not a `None` per result: at 100,000 results that vector cost 0.8 MB written on every
    /// filter change). Read it with [`Outcome::distance`].
    pub distances: Vec<Option<f32>>,
    /// Matching occurrences per venue: (venue, count), venues with a position only.
    pub venues: Vec<(VenueId, u32)>,
    /// Live counts.
    pub facets: Facets,
    /// When there are no results: the filter whose removal shows the most, and how many.
    pub relax: Option<(FilterKind, u32)>,
    /// The search centre, when a place was resolved.
    pub centre: Option<(f64, f64)>,
    /// The place could not be resolved (unknown outward code): the place filter was skipped.
    pub unknown_place: bool,
}

impl Outcome {
    /// The distance in km of the `i`th result from the search centre, when a place is set.
    pub fn distance(&self, i: usize) -> Option<f32> {
        self.distances.get(i).copied().flatten()
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
            FilterKind::Suits => a.suits != b.suits,
            FilterKind::Collection => a.collection != b.collection,
        }
    }
}
