//! Persistence of each feed's compacted state under the state directory: one JSON-lines file
//! per feed, written atomically (temporary file in the same directory, fsync, rename, fsync of
//! the directory) after applied pages, debounced; loaded at start so the proxy serves at once
//! and resumes each feed from its saved `next` URL. A second small file per feed
//! (`{id}.seq`) reserves change numbers ahead of those relayed, so numbers never go backwards
//! across a crash.

mod snapshot;

pub use snapshot::SnapshotError;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::error::ProxyError;
use crate::harvest::{Feed, read_store};
use crate::relay::FeedStore;

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct FileHeader {
    version: u32,
    feed_id: String,
    feed_url: String,
    saved_at: DateTime<Utc>,
    last_harvest: Option<DateTime<Utc>>,
    first_pass_done: bool,
    health: String,
    error: Option<String>,
}

/// Saves dirty feeds at most once per interval.
#[derive(Debug)]
pub struct Persister {
    dir: PathBuf,
    interval: Duration,
    notify: Arc<Notify>,
    feeds: Vec<Arc<Feed>>,
}

/// The state file of a feed.
pub fn state_file(dir: &Path, feed_id: &str) -> PathBuf {
    dir.join(format!("{feed_id}.state.jsonl"))
}

/// The file holding a feed's reserved change numbers: a decimal number no change number the
/// proxy has relayed reaches.
pub fn seq_file(dir: &Path, feed_id: &str) -> PathBuf {
    dir.join(format!("{feed_id}.seq"))
}

/// How many change numbers are reserved on disk ahead of the next one. A restart continues
/// from the reservation, so numbers jump by at most this much and never go backwards.
pub const SEQ_RESERVE: u64 = 1 << 20;

fn read_reserved(dir: &Path, feed_id: &str) -> u64 {
    let path = seq_file(dir, feed_id);
    match std::fs::read_to_string(&path) {
        Ok(t) => t.trim().parse().unwrap_or_else(|_| {
            tracing::warn!(feed = %feed_id, "reserved change number file is corrupt; ignored");
            0
        }),
        Err(_) => 0,
    }
}

/// Reserves change numbers on disk before they are relayed: when fewer than half of
/// [`SEQ_RESERVE`] remain below the feed's ceiling, writes `next + SEQ_RESERVE` to the feed's
/// seq file (atomically) and only then raises the ceiling. Numbers at or above the ceiling are
/// never relayed, so a crash can never make a reader's cursor point past numbers the restarted
/// proxy hands out again.
pub fn reserve_ahead(dir: &Path, feed: &Feed) -> std::io::Result<()> {
    let next = read_store(feed).next_seq();
    let ceiling = feed.seq_ceiling.load(Ordering::Acquire);
    if ceiling != u64::MAX && next.saturating_add(SEQ_RESERVE / 2) <= ceiling {
        return Ok(());
    }
    let reserved = next.saturating_add(SEQ_RESERVE);
    write_atomic(
        &seq_file(dir, &feed.spec.id),
        format!("{reserved}\n").as_bytes(),
    )?;
    feed.seq_ceiling.store(reserved, Ordering::Release);
    Ok(())
}

/// At start, after [`load`]: change numbers continue above everything the previous run may
/// have relayed (its reservation), then a new block is reserved before anything is served.
/// If the reservation cannot be written, only the numbers below the old one are relayed.
pub fn resume_numbers(dir: &Path, feed: &Feed) {
    let previous = read_reserved(dir, &feed.spec.id);
    {
        let mut store = feed.store.write().unwrap_or_else(|e| e.into_inner());
        store.advance_seq(previous);
    }
    // Gate first: nothing at or above the restored next number is relayed until reserved.
    let next = read_store(feed).next_seq();
    feed.seq_ceiling.store(next, Ordering::Release);
    if let Err(e) = reserve_ahead(dir, feed) {
        tracing::warn!(feed = %feed.spec.id, error = %e, "cannot reserve change numbers; new changes wait");
    }
}

