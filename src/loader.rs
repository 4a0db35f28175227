//! Loads the finder packs the manifest names: session packs first, nearest to the place in the
//! link first, then facility-slot packs; a few at a time. Each pack is decoded straight into
//! occurrences as it arrives. A pack that cannot be read is fetched once more (bypassing the
//! cache); if it still cannot, it is reported and the rest load as usual.

use crate::api::{self, FetchError};
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
    },
    /// A pack could not be loaded (after one retry).
    Failed(String),
    /// Every session pack has been handled (slot packs may still be loading).
    SessionsDone,
}

/// The order packs are fetched in: sessions before slots; within each, the packs whose area is
/// nearest to `centre` first (packs without a position last), else the biggest first.
pub fn fetch_order(packs: &[PackRef], centre: Option<(f64, f64)>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..packs.len()).collect();
    let dist = |p: &PackRef| match (centre, p.cell) {
        (Some((lat, lon)), Some(c)) => c.distance_km(lat, lon),
        (Some(_), None) => f64::MAX,
        (None, _) => -f64::from(p.occurrences),
    };
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&packs[a], &packs[b]);
        pa.slots.cmp(&pb.slots).then(dist(pa).total_cmp(&dist(pb)))
    });
    order
}

/// Whether an occurrence has not yet ended (or started, when it has no end) at `now`.
pub fn upcoming(o: &Occurrence, now: chrono::DateTime<chrono::Utc>) -> bool {
    o.end.unwrap_or(o.start) > now
}

async fn fetch_and_decode(p: &PackRef) -> Result<pack::Decoded, String> {
    let mut last = String::new();
    for attempt in 0..2 {
        let url = if attempt == 0 {
            p.url.clone()
        } else {
            // A pack that did not decode may be a truncated copy in a cache: ask the server.
            format!("{}?refetch=1", p.url)
        };
        let bytes = match api::fetch_bytes(&url).await {
            Ok(b) => b,
            Err(FetchError(e)) => {
                last = format!("could not be fetched ({e})");
                continue;
            }
        };
        match crate::app::measured("af:decode", || pack::decode(&bytes)) {
            Ok(d) => return Ok(d),
            Err(
                e @ (pack::PackError::NewerVersion(_) | pack::PackError::UnknownRequiredSection(_)),
            ) => {
                return Err(format!("{e}: reload the page"));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

/// Loads every pack of `manifest`, calling `notify` as each is decoded. Returns when all are
/// loaded or failed.
pub async fn load_all(manifest: &Manifest, centre: Option<(f64, f64)>, notify: Rc<dyn Fn(Event)>) {
    let order = fetch_order(&manifest.packs, centre);
    let sessions_left = Rc::new(RefCell::new(
        manifest.packs.iter().filter(|p| !p.slots).count(),
    ));
    if *sessions_left.borrow() == 0 {
        notify(Event::SessionsDone);
    }
    let queue: Rc<RefCell<VecDeque<PackRef>>> = Rc::new(RefCell::new(
        order.iter().map(|&i| manifest.packs[i].clone()).collect(),
    ));
    let workers = (0..CONCURRENCY.min(manifest.packs.len())).map(|_| {
        let (queue, notify, sessions_left) = (queue.clone(), notify.clone(), sessions_left.clone());
        async move {
            loop {
                let next = queue.borrow_mut().pop_front();
                let Some(p) = next else { break };
                match fetch_and_decode(&p).await {
                    Ok(d) => {
                        let now = chrono::Utc::now();
                        let mut occurrences = d.occurrences;
                        occurrences.retain(|o| upcoming(o, now));
                        notify(Event::Pack {
                            slots: p.slots,
                            occurrences,
                            vocab: d.vocab,
                        });
                    }
                    Err(e) => notify(Event::Failed(format!("Some sessions {e}."))),
                }
                if !p.slots {
                    let left = {
                        let mut l = sessions_left.borrow_mut();
                        *l -= 1;
                        *l
                    };
                    if left == 0 {
                        notify(Event::SessionsDone);
                    }
                }
            }
        }
    });
    futures::future::join_all(workers).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use contract::Cell;

    fn pack(slots: bool, cell: Option<(f64, f64)>, n: u32) -> PackRef {
        PackRef {
            url: String::new(),
            hash: String::new(),
            slots,
            cell: cell.map(|(s, w)| Cell {
                south: s,
                west: w,
                north: s + 0.1,
                east: w + 0.16,
            }),
            occurrences: n,
            bytes: 0,
        }
    }

    #[test]
    fn sessions_before_slots_nearest_area_first() {
        let packs = [
            pack(true, Some((51.5, -0.16)), 10),
            pack(false, Some((51.3, -0.5)), 50),
            pack(false, None, 5),
            pack(false, Some((51.5, -0.16)), 20),
        ];
        assert_eq!(fetch_order(&packs, Some((51.55, -0.1))), [3, 1, 2, 0]);
        // No place: the biggest first.
        assert_eq!(fetch_order(&packs, None), [1, 3, 2, 0]);
    }
}
