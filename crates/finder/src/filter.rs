//! The filter state a link worker or service user sets: one plain struct, shared by the URL
//! codec, the index query and the UI. Defaults mean "no filter".

use serde::{Deserialize, Serialize};

/// Days of the week as a bit set (bit 0 = Monday … bit 6 = Sunday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct DaySet(pub u8);

/// Short names used in the URL and the UI, Monday first.
pub const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Full names for labels.
pub const DAY_NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

impl DaySet {
    /// Monday to Friday.
    pub const WEEKDAYS: DaySet = DaySet(0b001_1111);
    /// True when no day is selected (no filter).
    pub fn is_empty(self) -> bool {
        self.0 & 0x7f == 0
    }
    /// Whether day `d` (0 = Monday) is in the set.
    pub fn contains(self, d: u32) -> bool {
        d < 7 && self.0 & (1 << d) != 0
    }
    /// The set with day `d` toggled.
    pub fn toggled(self, d: u32) -> DaySet {
        DaySet((self.0 ^ (1 << d)) & 0x7f)
    }
}

/// Parts of the day, by the session's local start time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DayPart {
    /// Starts before 12:00.
    Morning,
    /// Starts 12:00–16:59.
    Afternoon,
    /// Starts 17:00 or later.
    Evening,
}

impl DayPart {
    /// All parts, in order.
    pub const ALL: [DayPart; 3] = [DayPart::Morning, DayPart::Afternoon, DayPart::Evening];
    /// The distinct parts of `parts`, in day order.
    pub fn in_order(parts: &[DayPart]) -> Vec<DayPart> {
        Self::ALL
            .into_iter()
            .filter(|p| parts.contains(p))
            .collect()
    }
    /// URL key.
    pub fn key(self) -> &'static str {
        match self {
            DayPart::Morning => "am",
            DayPart::Afternoon => "pm",
            DayPart::Evening => "eve",
        }
    }
    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            DayPart::Morning => "Morning (before 12pm)",
            DayPart::Afternoon => "Afternoon (12pm to 5pm)",
            DayPart::Evening => "Evening (after 5pm)",
        }
    }
    /// Start-minute range [from, to) within the day.
    pub fn minutes(self) -> (u16, u16) {
        match self {
            DayPart::Morning => (0, 12 * 60),
            DayPart::Afternoon => (12 * 60, 17 * 60),
            DayPart::Evening => (17 * 60, 24 * 60),
        }
    }
    /// Parses a URL key.
    pub fn from_key(s: &str) -> Option<DayPart> {
        DayPart::ALL.into_iter().find(|p| p.key() == s)
    }
}

/// Time-of-day filter: some parts of the day, or an explicit start-time range.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum TimeOfDay {
    /// No filter.
    #[default]
    Any,
    /// Sessions starting in any of these parts of the day.
    Parts(Vec<DayPart>),
    /// Sessions starting between these minutes of the day (inclusive from, exclusive to).
    Range(u16, u16),
}

/// Who the session must be open to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum GenderFilter {
    /// No filter.
    #[default]
    Any,
    /// Open to women (no restriction or women-only).
    OpenToWomen,
    /// Women-only sessions.
    WomenOnly,
    /// Open to men (no restriction or men-only).
    OpenToMen,
    /// Men-only sessions.
    MenOnly,
}

impl GenderFilter {
    /// Every value, for pickers.
    pub const ALL: [GenderFilter; 5] = [
        GenderFilter::Any,
        GenderFilter::OpenToWomen,
        GenderFilter::WomenOnly,
        GenderFilter::OpenToMen,
        GenderFilter::MenOnly,
    ];
    /// URL key ("" for Any).
    pub fn key(self) -> &'static str {
        match self {
            GenderFilter::Any => "",
            GenderFilter::OpenToWomen => "f",
            GenderFilter::WomenOnly => "fo",
            GenderFilter::OpenToMen => "m",
            GenderFilter::MenOnly => "mo",
        }
    }
    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            GenderFilter::Any => "Anyone",
            GenderFilter::OpenToWomen => "Open to women",
            GenderFilter::WomenOnly => "Women-only sessions",
            GenderFilter::OpenToMen => "Open to men",
            GenderFilter::MenOnly => "Men-only sessions",
        }
    }
    /// Parses a URL key.
    pub fn from_key(s: &str) -> Option<GenderFilter> {
        GenderFilter::ALL.into_iter().find(|g| g.key() == s)
    }
}

