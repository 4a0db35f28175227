//! Compacted state of one feed: the latest version of each item, our own change numbers, and
//! tombstones kept for a week so relay consumers see deletions. Items arrive read by
//! `openactive::rpde` (whose `modified` ordering and id rules apply); placement in the window
//! and region reads the `openactive` model, and item `data` is relayed as the publisher's
//! exact bytes.
//!
//! Against `openactive::rpde::FeedState` (pinned by `tests/reader_agreement.rs`), the live items
//! and their `modified` are the same except: past occurrences and items outside the region are
//! not relayed, occurrences beyond the look-ahead are held back (relayed when they enter it),
//! and a stale version is ignored only while the store remembers a newer `modified` — for items
//! it relays or holds, and for a week after their tombstone; items it never relayed leave
//! nothing behind (so a feed's past items cost no memory).
//!
//! A child without coordinates of its own follows its parent out of the region. Such
//! children are *parked* (kept, not relayed; bounded by [`PARKED_MAX_BYTES`] per feed and
//! saved with the state) under their parent's `@id`, so that when the parent's new version is
//! inside the region again they are placed again at once ([`FeedStore::parent_returned`]),
//! without waiting for the weekly resync. A child that did not fit under the bound marks its
//! parent: when that parent comes back, the feed asks for a full resync instead
//! ([`FeedStore::take_resync_wanted`]), which brings every such child back.

mod log;
mod placement;
mod resync;
#[cfg(test)]
mod tests;
mod views;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use openactive::model::Opportunity;
use serde_json::value::RawValue;

pub use openactive::rpde::Modified;

pub use placement::{ParentOutside, Window};
pub(crate) use placement::{Placement, ends_of, place};

/// How long deletions stay in the relayed feed.
pub const TOMBSTONE_TTL_DAYS: i64 = 7;
/// Bytes of children parked for a parent outside the region, per feed (their `data` and ids).
pub const PARKED_MAX_BYTES: usize = 16 * 1024 * 1024;

/// What the store decided for an item (for counters and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Relayed as a new or changed item.
    Upserted,
    /// Held back until it enters the look-ahead window.
    HeldBack,
    /// Past, too far ahead, or outside the region.
    Dropped,
    /// Older than what we hold.
    Stale,
    /// Deleted (tombstone relayed if it had been relayed).
    Deleted,
    /// An update without `data` (`openactive::rpde::parse_page` skips those before).
    Skipped,
}

#[derive(Debug)]
pub(crate) struct IndexEntry {
    pub(crate) seq: u64,
    pub(crate) modified: Modified,
    /// End (or start) instant for live occurrences, used to expire them.
    pub(crate) ends: Option<DateTime<Utc>>,
    /// When the tombstone was made; `None` while live.
    pub(crate) deleted_at: Option<DateTime<Utc>>,
    /// Hash of the live data, so an identical re-publication keeps its change number.
    pub(crate) data_hash: u64,
    /// The item's RPDE `kind` (for its tombstone).
    pub(crate) kind: Box<str>,
    /// The item's id was published as a JSON number.
    pub(crate) id_number: bool,
    /// When this version was first seen (the item's "updated" time when the publisher's
    /// `modified` is not a timestamp and the data has no `dateModified`); `None` for records
    /// restored from a snapshot that predates it.
    pub(crate) seen: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) key: String,
    pub(crate) json: Box<str>,
}

/// A child dropped because its parent lies outside the region, kept to be placed again when
/// the parent comes back.
#[derive(Debug)]
pub(crate) struct Parked {
    /// The parent's JSON-LD `@id`.
    pub(crate) parent: String,
    pub(crate) kind: String,
    pub(crate) id_number: bool,
    pub(crate) modified: Modified,
    pub(crate) data: Box<RawValue>,
    /// After this it is past and forgotten.
    pub(crate) ends: Option<DateTime<Utc>>,
    /// When this version was first seen.
    pub(crate) seen: Option<DateTime<Utc>>,
}

impl Parked {
    pub(crate) fn bytes(&self, key: &str) -> usize {
        key.len() + self.parent.len() + self.kind.len() + self.data.get().len() + 64
    }
}

