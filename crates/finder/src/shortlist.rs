//! The shortlist: dated sessions a link worker chose for someone, kept on the device and, only
//! when shared, in the link (`sl=`).
//!
//! In a link each session is 17 URL-safe characters, fixed width and without separators:
//! 8 characters (48 bits) of a hash of the occurrence's `@id` (its key), 5 characters of its
//! start in minutes since 1970 (so a changed time is noticed), and 4 characters (24 bits) of a
//! hash of its series `@id` (so the same series on the same day, or its next date, can be
//! offered when the session itself is gone). Five sessions make an 85-character value.
//!
//! [`resolve`] maps each entry onto the loaded index: found, moved ("now at 10:30"),
//! cancelled, past (with the series' next date when there is one) or no longer listed.
//! Nothing is ever dropped silently.

use crate::index::Index;
use chrono::{DateTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Characters of one entry in `sl=`.
pub const ENTRY_CHARS: usize = 17;
/// The most entries a link or the device keeps.
pub const MAX_ENTRIES: usize = 30;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A 64-bit FNV-1a hash followed by a SplitMix64 finaliser (so the truncated top bits are well
/// mixed). Stable across platforms and releases: links depend on it.
pub fn hash64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The 48-bit hash of an occurrence key used in links.
pub fn id_hash(key: &str) -> u64 {
    hash64(key) >> 16
}

/// The 24-bit hash of a series key used in links.
pub fn series_hash(series: &str) -> u32 {
    (hash64(series) >> 40) as u32
}

fn put(out: &mut String, v: u64, chars: usize) {
    for i in (0..chars).rev() {
        out.push(B64[((v >> (6 * i)) & 63) as usize] as char);
    }
}

fn take(s: &[u8]) -> Option<u64> {
    s.iter().try_fold(0u64, |acc, &c| {
        let d = B64.iter().position(|&b| b == c)? as u64;
        Some(acc << 6 | d)
    })
}

/// A shortlisted session as the device keeps it (full keys, and a label to show if it is gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The occurrence's key (`@id`).
    pub key: String,
    /// Its series' `@id`, when it has one.
    #[serde(default)]
    pub series: Option<String>,
    /// Start, seconds since 1970 (UTC).
    pub start: i64,
    /// "Aqua fit · Riverside Leisure Centre": shown when the session is no longer listed.
    #[serde(default)]
    pub label: String,
}

impl Entry {
    /// The entry of the occurrence at `pos`.
    pub fn of(ix: &Index, pos: usize) -> Entry {
        let o = &ix.occurrences[pos];
        let venue = &ix.venues[ix.venue_of(pos)].name;
        Entry {
            key: o.key.clone(),
            series: o.series_key.clone(),
            start: o.start.timestamp(),
            label: format!("{} · {venue}", o.name),
        }
    }

    /// The compact form that goes into a link.
    pub fn link(&self) -> LinkEntry {
        LinkEntry {
            id: id_hash(&self.key),
            start_min: self.start.div_euclid(60) as u32,
            series: series_hash(self.series.as_deref().unwrap_or(&self.key)),
        }
    }
}

/// A shortlisted session as a link carries it: hashes and the start minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkEntry {
    /// [`id_hash`] of the key (48 bits).
    pub id: u64,
    /// Start, minutes since 1970 (UTC).
    pub start_min: u32,
    /// [`series_hash`] of the series key (of the key itself without a series).
    pub series: u32,
}

impl LinkEntry {
    /// The start as an instant.
    pub fn start(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.start_min as i64 * 60, 0)
            .single()
            .unwrap_or_default()
    }
}

/// The `sl=` value for these entries.
pub fn encode(entries: &[LinkEntry]) -> String {
    let mut s = String::with_capacity(entries.len() * ENTRY_CHARS);
    for e in entries.iter().take(MAX_ENTRIES) {
        put(&mut s, e.id & 0xffff_ffff_ffff, 8);
        put(&mut s, e.start_min as u64 & 0x3fff_ffff, 5);
        put(&mut s, e.series as u64 & 0xff_ffff, 4);
    }
    s
}

