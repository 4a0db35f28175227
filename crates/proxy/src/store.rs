//! Compacted state of one feed: the latest version of each item, our own change numbers, and
//! tombstones kept for a week so relay consumers see deletions. Item `data` is kept as the
//! publisher's exact bytes.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::config::Region;

/// How long deletions stay in the relayed feed.
pub const TOMBSTONE_TTL_DAYS: i64 = 7;
/// Occurrences further ahead than the look-ahead plus this are discarded, not held back.
const HOLD_BACK_MAX_DAYS: i64 = 400;

/// An RPDE `modified` value, compared without ever going through f64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Modified {
    /// A JSON integer (may exceed 2^53).
    Int(i128),
    /// A JSON string (or any other token, kept as text).
    Str(String),
}

impl Modified {
    /// Reads the raw JSON token.
    pub fn from_raw(raw: &RawValue) -> Modified {
        let text = raw.get().trim();
        if let Ok(i) = text.parse::<i128>() {
            return Modified::Int(i);
        }
        if text.starts_with('"')
            && let Ok(s) = serde_json::from_str::<String>(text)
        {
            return Modified::Str(s);
        }
        Modified::Str(text.to_string())
    }

    /// `Some(ordering)` when the two are comparable; a digit string compares with an integer
    /// numerically.
    pub fn compare(&self, other: &Modified) -> Option<Ordering> {
        match (self, other) {
            (Modified::Int(a), Modified::Int(b)) => Some(a.cmp(b)),
            (Modified::Str(a), Modified::Str(b)) => Some(a.cmp(b)),
            (Modified::Int(a), Modified::Str(b)) => b.parse::<i128>().ok().map(|b| a.cmp(&b)),
            (Modified::Str(a), Modified::Int(b)) => a.parse::<i128>().ok().map(|a| a.cmp(b)),
        }
    }

    /// Whether `self` (incoming) may replace `stored`: not older. Incomparable values win.
    pub fn not_older_than(&self, stored: &Modified) -> bool {
        !matches!(self.compare(stored), Some(Ordering::Less))
    }
}

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
}

#[derive(Debug)]
struct Record {
    key: String,
    json: Box<str>,
}

#[derive(Debug)]
struct Held {
    kind: String,
    id: Box<RawValue>,
    modified: Modified,
    data: Box<RawValue>,
    starts: DateTime<Utc>,
}

/// Compacted state of one feed.
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
    /// Keys seen since a full resync began; `None` when no resync is running.
    resync_seen: Option<HashSet<String>>,
    /// JSON-LD `@id`s of this feed's items dropped for lying outside the region (their
    /// children without coordinates follow them out).
    outside: HashSet<String>,
}

#[derive(Deserialize)]
struct Dates<'a> {
    #[serde(rename = "@type", alias = "type", borrow, default)]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "startDate", default)]
    start: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "endDate", default)]
    end: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    location: Option<Location>,
    #[serde(rename = "@id", alias = "id", default)]
    at_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(rename = "superEvent", alias = "facilityUse", default)]
    parent: Option<ParentRef>,
}

/// A child's parent: a URL reference or an embedded object.
#[derive(Deserialize)]
#[serde(untagged)]
enum ParentRef {
    Url(String),
    Embedded(EmbeddedParent),
}

#[derive(Deserialize)]
struct EmbeddedParent {
    #[serde(rename = "@id", alias = "id", default)]
    at_id: Option<String>,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Deserialize)]
struct Location {
    #[serde(default)]
    geo: Option<Geo>,
}

#[derive(Deserialize)]
struct Geo {
    #[serde(default)]
    latitude: Option<serde_json::Value>,
    #[serde(default)]
    longitude: Option<serde_json::Value>,
}

