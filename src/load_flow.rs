//! Loading: the manifest, then the packs (nearest first), rebuilding the index as they arrive;
//! with Save-Data, the other areas' packs when asked.

use crate::api;
use crate::loader::{self, Event, Which};
use crate::state::{Ctx, measured};
use contract::pack::PackVocab;
use finder::Index;
use leptos::prelude::*;
use openactive::{Dataset, Occurrence};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// A User Timing mark (read by the load benchmark).
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Reads the manifest, then loads and decodes the packs, rebuilding the index as they arrive.
pub(crate) async fn start_loading(ctx: Ctx) {
    // The app's first frame (header, demo banner, filters) is painted before the packs are
    // decoded: decoding runs in microtasks when the packs are already here, which would
    // otherwise hold that frame back until the index is built.
    let (fetched, ()) = futures::join!(api::manifest(), api::after_paint());
    let (manifest, offline) = match fetched {
        Ok(m) => m,
        Err(e) => {
            ctx.fatal.set(Some(format!(
                "The session list {e}. Please try again later."
            )));
            return;
        }
    };
    if offline {
        ctx.offline
            .set(Some(crate::offline::offline_note(&manifest.generated)));
    }
    ctx.demo.set(manifest.demo);
    if let Some(t) = &manifest.tiles {
        ctx.tiles.set(t.clone());
    }
    ctx.feeds.set(manifest.feeds.clone());
    let datasets: Vec<Dataset> = manifest
        .feeds
        .iter()
        .map(|f| Dataset {
            publisher: f.publisher.clone(),
            url: f.dataset_url.clone(),
            license: f.license.clone(),
        })
        .collect();
    // A link with a point, or an outward code the manifest's gazetteer knows: the packs its
    // circle touches come first, and its results are final once they are in.
    let (circle, slots) = ctx
        .filters
        .with_untracked(|f| contract::manifest::link_needs_in(f, &manifest.outward));
    // The manifest's gazetteer resolves outward codes (the same centroids the circle used),
    // not the venues loaded so far.
    let gazetteer = (!manifest.outward.is_empty())
        .then(|| finder::geo::Gazetteer::from_centroids(&manifest.outward));
    // Saving data (Save-Data, 2G): only the packs this link needs; other areas when asked.
    let lean = circle.is_some() && crate::offline::save_data();
    let which = if lean { Which::Needed } else { Which::All };
    ctx.packs
        .set((0, loader::count(&manifest, circle, slots, which).0));
    // The whole Vec at once, sized by the manifest: grown pack by pack it doubled, and each
    // doubling held the old and the new buffer together (wasm memory never shrinks, so that
    // peak stays for the visit).
    let expected = loader::occurrences_in(&manifest, circle, slots, which);
    let data = Rc::new(Loaded {
        occurrences: RefCell::new(Vec::with_capacity(expected)),
        vocab: RefCell::new(PackVocab::default()),
        pending: Cell::new(false),
        datasets,
        gazetteer,
        ctx,
    });
    let notify: Rc<dyn Fn(Event)> = {
        let data = data.clone();
        Rc::new(move |e| match e {
            Event::Pack {
                occurrences,
                vocab,
                details,
                details_url,
                ..
            } => {
                if let Some(url) = details_url {
                    ctx.detail_refs.update_value(|m| {
                        for (i, d) in details.iter().enumerate() {
                            m.insert(Arc::as_ptr(d) as usize, (url.clone(), i as u32));
                        }
                    });
                }
                let first = data.occurrences.borrow().is_empty();
                data.occurrences.borrow_mut().extend(occurrences);
                data.vocab.borrow_mut().merge(vocab);
                ctx.packs.update(|p| p.0 += 1);
                // The first pack shows results at once; the next build waits for the link's
                // packs to be complete (or for everything), so the list settles, not flickers.
                if first && circle.is_some() {
                    data.request();
                }
            }
            Event::Failed(why) => {
                ctx.packs.update(|p| p.0 += 1);
                ctx.load_errors.update(|v| {
                    if !v.contains(&why) {
                        v.push(why);
                    }
                });
            }
            Event::QueryComplete => {
                // Everything else is for other areas (or facility bookings not asked for):
                // build now, unless that is all there is (the final build follows at once).
                if ctx.packs.with_untracked(|p| p.0 < p.1) {
                    data.build(false);
                    ctx.complete.set(true);
                    mark("af:complete");
                }
            }
        })
    };
    loader::load(&manifest, circle, slots, which, notify.clone()).await;
    data.build(!lean);
    if !ctx.complete.get_untracked() {
        ctx.complete.set(true);
        mark("af:complete");
    }
    // The offline copy is set up once this visit's data is in, so that installing it never
    // competes with the first results.
    crate::offline::register_service_worker();
    // The session page's and the shortlist's code, before anyone taps (`lazy.rs`).
    crate::lazy::prefetch();
    if lean {
        let (rest, _) = loader::count(&manifest, circle, slots, Which::Rest);
        if rest == 0 {
            return;
        }
        // A link to a session elsewhere (`s=`) asked for it: load on without waiting.
        let wanted_elsewhere = ctx
            .filters
            .with_untracked(|f| f.selected.clone())
            .is_some_and(|k| ctx.index.with_untracked(|ix| ix.position(&k).is_none()));
        if !wanted_elsewhere {
            ctx.other_areas.set(Some(rest));
            let (tx, rx) = futures::channel::oneshot::channel();
            LOAD_REST.with(|s| *s.borrow_mut() = Some(tx));
            if rx.await.is_err() {
                return;
            }
            ctx.other_areas.set(None);
        }
        ctx.packs.update(|p| p.1 += rest);
        loader::load(&manifest, circle, slots, Which::Rest, notify).await;
        data.build(true);
    }
    mark("af:loaded");
}

thread_local! {
    /// Saving data: pressing "Load other areas" sends on this.
    static LOAD_REST: RefCell<Option<futures::channel::oneshot::Sender<()>>> = const { RefCell::new(None) };
}

/// Starts loading the other areas' packs (saving data, when asked).
pub(crate) fn load_other_areas() {
    if let Some(tx) = LOAD_REST.with(|s| s.borrow_mut().take()) {
        let _ = tx.send(());
    }
}

/// What the packs have brought so far, and the index builds over it.
struct Loaded {
    occurrences: RefCell<Vec<Occurrence>>,
    vocab: RefCell<PackVocab>,
    pending: Cell<bool>,
    datasets: Vec<Dataset>,
    gazetteer: Option<finder::geo::Gazetteer>,
    ctx: Ctx,
}

impl Loaded {
    /// Builds the index now; `last` hands the occurrences over instead of copying them.
    fn build(&self, last: bool) {
        self.pending.set(false);
        let occ = if last {
            std::mem::take(&mut *self.occurrences.borrow_mut())
        } else {
            self.occurrences.borrow().clone()
        };
        let mut index = measured("af:index", || {
            Index::build(occ, &*self.vocab.borrow()).with_datasets(self.datasets.clone())
        });
        if let Some(g) = &self.gazetteer {
            index.gazetteer = g.clone();
        }
        self.ctx.index.set(Arc::new(index));
    }

    /// Queues a build (at most one queued at a time).
    fn request(self: &Rc<Self>) {
        if !self.pending.replace(true) {
            let me = self.clone();
            // A build that ran in the meantime cleared `pending`: nothing left to do.
            set_timeout(
                move || {
                    if me.pending.get() {
                        me.build(false);
                    }
                },
                Duration::from_millis(30),
            );
        }
    }
}