/// Reads an `sl=` value; `None` when it is not one (wrong length or characters, too many).
pub fn decode(s: &str) -> Option<Vec<LinkEntry>> {
    let b = s.trim().as_bytes();
    if b.is_empty() || !b.len().is_multiple_of(ENTRY_CHARS) || b.len() / ENTRY_CHARS > MAX_ENTRIES {
        return None;
    }
    b.chunks(ENTRY_CHARS)
        .map(|c| {
            Some(LinkEntry {
                id: take(&c[0..8])?,
                start_min: take(&c[8..13])? as u32,
                series: take(&c[13..17])? as u32,
            })
        })
        .collect()
}

/// What became of a shortlisted session in the current data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Listed, at the same time (the occurrence's position).
    Found(usize),
    /// The same session (or its series on the same day) now starts at another time.
    Moved(usize),
    /// Cancelled (or postponed) by the organiser.
    Cancelled(usize),
    /// Its date has passed; `Some` is the series' next date.
    Past(Option<usize>),
    /// Not in the data any more (and no date of its series on that day).
    NoLongerListed,
}

impl Status {
    /// The occurrence to show, if any.
    pub fn pos(self) -> Option<usize> {
        match self {
            Status::Found(p) | Status::Moved(p) | Status::Cancelled(p) => Some(p),
            Status::Past(p) => p,
            Status::NoLongerListed => None,
        }
    }

    /// The plain words shown beside the session ("" when it is as chosen).
    pub fn label(self, ix: &Index) -> String {
        match self {
            Status::Found(_) => String::new(),
            Status::Moved(p) => {
                let t = crate::london::local(&ix.occurrences[p].start);
                format!("now at {:02}:{:02}", t.hour(), t.minute())
            }
            Status::Cancelled(_) => "cancelled".into(),
            Status::Past(Some(_)) => "that date has passed; the next one is shown".into(),
            Status::Past(None) => "that date has passed".into(),
            Status::NoLongerListed => "no longer listed".into(),
        }
    }
}

/// A lookup from link hashes to positions in an index, made once per index.
#[derive(Debug, Default)]
pub struct Lookup {
    by_id: foldhash::HashMap<u64, Vec<u32>>,
    by_series: foldhash::HashMap<u32, Vec<u32>>,
}

impl Lookup {
    /// Hashes every occurrence key and series key of the index.
    pub fn new(ix: &Index) -> Lookup {
        let mut l = Lookup::default();
        for (i, o) in ix.occurrences.iter().enumerate() {
            l.by_id.entry(id_hash(&o.key)).or_default().push(i as u32);
            let s = series_hash(o.series_key.as_deref().unwrap_or(&o.key));
            l.by_series.entry(s).or_default().push(i as u32);
        }
        l
    }
}

fn london_day(t: i64) -> Option<chrono::NaiveDate> {
    Some(crate::london::local(&DateTime::from_timestamp(t, 0)?).date_naive())
}

/// What became of one entry, given the index, its lookup and the time now.
pub fn resolve(ix: &Index, lookup: &Lookup, e: &LinkEntry, now: DateTime<Utc>) -> Status {
    let start_ts = e.start_min as i64 * 60;
    let minute = |p: usize| ix.occurrences[p].start.timestamp().div_euclid(60);
    // The session itself (a 48-bit hash: a false match needs a collision *and* the series).
    if let Some(ps) = lookup.by_id.get(&e.id) {
        let p = ps[0] as usize;
        let o = &ix.occurrences[p];
        if o.cancelled {
            return Status::Cancelled(p);
        }
        return if minute(p) == e.start_min as i64 {
            Status::Found(p)
        } else {
            Status::Moved(p)
        };
    }
    let same_series: Vec<usize> = lookup
        .by_series
        .get(&e.series)
        .map(|v| v.iter().map(|&i| i as usize).collect())
        .unwrap_or_default();
    // A session of its series on the same London day: it was moved (a schedule-expanded
    // session's key holds its start, so a new time is a new key).
    let day = london_day(start_ts);
    let on_day: Vec<usize> = same_series
        .iter()
        .copied()
        .filter(|&p| london_day(ix.occurrences[p].start.timestamp()) == day)
        .collect();
    if let Some(&p) = on_day.iter().find(|&&p| !ix.occurrences[p].cancelled) {
        return Status::Moved(p);
    }
    if let Some(&p) = on_day.first() {
        return Status::Cancelled(p);
    }
    if start_ts < now.timestamp() {
        let next = same_series
            .iter()
            .copied()
            .filter(|&p| {
                !ix.occurrences[p].cancelled
                    && ix.occurrences[p].start.timestamp() >= now.timestamp()
            })
            .min_by_key(|&p| ix.occurrences[p].start.timestamp());
        return Status::Past(next);
    }
    Status::NoLongerListed
}

