//! The current state of one feed: upsert when not older, delete by item id, tombstones.

use foldhash::HashMap;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};

use super::{Item, ItemState, Modified, Page};

/// What applying a page changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Item ids inserted or replaced.
    pub upserted: Vec<String>,
    /// Item ids deleted (including ids never seen before).
    pub deleted: Vec<String>,
    /// Items ignored because a newer version (or deletion) was already applied.
    pub ignored_stale: usize,
}

#[derive(Debug, Clone)]
struct Slot<V> {
    modified: Modified,
    value: Option<V>,
    /// When it was applied: a counter over every item this state accepted.
    seq: u64,
}

/// The current state of one feed: the latest version of each live item, plus tombstones
/// (deleted ids with their `modified`) so that an older, late copy never resurrects an item.
///
/// `V` is what is stored per live item: the whole [`Item`] by default (for relays), or
/// anything derived from it via [`FeedState::apply_with`].
#[derive(Debug, Clone)]
pub struct FeedState<V = Item> {
    entries: HashMap<String, Slot<V>>,
    live: usize,
    /// Items accepted so far (see [`FeedState::applied_order`]).
    accepted: u64,
}

impl<V> Default for FeedState<V> {
    fn default() -> Self {
        Self {
            entries: HashMap::default(),
            live: 0,
            accepted: 0,
        }
    }
}

impl FeedState<Item> {
    /// Applies a page, storing each accepted item.
    pub fn apply(&mut self, page: &Page) -> Changes {
        self.apply_with(page, Item::clone)
    }
}

impl<V> FeedState<V> {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a page, storing `convert(item)` for each accepted update. An update is
    /// accepted when its `modified` is not older than what is stored (or the tombstone);
    /// a deletion when it is not older than the stored version.
    pub fn apply_with(&mut self, page: &Page, mut convert: impl FnMut(&Item) -> V) -> Changes {
        let mut changes = Changes::default();
        for item in &page.items {
            let accepted = match self.entries.get(&item.id) {
                Some(slot) => item.modified >= slot.modified,
                None => true,
            };
            if !accepted {
                changes.ignored_stale += 1;
                continue;
            }
            let value = match item.state {
                ItemState::Updated => Some(convert(item)),
                ItemState::Deleted => None,
            };
            let is_live = value.is_some();
            self.accepted += 1;
            let seq = self.accepted;
            match self.entries.entry(item.id.clone()) {
                Entry::Occupied(mut e) => {
                    let was_live = e.get().value.is_some();
                    e.insert(Slot {
                        modified: item.modified.clone(),
                        value,
                        seq,
                    });
                    self.live = self.live + usize::from(is_live) - usize::from(was_live);
                }
                Entry::Vacant(e) => {
                    e.insert(Slot {
                        modified: item.modified.clone(),
                        value,
                        seq,
                    });
                    self.live += usize::from(is_live);
                }
            }
            if is_live {
                changes.upserted.push(item.id.clone());
            } else {
                changes.deleted.push(item.id.clone());
            }
        }
        changes
    }

    /// The stored value for a live item.
    pub fn get(&self, id: &str) -> Option<&V> {
        self.entries.get(id).and_then(|s| s.value.as_ref())
    }

    /// The `modified` last applied for an id (live or deleted).
    pub fn modified(&self, id: &str) -> Option<&Modified> {
        self.entries.get(id).map(|s| &s.modified)
    }

    /// When an id's current version was applied, as a number that grows with every item
    /// accepted (a later page, or later on the same page, gives a larger number).
    pub fn applied_order(&self, id: &str) -> Option<u64> {
        self.entries.get(id).map(|s| s.seq)
    }

    /// Number of live items.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether there are no live items.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Live items as `(item id, value)`, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries
            .iter()
            .filter_map(|(k, s)| s.value.as_ref().map(|v| (k.as_str(), v)))
    }

    /// Forgets tombstones (deleted ids), e.g. after a full resync.
    pub fn prune_tombstones(&mut self) {
        self.entries.retain(|_, s| s.value.is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpde::parse_page;

    #[test]
    fn feed_state_rules() {
        let page = |json: &str| parse_page(json, "u").unwrap();
        let mut st = FeedState::new();
        let c = st.apply(&page(
            r#"{"next":"u","items":[
              {"state":"updated","id":"a","modified":5,"data":{"@type":"Event"}},
              {"state":"deleted","id":"zz","modified":6}]}"#,
        ));
        assert_eq!(c.upserted, ["a"]);
        assert_eq!(c.deleted, ["zz"]);
        assert_eq!(st.len(), 1);
        let c = st.apply(&page(
            r#"{"next":"u","items":[
              {"state":"updated","id":"a","modified":4,"data":{"@type":"Event"}},
              {"state":"updated","id":"zz","modified":5,"data":{"@type":"Event"}}]}"#,
        ));
        assert_eq!(c.ignored_stale, 2);
        assert_eq!(st.len(), 1);
        let c = st.apply(&page(
            r#"{"next":"u","items":[{"state":"deleted","id":"a","modified":5}]}"#,
        ));
        assert_eq!(c.deleted, ["a"]);
        assert!(st.is_empty());
        assert!(st.get("a").is_none());
    }
}
