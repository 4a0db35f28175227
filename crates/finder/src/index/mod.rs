//! The in-browser index of upcoming occurrences: everything a filter needs, precomputed once
//! per occurrence (local day and time in Europe/London, cheapest price, effective age range,
//! activity ids with all their broader activities, venue, search text), so that a filter
//! change is one tight pass over plain rows.

use crate::geo::Gazetteer;
use chrono::{Datelike, Timelike};
use foldhash::HashMap;
use openactive::{Dataset, Gender, Occurrence, OpportunityKind};

/// Which venue of an index ([`Index::venues`]): a number that crosses from the index to the
/// query's outcome, the list, the map and back (a chosen marker), so it has a type of its own
/// rather than a bare `u32` that could be mistaken for a position or a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VenueId(u32);

impl VenueId {
    /// The venue at `i` of [`Index::venues`].
    pub fn new(i: usize) -> VenueId {
        VenueId(u32::try_from(i).expect("fewer than 2^32 venues"))
    }

    /// Its place in [`Index::venues`] (and in per-venue tables of the same length).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for VenueId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Index<VenueId> for Vec<VenueInfo> {
    type Output = VenueInfo;
    fn index(&self, v: VenueId) -> &VenueInfo {
        &self[v.index()]
    }
}

/// A venue on the map: occurrences at the same place share one.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueInfo {
    /// Place name (or the first address line).
    pub name: String,
    /// Position, when known.
    pub geo: Option<(f64, f64)>,
    /// Postcode, when known.
    pub postcode: Option<String>,
}

/// The precomputed filter fields of one occurrence.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub day: i32,
    pub weekday: u8,
    pub minute: u16,
    pub start_ts: i64,
    pub min_price: Option<f32>,
    pub free: bool,
    pub age_min: u8,
    pub age_max: u8,
    pub gender: Gender,
    /// Interned activity ids, the occurrence's own and every broader one: this range of
    /// `Index::act_pool` (shared by the occurrences of one series, and kept in one block of
    /// memory so a query does not chase a pointer per row).
    pub acts: (u32, u16),
    /// Bit i set when the occurrence supports accessibility concept i of the index.
    pub acc: u32,
    pub wheelchair: bool,
    pub beginner: bool,
    pub venue: VenueId,
    /// Lower-cased organiser and venue names (index into `Index::texts`).
    pub org_text: u32,
    /// Lower-cased name, description, activity labels, venue and organiser (index into
    /// `Index::texts`). Occurrences of one series share one text.
    pub text: u32,
    pub slot: bool,
    /// Bit i set when the occurrence carries "suitable for" tag i of the index
    /// (`Index::suit_keys`).
    pub suits: u32,
    /// Bit i set when the occurrence belongs to pathway collection i
    /// ([`crate::collections::all`]).
    pub cols: u16,
    /// Never listed: a repeat inside a booking grid, or on demand.
    pub hidden: bool,
    /// Cancelled or postponed: listed (marked) only when asked for (`cx=1`).
    pub cancelled: bool,
}

/// Labels and the hierarchy of the activities that occur in the data.
pub trait ActivityVocabulary {
    /// The current label of a concept.
    fn label_of(&self, id: &str) -> Option<String>;
    /// The id of the concept with this label, alt label or notation (legacy data).
    fn id_for_label(&self, label: &str) -> Option<String>;
    /// Every broader concept, transitively (the hierarchy is a DAG; duplicates allowed).
    fn ancestors_of(&self, id: &str) -> Vec<String>;
}