/// Adds or removes the occurrence at `pos`; returns whether it is now on the list.
pub fn toggle(list: &mut Vec<Entry>, ix: &Index, pos: usize) -> bool {
    let key = &ix.occurrences[pos].key;
    if let Some(i) = list.iter().position(|e| &e.key == key) {
        list.remove(i);
        false
    } else {
        if list.len() >= MAX_ENTRIES {
            list.remove(0);
        }
        list.push(Entry::of(ix, pos));
        true
    }
}

/// Reads the device's copy (JSON); anything unreadable is an empty list.
pub fn from_json(s: &str) -> Vec<Entry> {
    let mut v: Vec<Entry> = serde_json::from_str(s).unwrap_or_default();
    v.truncate(MAX_ENTRIES);
    v
}

/// The device's copy (JSON).
pub fn to_json(list: &[Entry]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_entry() -> impl Strategy<Value = LinkEntry> {
        (0u64..1 << 48, 0u32..1 << 30, 0u32..1 << 24).prop_map(|(id, start_min, series)| {
            LinkEntry {
                id,
                start_min,
                series,
            }
        })
    }

    proptest! {
        #[test]
        fn link_encoding_round_trips(v in proptest::collection::vec(arb_entry(), 1..=MAX_ENTRIES)) {
            let s = encode(&v);
            prop_assert_eq!(s.len(), v.len() * ENTRY_CHARS);
            prop_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            prop_assert_eq!(decode(&s), Some(v));
        }

        #[test]
        fn any_text_decodes_or_is_refused_without_panicking(s in ".{0,80}") {
            let _ = decode(&s);
        }
    }

    #[test]
    fn bad_values_are_refused() {
        assert_eq!(decode(""), None);
        assert_eq!(decode("abc"), None);
        assert_eq!(decode(&"a".repeat(16)), None);
        assert_eq!(decode(&"a!".repeat(ENTRY_CHARS)), None);
        assert_eq!(decode(&"A".repeat(ENTRY_CHARS * (MAX_ENTRIES + 1))), None);
        assert!(decode(&"A".repeat(ENTRY_CHARS * 2)).is_some());
    }

    #[test]
    fn the_hash_is_stable() {
        // Links in the wild depend on these values: never change the hash.
        assert_eq!(
            encode(&[Entry {
                key: "https://example.org/session/1".into(),
                series: Some("https://example.org/series/1".into()),
                start: 1_796_119_200,
                label: String::new(),
            }
            .link()]),
            GOLDEN_ENTRY
        );
    }
    const GOLDEN_ENTRY: &str = "joQV176nByMbYvDEv";

    #[test]
    fn no_collisions_among_100k_realistic_ids() {
        let mut seen = std::collections::HashSet::new();
        for series in 0..5_000u32 {
            for n in 0..20u32 {
                let key = format!(
                    "https://api.example-leisure.org.uk/openactive/scheduled-sessions/{series}-{n}"
                );
                assert!(seen.insert(id_hash(&key)), "collision at {key}");
            }
        }
        // Schedule-expanded keys differ only in their start instant.
        let t0 = DateTime::parse_from_rfc3339("2026-12-01T06:00:00+00:00").unwrap();
        for series in 0..10u32 {
            for slot in 0..2_000i64 {
                let t = t0 + chrono::Duration::minutes(slot * 45);
                let key = format!(
                    "https://example.org/session-series/{series}#{}",
                    t.to_rfc3339()
                );
                assert!(seen.insert(id_hash(&key)), "collision at {key}");
            }
        }
        assert_eq!(seen.len(), 120_000);
    }
}
