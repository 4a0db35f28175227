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

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use openactive::model::{Opportunity, Place, Ref};
use openactive::rpde::{Item, ItemState, parse_data, parse_item};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::config::Region;

pub use openactive::rpde::Modified;

/// How long deletions stay in the relayed feed.
pub const TOMBSTONE_TTL_DAYS: i64 = 7;
/// Occurrences further ahead than the look-ahead plus this are discarded, not held back.
const HOLD_BACK_MAX_DAYS: i64 = 400;
/// Bytes of children parked for a parent outside the region, per feed (their `data` and ids).
pub const PARKED_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The window of occurrences the proxy keeps.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Days ahead to relay.
    pub lookahead_days: u32,
    /// Optional area filter.
    pub region: Option<Region>,
}

/// What the store decided for an item (for counters and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
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
struct Current {
    seq: u64,
    modified: Modified,
    /// End (or start) instant for live occurrences, used to expire them.
    ends: Option<DateTime<Utc>>,
    /// When the tombstone was made; `None` while live.
    deleted_at: Option<DateTime<Utc>>,
    /// Hash of the live data, so an identical re-publication keeps its change number.
    data_hash: u64,
    /// The item's RPDE `kind` (for its tombstone).
    kind: Box<str>,
    /// The item's id was published as a JSON number.
    id_number: bool,
    /// When this version was first seen (the item's "updated" time when the publisher's
    /// `modified` is not a timestamp and the data has no `dateModified`); `None` for records
    /// restored from a snapshot that predates it.
    seen: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct Record {
    key: String,
    json: Box<str>,
}

/// A child dropped because its parent lies outside the region, kept to be placed again when
/// the parent comes back.
#[derive(Debug)]
struct Parked {
    /// The parent's JSON-LD `@id`.
    parent: String,
    kind: String,
    id_number: bool,
    modified: Modified,
    data: Box<RawValue>,
    /// After this it is past and forgotten.
    ends: Option<DateTime<Utc>>,
    /// When this version was first seen.
    seen: Option<DateTime<Utc>>,
}

impl Parked {
    fn bytes(&self, key: &str) -> usize {
        key.len() + self.parent.len() + self.kind.len() + self.data.get().len() + 64
    }
}

#[derive(Debug)]
struct Held {
    kind: String,
    id_number: bool,
    modified: Modified,
    data: Box<RawValue>,
    starts: DateTime<Utc>,
    /// When this version was first seen.
    seen: Option<DateTime<Utc>>,
}

/// Compacted state of one feed, keyed by RPDE item id (as `openactive::rpde::Item::id`: an
/// id published as the number `7` and one published as the string `"7"` are the same item).
#[derive(Debug)]
pub struct FeedStore {
    index: HashMap<String, Current>,
    log: BTreeMap<u64, Record>,
    held: HashMap<String, Held>,
    next_seq: u64,
    live: usize,
    /// The upstream `next` URL to fetch after the pages applied so far (resume point).
    cursor: Option<String>,
    /// When the current (or last) full pass from the first page began.
    pass_started: Option<DateTime<Utc>>,
    /// Item ids seen since a full resync began; `None` when no resync is running.
    resync_seen: Option<HashSet<String>>,
    /// JSON-LD `@id`s of this feed's items dropped for lying outside the region (their
    /// children without coordinates follow them out).
    outside: HashSet<String>,
    /// `@id`s that left `outside` (their new version is inside) since the last
    /// [`FeedStore::take_returned`]: their children elsewhere come back.
    returned: Vec<String>,
    /// Children dropped because their parent lies outside, by item id.
    parked: HashMap<String, Parked>,
    /// Bytes held in `parked`.
    parked_bytes: usize,
    /// Parents some of whose children could not be parked (over [`PARKED_MAX_BYTES`]).
    overflowed: HashSet<String>,
    /// A parent of such children came back: a full resync is wanted.
    resync_wanted: bool,
    /// The bound on `parked_bytes` ([`PARKED_MAX_BYTES`]; smaller in tests).
    parked_limit: usize,
}

enum Placement {
    Live(Option<DateTime<Utc>>),
    Hold(DateTime<Utc>),
    Drop,
    /// Outside the region; carries the item's `@id` when it has one.
    Outside(Option<String>),
    /// No coordinates of its own, and its parent (this `@id`) is known to lie outside.
    FollowsParent {
        parent: String,
        own: Option<String>,
    },
}

/// Answers "is the parent with this `@id` known to lie outside the region?".
pub type ParentOutside<'a> = &'a dyn Fn(&str) -> bool;

fn geo_of(location: Option<&Ref<Place>>) -> Option<(f64, f64)> {
    location?.embedded()?.geo
}

fn utc(d: Option<chrono::DateTime<chrono::FixedOffset>>) -> Option<DateTime<Utc>> {
    d.map(|d| d.with_timezone(&Utc))
}

/// The end (or else start) instant after which a relayed item expires.
fn ends_of(opp: &Opportunity) -> Option<DateTime<Utc>> {
    utc(opp.end).or(utc(opp.start))
}

/// Where an item goes, from its model: outside the region (its own coordinates, else its
/// parent's: embedded, or known by `@id` to be outside), past (dropped), beyond the
/// look-ahead (held back; dropped beyond [`HOLD_BACK_MAX_DAYS`]), or live. Parent types
/// (series, facilities, courses, places) are never held back.
fn place(
    opp: &Opportunity,
    window: &Window,
    now: DateTime<Utc>,
    parent_outside: ParentOutside<'_>,
) -> Placement {
    if let Some(region) = window.region {
        let outside = |(lat, lon): (f64, f64)| {
            (!region.contains(lat, lon)).then(|| Placement::Outside(opp.id.clone()))
        };
        let follows = |parent: &str| {
            parent_outside(parent).then(|| Placement::FollowsParent {
                parent: parent.to_string(),
                own: opp.id.clone(),
            })
        };
        let verdict = match geo_of(opp.location.as_ref()) {
            Some(geo) => outside(geo),
            // No coordinates of its own: a child follows its parent.
            None => match opp.super_event.as_ref().or(opp.facility_use.as_ref()) {
                Some(Ref::Embedded(p)) => match geo_of(p.location.as_ref()) {
                    Some(geo) => outside(geo),
                    None => p.id.as_deref().and_then(follows),
                },
                Some(Ref::Id(u)) => follows(u),
                None => None,
            },
        };
        if let Some(v) = verdict {
            return v;
        }
    }
    let start = utc(opp.start);
    let end = ends_of(opp);
    if let Some(end) = end
        && end < now
    {
        return Placement::Drop;
    }
    if opp.kind.is_parent_type() {
        return Placement::Live(end);
    }
    if let Some(start) = start {
        let horizon = now + Duration::days(i64::from(window.lookahead_days));
        if start > now + Duration::days(HOLD_BACK_MAX_DAYS) {
            return Placement::Drop;
        }
        if start > horizon {
            return Placement::Hold(start);
        }
    }
    Placement::Live(end)
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

    /// The saved upstream `next` URL (where harvesting resumes).
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// Records the upstream `next` URL after a page was applied.
    pub fn set_cursor(&mut self, next: &str) {
        self.cursor = Some(next.to_string());
    }

    /// When the current or last full pass began.
    pub fn pass_started(&self) -> Option<DateTime<Utc>> {
        self.pass_started
    }

    /// Marks the start of a first pass (no-op when one is recorded already).
    pub fn begin_pass(&mut self, now: DateTime<Utc>) {
        self.pass_started.get_or_insert(now);
    }

    /// Starts a full resync: harvesting restarts from the first page; what is not seen again
    /// before the end is removed by [`FeedStore::finish_resync`].
    pub fn begin_resync(&mut self, now: DateTime<Utc>) {
        self.pass_started = Some(now);
        self.resync_seen = Some(HashSet::new());
        self.cursor = None;
    }

    /// Whether a resync is running.
    pub fn resyncing(&self) -> bool {
        self.resync_seen.is_some()
    }

    /// Notes that the item with this id was seen during a resync.
    pub fn saw(&mut self, id: &str) {
        if let Some(seen) = &mut self.resync_seen {
            seen.insert(id.to_string());
        }
    }

    /// Ends a resync: live and held items not seen since it began are removed (live ones
    /// become tombstones). Returns how many were removed.
    pub fn finish_resync(&mut self, now: DateTime<Utc>) -> usize {
        let Some(seen) = self.resync_seen.take() else {
            return 0;
        };
        let held: Vec<String> = self
            .held
            .keys()
            .filter(|k| !seen.contains(*k))
            .cloned()
            .collect();
        let mut removed = held.len();
        for k in held {
            self.held.remove(&k);
        }
        let parked: Vec<String> = self
            .parked
            .keys()
            .filter(|k| !seen.contains(*k))
            .cloned()
            .collect();
        for k in parked {
            self.unpark(&k);
        }
        let gone: Vec<String> = self
            .index
            .iter()
            .filter(|(k, c)| c.deleted_at.is_none() && !seen.contains(*k))
            .map(|(k, _)| k.clone())
            .collect();
        for key in gone {
            self.expire(&key, now);
            removed += 1;
        }
        removed
    }

    /// Whether an item with this JSON-LD `@id` was dropped for lying outside the region.
    pub fn is_outside(&self, at_id: &str) -> bool {
        self.outside.contains(at_id)
    }

    /// The `@id`s whose new version is inside the region again since the last call (their
    /// children, parked in other feeds, are to be placed again).
    pub fn take_returned(&mut self) -> Vec<String> {
        std::mem::take(&mut self.returned)
    }

    /// Whether a parent came back some of whose children could not be parked: the feed should
    /// run a full resync (cleared by the call).
    pub fn take_resync_wanted(&mut self) -> bool {
        std::mem::take(&mut self.resync_wanted)
    }

    /// Whether a full resync is wanted (see [`FeedStore::take_resync_wanted`]).
    pub fn resync_wanted(&self) -> bool {
        self.resync_wanted
    }

    /// Number of children parked for a parent outside the region.
    pub fn parked_len(&self) -> usize {
        self.parked.len()
    }

    /// The parents in `parents` came back into the region: their parked children are placed
    /// again (live, held back or dropped as time and their own data say). Returns how many
    /// were placed again. A parent some of whose children did not fit sets
    /// [`FeedStore::take_resync_wanted`].
    pub fn parent_returned(
        &mut self,
        parents: &[String],
        window: &Window,
        now: DateTime<Utc>,
        parent_outside: ParentOutside<'_>,
    ) -> usize {
        if parents.is_empty() {
            return 0;
        }
        let back: HashSet<&str> = parents.iter().map(String::as_str).collect();
        if back.iter().any(|p| self.overflowed.remove(*p)) {
            self.resync_wanted = true;
        }
        let keys: Vec<String> = self
            .parked
            .iter()
            .filter(|(_, p)| back.contains(p.parent.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        let mut n = 0;
        for key in keys {
            let Some(p) = self.unpark(&key) else {
                continue;
            };
            // Accepted once already, so its data reads.
            if let Ok(opp) = parse_data(p.data.get()) {
                let incoming = Incoming {
                    kind: &p.kind,
                    id: ItemId {
                        text: &key,
                        number: p.id_number,
                    },
                    modified: p.modified,
                    data: &p.data,
                    opp: &opp,
                    seen: p.seen,
                };
                self.upsert(incoming, window, now, parent_outside);
                n += 1;
            }
        }
        n
    }

    fn unpark(&mut self, key: &str) -> Option<Parked> {
        let p = self.parked.remove(key)?;
        self.parked_bytes = self.parked_bytes.saturating_sub(p.bytes(key));
        Some(p)
    }

    /// Keeps a child dropped for its parent, within [`PARKED_MAX_BYTES`]; beyond it, the
    /// parent is marked so that its return asks for a resync.
    fn park(&mut self, key: &str, p: Parked) {
        let size = p.bytes(key);
        if self.parked_bytes + size > self.parked_limit {
            self.overflowed.insert(p.parent);
            return;
        }
        self.parked_bytes += size;
        self.parked.insert(key.to_string(), p);
    }

    /// Number of live (relayed, not deleted) items.
    pub fn live_len(&self) -> usize {
        self.live
    }

    /// Number of items held back until they enter the window.
    pub fn held_len(&self) -> usize {
        self.held.len()
    }

    /// Highest change number assigned so far (0 when none).
    pub fn last_seq(&self) -> u64 {
        self.log.keys().next_back().copied().unwrap_or(0)
    }

    fn stored_modified(&self, key: &str) -> Option<&Modified> {
        self.held
            .get(key)
            .map(|h| &h.modified)
            .or_else(|| self.parked.get(key).map(|p| &p.modified))
            .or_else(|| self.index.get(key).map(|c| &c.modified))
    }

    /// The change number the next change will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Makes the next change number at least `n` (after a restart, numbers continue above
    /// any the previous run may have served).
    pub fn advance_seq(&mut self, n: u64) {
        self.next_seq = self.next_seq.max(n);
    }

    fn take_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }

    /// Applies one item read by `openactive::rpde` (an update or a deletion); `default_kind`
    /// stands in when the item names no `kind`. `parent_outside` tells whether a referenced
    /// parent lies outside the region (children without coordinates follow their parent).
    pub fn apply(
        &mut self,
        item: &Item,
        default_kind: &str,
        window: &Window,
        now: DateTime<Utc>,
        parent_outside: ParentOutside<'_>,
    ) -> Outcome {
        let kind = if item.kind.is_empty() {
            default_kind
        } else {
            &item.kind
        };
        let id = ItemId {
            text: &item.id,
            number: item.id_is_number,
        };
        match (item.state, &item.data) {
            (ItemState::Deleted, _) => self.delete(kind, id, item.modified.clone(), now),
            (ItemState::Updated, Some(data)) => {
                let parsed;
                let opp = match item.opportunity.as_deref() {
                    Some(o) => o,
                    // Not from `parse_page` (which always reads the model): read it here.
                    None => {
                        parsed = parse_data(data.get()).unwrap_or_default();
                        &parsed
                    }
                };
                let incoming = Incoming {
                    kind,
                    id,
                    modified: item.modified.clone(),
                    data,
                    opp,
                    seen: None,
                };
                self.upsert(incoming, window, now, parent_outside)
            }
            (ItemState::Updated, None) => Outcome::Skipped,
        }
    }

    fn upsert(
        &mut self,
        item: Incoming<'_>,
        window: &Window,
        now: DateTime<Utc>,
        parent_outside: ParentOutside<'_>,
    ) -> Outcome {
        let key = item.id.text;
        if let Some(stored) = self.stored_modified(key)
            && item.modified < *stored
        {
            return Outcome::Stale;
        }
        if let Some(cur) = self.index.get(key)
            && cur.deleted_at.is_none()
            && cur.modified == item.modified
            && cur.data_hash == hash_of(item.data.get())
            && cur.id_number == item.id.number
        {
            // The same version again (a re-polled page): keep its change number.
            return Outcome::Stale;
        }
        let placement = place(item.opp, window, now, parent_outside);
        // Any new version replaces a parked one (parked again below if it still follows).
        self.unpark(key);
        if let (Placement::Live(_) | Placement::Hold(_), Some(at_id)) = (&placement, &item.opp.id)
            && self.outside.remove(at_id)
        {
            self.returned.push(at_id.clone());
        }
        match placement {
            Placement::FollowsParent { parent, own } => {
                if let Some(own) = own {
                    self.outside.insert(own);
                }
                self.held.remove(key);
                self.tombstone(item.kind, item.id, item.modified.clone(), now);
                let parked = Parked {
                    parent,
                    kind: item.kind.to_string(),
                    id_number: item.id.number,
                    modified: item.modified,
                    data: item.data.to_owned(),
                    ends: ends_of(item.opp),
                    seen: Some(item.seen.unwrap_or(now)),
                };
                self.park(key, parked);
                Outcome::Dropped
            }
            Placement::Outside(at_id) => {
                if let Some(at_id) = at_id {
                    self.outside.insert(at_id);
                }
                self.held.remove(key);
                self.tombstone(item.kind, item.id, item.modified, now);
                Outcome::Dropped
            }
            Placement::Drop => {
                self.held.remove(key);
                self.tombstone(item.kind, item.id, item.modified, now);
                Outcome::Dropped
            }
            Placement::Hold(starts) => {
                self.tombstone(item.kind, item.id, item.modified.clone(), now);
                self.held.insert(
                    key.to_string(),
                    Held {
                        kind: item.kind.to_string(),
                        id_number: item.id.number,
                        modified: item.modified,
                        data: item.data.to_owned(),
                        starts,
                        seen: Some(item.seen.unwrap_or(now)),
                    },
                );
                Outcome::HeldBack
            }
            Placement::Live(ends) => {
                self.held.remove(key);
                self.put_live(item, ends, now);
                Outcome::Upserted
            }
        }
    }

    fn put_live(&mut self, item: Incoming<'_>, ends: Option<DateTime<Utc>>, now: DateTime<Utc>) {
        let seq = self.take_seq();
        let json = format!(
            "{{\"state\":\"updated\",\"kind\":{},\"id\":{},\"modified\":{seq},\"data\":{}}}",
            json_string(item.kind),
            item.id.json(),
            item.data.get()
        );
        let key = item.id.text.to_string();
        if let Some(old) = self.index.insert(
            key.clone(),
            Current {
                seq,
                modified: item.modified,
                ends,
                deleted_at: None,
                data_hash: hash_of(item.data.get()),
                kind: item.kind.into(),
                id_number: item.id.number,
                seen: Some(item.seen.unwrap_or(now)),
            },
        ) {
            self.log.remove(&old.seq);
            if old.deleted_at.is_none() {
                self.live -= 1;
            }
        }
        self.live += 1;
        self.log.insert(
            seq,
            Record {
                key,
                json: json.into_boxed_str(),
            },
        );
    }

    /// Replaces a live item with a tombstone (no-op when it was never relayed or is already
    /// deleted; the stored `modified` still advances).
    fn tombstone(&mut self, kind: &str, id: ItemId<'_>, modified: Modified, now: DateTime<Utc>) {
        let key = id.text;
        let Some(cur) = self.index.get_mut(key) else {
            return;
        };
        if cur.deleted_at.is_some() {
            cur.modified = modified;
            return;
        }
        let old_seq = cur.seq;
        let seq = self.take_seq();
        self.log.remove(&old_seq);
        self.live -= 1;
        let json = format!(
            "{{\"state\":\"deleted\",\"kind\":{},\"id\":{},\"modified\":{seq}}}",
            json_string(kind),
            id.json()
        );
        self.log.insert(
            seq,
            Record {
                key: key.to_string(),
                json: json.into_boxed_str(),
            },
        );
        self.index.insert(
            key.to_string(),
            Current {
                seq,
                modified,
                ends: None,
                deleted_at: Some(now),
                data_hash: 0,
                kind: kind.into(),
                id_number: id.number,
                seen: None,
            },
        );
    }

    /// Turns a live item into a tombstone with its stored kind, id form and `modified`.
    fn expire(&mut self, key: &str, now: DateTime<Utc>) {
        let Some(cur) = self.index.get(key) else {
            return;
        };
        let (kind, number, modified) = (cur.kind.clone(), cur.id_number, cur.modified.clone());
        let id = ItemId { text: key, number };
        self.tombstone(&kind, id, modified, now);
    }

    fn delete(
        &mut self,
        kind: &str,
        id: ItemId<'_>,
        modified: Modified,
        now: DateTime<Utc>,
    ) -> Outcome {
        if let Some(stored) = self.stored_modified(id.text)
            && modified < *stored
        {
            return Outcome::Stale;
        }
        self.held.remove(id.text);
        self.unpark(id.text);
        self.tombstone(kind, id, modified, now);
        Outcome::Deleted
    }

    /// Expires past occurrences, releases held-back ones that entered the window and forgets
    /// tombstones older than a week.
    pub fn sweep(&mut self, window: &Window, now: DateTime<Utc>) {
        let expired: Vec<String> = self
            .index
            .iter()
            .filter(|(_, c)| c.deleted_at.is_none() && c.ends.is_some_and(|e| e < now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in expired {
            self.expire(&key, now);
        }
        let horizon = now + Duration::days(i64::from(window.lookahead_days));
        let due: Vec<String> = self
            .held
            .iter()
            .filter(|(_, h)| h.starts <= horizon)
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            let Some(h) = self.held.remove(&key) else {
                continue;
            };
            // Accepted once already, so its data reads; placed again now that time passed.
            if let Ok(opp) = parse_data(h.data.get()) {
                let incoming = Incoming {
                    kind: &h.kind,
                    id: ItemId {
                        text: &key,
                        number: h.id_number,
                    },
                    modified: h.modified,
                    data: &h.data,
                    opp: &opp,
                    seen: h.seen,
                };
                self.upsert(incoming, window, now, &|_| false);
            }
        }
        let past: Vec<String> = self
            .parked
            .iter()
            .filter(|(_, p)| p.ends.is_some_and(|e| e < now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in past {
            self.unpark(&key);
        }
        let cutoff = now - Duration::days(TOMBSTONE_TTL_DAYS);
        let old: Vec<(String, u64)> = self
            .index
            .iter()
            .filter(|(_, c)| c.deleted_at.is_some_and(|d| d < cutoff))
            .map(|(k, c)| (k.clone(), c.seq))
            .collect();
        for (key, seq) in old {
            self.index.remove(&key);
            self.log.remove(&seq);
        }
    }

    /// Up to `limit` relayed items (pre-rendered JSON) with change number above `after`.
    pub fn page(&self, after: u64, limit: usize) -> Vec<(u64, &str)> {
        self.log
            .range(after.saturating_add(1)..)
            .take(limit)
            .map(|(s, r)| (*s, &*r.json))
            .collect()
    }

    /// Whether the item with this RPDE id, given as its JSON text (`"\"a\""`, `7`), is live.
    pub fn contains_live(&self, id_json: &str) -> bool {
        let key = id_from_json(id_json).map_or_else(|| id_json.to_string(), |(t, _)| t);
        self.index.get(&key).is_some_and(|c| c.deleted_at.is_none())
    }

    /// Ids of all live items as relayed JSON text (`"\"a\""`, `7`), for tests and diagnostics.
    pub fn live_keys(&self) -> Vec<String> {
        self.index
            .iter()
            .filter(|(_, c)| c.deleted_at.is_none())
            .map(|(k, c)| {
                ItemId {
                    text: k,
                    number: c.id_number,
                }
                .json()
            })
            .collect()
    }

    /// Live items as (id, the publisher's `modified`), for tests and diagnostics.
    pub fn live_modified(&self) -> Vec<(&str, &Modified)> {
        self.index
            .iter()
            .filter(|(_, c)| c.deleted_at.is_none())
            .map(|(k, c)| (k.as_str(), &c.modified))
            .collect()
    }

    /// Held-back items as (id, the publisher's `modified`), for tests and diagnostics.
    pub fn held_modified(&self) -> Vec<(&str, &Modified)> {
        self.held
            .iter()
            .map(|(k, h)| (k.as_str(), &h.modified))
            .collect()
    }

    /// What the pack compile needs to know of when each live item changed: (id, the
    /// publisher's `modified`, when this version was first seen).
    pub fn live_times(&self) -> Vec<(&str, &Modified, Option<DateTime<Utc>>)> {
        self.index
            .iter()
            .filter(|(_, c)| c.deleted_at.is_none())
            .map(|(k, c)| (k.as_str(), &c.modified, c.seen))
            .collect()
    }

    /// Held-back items' parents and starts, as (parent `@id`, start): how far ahead a series'
    /// dates are listed beyond the look-ahead.
    pub fn held_parent_starts(&self) -> Vec<(String, DateTime<Utc>)> {
        self.held
            .values()
            .filter_map(|h| {
                let opp = parse_data(h.data.get()).ok()?;
                let parent = match opp.super_event.as_ref().or(opp.facility_use.as_ref())? {
                    Ref::Id(id) => id.clone(),
                    Ref::Embedded(p) => p.id.clone()?,
                };
                Some((parent, h.starts))
            })
            .collect()
    }

    /// The record keys (item ids) in change-number order (tests).
    pub fn log_keys(&self) -> Vec<&str> {
        self.log.values().map(|r| r.key.as_str()).collect()
    }
}

/// An item id: its text (the store's key) and whether it was published as a JSON number.
#[derive(Clone, Copy)]
struct ItemId<'a> {
    text: &'a str,
    number: bool,
}

impl ItemId<'_> {
    /// The id as relayed: a number as it was read, a string as a JSON string.
    fn json(&self) -> String {
        if self.number {
            self.text.to_string()
        } else {
            json_string(self.text)
        }
    }
}

/// Reads an id saved as JSON text (a string or a number) back into (text, is a number).
fn id_from_json(text: &str) -> Option<(String, bool)> {
    match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::String(s) => Some((s, false)),
        serde_json::Value::Number(n) => Some((n.to_string(), true)),
        _ => None,
    }
}

/// An update on its way in: envelope, exact `data` bytes and the model read from them.
struct Incoming<'a> {
    kind: &'a str,
    id: ItemId<'a>,
    modified: Modified,
    data: &'a RawValue,
    opp: &'a Opportunity,
    /// When this version was first seen, if before now (an item released from hold).
    seen: Option<DateTime<Utc>>,
}

/// Why a saved state could not be read (the caller starts afresh).
#[derive(Debug)]
pub enum SnapshotError {
    /// The state has no header line.
    Empty,
    /// A line is not what [`FeedStore::write_snapshot`] writes.
    Corrupt(String),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::Empty => f.write_str("empty state"),
            SnapshotError::Corrupt(e) => write!(f, "corrupt state: {e}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// The store's snapshot layout. 0 (no `version` in the header): written before the proxy read
/// items through `openactive` (resync ids saved as JSON text; records without `kind`).
/// 2: adds `P` lines (parked children) and `overflowed`/`resync_wanted` in the header; read
/// by this version only (a version-1 reader refuses the `P` lines and starts afresh).
const SNAPSHOT_VERSION: u32 = 2;

/// `Modified` as saved on disk (integers as decimal text so no precision is lost).
#[derive(Serialize, Deserialize)]
enum SavedModified {
    #[serde(rename = "i")]
    Int(String),
    #[serde(rename = "s")]
    Str(String),
}

impl From<&Modified> for SavedModified {
    fn from(m: &Modified) -> Self {
        match m {
            Modified::Int(i) => SavedModified::Int(i.to_string()),
            Modified::Str(s) => SavedModified::Str(s.clone()),
        }
    }
}

impl SavedModified {
    fn restore(self) -> Result<Modified, SnapshotError> {
        match self {
            SavedModified::Int(t) => t
                .parse()
                .map(Modified::Int)
                .map_err(|_| SnapshotError::Corrupt("bad saved modified".into())),
            SavedModified::Str(s) => Ok(Modified::Str(s)),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct SavedHeader {
    #[serde(default)]
    version: u32,
    next_seq: u64,
    cursor: Option<String>,
    pass_started: Option<DateTime<Utc>>,
    resync_seen: Option<Vec<String>>,
    outside: Vec<String>,
    #[serde(default)]
    overflowed: Vec<String>,
    #[serde(default)]
    resync_wanted: bool,
}

#[derive(Serialize)]
struct SavedRecordOut<'a> {
    seq: u64,
    /// The item id as JSON text (a string or a number, as published).
    key: &'a str,
    kind: &'a str,
    modified: SavedModified,
    ends: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    hash: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct SavedRecordIn {
    seq: u64,
    key: String,
    #[serde(default)]
    kind: Option<String>,
    modified: SavedModified,
    ends: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    hash: u64,
    #[serde(default)]
    seen: Option<DateTime<Utc>>,
    item: Box<RawValue>,
}

#[derive(Serialize)]
struct SavedHeldOut<'a> {
    key: &'a str,
    kind: &'a str,
    id: &'a RawValue,
    modified: SavedModified,
    data: &'a RawValue,
    starts: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct SavedParkedOut<'a> {
    parent: &'a str,
    kind: &'a str,
    id: &'a RawValue,
    modified: SavedModified,
    data: &'a RawValue,
    ends: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seen: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct SavedParkedIn {
    parent: String,
    kind: String,
    id: Box<RawValue>,
    modified: SavedModified,
    data: Box<RawValue>,
    ends: Option<DateTime<Utc>>,
    #[serde(default)]
    seen: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct SavedHeldIn {
    id: Box<RawValue>,
    kind: String,
    modified: SavedModified,
    data: Box<RawValue>,
    starts: DateTime<Utc>,
    #[serde(default)]
    seen: Option<DateTime<Utc>>,
}

impl FeedStore {
    /// Writes the whole state as JSON lines: a header line, then `R` (relayed record) and `H`
    /// (held-back item) lines. Relayed item JSON is embedded verbatim.
    pub fn write_snapshot(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        let header = SavedHeader {
            version: SNAPSHOT_VERSION,
            next_seq: self.next_seq,
            cursor: self.cursor.clone(),
            pass_started: self.pass_started,
            resync_seen: self
                .resync_seen
                .as_ref()
                .map(|s| s.iter().cloned().collect()),
            outside: self.outside.iter().cloned().collect(),
            overflowed: self.overflowed.iter().cloned().collect(),
            resync_wanted: self.resync_wanted,
        };
        serde_json::to_writer(&mut *out, &header)?;
        out.push(b'\n');
        for (seq, rec) in &self.log {
            let Some(cur) = self.index.get(&rec.key) else {
                continue;
            };
            let id = ItemId {
                text: &rec.key,
                number: cur.id_number,
            };
            out.extend_from_slice(b"R");
            let meta = SavedRecordOut {
                seq: *seq,
                key: &id.json(),
                kind: &cur.kind,
                modified: (&cur.modified).into(),
                ends: cur.ends,
                deleted_at: cur.deleted_at,
                hash: cur.data_hash,
                seen: cur.seen,
            };
            let mut line = serde_json::to_vec(&meta)?;
            line.pop(); // the closing brace
            out.extend_from_slice(&line);
            out.extend_from_slice(b",\"item\":");
            out.extend_from_slice(rec.json.as_bytes());
            out.extend_from_slice(b"}\n");
        }
        for (key, h) in &self.held {
            let id_json = ItemId {
                text: key,
                number: h.id_number,
            }
            .json();
            let id = RawValue::from_string(id_json)?;
            out.extend_from_slice(b"H");
            let held = SavedHeldOut {
                key: id.get(),
                kind: &h.kind,
                id: &id,
                modified: (&h.modified).into(),
                data: &h.data,
                starts: h.starts,
                seen: h.seen,
            };
            serde_json::to_writer(&mut *out, &held)?;
            out.push(b'\n');
        }
        for (key, p) in &self.parked {
            let id = RawValue::from_string(
                ItemId {
                    text: key,
                    number: p.id_number,
                }
                .json(),
            )?;
            out.extend_from_slice(b"P");
            let parked = SavedParkedOut {
                parent: &p.parent,
                kind: &p.kind,
                id: &id,
                modified: (&p.modified).into(),
                data: &p.data,
                ends: p.ends,
                seen: p.seen,
            };
            serde_json::to_writer(&mut *out, &parked)?;
            out.push(b'\n');
        }
        Ok(())
    }

    /// Reads what [`FeedStore::write_snapshot`] wrote, this version or the one before (whose
    /// records are completed by reading their relayed item with `openactive`, so items with
    /// offset-less dates saved without an expiry get one).
    pub fn read_snapshot<'a>(
        mut lines: impl Iterator<Item = &'a str>,
    ) -> Result<Self, SnapshotError> {
        let err = |e: serde_json::Error| SnapshotError::Corrupt(e.to_string());
        let bad_id = || SnapshotError::Corrupt("bad saved item id".into());
        let header: SavedHeader =
            serde_json::from_str(lines.next().ok_or(SnapshotError::Empty)?).map_err(err)?;
        let mut store = FeedStore::new(header.next_seq);
        store.cursor = header.cursor;
        store.pass_started = header.pass_started;
        store.resync_seen = match header.resync_seen {
            None => None,
            Some(ids) if header.version == 0 => Some(
                ids.iter()
                    .map(|k| id_from_json(k).map(|(t, _)| t).ok_or_else(bad_id))
                    .collect::<Result<_, _>>()?,
            ),
            Some(ids) => Some(ids.into_iter().collect()),
        };
        store.outside = header.outside.into_iter().collect();
        store.overflowed = header.overflowed.into_iter().collect();
        store.resync_wanted = header.resync_wanted;
        for line in lines {
            if let Some(rec) = line.strip_prefix('R') {
                let r: SavedRecordIn = serde_json::from_str(rec).map_err(err)?;
                let (key, id_number) = id_from_json(&r.key).ok_or_else(bad_id)?;
                let (kind, ends) = match r.kind {
                    Some(kind) => (kind, r.ends),
                    None => {
                        // Saved by the proxy's former reader: the relayed item says its kind,
                        // and a live item's expiry is read again from its data.
                        let item = parse_item(r.item.get())
                            .map_err(|s| SnapshotError::Corrupt(s.reason))?;
                        let ends = match (&item.opportunity, r.deleted_at) {
                            (Some(opp), None) => r.ends.or_else(|| ends_of(opp)),
                            _ => r.ends,
                        };
                        (item.kind, ends)
                    }
                };
                if r.deleted_at.is_none() {
                    store.live += 1;
                }
                store.index.insert(
                    key.clone(),
                    Current {
                        seq: r.seq,
                        modified: r.modified.restore()?,
                        ends,
                        deleted_at: r.deleted_at,
                        data_hash: r.hash,
                        kind: kind.into(),
                        id_number,
                        seen: r.seen,
                    },
                );
                store.next_seq = store.next_seq.max(r.seq + 1);
                store.log.insert(
                    r.seq,
                    Record {
                        key,
                        json: r.item.get().into(),
                    },
                );
            } else if let Some(held) = line.strip_prefix('H') {
                let h: SavedHeldIn = serde_json::from_str(held).map_err(err)?;
                let (key, id_number) = id_from_json(h.id.get()).ok_or_else(bad_id)?;
                store.held.insert(
                    key,
                    Held {
                        kind: h.kind,
                        id_number,
                        modified: h.modified.restore()?,
                        data: h.data,
                        starts: h.starts,
                        seen: h.seen,
                    },
                );
            } else if let Some(parked) = line.strip_prefix('P') {
                let p: SavedParkedIn = serde_json::from_str(parked).map_err(err)?;
                let (key, id_number) = id_from_json(p.id.get()).ok_or_else(bad_id)?;
                let parked = Parked {
                    parent: p.parent,
                    kind: p.kind,
                    id_number,
                    modified: p.modified.restore()?,
                    data: p.data,
                    ends: p.ends,
                    seen: p.seen,
                };
                store.park(&key, parked);
            } else if !line.is_empty() {
                return Err(SnapshotError::Corrupt("unknown line".into()));
            }
        }
        Ok(store)
    }
}

fn hash_of(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> Window {
        Window {
            lookahead_days: 28,
            region: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    /// Applies an `updated` item given as JSON fragments (`id` and `modified` as JSON).
    fn upsert(s: &mut FeedStore, kind: &str, id: &str, modified: &str, data: &str) -> Outcome {
        upsert_at(s, kind, id, modified, data, now())
    }

    fn upsert_at(
        s: &mut FeedStore,
        kind: &str,
        id: &str,
        modified: &str,
        data: &str,
        at: DateTime<Utc>,
    ) -> Outcome {
        let item = parse_item(&format!(
            r#"{{"state":"updated","kind":"{kind}","id":{id},"modified":{modified},"data":{data}}}"#
        ))
        .unwrap();
        s.apply(&item, "Fallback", &window(), at, &|_| false)
    }

    fn delete(s: &mut FeedStore, kind: &str, id: &str, modified: &str) -> Outcome {
        let item = parse_item(&format!(
            r#"{{"state":"deleted","kind":"{kind}","id":{id},"modified":{modified}}}"#
        ))
        .unwrap();
        s.apply(&item, "Fallback", &window(), now(), &|_| false)
    }

    #[test]
    fn modified_follows_openactive_ordering_big_integers_and_mixed_classes() {
        let mut s = FeedStore::new(1);
        let d = r#"{"@type":"SessionSeries"}"#;
        let d2 = r#"{"@type":"SessionSeries","name":"2"}"#;
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000001", d),
            Outcome::Upserted
        );
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000000", d2),
            Outcome::Stale
        );
        // A digit string compares with an integer numerically…
        assert_eq!(
            upsert(
                &mut s,
                "SessionSeries",
                "\"a\"",
                "\"637890336000000002\"",
                d2
            ),
            Outcome::Upserted
        );
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000001", d),
            Outcome::Stale
        );
        // …and any other string is newer than any number (as in `openactive::rpde`).
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "\"2020-01-02\"", d),
            Outcome::Upserted
        );
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "99999999999999999999", d2),
            Outcome::Stale
        );
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "\"2020-01-01\"", d2),
            Outcome::Stale
        );
    }

    #[test]
    fn latest_version_wins_and_stale_versions_are_ignored() {
        let mut s = FeedStore::new(100);
        let d1 = r#"{"@type":"SessionSeries","name":"one"}"#;
        let d0 = r#"{"@type":"SessionSeries","name":"zero"}"#;
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "2", d1),
            Outcome::Upserted
        );
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "1", d0),
            Outcome::Stale
        );
        let page = s.page(0, 10);
        assert_eq!(page.len(), 1);
        assert!(page[0].1.contains("\"one\""));
        assert_eq!(page[0].0, 100);
        // The same version re-published keeps its change number; a new one gets a new number.
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "2", d1),
            Outcome::Stale
        );
        assert_eq!(s.last_seq(), 100);
        assert_eq!(
            upsert(&mut s, "SessionSeries", "\"a\"", "2", d0),
            Outcome::Upserted
        );
        assert_eq!(s.page(0, 10)[0].0, 101);
    }

    #[test]
    fn ids_keep_their_published_form_and_a_number_and_its_string_are_one_item() {
        let mut s = FeedStore::new(1);
        let d = r#"{"@type":"SessionSeries"}"#;
        upsert(&mut s, "SessionSeries", "7", "1", d);
        upsert(&mut s, "", "\"x\\u00e9\"", "1", d);
        let page = s.page(0, 10);
        assert_eq!(
            page[0].1,
            r#"{"state":"updated","kind":"SessionSeries","id":7,"modified":1,"data":{"@type":"SessionSeries"}}"#
        );
        // No kind on the item: the feed's stands in.
        assert!(
            page[1]
                .1
                .starts_with(r#"{"state":"updated","kind":"Fallback","id":"xé","#)
        );
        assert!(s.contains_live("7") && s.contains_live("\"7\""));
        assert_eq!(
            delete(&mut s, "SessionSeries", "\"7\"", "2"),
            Outcome::Deleted
        );
        assert_eq!(s.live_len(), 1);
        assert_eq!(
            s.page(0, 10)[1].1,
            r#"{"state":"deleted","kind":"SessionSeries","id":"7","modified":3}"#
        );
    }

    #[test]
    fn past_sessions_are_dropped_and_far_ones_held_back() {
        let mut s = FeedStore::new(1);
        let w = window();
        let past = r#"{"@type":"ScheduledSession","startDate":"2026-11-01T10:00:00Z","endDate":"2026-11-01T11:00:00Z"}"#;
        let far = r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"}"#;
        let near = r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00+00:00","endDate":"2026-11-24T11:00:00+00:00"}"#;
        assert_eq!(
            upsert(&mut s, "ScheduledSession", "1", "1", past),
            Outcome::Dropped
        );
        assert_eq!(
            upsert(&mut s, "ScheduledSession", "2", "2", far),
            Outcome::HeldBack
        );
        assert_eq!(
            upsert(&mut s, "ScheduledSession", "3", "3", near),
            Outcome::Upserted
        );
        assert_eq!(s.live_len(), 1);
        assert_eq!(s.held_len(), 1);
        // Time passes: the near one ends (tombstone), the far one enters the window.
        let later: DateTime<Utc> = "2026-12-20T00:00:00Z".parse().unwrap();
        s.sweep(&w, later);
        assert_eq!(s.live_len(), 1);
        assert!(s.contains_live("2"));
        let page = s.page(0, 10);
        assert!(
            page.iter()
                .any(|(_, j)| j.contains("\"deleted\"") && j.contains("\"id\":3"))
        );
        assert!(
            page.iter()
                .any(|(_, j)| j.contains("\"updated\"") && j.contains("\"id\":2"))
        );
    }

    #[test]
    fn offset_less_and_date_only_occurrences_expire_like_the_rest() {
        let mut s = FeedStore::new(1);
        let w = window();
        // Local (Europe/London) times without an offset, and a date-only end.
        let local = r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00","endDate":"2026-11-24T11:00:00"}"#;
        let date_only = r#"{"@type":"Event","startDate":"2026-11-25","endDate":"2026-11-26"}"#;
        let local_past = r#"{"@type":"ScheduledSession","startDate":"2026-11-20T10:00","endDate":"2026-11-20T11:00"}"#;
        let local_far = r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00","endDate":"2027-01-10T11:00:00"}"#;
        assert_eq!(
            upsert(&mut s, "ScheduledSession", "\"l\"", "1", local),
            Outcome::Upserted
        );
        assert_eq!(
            upsert(&mut s, "Event", "\"d\"", "1", date_only),
            Outcome::Upserted
        );
        assert_eq!(
            upsert(&mut s, "ScheduledSession", "\"p\"", "1", local_past),
            Outcome::Dropped
        );
        assert_eq!(
            upsert(&mut s, "ScheduledSession", "\"f\"", "1", local_far),
            Outcome::HeldBack
        );
        assert_eq!(s.live_len(), 2);
        // 10:59 UTC is 10:59 in London in November: not over yet.
        s.sweep(&w, "2026-11-24T10:59:00Z".parse().unwrap());
        assert!(s.contains_live("\"l\""));
        s.sweep(&w, "2026-11-24T11:01:00Z".parse().unwrap());
        assert!(!s.contains_live("\"l\""), "expired at its local end");
        assert!(s.contains_live("\"d\""));
        s.sweep(&w, "2026-11-26T00:01:00Z".parse().unwrap());
        assert!(!s.contains_live("\"d\""));
        assert_eq!(s.live_len(), 0);
        // The held one enters the window, then ends too.
        s.sweep(&w, "2026-12-20T00:00:00Z".parse().unwrap());
        assert!(s.contains_live("\"f\""));
        s.sweep(&w, "2027-01-10T11:01:00Z".parse().unwrap());
        assert!(!s.contains_live("\"f\""));
        assert_eq!(s.live_len(), 0);
        // Its tombstone is relayed (the November ones are older than a week by now).
        assert_eq!(
            s.page(0, 10).iter().map(|(_, j)| *j).collect::<Vec<_>>(),
            [r#"{"state":"deleted","kind":"ScheduledSession","id":"f","modified":6}"#]
        );
    }

    #[test]
    fn region_placement_reads_the_model_location_and_parent() {
        let mut s = FeedStore::new(1);
        let w = Window {
            lookahead_days: 28,
            region: Some(Region::Bbox {
                min_lat: 51.0,
                min_lon: -1.0,
                max_lat: 52.0,
                max_lon: 1.0,
            }),
        };
        let apply = |s: &mut FeedStore, id: &str, data: &str, outside: &dyn Fn(&str) -> bool| {
            let item = parse_item(&format!(
                r#"{{"state":"updated","kind":"SessionSeries","id":"{id}","modified":1,"data":{data}}}"#
            ))
            .unwrap();
            s.apply(&item, "SessionSeries", &w, now(), outside)
        };
        let no = |_: &str| false;
        // Coordinates as numeric strings, on the location itself or under `geo`.
        assert_eq!(
            apply(
                &mut s,
                "in",
                r#"{"@type":"SessionSeries","location":{"latitude":"51.5","longitude":"0.1"}}"#,
                &no
            ),
            Outcome::Upserted
        );
        assert_eq!(
            apply(
                &mut s,
                "out",
                r#"{"@type":"SessionSeries","@id":"https://x/out","location":{"geo":{"latitude":55.9,"longitude":-3.2}}}"#,
                &no
            ),
            Outcome::Dropped
        );
        assert!(s.is_outside("https://x/out"));
        // A child without coordinates follows its parent: embedded, or known outside by @id.
        assert_eq!(
            apply(
                &mut s,
                "c1",
                r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00Z","superEvent":{"@id":"https://x/p","location":{"geo":{"latitude":55.9,"longitude":-3.2}}}}"#,
                &no
            ),
            Outcome::Dropped
        );
        let out = |id: &str| id == "https://x/out";
        assert_eq!(
            apply(
                &mut s,
                "c2",
                r#"{"@type":"Slot","startDate":"2026-11-24T10:00:00Z","facilityUse":"https://x/out"}"#,
                &out
            ),
            Outcome::Dropped
        );
        assert_eq!(
            apply(
                &mut s,
                "c3",
                r#"{"@type":"Slot","startDate":"2026-11-24T10:00:00Z","facilityUse":"https://x/in"}"#,
                &out
            ),
            Outcome::Upserted
        );
        assert_eq!(s.live_len(), 2);
    }

    fn region_window() -> Window {
        Window {
            lookahead_days: 28,
            region: Some(Region::Bbox {
                min_lat: 51.0,
                min_lon: -1.0,
                max_lat: 52.0,
                max_lon: 1.0,
            }),
        }
    }

    /// Applies an `updated` item (`id` a string) with a region and a parent-outside rule.
    fn apply_in(
        s: &mut FeedStore,
        kind: &str,
        id: &str,
        modified: u64,
        data: &str,
        outside: ParentOutside<'_>,
    ) -> Outcome {
        let item = parse_item(&format!(
            r#"{{"state":"updated","kind":"{kind}","id":"{id}","modified":{modified},"data":{data}}}"#
        ))
        .unwrap();
        s.apply(&item, kind, &region_window(), now(), outside)
    }

    const SERIES_OUT: &str = r#"{"@type":"SessionSeries","@id":"https://x/p","location":{"geo":{"latitude":55.9,"longitude":-3.2}}}"#;
    const SERIES_IN: &str = r#"{"@type":"SessionSeries","@id":"https://x/p","location":{"geo":{"latitude":51.5,"longitude":-0.1}}}"#;

    fn child(start: &str) -> String {
        format!(
            r#"{{"@type":"ScheduledSession","startDate":"{start}","superEvent":"https://x/p"}}"#
        )
    }

    #[test]
    fn children_dropped_with_their_parent_come_back_when_it_moves_back_in() {
        let mut parents = FeedStore::new(1);
        let mut children = FeedStore::new(1);
        // The series is inside at first: its children are relayed.
        assert_eq!(
            apply_in(&mut parents, "SessionSeries", "p", 1, SERIES_IN, &|_| false),
            Outcome::Upserted
        );
        assert!(parents.take_returned().is_empty());
        let near = child("2026-11-24T10:00:00Z");
        let far = child("2027-01-10T10:00:00Z");
        let past = child("2026-11-23T13:00:00Z");
        // It moves out; its children (sent again, or new) follow it out and are parked.
        assert_eq!(
            apply_in(&mut parents, "SessionSeries", "p", 2, SERIES_OUT, &|_| {
                false
            }),
            Outcome::Dropped
        );
        let out = |id: &str| parents.is_outside(id);
        for (id, data) in [("c1", &near), ("c2", &far), ("c3", &near), ("c4", &past)] {
            assert_eq!(
                apply_in(&mut children, "ScheduledSession", id, 1, data, &out),
                Outcome::Dropped,
                "{id}"
            );
        }
        assert_eq!((children.live_len(), children.parked_len()), (0, 4));
        // While parked: a newer version that still follows is parked again (one entry), an
        // older one is stale, a deletion forgets it, and one that ends is swept.
        let near2 = near.replace("10:00", "11:00");
        assert_eq!(
            apply_in(&mut children, "ScheduledSession", "c1", 3, &near2, &out),
            Outcome::Dropped
        );
        assert_eq!(
            apply_in(&mut children, "ScheduledSession", "c1", 2, &near, &out),
            Outcome::Stale
        );
        let del =
            parse_item(r#"{"state":"deleted","kind":"ScheduledSession","id":"c3","modified":2}"#)
                .unwrap();
        children.apply(&del, "ScheduledSession", &region_window(), now(), &out);
        children.sweep(&region_window(), "2026-11-23T14:00:00Z".parse().unwrap());
        assert_eq!(children.parked_len(), 2, "c1 and c2 remain");
        // The series moves back in: it is no longer outside, and it says so once.
        assert_eq!(
            apply_in(&mut parents, "SessionSeries", "p", 3, SERIES_IN, &|_| false),
            Outcome::Upserted
        );
        assert!(!parents.is_outside("https://x/p"));
        let back = parents.take_returned();
        assert_eq!(back, ["https://x/p"]);
        assert!(parents.take_returned().is_empty());
        let out = |id: &str| parents.is_outside(id);
        let later = now() + Duration::hours(3);
        let placed = children.parent_returned(&back, &region_window(), later, &out);
        assert_eq!(placed, 2);
        // Its "first seen" is when this version was first seen, not when it came back.
        let times = children.live_times();
        assert_eq!(times.len(), 1);
        assert_eq!(times[0].2, Some(now()));
        assert_eq!(children.parked_len(), 0);
        // c1 (its newest version) is relayed again, c2 is held back until it enters the
        // window, c3 (deleted) and c4 (past) stay gone.
        assert!(children.contains_live("\"c1\""));
        let (_, json) = *children.page(0, 20).last().unwrap();
        assert!(
            json.contains("\"id\":\"c1\"") && json.contains("11:00"),
            "{json}"
        );
        assert_eq!(children.held_len(), 1);
        assert_eq!(children.live_len(), 1);
        assert!(!children.resync_wanted());
    }

    #[test]
    fn children_beyond_the_parking_bound_ask_for_a_resync_when_their_parent_returns() {
        let mut parents = FeedStore::new(1);
        let mut children = FeedStore::new(1);
        let near = child("2026-11-24T10:00:00Z");
        children.parked_limit = near.len() + 100;
        apply_in(&mut parents, "SessionSeries", "p", 1, SERIES_OUT, &|_| {
            false
        });
        let out = |id: &str| parents.is_outside(id);
        apply_in(&mut children, "ScheduledSession", "c1", 1, &near, &out);
        apply_in(&mut children, "ScheduledSession", "c2", 1, &near, &out);
        assert_eq!(children.parked_len(), 1, "the second did not fit");
        // Saved and restored, the bound's verdict and the parked child survive.
        let mut buf = Vec::new();
        children.write_snapshot(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut children = FeedStore::read_snapshot(text.lines()).unwrap();
        assert_eq!(children.parked_len(), 1);
        assert!(!children.resync_wanted());
        apply_in(&mut parents, "SessionSeries", "p", 2, SERIES_IN, &|_| false);
        let back = parents.take_returned();
        let out = |id: &str| parents.is_outside(id);
        assert_eq!(
            children.parent_returned(&back, &region_window(), now(), &out),
            1
        );
        assert_eq!(children.live_len(), 1);
        assert!(children.take_resync_wanted(), "c2 needs the resync");
        assert!(!children.take_resync_wanted());
    }

    #[test]
    fn parked_children_are_saved_and_come_back_after_a_restart() {
        let mut parents = FeedStore::new(1);
        let mut children = FeedStore::new(1);
        apply_in(&mut parents, "SessionSeries", "p", 1, SERIES_OUT, &|_| {
            false
        });
        let out = |id: &str| parents.is_outside(id);
        apply_in(
            &mut children,
            "ScheduledSession",
            "c1",
            1,
            &child("2026-11-24T10:00:00Z"),
            &out,
        );
        let save = |s: &FeedStore| {
            let mut buf = Vec::new();
            s.write_snapshot(&mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        let (pt, ct) = (save(&parents), save(&children));
        assert!(ct.lines().any(|l| l.starts_with("P{")), "{ct}");
        let mut parents = FeedStore::read_snapshot(pt.lines()).unwrap();
        let mut children = FeedStore::read_snapshot(ct.lines()).unwrap();
        assert_eq!(children.parked_len(), 1);
        assert_eq!(save(&children), ct, "saved again, the same");
        apply_in(&mut parents, "SessionSeries", "p", 2, SERIES_IN, &|_| false);
        let back = parents.take_returned();
        let out = |id: &str| parents.is_outside(id);
        children.parent_returned(&back, &region_window(), now(), &out);
        assert!(children.contains_live("\"c1\""));
        // A resync that does not see a parked child forgets it.
        let mut children = FeedStore::read_snapshot(ct.lines()).unwrap();
        children.begin_resync(now());
        children.finish_resync(now());
        assert_eq!(children.parked_len(), 0);
    }

    #[test]
    fn snapshot_round_trips_items_tombstones_held_items_and_cursor() {
        let mut s = FeedStore::new(500);
        let d = r#"{"@type":"SessionSeries","name":"caf\u00e9 \"q\""}"#;
        upsert(&mut s, "SessionSeries", "\"a\"", "637890336000000001", d);
        upsert(&mut s, "SessionSeries", "7", "\"x\"", d);
        delete(&mut s, "SessionSeries", "7", "\"y\"");
        let far = r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"}"#;
        upsert(&mut s, "ScheduledSession", "\"f\"", "3", far);
        upsert(&mut s, "ScheduledSession", "12", "3", far);
        s.set_cursor("http://x.example/feed?afterChangeNumber=9");
        s.begin_resync(now());
        s.saw("a");
        s.set_cursor("http://x.example/feed?afterChangeNumber=9");
        let mut buf = Vec::new();
        s.write_snapshot(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut r = FeedStore::read_snapshot(text.lines()).unwrap();
        assert_eq!(r.page(0, 10), s.page(0, 10));
        assert_eq!(r.live_len(), 1);
        assert_eq!(r.held_len(), 2);
        assert_eq!(r.cursor(), s.cursor());
        assert_eq!(r.next_seq, s.next_seq);
        // The same version again keeps its change number after a reload.
        assert_eq!(
            upsert(&mut r, "SessionSeries", "\"a\"", "637890336000000001", d),
            Outcome::Stale
        );
        // Stale against the restored tombstone; the resync keeps "a" and the held items go.
        assert_eq!(
            upsert(&mut r, "SessionSeries", "7", "\"x\"", d),
            Outcome::Stale
        );
        assert_eq!(r.finish_resync(now()), 2);
        assert!(r.contains_live("\"a\""));
        // Held items keep their id form when they enter the window.
        let mut r = FeedStore::read_snapshot(text.lines()).unwrap();
        r.sweep(&window(), "2026-12-20T00:00:00Z".parse().unwrap());
        assert!(r.page(0, 10).iter().any(|(_, j)| j.contains(r#""id":12,"#)));
        assert!(
            r.page(0, 10)
                .iter()
                .any(|(_, j)| j.contains(r#""id":"f","#))
        );
    }

    #[test]
    fn a_snapshot_from_the_former_reader_restores_and_its_offset_less_items_now_expire() {
        // Written before items were read through `openactive`: no `version`, resync ids and
        // keys as JSON text, no `kind` on records, no expiry for offset-less dates.
        let old = [
            r#"{"next_seq":12,"cursor":"http://x.example/f?after=9","pass_started":"2026-11-20T00:00:00Z","resync_seen":["\"s\"","5"],"outside":[]}"#,
            r#"R{"seq":9,"key":"5","modified":{"i":"3"},"ends":null,"deleted_at":null,"hash":1,"item":{"state":"updated","kind":"ScheduledSession","id":5,"modified":9,"data":{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00","endDate":"2026-11-24T11:00:00"}}}"#,
            r#"R{"seq":10,"key":"\"s\"","modified":{"s":"b"},"ends":null,"deleted_at":null,"hash":2,"item":{"state":"updated","kind":"SessionSeries","id":"s","modified":10,"data":{"@type":"SessionSeries"}}}"#,
            r#"R{"seq":11,"key":"\"gone\"","modified":{"i":"4"},"ends":null,"deleted_at":"2026-11-22T00:00:00Z","hash":0,"item":{"state":"deleted","kind":"SessionSeries","id":"gone","modified":11}}"#,
            r#"H{"key":"\"h\"","kind":"ScheduledSession","id":"h","modified":{"i":"1"},"data":{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"},"starts":"2027-01-10T10:00:00Z"}"#,
        ]
        .join("\n");
        let mut s = FeedStore::read_snapshot(old.lines()).unwrap();
        assert_eq!((s.live_len(), s.held_len(), s.last_seq()), (2, 1, 11));
        assert!(s.contains_live("5") && s.contains_live("\"s\""));
        assert!(s.resyncing());
        // Stale against the restored tombstone and versions.
        assert_eq!(
            delete(&mut s, "SessionSeries", "\"gone\"", "3"),
            Outcome::Stale
        );
        assert_eq!(
            upsert(
                &mut s,
                "SessionSeries",
                "\"s\"",
                "\"a\"",
                r#"{"@type":"SessionSeries"}"#
            ),
            Outcome::Stale
        );
        s.sweep(&window(), "2026-11-24T11:01:00Z".parse().unwrap());
        assert!(!s.contains_live("5"), "the offset-less session expired");
        assert_eq!(
            s.page(11, 10)[0].1,
            r#"{"state":"deleted","kind":"ScheduledSession","id":5,"modified":12}"#
        );
        // The resync saw both ids; nothing else to remove but the held item.
        assert_eq!(s.finish_resync(now()), 1);
        assert!(s.contains_live("\"s\""));
        // Saved again, it reads back the same.
        let mut buf = Vec::new();
        s.write_snapshot(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let r = FeedStore::read_snapshot(text.lines()).unwrap();
        assert_eq!(r.page(0, 20), s.page(0, 20));
    }

    #[test]
    fn deletions_become_tombstones_that_expire_after_a_week() {
        let mut s = FeedStore::new(1);
        let w = window();
        upsert(
            &mut s,
            "SessionSeries",
            "\"x\"",
            "1",
            r#"{"@type":"SessionSeries"}"#,
        );
        assert_eq!(
            delete(&mut s, "SessionSeries", "\"x\"", "2"),
            Outcome::Deleted
        );
        assert_eq!(s.live_len(), 0);
        let page = s.page(0, 10);
        assert_eq!(page.len(), 1);
        assert_eq!(
            page[0].1,
            r#"{"state":"deleted","kind":"SessionSeries","id":"x","modified":2}"#
        );
        s.sweep(&w, now() + Duration::days(8));
        assert!(s.page(0, 10).is_empty());
        // An item that ended is dropped as it arrives, even at a later time.
        assert_eq!(
            upsert_at(
                &mut s,
                "ScheduledSession",
                "\"y\"",
                "1",
                r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00"}"#,
                now() + Duration::days(2)
            ),
            Outcome::Dropped
        );
    }
}
