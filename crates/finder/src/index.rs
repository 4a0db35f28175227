//! The in-browser index of upcoming occurrences: everything a filter needs, precomputed once
//! per occurrence (local day and time in Europe/London, cheapest price, effective age range,
//! activity ids with all their broader activities, venue, search text), so that a filter
//! change is one tight pass over plain rows.

use crate::geo::Gazetteer;
use chrono::{Datelike, Timelike};
use foldhash::HashMap;
use openactive::{Dataset, Details, Gender, Occurrence, OpportunityKind};

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
    pub venue: u32,
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

fn intern(ids: &mut Vec<String>, map: &mut HashMap<String, u16>, id: &str) -> Option<u16> {
    if let Some(&i) = map.get(id) {
        return Some(i);
    }
    let i = u16::try_from(ids.len()).ok()?;
    ids.push(id.to_string());
    map.insert(id.to_string(), i);
    Some(i)
}

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

/// What a row takes from an occurrence's (shared) details.
struct Derived {
    min_price: Option<f32>,
    free: bool,
    age_min: u8,
    age_max: u8,
    gender: Gender,
    acts: (u32, u16),
    acc: u32,
    wheelchair: bool,
    beginner: bool,
    venue: u32,
    org_text: u32,
    text: u32,
    suits: u32,
    cols: u16,
}

/// The interning tables `Index::build` fills while deriving rows.
struct DeriveCx<'a> {
    ix: &'a mut Index,
    act_map: &'a mut HashMap<String, u16>,
    acc_map: &'a mut HashMap<String, u16>,
    venue_map: &'a mut HashMap<String, u32>,
    ancestors_cache: &'a mut HashMap<String, Vec<String>>,
    text_ids: &'a mut HashMap<String, u32>,
    /// The feeds' own label of each activity id (for ids the vocabulary does not know).
    feed_labels: &'a mut HashMap<String, String>,
    vocab: &'a dyn ActivityVocabulary,
}