/// The searchable index.
#[derive(Debug, Default)]
pub struct Index {
    /// The occurrences, for display.
    pub occurrences: Vec<Occurrence>,
    pub(crate) rows: Vec<Row>,
    /// Venues, referenced by position.
    pub venues: Vec<VenueInfo>,
    /// Interned activity ids (full concept URIs).
    pub activity_ids: Vec<String>,
    /// Display label per interned activity.
    pub activity_labels: Vec<String>,
    /// Broader activities per interned activity (interned ids).
    pub activity_parents: Vec<Vec<u16>>,
    /// Accessibility concept ids, in bit order.
    pub accessibility_ids: Vec<String>,
    /// "Suitable for" tags that occur, in bit order: URL keys ([`crate::suits::Suit::key`]).
    pub suit_keys: Vec<String>,
    /// Their labels (the EMD UK list's, or the publisher's own for a tag outside it).
    pub suit_labels: Vec<String>,
    /// Tags that could not be read (an unknown id without a label), per distinct details.
    pub suits_unread: usize,
    /// Outward codes of the venues.
    pub gazetteer: Gazetteer,
    /// Distinct search texts (lower-cased), shared by the rows that have them.
    pub(crate) texts: Vec<String>,
    /// The rows' activity ids, one range per distinct details (see `Row::acts`).
    pub(crate) act_pool: Vec<u16>,
    /// Where each feed's data came from, by feed index (attribution).
    pub datasets: Vec<Dataset>,
    /// Positions sorted by key, made on the first [`Index::position`] (a session page or a link
    /// with `s=`), not on every build while pages stream in.
    by_key: std::sync::OnceLock<Vec<u32>>,
}

mod derive;
use derive::{DeriveCx, Derived};

/// Whether levels say "suits a beginner" (beginner, all levels, any level, novice): the one
/// rule for the Beginner-friendly filter and the card's tag.
pub fn is_beginner(levels: &[String]) -> bool {
    levels.iter().any(|l| {
        let l = l.to_ascii_lowercase();
        l.contains("beginner")
            || l.contains("all level")
            || l.contains("any level")
            || l.contains("novice")
    })
}

impl Index {
    /// Builds the index from joined occurrences (already free of past and absurd ones).
    pub fn build(mut occurrences: Vec<Occurrence>, vocab: &dyn ActivityVocabulary) -> Index {
        // Rows in start order (then key, so the order never depends on the order the data
        // arrived in): a query then lists soonest-first without sorting.
        occurrences.sort_by(|a, b| {
            (a.start.timestamp().cmp(&b.start.timestamp())).then_with(|| a.key.cmp(&b.key))
        });
        let mut ix = Index::default();
        let mut act_map: HashMap<String, u16> = HashMap::default();
        let mut acc_map: HashMap<String, u16> = HashMap::default();
        let mut venue_map: HashMap<String, VenueId> = HashMap::default();
        let mut ancestors_cache: HashMap<String, Vec<String>> = HashMap::default();
        let mut text_ids: HashMap<String, u32> = HashMap::default();
        let mut feed_labels: HashMap<String, String> = HashMap::default();
        ix.rows.reserve(occurrences.len());
        // Occurrences of one series share their details (one `Arc`), so everything derived
        // from the details is computed once per distinct details.
        let mut derived_of: HashMap<usize, Derived> = HashMap::default();
        for o in &occurrences {
            let local = crate::london::local(&o.start);
            let naive_day = local.date_naive();
            let day = crate::url::day_number(naive_day);
            let d = derived_of
                .entry(std::sync::Arc::as_ptr(&o.details) as usize)
                .or_insert_with(|| {
                    let mut cx = DeriveCx {
                        ix: &mut ix,
                        act_map: &mut act_map,
                        acc_map: &mut acc_map,
                        venue_map: &mut venue_map,
                        ancestors_cache: &mut ancestors_cache,
                        text_ids: &mut text_ids,
                        feed_labels: &mut feed_labels,
                        vocab,
                    };
                    cx.derive(&o.details)
                });
            ix.rows.push(Row {
                day,
                weekday: local.weekday().num_days_from_monday() as u8,
                minute: (local.hour() * 60 + local.minute()) as u16,
                start_ts: o.start.timestamp(),
                min_price: d.min_price,
                free: d.free,
                age_min: d.age_min,
                age_max: d.age_max,
                gender: d.gender,
                acts: d.acts,
                acc: d.acc,
                wheelchair: d.wheelchair,
                beginner: d.beginner,
                venue: d.venue,
                org_text: d.org_text,
                text: d.text,
                slot: o.kind == OpportunityKind::FacilitySlot,
                suits: d.suits,
                cols: d.cols,
                hidden: o.booking_grid || o.kind == OpportunityKind::OnDemand,
                cancelled: o.cancelled,
            });
        }
        ix.activity_labels = ix
            .activity_ids
            .iter()
            .map(|id| {
                // An id the Activity List does not know: the feed's own label, never a raw id.
                vocab
                    .label_of(id)
                    .or_else(|| feed_labels.get(id).cloned())
                    .unwrap_or_else(|| "Activity not in the list".to_string())
            })
            .collect();
        ix.activity_parents = ix
            .activity_ids
            .iter()
            .map(|id| {
                let own = ancestors_cache
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| vocab.ancestors_of(id));
                let mut v: Vec<u16> = own.iter().filter_map(|a| act_map.get(a).copied()).collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        ix.occurrences = occurrences;
        ix
    }

    /// Records where each feed's data came from (indexed by `Occurrence::feed`).
    pub fn with_datasets(mut self, datasets: Vec<Dataset>) -> Index {
        self.datasets = datasets;
        self
    }

    /// The dataset an occurrence came from, for "Source: publisher".
    pub fn dataset_of(&self, pos: usize) -> Dataset {
        self.datasets
            .get(self.occurrences[pos].feed)
            .cloned()
            .unwrap_or_else(|| Dataset {
                publisher: "Unknown publisher".into(),
                url: None,
                license: None,
            })
    }

    /// Number of occurrences (including hidden ones).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the index is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Number of sessions (events, courses; not facility slots) a person could be shown: not
    /// cancelled, not grid repeats.
    pub fn visible_len(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| !r.hidden && !r.cancelled && !r.slot)
            .count()
    }