/// Creates the state directory (with a `.gitignore` so a checkout never commits it).
pub fn prepare_dir(dir: &Path) -> Result<(), ProxyError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        ProxyError::io(
            format_args!("cannot create state_dir {}", dir.display()),
            &e,
        )
    })?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(&ignore, "*\n");
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename
/// over the old file, fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Serialises a feed's state (header line plus the store's lines).
pub fn snapshot(feed: &Feed) -> Result<Vec<u8>, ProxyError> {
    let status = feed.status();
    let header = FileHeader {
        version: VERSION,
        feed_id: feed.spec.id.clone(),
        feed_url: feed.spec.url.clone(),
        saved_at: Utc::now(),
        last_harvest: status.last_harvest,
        first_pass_done: status.first_pass_done,
        health: serde_json::to_value(status.health)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        error: status.error,
    };
    let mut out = serde_json::to_vec(&header).map_err(|e| ProxyError::Internal(e.to_string()))?;
    out.push(b'\n');
    read_store(feed)
        .write_snapshot(&mut out)
        .map_err(|e| ProxyError::Internal(e.to_string()))?;
    Ok(out)
}

/// Saves one feed now.
pub fn save(dir: &Path, feed: &Feed) -> Result<(), ProxyError> {
    feed.dirty.store(false, Ordering::Relaxed);
    let bytes = snapshot(feed)?;
    write_atomic(&state_file(dir, &feed.spec.id), &bytes)
        .map_err(|e| ProxyError::io(format_args!("cannot save state of {}", feed.spec.id), &e))
}

/// Loads a feed's saved state, if there is one for the same feed id and URL. Returns whether
/// it was restored; a corrupt or foreign file is logged and ignored.
pub fn load(dir: &Path, feed: &Feed) -> bool {
    let path = state_file(dir, &feed.spec.id);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return false,
        Err(e) => {
            tracing::warn!(feed = %feed.spec.id, error = %e, "cannot read saved state");
            return false;
        }
    };
    let mut lines = text.lines();
    let header: FileHeader = match lines.next().map(serde_json::from_str) {
        Some(Ok(h)) => h,
        _ => {
            tracing::warn!(feed = %feed.spec.id, "saved state is corrupt; starting afresh");
            return false;
        }
    };
    if header.version != VERSION
        || header.feed_id != feed.spec.id
        || header.feed_url != feed.spec.url
    {
        tracing::info!(feed = %feed.spec.id, "saved state is for another feed URL; starting afresh");
        return false;
    }
    match FeedStore::read_snapshot(lines) {
        Ok(store) => {
            let items = store.live_len();
            feed.restore(store, header.last_harvest, header.first_pass_done);
            tracing::info!(feed = %feed.spec.id, items, "restored saved state");
            true
        }
        Err(e) => {
            tracing::warn!(feed = %feed.spec.id, error = %e, "saved state is corrupt; starting afresh");
            false
        }
    }
}

impl Persister {
    /// A persister for `feeds` under `dir`, saving at most once per `interval`.
    pub fn new(dir: PathBuf, interval: Duration, feeds: Vec<Arc<Feed>>) -> Self {
        Persister {
            dir,
            interval,
            notify: Arc::new(Notify::new()),
            feeds,
        }
    }

    /// What the harvester notifies on changes.
    pub fn notifier(&self) -> Arc<Notify> {
        self.notify.clone()
    }

    /// The state directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Saves every feed changed since its last save (one at a time, off the async threads).
    pub async fn save_dirty(&self) {
        for feed in &self.feeds {
            if !feed.dirty.load(Ordering::Relaxed) {
                continue;
            }
            let dir = self.dir.clone();
            let feed = feed.clone();
            match tokio::task::spawn_blocking(move || save(&dir, &feed)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "state not saved"),
                Err(e) => tracing::warn!(error = %e, "state saver panicked"),
            }
        }
    }

    /// Reserves change numbers ahead for every feed that is running short
    /// ([`reserve_ahead`]), off the async threads.
    pub async fn reserve_all(&self) {
        for feed in &self.feeds {
            let next = read_store(feed).next_seq();
            if next.saturating_add(SEQ_RESERVE / 2) <= feed.seq_ceiling.load(Ordering::Acquire) {
                continue;
            }
            let dir = self.dir.clone();
            let feed = feed.clone();
            match tokio::task::spawn_blocking(move || reserve_ahead(&dir, &feed)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "change numbers not reserved"),
                Err(e) => tracing::warn!(error = %e, "reserver panicked"),
            }
        }
    }

    /// Runs for ever: after a change, reserves change numbers if needed, waits the interval
    /// (debounce) and saves.
    pub async fn run(self: Arc<Self>) {
        loop {
            self.notify.notified().await;
            self.reserve_all().await;
            tokio::time::sleep(self.interval).await;
            self.save_dirty().await;
            self.reserve_all().await;
        }
    }
}
