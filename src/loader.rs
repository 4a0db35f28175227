//! Loads the finder packs the manifest names: session packs first, nearest to the place in the
//! link first, then facility-slot packs; a few at a time. Each pack is decoded straight into
//! occurrences as it arrives. A pack that cannot be read is fetched once more (bypassing the
//! cache); if it still cannot, it is reported and the rest load as usual.

use crate::api;
use contract::pack::{self, PackVocab};
use contract::{Manifest, PackRef};
use openactive::Occurrence;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

/// How many packs are fetched at once (a browser opens six connections per host over HTTP/1.1).
pub const CONCURRENCY: usize = 6;

/// Something the loader tells the app.
pub enum Event {
    /// A pack was decoded: its occurrences (past ones already dropped) and activities.
    Pack {
        /// Facility slots rather than sessions.
        slots: bool,
        /// The occurrences.
        occurrences: Vec<Occurrence>,
        /// Their activities.
        vocab: PackVocab,
        /// The pack's details in its order, and its detail chunk (fetched when a session page
        /// opens): entry `i` of the chunk belongs to `details[i]`.
        details: Vec<std::sync::Arc<openactive::Details>>,
        /// Where the detail chunk is.
        details_url: Option<String>,
    },
    /// A pack could not be loaded (after one retry).
    Failed(String),
    /// Every pack the current link needs has been handled: its results are final (packs for
    /// other areas may still be loading).
    QueryComplete,
}

pub use contract::manifest::{fetch_order, needed_for};

/// Whether an occurrence has not yet ended (or started, when it has no end) at `now`.
pub fn upcoming(o: &Occurrence, now: chrono::DateTime<chrono::Utc>) -> bool {
    o.end.unwrap_or(o.start) > now
}