    /// Looks an occurrence up by key.
    pub fn position(&self, key: &str) -> Option<usize> {
        let sorted = self.by_key.get_or_init(|| {
            let mut v: Vec<u32> = (0..self.occurrences.len() as u32).collect();
            v.sort_unstable_by(|&a, &b| {
                self.occurrences[a as usize]
                    .key
                    .cmp(&self.occurrences[b as usize].key)
            });
            v
        });
        sorted
            .binary_search_by(|&i| self.occurrences[i as usize].key.as_str().cmp(key))
            .ok()
            .map(|i| sorted[i] as usize)
    }

    /// Interned id of an activity.
    pub fn activity_index(&self, id: &str) -> Option<u16> {
        self.activity_ids
            .iter()
            .position(|a| a == id)
            .map(|i| i as u16)
    }

    /// Other occurrences of the same series (for "all dates"), soonest first.
    pub fn series_dates(&self, pos: usize) -> Vec<usize> {
        let Some(series) = &self.occurrences[pos].series_key else {
            return vec![pos];
        };
        let mut v: Vec<usize> = (0..self.occurrences.len())
            .filter(|&i| {
                self.occurrences[i].series_key.as_ref() == Some(series)
                    && !self.occurrences[i].cancelled
            })
            .collect();
        crate::sort_positions(&mut v, &mut |a, b| {
            self.rows[a].start_ts.cmp(&self.rows[b].start_ts)
        });
        v
    }

    /// The interned activity ids of a row (its own and every broader one).
    pub(crate) fn acts_of(&self, r: &Row) -> &[u16] {
        let (start, len) = r.acts;
        &self.act_pool[start as usize..start as usize + len as usize]
    }

    /// The venue of an occurrence.
    pub fn venue_of(&self, pos: usize) -> VenueId {
        self.rows[pos].venue
    }
}
