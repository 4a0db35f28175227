//! The compile step: the relayed state of every feed, joined by `openactive` exactly as an RPDE
//! consumer would, becomes finder packs (one per grid cell, sessions and facility slots apart).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use contract::{Cell, pack};
use finder::ActivityVocabulary;
use openactive::join::{Hidden, ItemTimes, Store};
use openactive::{Dataset, Occurrence, OpportunityKind};

/// Grid cell height in degrees of latitude (about 11 km).
pub const CELL_LAT: f64 = 0.1;
/// Grid cell width in degrees of longitude (about 11 km at London's latitude).
pub const CELL_LON: f64 = 0.16;
/// Items per synthetic page when the relay is read back (bounds the page text held at once).
const CHUNK: usize = 2000;

/// One feed's relayed state, copied out of its store.
#[derive(Debug, Clone)]
pub struct FeedInput {
    /// Attribution.
    pub dataset: Dataset,
    /// The relayed RPDE items (each a JSON object, as served on `/feeds/{id}`).
    pub items: Vec<String>,
    /// When items changed, by item id: the relay renumbers `modified`, so the publisher's
    /// (as a timestamp, when it is one) and when the proxy first saw each version come here.
    pub times: Vec<(String, ItemTimes)>,
    /// Dated children held back beyond the look-ahead, as (parent `@id`, start): how far
    /// ahead each series lists dates.
    pub later: Vec<(String, DateTime<FixedOffset>)>,
}

/// A pack compiled in memory.
#[derive(Debug, Clone)]
pub struct BuiltPack {
    /// Facility slots rather than sessions.
    pub slots: bool,
    /// Its grid cell (`None`: occurrences without a position).
    pub cell: Option<Cell>,
    /// Occurrences in it.
    pub occurrences: u32,
    /// The pack bytes.
    pub bytes: Vec<u8>,
    /// Its detail chunk.
    pub details: Vec<u8>,
}

/// What one compile produced.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    /// The packs, sessions first, then by cell.
    pub packs: Vec<BuiltPack>,
    /// Items the reader skipped, per feed.
    pub skipped: Vec<usize>,
    /// What is not shown and why, per feed.
    pub hidden: Vec<Hidden>,
}

/// Joins the feeds' relayed items into occurrences from `now` to `now + lookahead_days`, with
/// the items read back but skipped, and what is not shown and why, per feed.
pub fn occurrences(
    feeds: &[FeedInput],
    now: DateTime<Utc>,
    lookahead_days: u32,
) -> (Vec<Occurrence>, Vec<usize>, Vec<Hidden>) {
    let mut store = Store::new();
    let mut skipped = vec![0; feeds.len()];
    for (i, f) in feeds.iter().enumerate() {
        let fi = store.add_feed(f.dataset.clone());
        for chunk in f.items.chunks(CHUNK) {
            let mut text =
                String::with_capacity(chunk.iter().map(|s| s.len() + 1).sum::<usize>() + 32);
            text.push_str("{\"next\":\"relay:end\",\"items\":[");
            for (j, item) in chunk.iter().enumerate() {
                if j > 0 {
                    text.push(',');
                }
                text.push_str(item);
            }
            text.push_str("]}");
            match openactive::rpde::parse_page_model(text.as_bytes(), "relay:page") {
                Ok(page) => {
                    skipped[i] += page.report.skipped.len();
                    store.apply_page(fi, &page);
                }
                Err(e) => {
                    tracing::warn!(feed = i, error = %e, "relayed items could not be read back");
                    skipped[i] += chunk.len();
                }
            }
        }
    }
    for (i, f) in feeds.iter().enumerate() {
        for (id, t) in &f.times {
            store.note_item_times(i, id, *t);
        }
        for (parent, start) in &f.later {
            store.note_later_start(parent, *start);
        }
    }
    let build = store.build(now, lookahead_days, None);
    (build.occurrences, skipped, build.hidden)
}

/// The grid cell of a position.
pub fn cell_of(lat: f64, lon: f64) -> (i32, i32) {
    (
        (lat / CELL_LAT).floor() as i32,
        (lon / CELL_LON).floor() as i32,
    )
}

fn cell_bounds((y, x): (i32, i32)) -> Cell {
    Cell {
        south: f64::from(y) * CELL_LAT,
        west: f64::from(x) * CELL_LON,
        north: f64::from(y + 1) * CELL_LAT,
        east: f64::from(x + 1) * CELL_LON,
    }
}

/// Splits occurrences into packs by grid cell, sessions apart from facility slots.
pub fn packs(occurrences: &[Occurrence], vocab: &dyn ActivityVocabulary) -> Vec<BuiltPack> {
    // (slots, cell) -> occurrences; BTreeMap for a stable order (sessions first).
    type Group = (bool, Option<(i32, i32)>);
    let mut groups: BTreeMap<Group, Vec<&Occurrence>> = BTreeMap::new();
    for o in occurrences {
        let slots = o.kind == OpportunityKind::FacilitySlot;
        let cell = o.venue.geo.map(|(lat, lon)| cell_of(lat, lon));
        groups.entry((slots, cell)).or_default().push(o);
    }
    groups
        .into_iter()
        .map(|((slots, cell), occs)| {
            let enc = pack::encode(&occs, vocab);
            BuiltPack {
                slots,
                cell: cell.map(cell_bounds),
                occurrences: occs.len() as u32,
                bytes: enc.pack,
                details: enc.details,
            }
        })
        .collect()
}

/// The whole compile: join, then pack.
pub fn compile(
    feeds: &[FeedInput],
    vocab: &dyn ActivityVocabulary,
    now: DateTime<Utc>,
    lookahead_days: u32,
) -> Compiled {
    let (occ, skipped, hidden) = occurrences(feeds, now, lookahead_days);
    Compiled {
        packs: packs(&occ, vocab),
        skipped,
        hidden,
    }
}
