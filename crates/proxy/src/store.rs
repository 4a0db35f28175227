//! Compacted state of one feed: the latest version of each item, our own change numbers, and
//! tombstones kept for a week so relay consumers see deletions. Item `data` is kept as the
//! publisher's exact bytes.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::Deserialize;
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
}

fn is_parent_type(t: &str) -> bool {
    matches!(
        t,
        "SessionSeries" | "FacilityUse" | "IndividualFacilityUse" | "EventSeries" | "Place"
    )
}

fn place(data: &RawValue, window: &Window, now: DateTime<Utc>) -> Placement {
    let Ok(d) = serde_json::from_str::<Dates<'_>>(data.get()) else {
        // Not an object we understand: relay it unchanged.
        return Placement::Live(None);
    };
    if let (Some(region), Some(geo)) = (
        window.region,
        d.location.as_ref().and_then(|l| l.geo.as_ref()),
    ) && let (Some(lat), Some(lon)) = (number(&geo.latitude), number(&geo.longitude))
        && !region.contains(lat, lon)
    {
        return Placement::Drop;
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
        }
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
        match place(data, window, now) {
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
