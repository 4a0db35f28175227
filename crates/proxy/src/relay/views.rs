//! What is read from the relay log: counts, change numbers, relayed pages and views of the
//! live and held items.

use chrono::{DateTime, Utc};
use openactive::model::Ref;
use openactive::rpde::parse_data;

use super::{FeedStore, ItemId, Modified, id_from_json};

impl FeedStore {
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

    pub(crate) fn stored_modified(&self, key: &str) -> Option<&Modified> {
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

    pub(crate) fn take_seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
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
