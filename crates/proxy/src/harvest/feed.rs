//! A harvested feed: its spec, status, compacted store and its parents and children.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::config::{FeedConfig, is_parent_kind};
use crate::relay::{FeedStore, Window};

use super::Health;

/// Mutable status of a feed.
#[derive(Debug, Clone)]
pub struct FeedStatus {
    /// Health.
    pub health: Health,
    /// Short human message when failing or gone.
    pub error: Option<String>,
    /// When a page was last fetched successfully.
    pub last_harvest: Option<DateTime<Utc>>,
    /// Whether the first full pass reached the end.
    pub first_pass_done: bool,
    /// Items skipped because they were malformed.
    pub skipped_items: u64,
    /// When the next attempt is due after a failure.
    pub retry_at: Option<DateTime<Utc>>,
    /// Reached the end of the feed since this process started (a restored state may be
    /// behind; `/readyz?caught_up=1`).
    pub caught_up: bool,
    /// Failed attempts since the last success (`/metrics`).
    pub consecutive_failures: u32,
}

/// One harvested feed: its configuration, compacted state and status.
#[derive(Debug)]
pub struct Feed {
    /// Configuration.
    pub spec: FeedConfig,
    /// Compacted state.
    pub store: RwLock<FeedStore>,
    /// Status.
    pub status: Mutex<FeedStatus>,
    /// Upstream requests attempted (requests refused before connecting are not counted).
    pub fetches: AtomicU64,
    /// Restored from the state directory at start.
    pub loaded: AtomicBool,
    /// Changed since the state was last saved.
    pub dirty: AtomicBool,
    /// Change numbers from this one up are not relayed yet: they are not covered by the
    /// reservation saved on disk (`persist::reserve_ahead`). `u64::MAX` without a state dir.
    pub seq_ceiling: AtomicU64,
    /// Parent feeds of the same publisher (children follow their location).
    pub(super) parents: OnceLock<Vec<Arc<Feed>>>,
    /// Child feeds of the same publisher (their parked children come back with a parent).
    pub(super) children: OnceLock<Vec<Weak<Feed>>>,
    pub(super) settled_tx: watch::Sender<bool>,
}

impl Feed {
    /// A feed not yet harvested; its change numbers start at `first_seq`.
    pub fn new(spec: FeedConfig, first_seq: u64) -> Self {
        let (settled_tx, _) = watch::channel(false);
        Feed {
            spec,
            store: RwLock::new(FeedStore::new(first_seq)),
            status: Mutex::new(FeedStatus {
                health: Health::Harvesting,
                error: None,
                last_harvest: None,
                first_pass_done: false,
                skipped_items: 0,
                retry_at: None,
                caught_up: false,
                consecutive_failures: 0,
            }),
            fetches: AtomicU64::new(0),
            loaded: AtomicBool::new(false),
            dirty: AtomicBool::new(false),
            seq_ceiling: AtomicU64::new(u64::MAX),
            parents: OnceLock::new(),
            children: OnceLock::new(),
            settled_tx,
        }
    }

    /// Whether this is a parent feed (harvested first).
    pub fn is_parent(&self) -> bool {
        is_parent_kind(&self.spec.kind)
    }

    /// A snapshot of the status.
    pub fn status(&self) -> FeedStatus {
        lock(&self.status).clone()
    }

    /// True once the first pass finished or failed (`/readyz`).
    pub fn settled(&self) -> bool {
        *self.settled_tx.borrow()
    }

    /// True once the state is usable: restored from disk or first pass settled (`/readyz`).
    pub fn ready(&self) -> bool {
        self.settled() || self.loaded.load(Ordering::Relaxed)
    }

    pub(super) fn settle(&self) {
        self.settled_tx.send_replace(true);
    }

    /// Replaces the store and status with a saved state (at start, before harvesting).
    pub fn restore(
        &self,
        store: FeedStore,
        last_harvest: Option<DateTime<Utc>>,
        first_pass_done: bool,
    ) {
        *write_store(self) = store;
        self.set(|s| {
            s.last_harvest = last_harvest;
            s.first_pass_done = first_pass_done;
            s.health = if first_pass_done {
                Health::Ok
            } else {
                Health::Harvesting
            };
        });
        self.loaded.store(true, Ordering::Relaxed);
        if first_pass_done {
            self.settle();
        }
    }

    /// Sets the parent feeds (once).
    pub fn set_parents(&self, parents: Vec<Arc<Feed>>) {
        let _ = self.parents.set(parents);
    }

    /// Sets the child feeds (once); held weakly, as children hold their parents.
    pub fn set_children(&self, children: &[Arc<Feed>]) {
        let _ = self
            .children
            .set(children.iter().map(Arc::downgrade).collect());
    }

    /// Places again, in the child feeds, the children parked for parents of this feed whose
    /// new version is back inside the region. Call without holding this feed's store.
    pub(super) fn bring_back_children(&self, window: &Window, now: DateTime<Utc>) {
        let returned = write_store(self).take_returned();
        if returned.is_empty() {
            return;
        }
        for child in self.children.get().into_iter().flatten() {
            let Some(child) = child.upgrade() else {
                continue;
            };
            let parent_outside = |at_id: &str| child.parent_outside(at_id);
            let (placed, resync) = {
                let mut st = write_store(&child);
                let placed = st.parent_returned(&returned, window, now, &parent_outside);
                // Taken by the harvest loop at the feed's end.
                (placed, st.resync_wanted())
            };
            if placed > 0 || resync {
                child.dirty.store(true, Ordering::Relaxed);
                tracing::info!(feed = %child.spec.id, parent_feed = %self.spec.id, placed, resync, "children back with their parent");
            }
        }
    }

    pub(super) fn parent_outside(&self, at_id: &str) -> bool {
        self.parents
            .get()
            .is_some_and(|ps| ps.iter().any(|p| read_store(p).is_outside(at_id)))
    }

    pub(super) fn set(&self, f: impl FnOnce(&mut FeedStatus)) {
        f(&mut lock(&self.status));
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Read access to a store, surviving a poisoned lock.
pub fn read_store(feed: &Feed) -> std::sync::RwLockReadGuard<'_, FeedStore> {
    feed.store.read().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn write_store(feed: &Feed) -> std::sync::RwLockWriteGuard<'_, FeedStore> {
    feed.store.write().unwrap_or_else(|e| e.into_inner())
}