fn number(v: &Option<serde_json::Value>) -> Option<f64> {
    match v.as_ref()? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn instant(s: &Option<std::borrow::Cow<'_, str>>) -> Option<DateTime<Utc>> {
    s.as_deref()
        .and_then(|s| DateTime::<FixedOffset>::parse_from_rfc3339(s.trim()).ok())
        .map(|d| d.with_timezone(&Utc))
}

enum Placement {
    Live(Option<DateTime<Utc>>),
    Hold(DateTime<Utc>),
    Drop,
    /// Outside the region; carries the item's `@id` when it has one.
    Outside(Option<String>),
}

/// Answers "is the parent with this `@id` known to lie outside the region?".
pub type ParentOutside<'a> = &'a dyn Fn(&str) -> bool;

fn geo_of(loc: Option<&Location>) -> Option<(f64, f64)> {
    let geo = loc?.geo.as_ref()?;
    Some((number(&geo.latitude)?, number(&geo.longitude)?))
}

fn is_parent_type(t: &str) -> bool {
    matches!(
        t,
        "SessionSeries" | "FacilityUse" | "IndividualFacilityUse" | "EventSeries" | "Place"
    )
}

fn place(
    data: &RawValue,
    window: &Window,
    now: DateTime<Utc>,
    parent_outside: ParentOutside<'_>,
) -> Placement {
    let Ok(d) = serde_json::from_str::<Dates<'_>>(data.get()) else {
        // Not an object we understand: relay it unchanged.
        return Placement::Live(None);
    };
    if let Some(region) = window.region {
        let outside = match geo_of(d.location.as_ref()) {
            Some((lat, lon)) => !region.contains(lat, lon),
            // No coordinates of its own: a child follows its parent.
            None => match &d.parent {
                Some(ParentRef::Embedded(p)) => match geo_of(p.location.as_ref()) {
                    Some((lat, lon)) => !region.contains(lat, lon),
                    None => p.at_id.as_deref().is_some_and(parent_outside),
                },
                Some(ParentRef::Url(u)) => parent_outside(u),
                None => false,
            },
        };
        if outside {
            return Placement::Outside(d.at_id.as_deref().map(str::to_string));
        }
    }
    let start = instant(&d.start);
    let end = instant(&d.end).or(start);
    if let Some(end) = end
        && end < now
    {
        return Placement::Drop;
    }
    if d.kind.as_deref().is_some_and(is_parent_type) {
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

    /// Notes that an item was seen during a resync.
    pub fn saw(&mut self, id: &RawValue) {
        if let Some(seen) = &mut self.resync_seen {
            seen.insert(id.get().to_string());
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
        let gone: Vec<(String, u64, Modified)> = self
            .index
            .iter()
            .filter(|(k, c)| c.deleted_at.is_none() && !seen.contains(*k))
            .map(|(k, c)| (k.clone(), c.seq, c.modified.clone()))
            .collect();
        for (key, seq, modified) in gone {
            let kind_id = self.log.get(&seq).and_then(|r| kind_and_id(&r.json));
            if let Some((kind, id)) = kind_id {
                self.tombstone(&key, &kind, &id, modified, now);
                removed += 1;
            }
        }
        removed
    }

    /// Whether an item with this JSON-LD `@id` was dropped for lying outside the region.
    pub fn is_outside(&self, at_id: &str) -> bool {
        self.outside.contains(at_id)
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

    /// Applies an `updated` item.
    pub fn upsert(
        &mut self,
        kind: &str,
        id: &RawValue,
        modified: Modified,
        data: &RawValue,
        window: &Window,
        now: DateTime<Utc>,
    ) -> Outcome {
        self.upsert_with(kind, id, modified, data, window, now, &|_| false)
    }

    /// Applies an `updated` item; `parent_outside` tells whether a referenced parent lies
    /// outside the region (children without coordinates follow their parent).
    #[allow(clippy::too_many_arguments)]
    pub fn upsert_with(
        &mut self,
        kind: &str,
        id: &RawValue,
        modified: Modified,
        data: &RawValue,
        window: &Window,
        now: DateTime<Utc>,
        parent_outside: ParentOutside<'_>,
    ) -> Outcome {
        let key = id.get().to_string();
        if let Some(stored) = self.stored_modified(&key)
            && !modified.not_older_than(stored)
        {
            return Outcome::Stale;
        }
        if let Some(cur) = self.index.get(&key)
            && cur.deleted_at.is_none()
            && cur.modified.compare(&modified) == Some(Ordering::Equal)
            && cur.data_hash == hash_of(data.get())
        {
            // The same version again (a re-polled page): keep its change number.
            return Outcome::Stale;
        }
        match place(data, window, now, parent_outside) {
            Placement::Outside(at_id) => {
                if let Some(at_id) = at_id {
                    self.outside.insert(at_id);
                }
                self.held.remove(&key);
                self.tombstone(&key, kind, id, modified, now);
                Outcome::Dropped
            }
            Placement::Drop => {
                self.held.remove(&key);
                self.tombstone(&key, kind, id, modified, now);
                Outcome::Dropped
            }
            Placement::Hold(starts) => {
                self.tombstone(&key, kind, id, modified.clone(), now);
                self.held.insert(
                    key,
                    Held {
                        kind: kind.to_string(),
                        id: id.to_owned(),
                        modified,
                        data: data.to_owned(),
                        starts,
                    },
                );
                Outcome::HeldBack
            }
            Placement::Live(ends) => {
                self.held.remove(&key);
                self.put_live(key, kind, id, modified, data, ends);
                Outcome::Upserted
            }
        }
    }

    fn put_live(
        &mut self,
        key: String,
        kind: &str,
        id: &RawValue,
        modified: Modified,
        data: &RawValue,
        ends: Option<DateTime<Utc>>,
    ) {
        let seq = self.take_seq();
        let json = format!(
            "{{\"state\":\"updated\",\"kind\":{},\"id\":{},\"modified\":{seq},\"data\":{}}}",
            json_string(kind),
            id.get(),
            data.get()
        );
        if let Some(old) = self.index.insert(
            key.clone(),
            Current {
                seq,
                modified,
                ends,
                deleted_at: None,
                data_hash: hash_of(data.get()),
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
    fn tombstone(
        &mut self,
        key: &str,
        kind: &str,
        id: &RawValue,
        modified: Modified,
        now: DateTime<Utc>,
    ) {
        let Some(cur) = self.index.get(key) else {
            return;
        };
        if cur.deleted_at.is_some() {
            if let Some(cur) = self.index.get_mut(key) {
                cur.modified = modified;
            }
            return;
        }
        let old_seq = cur.seq;
        let seq = self.take_seq();
        self.log.remove(&old_seq);
        self.live -= 1;
        let json = format!(
            "{{\"state\":\"deleted\",\"kind\":{},\"id\":{},\"modified\":{seq}}}",
            json_string(kind),
            id.get()
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
            },
        );
    }

    /// Applies a `deleted` item.
    pub fn delete(
        &mut self,
        kind: &str,
        id: &RawValue,
        modified: Modified,
        now: DateTime<Utc>,
    ) -> Outcome {
        let key = id.get().to_string();
        if let Some(stored) = self.stored_modified(&key)
            && !modified.not_older_than(stored)
        {
            return Outcome::Stale;
        }
        self.held.remove(&key);
        self.tombstone(&key, kind, id, modified, now);
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
            let Some(cur) = self.index.get(&key) else {
                continue;
            };
            let modified = cur.modified.clone();
            let kind_id = self.log.get(&cur.seq).and_then(|r| kind_and_id(&r.json));
            if let Some((kind, id)) = kind_id {
                self.tombstone(&key, &kind, &id, modified, now);
            }
        }
        let horizon = now + Duration::days(i64::from(window.lookahead_days));
        let due: Vec<String> = self
            .held
            .iter()
            .filter(|(_, h)| h.starts <= horizon)
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            if let Some(h) = self.held.remove(&key) {
                self.upsert(&h.kind, &h.id, h.modified, &h.data, window, now);
            }
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

    /// Whether the item with this RPDE id (its JSON text) is live.
    pub fn contains_live(&self, id_json: &str) -> bool {
        self.index
            .get(id_json)
            .is_some_and(|c| c.deleted_at.is_none())
    }

    /// Keys of all live items, for tests and diagnostics.
    pub fn live_keys(&self) -> Vec<&str> {
        self.index
            .iter()
            .filter(|(_, c)| c.deleted_at.is_none())
            .map(|(k, _)| k.as_str())
            .collect()
    }

    /// The record keys in change-number order (tests).
    pub fn log_keys(&self) -> Vec<&str> {
        self.log.values().map(|r| r.key.as_str()).collect()
    }
}

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
    fn restore(self) -> Result<Modified, String> {
        match self {
            SavedModified::Int(t) => t
                .parse()
                .map(Modified::Int)
                .map_err(|_| "bad saved modified".to_string()),
            SavedModified::Str(s) => Ok(Modified::Str(s)),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct SavedHeader {
    next_seq: u64,
    cursor: Option<String>,
    pass_started: Option<DateTime<Utc>>,
    resync_seen: Option<Vec<String>>,
    outside: Vec<String>,
}

#[derive(Serialize)]
struct SavedRecordOut<'a> {
    seq: u64,
    key: &'a str,
    modified: SavedModified,
    ends: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    hash: u64,
}

#[derive(Deserialize)]
struct SavedRecordIn {
    seq: u64,
    key: String,
    modified: SavedModified,
    ends: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    hash: u64,
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
}

#[derive(Deserialize)]
struct SavedHeldIn {
    key: String,
    kind: String,
    id: Box<RawValue>,
    modified: SavedModified,
    data: Box<RawValue>,
    starts: DateTime<Utc>,
}

impl FeedStore {
    /// Writes the whole state as JSON lines: a header line, then `R` (relayed record) and `H`
    /// (held-back item) lines. Relayed item JSON is embedded verbatim.
    pub fn write_snapshot(&self, out: &mut Vec<u8>) -> Result<(), String> {
        let err = |e: serde_json::Error| e.to_string();
        let header = SavedHeader {
            next_seq: self.next_seq,
            cursor: self.cursor.clone(),
            pass_started: self.pass_started,
            resync_seen: self
                .resync_seen
                .as_ref()
                .map(|s| s.iter().cloned().collect()),
            outside: self.outside.iter().cloned().collect(),
        };
        serde_json::to_writer(&mut *out, &header).map_err(err)?;
        out.push(b'\n');
        for (seq, rec) in &self.log {
            let Some(cur) = self.index.get(&rec.key) else {
                continue;
            };
            out.extend_from_slice(b"R");
            let meta = SavedRecordOut {
                seq: *seq,
                key: &rec.key,
                modified: (&cur.modified).into(),
                ends: cur.ends,
                deleted_at: cur.deleted_at,
                hash: cur.data_hash,
            };
            let mut line = serde_json::to_vec(&meta).map_err(err)?;
            line.pop(); // the closing brace
            out.extend_from_slice(&line);
            out.extend_from_slice(b",\"item\":");
            out.extend_from_slice(rec.json.as_bytes());
            out.extend_from_slice(b"}\n");
        }
        for (key, h) in &self.held {
            out.extend_from_slice(b"H");
            let held = SavedHeldOut {
                key,
                kind: &h.kind,
                id: &h.id,
                modified: (&h.modified).into(),
                data: &h.data,
                starts: h.starts,
            };
            serde_json::to_writer(&mut *out, &held).map_err(err)?;
            out.push(b'\n');
        }
        Ok(())
    }

    /// Reads what [`FeedStore::write_snapshot`] wrote.
    pub fn read_snapshot<'a>(mut lines: impl Iterator<Item = &'a str>) -> Result<Self, String> {
        let err = |e: serde_json::Error| format!("corrupt state: {e}");
        let header: SavedHeader =
            serde_json::from_str(lines.next().ok_or("empty state")?).map_err(err)?;
        let mut store = FeedStore::new(header.next_seq);
        store.cursor = header.cursor;
        store.pass_started = header.pass_started;
        store.resync_seen = header.resync_seen.map(|v| v.into_iter().collect());
        store.outside = header.outside.into_iter().collect();
        for line in lines {
            if let Some(rec) = line.strip_prefix('R') {
                let r: SavedRecordIn = serde_json::from_str(rec).map_err(err)?;
                if r.deleted_at.is_none() {
                    store.live += 1;
                }
                store.index.insert(
                    r.key.clone(),
                    Current {
                        seq: r.seq,
                        modified: r.modified.restore()?,
                        ends: r.ends,
                        deleted_at: r.deleted_at,
                        data_hash: r.hash,
                    },
                );
                store.next_seq = store.next_seq.max(r.seq + 1);
                store.log.insert(
                    r.seq,
                    Record {
                        key: r.key,
                        json: r.item.get().into(),
                    },
                );
            } else if let Some(held) = line.strip_prefix('H') {
                let h: SavedHeldIn = serde_json::from_str(held).map_err(err)?;
                store.held.insert(
                    h.key,
                    Held {
                        kind: h.kind,
                        id: h.id,
                        modified: h.modified.restore()?,
                        data: h.data,
                        starts: h.starts,
                    },
                );
            } else if !line.is_empty() {
                return Err("corrupt state: unknown line".into());
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

fn kind_and_id(json: &str) -> Option<(String, Box<RawValue>)> {
    #[derive(Deserialize)]
    struct KindId {
        kind: String,
        id: Box<RawValue>,
    }
    serde_json::from_str::<KindId>(json)
        .ok()
        .map(|k| (k.kind, k.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    fn window() -> Window {
        Window {
            lookahead_days: 28,
            region: None,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn modified_compares_big_integers_exactly_and_strings_as_strings() {
        let a = Modified::from_raw(&raw("637890336000000001"));
        let b = Modified::from_raw(&raw("637890336000000000"));
        assert_eq!(a.compare(&b), Some(Ordering::Greater));
        let s1 = Modified::from_raw(&raw("\"2020-01-02\""));
        let s2 = Modified::from_raw(&raw("\"2020-01-10\""));
        assert_eq!(s1.compare(&s2), Some(Ordering::Less));
        assert!(Modified::Int(5).not_older_than(&Modified::Str("5".into())));
    }

    #[test]
    fn latest_version_wins_and_stale_versions_are_ignored() {
        let mut s = FeedStore::new(100);
        let w = window();
        let id = raw("\"a\"");
        let d1 = raw(r#"{"@type":"SessionSeries","name":"one"}"#);
        let d0 = raw(r#"{"@type":"SessionSeries","name":"zero"}"#);
        assert_eq!(
            s.upsert("SessionSeries", &id, Modified::Int(2), &d1, &w, now()),
            Outcome::Upserted
        );
        assert_eq!(
            s.upsert("SessionSeries", &id, Modified::Int(1), &d0, &w, now()),
            Outcome::Stale
        );
        let page = s.page(0, 10);
        assert_eq!(page.len(), 1);
        assert!(page[0].1.contains("\"one\""));
        assert_eq!(page[0].0, 100);
        // The same version re-published keeps its change number; a new one gets a new number.
        assert_eq!(
            s.upsert("SessionSeries", &id, Modified::Int(2), &d1, &w, now()),
            Outcome::Stale
        );
        assert_eq!(s.last_seq(), 100);
        assert_eq!(
            s.upsert("SessionSeries", &id, Modified::Int(2), &d0, &w, now()),
            Outcome::Upserted
        );
        assert_eq!(s.page(0, 10)[0].0, 101);
    }

    #[test]
    fn past_sessions_are_dropped_and_far_ones_held_back() {
        let mut s = FeedStore::new(1);
        let w = window();
        let past = raw(
            r#"{"@type":"ScheduledSession","startDate":"2026-11-01T10:00:00Z","endDate":"2026-11-01T11:00:00Z"}"#,
        );
        let far = raw(r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"}"#);
        let near = raw(
            r#"{"@type":"ScheduledSession","startDate":"2026-11-24T10:00:00+00:00","endDate":"2026-11-24T11:00:00+00:00"}"#,
        );
        assert_eq!(
            s.upsert(
                "ScheduledSession",
                &raw("1"),
                Modified::Int(1),
                &past,
                &w,
                now()
            ),
            Outcome::Dropped
        );
        assert_eq!(
            s.upsert(
                "ScheduledSession",
                &raw("2"),
                Modified::Int(2),
                &far,
                &w,
                now()
            ),
            Outcome::HeldBack
        );
        assert_eq!(
            s.upsert(
                "ScheduledSession",
                &raw("3"),
                Modified::Int(3),
                &near,
                &w,
                now()
            ),
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
    }

    #[test]
    fn snapshot_round_trips_items_tombstones_held_items_and_cursor() {
        let mut s = FeedStore::new(500);
        let w = window();
        let d = raw(r#"{"@type":"SessionSeries","name":"caf\u00e9 \"q\""}"#);
        s.upsert(
            "SessionSeries",
            &raw("\"a\""),
            Modified::Int(637890336000000001),
            &d,
            &w,
            now(),
        );
        s.upsert(
            "SessionSeries",
            &raw("7"),
            Modified::Str("x".into()),
            &d,
            &w,
            now(),
        );
        s.delete("SessionSeries", &raw("7"), Modified::Str("y".into()), now());
        let far = raw(r#"{"@type":"ScheduledSession","startDate":"2027-01-10T10:00:00Z"}"#);
        s.upsert(
            "ScheduledSession",
            &raw("\"f\""),
            Modified::Int(3),
            &far,
            &w,
            now(),
        );
        s.set_cursor("http://x.example/feed?afterChangeNumber=9");
        let mut buf = Vec::new();
        s.write_snapshot(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let r = FeedStore::read_snapshot(text.lines()).unwrap();
        assert_eq!(r.page(0, 10), s.page(0, 10));
        assert_eq!(r.live_len(), 1);
        assert_eq!(r.held_len(), 1);
        assert_eq!(r.cursor(), s.cursor());
        assert_eq!(r.next_seq, s.next_seq);
        // The same version again keeps its change number after a reload.
        let mut r = r;
        assert_eq!(
            r.upsert(
                "SessionSeries",
                &raw("\"a\""),
                Modified::Int(637890336000000001),
                &d,
                &w,
                now()
            ),
            Outcome::Stale
        );
    }

    #[test]
    fn deletions_become_tombstones_that_expire_after_a_week() {
        let mut s = FeedStore::new(1);
        let w = window();
        let d = raw(r#"{"@type":"SessionSeries"}"#);
        s.upsert(
            "SessionSeries",
            &raw("\"x\""),
            Modified::Int(1),
            &d,
            &w,
            now(),
        );
        assert_eq!(
            s.delete("SessionSeries", &raw("\"x\""), Modified::Int(2), now()),
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
    }
}