#[derive(Debug)]
pub(crate) struct Held {
    pub(crate) kind: String,
    pub(crate) id_number: bool,
    pub(crate) modified: Modified,
    pub(crate) data: Box<RawValue>,
    pub(crate) starts: DateTime<Utc>,
    /// When this version was first seen.
    pub(crate) seen: Option<DateTime<Utc>>,
}

/// Compacted state of one feed, keyed by RPDE item id (as `openactive::rpde::Item::id`: an
/// id published as the number `7` and one published as the string `"7"` are the same item).
#[derive(Debug)]
pub struct FeedStore {
    pub(crate) index: HashMap<String, IndexEntry>,
    pub(crate) log: BTreeMap<u64, Record>,
    pub(crate) held: HashMap<String, Held>,
    pub(crate) next_seq: u64,
    pub(crate) live: usize,
    /// The upstream `next` URL to fetch after the pages applied so far (resume point).
    pub(crate) cursor: Option<String>,
    /// When the current (or last) full pass from the first page began.
    pub(crate) pass_started: Option<DateTime<Utc>>,
    /// Item ids seen since a full resync began; `None` when no resync is running.
    pub(crate) resync_seen: Option<HashSet<String>>,
    /// JSON-LD `@id`s of this feed's items dropped for lying outside the region (their
    /// children without coordinates follow them out).
    pub(crate) outside: HashSet<String>,
    /// `@id`s that left `outside` (their new version is inside) since the last
    /// [`FeedStore::take_returned`]: their children elsewhere come back.
    pub(crate) returned: Vec<String>,
    /// Children dropped because their parent lies outside, by item id.
    pub(crate) parked: HashMap<String, Parked>,
    /// Bytes held in `parked`.
    pub(crate) parked_bytes: usize,
    /// Parents some of whose children could not be parked (over [`PARKED_MAX_BYTES`]).
    pub(crate) overflowed: HashSet<String>,
    /// A parent of such children came back: a full resync is wanted.
    pub(crate) resync_wanted: bool,
    /// The bound on `parked_bytes` ([`PARKED_MAX_BYTES`]; smaller in tests).
    pub(crate) parked_limit: usize,
}

impl Default for FeedStore {
    fn default() -> Self {
        FeedStore::new(1)
    }
}

impl FeedStore {
    /// An empty store whose first change number is `first_seq`.
    pub fn new(first_seq: u64) -> Self {
        FeedStore {
            index: HashMap::new(),
            log: BTreeMap::new(),
            held: HashMap::new(),
            next_seq: first_seq.max(1),
            live: 0,
            cursor: None,
            pass_started: None,
            resync_seen: None,
            outside: HashSet::new(),
            returned: Vec::new(),
            parked: HashMap::new(),
            parked_bytes: 0,
            overflowed: HashSet::new(),
            resync_wanted: false,
            parked_limit: PARKED_MAX_BYTES,
        }
    }
}

/// An item id: its text (the store's key) and whether it was published as a JSON number.
#[derive(Clone, Copy)]
pub(crate) struct ItemId<'a> {
    pub(crate) text: &'a str,
    pub(crate) number: bool,
}

impl ItemId<'_> {
    /// The id as relayed: a number as it was read, a string as a JSON string.
    pub(crate) fn json(&self) -> String {
        if self.number {
            self.text.to_string()
        } else {
            json_string(self.text)
        }
    }
}

/// Reads an id saved as JSON text (a string or a number) back into (text, is a number).
pub(crate) fn id_from_json(text: &str) -> Option<(String, bool)> {
    match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::String(s) => Some((s, false)),
        serde_json::Value::Number(n) => Some((n.to_string(), true)),
        _ => None,
    }
}

/// An update on its way in: envelope, exact `data` bytes and the model read from them.
pub(crate) struct Incoming<'a> {
    pub(crate) kind: &'a str,
    pub(crate) id: ItemId<'a>,
    pub(crate) modified: Modified,
    pub(crate) data: &'a RawValue,
    pub(crate) opp: &'a Opportunity,
    /// When this version was first seen, if before now (an item released from hold).
    pub(crate) seen: Option<DateTime<Utc>>,
}

pub(crate) fn hash_of(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

pub(crate) fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}