impl DeriveCx<'_> {
    fn intern_text(&mut self, t: String) -> u32 {
        let texts = &mut self.ix.texts;
        *self.text_ids.entry(t).or_insert_with_key(|t| {
            texts.push(t.clone());
            (texts.len() - 1) as u32
        })
    }

    fn derive(&mut self, d: &Details) -> Derived {
        let min_price = d
            .offers
            .iter()
            .filter_map(|of| of.price)
            .filter(|p| p.is_finite() && *p >= 0.0)
            .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.min(p))))
            .map(|p| p as f32)
            .or(if d.free { Some(0.0) } else { None });
        // Modelling spec §5.6.6.1: no ageRange means adults only.
        let (age_min, age_max) = if d.age_range.declared {
            (
                d.age_range.min.unwrap_or(0).min(255) as u8,
                d.age_range.max.map_or(255, |m| m.min(254) as u8),
            )
        } else {
            (18, 255)
        };
        let mut acts: Vec<u16> = Vec::new();
        let mut labels = Vec::new();
        for a in &d.activities {
            let id =
                a.id.clone()
                    .or_else(|| a.label.as_deref().and_then(|l| self.vocab.id_for_label(l)));
            let Some(id) = id else {
                if let Some(l) = &a.label {
                    labels.push(l.clone());
                }
                continue;
            };
            let chain = self
                .ancestors_cache
                .entry(id.clone())
                .or_insert_with(|| self.vocab.ancestors_of(&id))
                .clone();
            if let Some(i) = intern(&mut self.ix.activity_ids, self.act_map, &id) {
                acts.push(i);
            }
            if let Some(l) = a.label.as_deref().filter(|l| !l.trim().is_empty()) {
                self.feed_labels
                    .entry(id.clone())
                    .or_insert_with(|| l.trim().to_string());
            }
            for anc in chain {
                if let Some(i) = intern(&mut self.ix.activity_ids, self.act_map, &anc) {
                    acts.push(i);
                }
            }
            labels.push(
                self.vocab
                    .label_of(&id)
                    .or_else(|| a.label.clone())
                    .unwrap_or_default(),
            );
        }
        acts.sort_unstable();
        acts.dedup();
        let start = self.ix.act_pool.len() as u32;
        self.ix.act_pool.extend_from_slice(&acts);
        let acts = (start, acts.len() as u16);
        let mut acc = 0u32;
        for c in &d.accessibility {
            if let Some(i) =
                c.id.as_ref()
                    .and_then(|id| intern(&mut self.ix.accessibility_ids, self.acc_map, id))
                && i < 32
            {
                acc |= 1 << i;
            }
        }
        let venue_key = d.venue.id.clone().unwrap_or_else(|| {
            format!(
                "{}|{}|{:?}",
                d.venue.name.as_deref().unwrap_or(""),
                d.venue.postcode.as_deref().unwrap_or(""),
                d.venue
                    .geo
                    .map(|(a, b)| ((a * 1e4) as i64, (b * 1e4) as i64))
            )
        });
        let venue = *self.venue_map.entry(venue_key).or_insert_with(|| {
            self.ix.venues.push(VenueInfo {
                name: d
                    .venue
                    .name
                    .clone()
                    .or_else(|| d.venue.address.first().cloned())
                    .unwrap_or_else(|| "Venue not named".into()),
                geo: d.venue.geo,
                postcode: d.venue.postcode.clone(),
            });
            if let (Some(pc), Some(g)) = (&d.venue.postcode, d.venue.geo) {
                self.ix.gazetteer.add(pc, g);
            }
            (self.ix.venues.len() - 1) as u32
        });
        let org_name = d
            .organizer
            .as_ref()
            .and_then(|g| g.name.as_deref())
            .unwrap_or("");
        let venue_name = &self.ix.venues[venue as usize].name;
        let org_text = format!("{org_name}\n{venue_name}").to_lowercase();
        let text = format!(
            "{}\n{}\n{}\n{}\n{}",
            d.name,
            d.description.as_deref().unwrap_or(""),
            labels.join("\n"),
            d.venue.address.join("\n"),
            org_text
        )
        .to_lowercase();
        let (org_text, text) = (self.intern_text(org_text), self.intern_text(text));
        let (suit_list, unread) = crate::suits::read_all(&d.special_requirements);
        self.ix.suits_unread += unread;
        let mut suits = 0u32;
        for s in &suit_list {
            let key = s.key();
            let i = match self.ix.suit_keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    self.ix.suit_keys.push(key);
                    self.ix.suit_labels.push(s.label().to_string());
                    self.ix.suit_keys.len() - 1
                }
            };
            if i < 32 {
                suits |= 1 << i;
            }
        }
        let beginner = is_beginner(&d.levels);
        let facts = crate::collections::Facts {
            acts: self.ix.act_pool[acts.0 as usize..acts.0 as usize + acts.1 as usize]
                .iter()
                .map(|&a| self.ix.activity_ids[a as usize].as_str())
                .collect(),
            accessibility: d
                .accessibility
                .iter()
                .filter_map(|c| c.id.as_deref())
                .collect(),
            suits: suit_list.iter().map(|s| s.key()).collect(),
            age_min,
            age_max,
            gender: d.gender,
            beginner,
        };
        let cols = crate::collections::all()
            .iter()
            .enumerate()
            .filter(|(_, c)| crate::collections::belongs(c, &facts))
            .fold(0u16, |m, (i, _)| m | (1 << i));
        Derived {
            min_price,
            free: d.free || min_price == Some(0.0),
            age_min,
            age_max,
            gender: d.gender,
            acts,
            acc,
            wheelchair: d.wheelchair == Some(true),
            beginner,
            venue,
            org_text,
            text,
            suits,
            cols,
        }
    }
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
        let mut venue_map: HashMap<String, u32> = HashMap::default();
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
    pub fn venue_of(&self, pos: usize) -> u32 {
        self.rows[pos].venue
    }
}
