//! A feed's passes and resyncs, and children parked while their parent lies outside the
//! region.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use openactive::rpde::parse_data;

use super::{FeedStore, Incoming, ItemId, ParentOutside, Parked, Window};

impl FeedStore {
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

    pub(crate) fn unpark(&mut self, key: &str) -> Option<Parked> {
        let p = self.parked.remove(key)?;
        self.parked_bytes = self.parked_bytes.saturating_sub(p.bytes(key));
        Some(p)
    }

    /// Keeps a child dropped for its parent, within [`PARKED_MAX_BYTES`]; beyond it, the
    /// parent is marked so that its return asks for a resync.
    pub(crate) fn park(&mut self, key: &str, p: Parked) {
        let size = p.bytes(key);
        if self.parked_bytes + size > self.parked_limit {
            self.overflowed.insert(p.parent);
            return;
        }
        self.parked_bytes += size;
        self.parked.insert(key.to_string(), p);
    }
}
