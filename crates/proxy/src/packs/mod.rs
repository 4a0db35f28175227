//! Finder packs: the proxy compiles the harvested feeds into compact, immutable,
//! content-addressed files (`/packs/<hash>.pack`) named by a short-lived manifest
//! (`/packs/manifest.json`). Rebuilt when the harvested state changes (debounced) and when time
//! moves occurrences out of or into the window; written atomically to the state directory;
//! packs outlive the manifests that name them by a retention time, then go.

//!
//! `mod.rs` holds the packs being served (`Packs`: install, files, manifest, preload hints);
//! `rebuild.rs` the loop that compiles them (`run`, `build_once`); `compile.rs` the compile;
//! `disk.rs` files on disk.

pub mod compile;
mod disk;
mod rebuild;

pub(crate) use disk::brotli;
pub use disk::{DiskError, content_hash, sweep_dir, write_atomic_in};
pub use rebuild::{build_once, run};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use contract::{Manifest, PackRef};

pub use crate::config::PackSettings;

use compile::BuiltPack;

struct Stored {
    raw: Bytes,
    br: Bytes,
    /// When the newest manifest naming it was replaced (`None` while it is current).
    released: Option<Instant>,
}

struct Current {
    generated: DateTime<Utc>,
    refs: Vec<PackRef>,
    hidden: Vec<openactive::join::Hidden>,
    outward: BTreeMap<String, (f64, f64)>,
}

/// The packs of the current and recent compiles.
pub struct Packs {
    settings: PackSettings,
    dir: Option<PathBuf>,
    files: RwLock<HashMap<String, Stored>>,
    current: RwLock<Option<Current>>,
    ready: AtomicBool,
    builds: AtomicU64,
}

