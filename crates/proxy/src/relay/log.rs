//! The relay log: applying items (upsert, hold back, tombstone) and expiry.

use chrono::{DateTime, Duration, Utc};
use openactive::rpde::{Item, ItemState, parse_data};

use super::{
    Decision, FeedStore, Held, Incoming, IndexEntry, ItemId, Modified, ParentOutside, Parked,
    Placement, Record, TOMBSTONE_TTL_DAYS, Window, ends_of, hash_of, json_string, place,
};

impl FeedStore {
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
    ) -> Decision {
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
            (ItemState::Updated, None) => Decision::Skipped,
        }
    }

    pub(crate) fn upsert(
        &mut self,
        item: Incoming<'_>,
        window: &Window,
        now: DateTime<Utc>,
        parent_outside: ParentOutside<'_>,
    ) -> Decision {
        let key = item.id.text;
        if let Some(stored) = self.stored_modified(key)
            && item.modified < *stored
        {
            return Decision::Stale;
        }
        if let Some(cur) = self.index.get(key)
            && cur.deleted_at.is_none()
            && cur.modified == item.modified
            && cur.data_hash == hash_of(item.data.get())
            && cur.id_number == item.id.number
        {
            // The same version again (a re-polled page): keep its change number.
            return Decision::Stale;
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
                Decision::Dropped
            }
            Placement::Outside(at_id) => {
                if let Some(at_id) = at_id {
                    self.outside.insert(at_id);
                }
                self.held.remove(key);
                self.tombstone(item.kind, item.id, item.modified, now);
                Decision::Dropped
            }
            Placement::Drop => {
                self.held.remove(key);
                self.tombstone(item.kind, item.id, item.modified, now);
                Decision::Dropped
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
                Decision::HeldBack
            }
            Placement::Live(ends) => {
                self.held.remove(key);
                self.put_live(item, ends, now);
                Decision::Upserted
            }
        }
    }

    pub(crate) fn put_live(
        &mut self,
        item: Incoming<'_>,
        ends: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) {
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
            IndexEntry {
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
    pub(crate) fn tombstone(
        &mut self,
        kind: &str,
        id: ItemId<'_>,
        modified: Modified,
        now: DateTime<Utc>,
    ) {
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
            IndexEntry {
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
    pub(crate) fn expire(&mut self, key: &str, now: DateTime<Utc>) {
        let Some(cur) = self.index.get(key) else {
            return;
        };
        let (kind, number, modified) = (cur.kind.clone(), cur.id_number, cur.modified.clone());
        let id = ItemId { text: key, number };
        self.tombstone(&kind, id, modified, now);
    }

    pub(crate) fn delete(
        &mut self,
        kind: &str,
        id: ItemId<'_>,
        modified: Modified,
        now: DateTime<Utc>,
    ) -> Decision {
        if let Some(stored) = self.stored_modified(id.text)
            && modified < *stored
        {
            return Decision::Stale;
        }
        self.held.remove(id.text);
        self.unpark(id.text);
        self.tombstone(kind, id, modified, now);
        Decision::Deleted
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
}
