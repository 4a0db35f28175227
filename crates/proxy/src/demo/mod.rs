//! Deterministic demo publisher data: three fictional London operators publishing split
//! SessionSeries + ScheduledSession RPDE feeds in OpenActive 2.0 shape, with real Activity List
//! and Accessibility Support ids. From the default size up, two of them also publish split
//! FacilityUse + Slot feeds (courts, pitches, pool lanes to hire) with Facility Types ids. Same
//! seed, `today` and base URL give identical bytes.

mod facilities;
mod london;
mod series;
pub mod server;
mod standard;
mod suits;
mod tables;
mod venues;
mod vocab;

use chrono::NaiveDate;

use crate::error::ProxyError;

pub use london::generate_london;
pub use standard::generate;
pub use tables::{BOROUGH_COUNT, LONDON_PUBLISHERS, borough_names};
pub use vocab::{
    ACCESSIBILITY_SUPPORT, ACTIVITY_LIST, FACILITY_TYPES, activity_index, demo_activities,
};

/// The fixed seed of the demo.
pub const DEMO_SEED: u64 = 20_261_123;
/// Default number of series (across all publishers).
pub const DEFAULT_SERIES: usize = 300;
/// The "small" size.
pub const SMALL_SERIES: usize = 30;

/// One demo publisher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoPublisher {
    /// Path segment, e.g. `riverside`.
    pub slug: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Organisation website stand-in (fictional, `.example`).
    pub website: &'static str,
}

/// The three fictional publishers.
pub const PUBLISHERS: [DemoPublisher; 3] = [
    DemoPublisher {
        slug: "riverside",
        name: "Demo: Riverside Leisure",
        website: "https://riverside-leisure.example/",
    },
    DemoPublisher {
        slug: "parkside",
        name: "Demo: Parkside Community Sport",
        website: "https://parkside-sport.example/",
    },
    DemoPublisher {
        slug: "northgate",
        name: "Demo: Northgate Active Trust",
        website: "https://northgate-active.example/",
    },
];

/// `--demo-size london`: a marker outside the numeric sizes (see [`generate_sized`]).
pub const LONDON_SIZE: usize = usize::MAX;
/// London size: series across all publishers (before quirks).
pub const LONDON_SERIES: usize = 5_000;
/// London size: venues.
pub const LONDON_VENUES: usize = 2_000;
/// London size: the upcoming occurrences aimed at over the 28 days.
pub const LONDON_OCCURRENCES: usize = 100_000;

/// One RPDE item as the demo publishes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoItem {
    /// RPDE id as JSON text (`"riverside-ss-00001"` or `100001`).
    pub id_json: String,
    /// Ordering key: timestamp (series) or change number (sessions).
    pub modified: i64,
    /// Kind.
    pub kind: &'static str,
    /// The item's `data` serialised exactly as published; `None` for deletions.
    pub data: Option<String>,
    /// For series: the id string used in `afterId`.
    pub id_text: String,
}

impl DemoItem {
    /// The item rendered as an RPDE item object.
    pub fn render(&self) -> String {
        match &self.data {
            Some(d) => format!(
                "{{\"state\":\"updated\",\"kind\":\"{}\",\"id\":{},\"modified\":{},\"data\":{}}}",
                self.kind, self.id_json, self.modified, d
            ),
            None => format!(
                "{{\"state\":\"deleted\",\"kind\":\"{}\",\"id\":{},\"modified\":{}}}",
                self.kind, self.id_json, self.modified
            ),
        }
    }
}

/// The feeds of one publisher, items in RPDE order.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoFeeds {
    /// The publisher.
    pub publisher: DemoPublisher,
    /// SessionSeries items ordered by (modified, id).
    pub series: Vec<DemoItem>,
    /// ScheduledSession items ordered by change number.
    pub sessions: Vec<DemoItem>,
    /// FacilityUse items ordered by (modified, id); empty when the publisher has no facilities.
    pub facility_uses: Vec<DemoItem>,
    /// Slot items (of those FacilityUses) ordered by change number.
    pub slots: Vec<DemoItem>,
}

impl DemoFeeds {
    fn new(publisher: DemoPublisher) -> Self {
        DemoFeeds {
            publisher,
            series: Vec::new(),
            sessions: Vec::new(),
            facility_uses: Vec::new(),
            slots: Vec::new(),
        }
    }
    /// Whether the publisher has FacilityUse and Slot feeds.
    pub fn has_facilities(&self) -> bool {
        !self.facility_uses.is_empty()
    }
}

/// All demo data.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    /// Base URL (no trailing slash) that `@id`s and dataset pages live under.
    pub base_url: String,
    /// One entry per publisher.
    pub publishers: Vec<DemoFeeds>,
}
/// `generate` for a numeric size, [`generate_london`] for [`LONDON_SIZE`].
pub fn generate_sized(seed: u64, today: NaiveDate, size: usize, base_url: &str) -> DemoData {
    if size == LONDON_SIZE {
        generate_london(seed, today, base_url)
    } else {
        generate(seed, today, size, base_url)
    }
}

/// Parses `small`, `default`, `london` or a number of series.
pub fn parse_size(s: &str) -> Result<usize, ProxyError> {
    match s {
        "small" => Ok(SMALL_SERIES),
        "default" => Ok(DEFAULT_SERIES),
        "london" => Ok(LONDON_SIZE),
        n => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=20_000).contains(n))
            .ok_or_else(|| {
                ProxyError::Config(format!(
                    "--demo-size: {s:?} is not small, default, london or 1..20000"
                ))
            }),
    }
}