/// Where to search from: an outward postcode (resolved in the browser from a gazetteer of the
/// venues' own postcodes) or a point (from "use my location" or the map), rounded to ~100 m.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum Place {
    /// No location filter.
    #[default]
    Anywhere,
    /// An outward code such as "E15".
    Outward(String),
    /// A point (latitude, longitude), 3 decimal places.
    Point(f64, f64),
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Sort {
    /// Soonest first.
    #[default]
    Soonest,
    /// Nearest first (needs a location; falls back to soonest without one).
    Nearest,
}

/// Which main view is shown on small screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum View {
    /// The results list.
    #[default]
    List,
    /// The map.
    Map,
}

/// A map view: centre and zoom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MapView {
    /// Latitude of the centre.
    pub lat: f64,
    /// Longitude of the centre.
    pub lon: f64,
    /// Leaflet zoom level (0–19).
    pub zoom: u8,
}

/// Every user-visible choice. `Default` is "show everything upcoming".
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Filters {
    /// Activity List concept ids (full `https://openactive.io/activity-list#uuid`); narrower
    /// activities are included.
    pub activities: Vec<String>,
    /// Where to search from.
    pub place: Place,
    /// Radius in km around `place` (default [`DEFAULT_RADIUS_KM`]).
    pub radius_km: Option<f64>,
    /// Days of week.
    pub days: DaySet,
    /// Time of day.
    pub time: TimeOfDay,
    /// First local date (days since 1970-01-01).
    pub from: Option<i32>,
    /// Last local date, inclusive (days since 1970-01-01).
    pub to: Option<i32>,
    /// Only free sessions.
    pub free: bool,
    /// Maximum price in pounds.
    pub max_price: Option<f64>,
    /// The person's age.
    pub age: Option<u32>,
    /// Gender.
    pub gender: GenderFilter,
    /// Accessibility support concept ids (all must be supported).
    pub accessibility: Vec<String>,
    /// Only sessions flagged wheelchair accessible.
    pub wheelchair: bool,
    /// Only beginner-friendly sessions.
    pub beginner: bool,
    /// "Suitable for" keys ([`crate::suits::Suit::key`]: the EMD UK concept id after `#`, or
    /// `x-label` for a tag outside the list); all must be met.
    #[serde(default)]
    pub suits: Vec<String>,
    /// A pathway collection's id ([`crate::collections`]).
    #[serde(default)]
    pub collection: Option<String>,
    /// Organiser or venue name (case-insensitive substring).
    pub organiser: String,
    /// Keyword (case-insensitive, all words must match).
    pub keyword: String,
    /// Include facility slots (courts, pitches) as well as sessions.
    pub slots: bool,
    /// Show cancelled (or postponed) sessions too, marked as cancelled, until their date
    /// passes. Off by default: cancelled sessions are hidden.
    pub cancelled: bool,
    /// Result order.
    pub sort: Sort,
    /// List or map on small screens.
    pub view: View,
    /// The selected session's key.
    pub selected: Option<String>,
    /// The map view, when the person moved the map.
    pub map: Option<MapView>,
    /// A shortlist received in a link (`sl=`): shown first, with what became of each session.
    #[serde(default)]
    pub shared: Vec<crate::shortlist::LinkEntry>,
}

/// Radius used when a place is set without one.
pub const DEFAULT_RADIUS_KM: f64 = 5.0;

impl Filters {
    /// How many filter groups are set (for the "Filters (3)" button on phones).
    pub fn active_count(&self) -> usize {
        [
            !self.activities.is_empty(),
            self.place != Place::Anywhere,
            !self.days.is_empty(),
            self.time != TimeOfDay::Any,
            self.from.is_some() || self.to.is_some(),
            self.free || self.max_price.is_some(),
            self.age.is_some(),
            self.gender != GenderFilter::Any,
            !self.accessibility.is_empty() || self.wheelchair,
            self.beginner,
            !self.suits.is_empty(),
            self.collection.is_some(),
            !self.organiser.trim().is_empty(),
            !self.keyword.trim().is_empty(),
            self.slots,
            self.cancelled,
        ]
        .into_iter()
        .filter(|b| *b)
        .count()
    }

    /// The effective radius.
    pub fn radius(&self) -> f64 {
        self.radius_km.unwrap_or(DEFAULT_RADIUS_KM)
    }
}