impl std::fmt::Debug for Packs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packs")
            .field("builds", &self.builds.load(Ordering::Relaxed))
            .field("ready", &self.ready.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

fn lock_r<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn lock_w<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

impl Packs {
    /// No packs yet; `dir` (created if missing) keeps a copy of each pack on disk.
    pub fn new(settings: PackSettings, dir: Option<PathBuf>) -> Self {
        Packs {
            settings,
            dir,
            files: RwLock::new(HashMap::new()),
            current: RwLock::new(None),
            ready: AtomicBool::new(false),
            builds: AtomicU64::new(0),
        }
    }

    /// A compile that saw every feed settled has been installed.
    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// Compiles installed so far.
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// The packs named by the current manifest.
    pub fn current(&self) -> Vec<PackRef> {
        lock_r(&self.current)
            .as_ref()
            .map(|c| c.refs.clone())
            .unwrap_or_default()
    }

    /// What each feed (by index) has that the last compile did not show, and why.
    pub fn hidden(&self) -> Vec<openactive::join::Hidden> {
        lock_r(&self.current)
            .as_ref()
            .map(|c| c.hidden.clone())
            .unwrap_or_default()
    }

    /// Hashes of every pack held (current and retained).
    pub fn held(&self) -> Vec<String> {
        lock_r(&self.files).keys().cloned().collect()
    }

    /// A pack's bytes (uncompressed), if held.
    pub fn get(&self, hash: &str) -> Option<Bytes> {
        lock_r(&self.files).get(hash).map(|s| s.raw.clone())
    }

    /// A pack's brotli-compressed bytes, if held.
    pub fn get_br(&self, hash: &str) -> Option<Bytes> {
        lock_r(&self.files).get(hash).map(|s| s.br.clone())
    }

    /// Installs the packs of one compile: writes new ones to disk (atomically: a temporary file
    /// renamed into place), makes them current, releases the previous ones and drops packs
    /// released longer ago than the retention time. `complete` says every feed had settled.
    pub fn install(&self, built: Vec<BuiltPack>, generated: DateTime<Utc>, complete: bool) {
        self.install_with(built, Vec::new(), generated, complete);
    }

    /// [`Packs::install`] with what each feed has that is not shown, and why.
    pub fn install_with(
        &self,
        built: Vec<BuiltPack>,
        hidden: Vec<openactive::join::Hidden>,
        generated: DateTime<Utc>,
        complete: bool,
    ) {
        let now = Instant::now();
        let retention = Duration::from_secs(self.settings.retention_secs);
        let outward = gazetteer(&built);
        let mut refs = Vec::with_capacity(built.len());
        let mut fresh: Vec<(String, Bytes, Bytes)> = Vec::new();
        {
            let files = lock_r(&self.files);
            for b in built {
                let hash = content_hash(&b.bytes);
                let details_hash = content_hash(&b.details);
                refs.push(PackRef {
                    url: format!("/packs/{hash}.pack"),
                    hash: hash.clone(),
                    slots: b.slots,
                    cell: b.cell,
                    occurrences: b.occurrences,
                    bytes: b.bytes.len() as u64,
                    details: Some(format!("/packs/{details_hash}.pack")),
                });
                for (h, bytes) in [(hash, b.bytes), (details_hash, b.details)] {
                    if !files.contains_key(&h) && !fresh.iter().any(|(f, _, _)| *f == h) {
                        let br = brotli(&bytes, self.settings.brotli_quality);
                        fresh.push((h, Bytes::from(bytes), Bytes::from(br)));
                    }
                }
            }
        }
        if let Some(dir) = &self.dir {
            for (hash, raw, _) in &fresh {
                if let Err(e) = write_atomic_in(dir, &format!("{hash}.pack"), raw) {
                    tracing::warn!(error = %e, "pack not saved to disk (still served from memory)");
                }
            }
        }
        let mut dropped = Vec::new();
        {
            let mut files = lock_w(&self.files);
            for (hash, raw, br) in fresh {
                files.insert(
                    hash,
                    Stored {
                        raw,
                        br,
                        released: None,
                    },
                );
            }
            for (hash, s) in files.iter_mut() {
                let chunk = format!("/packs/{hash}.pack");
                let named = refs
                    .iter()
                    .any(|r| r.hash == *hash || r.details.as_deref() == Some(chunk.as_str()));
                if named {
                    s.released = None;
                } else if s.released.is_none() {
                    s.released = Some(now);
                }
            }
            files.retain(|hash, s| {
                let keep = s.released.is_none_or(|t| now.duration_since(t) < retention);
                if !keep {
                    dropped.push(hash.clone());
                }
                keep
            });
        }
        *lock_w(&self.current) = Some(Current {
            generated,
            refs,
            hidden,
            outward,
        });
        if let Some(dir) = &self.dir {
            sweep_dir(dir, &self.held(), retention);
        }
        self.builds.fetch_add(1, Ordering::Relaxed);
        if complete {
            self.ready.store(true, Ordering::Relaxed);
        }
        if !dropped.is_empty() {
            tracing::debug!(
                dropped = dropped.len(),
                "packs past their retention dropped"
            );
        }
    }

    /// `<link rel="preload">` tags for the packs a link needs (from its query string: the
    /// packs its circle touches, nearest first, or every pack without one), so the browser
    /// fetches them while the app itself downloads. The same for everyone who opens that link.
    pub fn preload_links(&self, query: Option<&str>) -> String {
        const MAX_PRELOADS: usize = 40;
        let (refs, outward) = match lock_r(&self.current).as_ref() {
            Some(c) => (c.refs.clone(), c.outward.clone()),
            None => return String::new(),
        };
        if refs.is_empty() {
            return String::new();
        }
        let (filters, _) = finder::url::decode(query.unwrap_or(""));
        let (circle, slots) = contract::manifest::link_needs_in(&filters, &outward);
        let needed = contract::manifest::needed_for(&refs, circle, slots);
        contract::manifest::fetch_order(&refs, circle.map(|c| c.0))
            .into_iter()
            .filter(|&i| needed[i])
            .take(MAX_PRELOADS)
            .map(|i| {
                // The URL is `/packs/<hex>.pack`: nothing in it needs escaping.
                format!(
                    "<link rel=\"preload\" href=\"{}\" as=\"fetch\" crossorigin=\"anonymous\">",
                    refs[i].url
                )
            })
            .collect()
    }

    /// A stored pack by its content hash: (raw bytes, brotli bytes).
    pub fn file(&self, hash: &str) -> Option<(Bytes, Bytes)> {
        lock_r(&self.files)
            .get(hash)
            .map(|s| (s.raw.clone(), s.br.clone()))
    }

    /// The manifest for the current packs and the feeds' health now.
    pub fn manifest(
        &self,
        lookahead_days: u32,
        demo: bool,
        tiles: contract::Tiles,
        feeds: Vec<contract::FeedInfo>,
    ) -> Option<Manifest> {
        let cur = lock_r(&self.current);
        let cur = cur.as_ref()?;
        Some(Manifest {
            format: contract::pack::VERSION,
            generated: cur
                .generated
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            lookahead_days,
            demo,
            tiles: Some(tiles),
            feeds,
            packs: cur.refs.clone(),
            outward: cur.outward.clone(),
        })
    }
}

/// The outward-code gazetteer of the packs' venues (each venue once): what the manifest
/// carries so a `near=E15` link knows its circle before any pack.
fn gazetteer(built: &[BuiltPack]) -> BTreeMap<String, (f64, f64)> {
    let mut g = finder::geo::Gazetteer::default();
    let mut seen = HashSet::new();
    for b in built {
        let Ok(d) = contract::pack::decode(&b.bytes) else {
            continue;
        };
        for det in &d.details {
            if let (Some(pc), Some(geo)) = (&det.venue.postcode, det.venue.geo) {
                let key = (pc.clone(), (geo.0 * 1e4) as i64, (geo.1 * 1e4) as i64);
                if seen.insert(key) {
                    g.add(pc, geo);
                }
            }
        }
    }
    contract::manifest::outward_centroids(&g)
}
