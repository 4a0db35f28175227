//! Persistence of each feed's compacted state under the state directory: one JSON-lines file
//! per feed, written atomically (temporary file in the same directory, fsync, rename, fsync of
//! the directory) after applied pages, debounced; loaded at start so the proxy serves at once
//! and resumes each feed from its saved `next` URL.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::harvest::{Feed, read_store};
use crate::store::FeedStore;

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

/// Creates the state directory (with a `.gitignore` so a checkout never commits it).
pub fn prepare_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create state_dir {}: {e}", dir.display()))?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(&ignore, "*\n");
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, fsync, rename
/// over the old file, fsync of the directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
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
pub fn snapshot(feed: &Feed) -> Result<Vec<u8>, String> {
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
    let mut out = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    out.push(b'\n');
    read_store(feed)
        .write_snapshot(&mut out)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Saves one feed now.
pub fn save(dir: &Path, feed: &Feed) -> Result<(), String> {
    feed.dirty.store(false, Ordering::Relaxed);
    let bytes = snapshot(feed)?;
    write_atomic(&state_file(dir, &feed.spec.id), &bytes)
        .map_err(|e| format!("cannot save state of {}: {e}", feed.spec.id))
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

    /// Runs for ever: after a change, waits the interval (debounce) and saves.
    pub async fn run(self: Arc<Self>) {
        loop {
            self.notify.notified().await;
            tokio::time::sleep(self.interval).await;
            self.save_dirty().await;
        }
    }
}