/// Why a pack or detail chunk could not be used. Its `Display` completes "Some sessions …"
/// ("could not be fetched (…)", "…: reload the page", or the decoder's reason).
#[derive(Debug, Clone)]
pub enum LoadError {
    /// Not fetched, with why.
    Fetch(api::FetchError),
    /// Written in a newer format than this app reads: the page needs a reload.
    Newer(pack::PackError),
    /// Fetched, but it does not decode.
    Decode(pack::PackError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Fetch(e) => write!(f, "could not be fetched ({e})"),
            LoadError::Newer(e) => write!(f, "{e}: reload the page"),
            LoadError::Decode(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Fetches a pack or detail chunk and decodes it. One that does not decode may be a truncated
/// copy in a cache, so it is asked for once more from the server (a different URL); one in a
/// newer format asks for a reload instead.
async fn fetch_decoded<T>(
    url: &str,
    decode: impl Fn(&[u8]) -> Result<T, pack::PackError>,
) -> Result<T, LoadError> {
    match fetch_decoded_once(url, &decode).await {
        Err(e @ LoadError::Newer(_)) => Err(e),
        Err(_) => fetch_decoded_once(&format!("{url}?refetch=1"), &decode).await,
        ok => ok,
    }
}

/// One attempt of [`fetch_decoded`].
async fn fetch_decoded_once<T>(
    url: &str,
    decode: &impl Fn(&[u8]) -> Result<T, pack::PackError>,
) -> Result<T, LoadError> {
    let bytes = api::fetch_bytes(url).await.map_err(LoadError::Fetch)?;
    decode(&bytes).map_err(|e| match e {
        pack::PackError::NewerVersion(_) | pack::PackError::UnknownRequiredSection(_) => {
            LoadError::Newer(e)
        }
        e => LoadError::Decode(e),
    })
}

async fn fetch_and_decode(p: &PackRef) -> Result<pack::Decoded, LoadError> {
    fetch_decoded(&p.url, |b| {
        crate::state::measured("af:decode", || pack::decode(b))
    })
    .await
}

/// Which packs of the manifest to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// Every pack, the ones the link needs first.
    All,
    /// Only the packs the link needs (saving data).
    Needed,
    /// The packs the link does not need (after [`Which::Needed`], when asked).
    Rest,
}

/// The packs `which` selects for this link.
fn selected_packs(
    manifest: &Manifest,
    circle: Option<contract::manifest::Circle>,
    slots: bool,
    which: Which,
) -> impl Iterator<Item = &PackRef> {
    let needed = needed_for(&manifest.packs, circle, slots);
    manifest
        .packs
        .iter()
        .zip(needed)
        .filter(move |(_, n)| selected(which, *n))
        .map(|(p, _)| p)
}

/// How many packs `which` selects for this link, and their size in bytes.
pub fn count(
    manifest: &Manifest,
    circle: Option<contract::manifest::Circle>,
    slots: bool,
    which: Which,
) -> (usize, u64) {
    selected_packs(manifest, circle, slots, which).fold((0, 0), |(c, b), p| (c + 1, b + p.bytes))
}

/// Occurrences the packs `which` selects will bring, by the manifest (at most
/// [`MAX_RESERVED`]: the figure only sizes an allocation up front).
pub fn occurrences_in(
    manifest: &Manifest,
    circle: Option<contract::manifest::Circle>,
    slots: bool,
    which: Which,
) -> usize {
    let n: u64 = selected_packs(manifest, circle, slots, which)
        .map(|p| u64::from(p.occurrences))
        .sum();
    usize::try_from(n).unwrap_or(usize::MAX).min(MAX_RESERVED)
}

/// The most occurrences reserved up front, whatever a manifest says (about 40 MB).
pub const MAX_RESERVED: usize = 200_000;

fn selected(which: Which, needed: bool) -> bool {
    match which {
        Which::All => true,
        Which::Needed => needed,
        Which::Rest => !needed,
    }
}

/// Loads every pack of `manifest`, calling `notify` as each is decoded. Returns when all are
/// loaded or failed.
pub async fn load_all(
    manifest: &Manifest,
    circle: Option<contract::manifest::Circle>,
    slots: bool,
    notify: Rc<dyn Fn(Event)>,
) {
    load(manifest, circle, slots, Which::All, notify).await;
}

/// Loads the packs `which` selects, nearest first, calling `notify` as each is decoded, and
/// [`Event::QueryComplete`] once the link's own packs are in (never for [`Which::Rest`]).
/// Returns when all are loaded or failed.
pub async fn load(
    manifest: &Manifest,
    circle: Option<contract::manifest::Circle>,
    slots: bool,
    which: Which,
    notify: Rc<dyn Fn(Event)>,
) {
    let order = fetch_order(&manifest.packs, circle.map(|c| c.0));
    let mut needed = needed_for(&manifest.packs, circle, slots);
    let chosen: Vec<bool> = needed.iter().map(|n| selected(which, *n)).collect();
    if which == Which::Rest {
        needed.fill(false);
    }
    let needed_left = Rc::new(RefCell::new(needed.iter().filter(|n| **n).count()));
    if which != Which::Rest && *needed_left.borrow() == 0 {
        notify(Event::QueryComplete);
    }
    let queue: Rc<RefCell<VecDeque<(PackRef, bool)>>> = Rc::new(RefCell::new(
        order
            .iter()
            .filter(|&&i| chosen[i])
            .map(|&i| (manifest.packs[i].clone(), needed[i]))
            .collect(),
    ));
    let workers = (0..CONCURRENCY.min(queue.borrow().len())).map(|_| {
        let (queue, notify, needed_left) = (queue.clone(), notify.clone(), needed_left.clone());
        async move {
            loop {
                let next = queue.borrow_mut().pop_front();
                let Some((p, needed)) = next else { break };
                match fetch_and_decode(&p).await {
                    Ok(d) => {
                        let now = chrono::Utc::now();
                        let mut occurrences = d.occurrences;
                        occurrences.retain(|o| upcoming(o, now));
                        notify(Event::Pack {
                            slots: p.slots,
                            occurrences,
                            vocab: d.vocab,
                            details: d.details,
                            details_url: p.details.clone(),
                        });
                    }
                    Err(e) => notify(Event::Failed(format!("Some sessions {e}."))),
                }
                if needed {
                    let left = {
                        let mut l = needed_left.borrow_mut();
                        *l -= 1;
                        *l
                    };
                    if left == 0 {
                        notify(Event::QueryComplete);
                    }
                }
            }
        }
    });
    futures::future::join_all(workers).await;
}

/// Fetches and decodes a detail chunk (see [`fetch_decoded`]).
pub async fn fetch_details(url: &str) -> Result<Vec<pack::DetailExtra>, LoadError> {
    fetch_decoded(url, pack::decode_details).await
}
