//! The app shell: loading (manifest, packs, index) and the page layout. The shared state,
//! [`Ctx`], is in `state.rs`.

use crate::api;
use crate::components::{
    detail::SessionDetail, filters::FilterPanel, results::ResultsList, status::LoadStatus,
};
use crate::loader::{self, Event, Which};
use crate::state::{Ctx, is_narrow, measured};
use crate::url_state::{self, History};
use contract::pack::PackVocab;
use finder::Index;
use leptos::prelude::*;
use openactive::{Dataset, Occurrence};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let (f0, mut n0) = url_state::read();
    let (embed, embed_notices) = url_state::read_embed();
    n0.extend(embed_notices);
    let ctx = Ctx::new(f0, n0);
    let is_embed = embed.embed;
    crate::embed::start(&embed);
    ctx.embed.set_value(embed);
    provide_context(ctx);

    let _resize = window_event_listener(leptos::ev::resize, move |_| {
        let n = is_narrow();
        if ctx.narrow.get_untracked() != n {
            ctx.narrow.set(n);
        }
    });
    let _popstate = window_event_listener(leptos::ev::popstate, move |_| {
        url_state::discard_pending();
        let (f, n) = url_state::read();
        ctx.filters.set(ctx.locked(f));
        ctx.notices.set(n);
    });

    leptos::task::spawn_local(start_loading(ctx));

    // Paper shows the referral sheet whenever there is a shortlist (`style/main.css`).
    Effect::new(move |_| {
        let on =
            ctx.filters.with(|f| !f.shared.is_empty()) || ctx.shortlist.with(|l| !l.is_empty());
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = root.class_list().toggle_with_force("has-sheet", on);
        }
    });

    let view_class = move || {
        if ctx.filters.with(|f| f.view == finder::filter::View::Map) {
            "layout show-map"
        } else {
            "layout show-list"
        }
    };
    // While a session page is open it is a modal dialog: the page behind it is inert.
    let detail_open = move || ctx.filters.with(|f| f.selected.is_some());
    view! {
        <div class="page" inert=detail_open>
        <a class="skip-link" href="#results-heading">"Skip to results"</a>
        <header class="site-header" class:site-header--embed=is_embed>
            <Show when=move || !is_embed>
            <div class="site-header__inner">
                <p class="site-title">"Activity Finder"</p>
                <p class="site-tagline">"Find local physical activity sessions"</p>
            </div>
            </Show>
            <Show when=move || ctx.demo.get()>
                <p class="demo-banner" role="note">
                    <strong>"Demo data — not real sessions."</strong>
                    " Everything shown here is generated for trying the finder out."
                </p>
            </Show>
        </header>
        <main id="main">
            <h1 class="visually-hidden">"Find a physical activity session"</h1>
            <Notices/>
            <LoadStatus/>
            <ViewToggle/>
            <div class=view_class>
                <FilterPanel/>
                <div class="results-and-map" inert=move || ctx.filters_open.get()>
                    <ResultsList/>
                    <crate::components::map_view::MapPane/>
                </div>
            </div>
        </main>
        <Footer/>
        </div>
        <SessionDetail/>
        // Outside the page, which is inert while a session page is open.
        <p class="visually-hidden" role="status" aria-live="polite" id="shortlist-status">{move || ctx.shortlist_msg.get()}</p>
    }
}

/// A User Timing mark (read by the load benchmark).
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Reads the manifest, then loads and decodes the packs, rebuilding the index as they arrive.
async fn start_loading(ctx: Ctx) {
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
    let data = Rc::new(Loaded {
        occurrences: RefCell::new(Vec::new()),
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
fn load_other_areas() {
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

/// URL values that fell back to defaults, and failing feeds.
#[component]
fn Notices() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    // Publishers not answering now, and when their data was last updated.
    let unreachable = move || {
        let mut out: Vec<(String, Option<String>)> = Vec::new();
        ctx.feeds.with(|v| {
            for f in v.iter().filter(|f| f.status.is_unreachable()) {
                if !out.iter().any(|(p, _)| *p == f.publisher) {
                    out.push((f.publisher.clone(), f.last_harvest.clone()));
                }
            }
        });
        out
    };
    view! {
        <Show when=move || ctx.offline.with(Option::is_some)>
            <p class="notice" role="status" id="offline-note">{move || ctx.offline.get()}</p>
        </Show>
        <Show when=move || ctx.other_areas.with(Option::is_some)>
            <div class="notice" role="status" id="other-areas">
                <p>"To save data, only the sessions near this search are loaded."</p>
                <button type="button" on:click=move |_| load_other_areas()>
                    {move || match ctx.other_areas.get() {
                        Some(1) => "Load 1 other area".to_string(),
                        Some(n) => format!("Load {n} other areas"),
                        None => String::new(),
                    }}
                </button>
            </div>
        </Show>
        <Show when=move || ctx.fatal.with(Option::is_some)>
            <div class="notice notice--error" role="alert">{move || ctx.fatal.get()}</div>
        </Show>
        <Show when=move || !ctx.notices.with(Vec::is_empty)>
            <div class="notice" role="status">
                <p><strong>"Some parts of this link could not be used:"</strong></p>
                <ul>
                    <For each=move || ctx.notices.get() key=|n| format!("{}{}", n.key, n.message) let:n>
                        <li>{n.message}</li>
                    </For>
                </ul>
                <button type="button" class="link-button" on:click=move |_| ctx.notices.set(Vec::new())>"Dismiss"</button>
            </div>
        </Show>
        <For each=unreachable key=|p| p.clone() let:p>
            <div class="notice notice--warning" role="status">
                {stale_feed_message(&p.0, p.1.as_deref())}
            </div>
        </For>
        <For each=move || ctx.load_errors.get() key=|e| e.clone() let:e>
            <div class="notice notice--warning" role="status">{e}</div>
        </For>
    }
}

/// "Northgate: last updated 2 hours ago; the publisher is not answering. …"
pub fn stale_feed_message(publisher: &str, last_harvest: Option<&str>) -> String {
    let age = last_harvest
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| finder::display::age(&t, &chrono::Utc::now().fixed_offset()));
    match age {
        Some(age) => format!(
            "{publisher}: last updated {age}; the publisher is not answering. Its sessions are shown as they were then; check with the organiser before going."
        ),
        None => format!("{publisher} is not answering; its sessions could not be loaded."),
    }
}

/// List/map switch for small screens.
#[component]
fn ViewToggle() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let is_map = move || ctx.filters.with(|f| f.view == finder::filter::View::Map);
    let set_view = move |v| ctx.update_filters(History::Push, |f| f.view = v);
    let active = move || ctx.filters.with(|f| f.active_count());
    view! {
        <div class="view-toggle">
            <button type="button" id="open-filters" aria-controls="filters-panel"
                aria-expanded=move || ctx.filters_open.get().to_string()
                on:click=move |_| ctx.filters_open.set(true)>
                {move || match active() { 0 => "Filters".to_string(), n => format!("Filters ({n})") }}
            </button>
            <div class="view-toggle__views" role="group" aria-label="Show results as">
                <button type="button" aria-pressed=move || (!is_map()).to_string() on:click=move |_| set_view(finder::filter::View::List)>"List"</button>
                <button type="button" aria-pressed=move || is_map().to_string() on:click=move |_| set_view(finder::filter::View::Map)>"Map"</button>
            </div>
        </div>
    }
}

/// Attribution for the data and the vocabularies.
#[component]
fn Footer() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let publishers = move || {
        let mut seen: Vec<(String, Option<String>)> = Vec::new();
        ctx.feeds.with(|v| {
            for f in v {
                if !seen.iter().any(|(n, _)| n == &f.publisher) {
                    seen.push((f.publisher.clone(), f.dataset_url.clone()));
                }
            }
        });
        seen
    };
    view! {
        <footer class="site-footer">
            <p>
                "Contains "<a href="https://www.openactive.io/">"OpenActive"</a>" open data, licensed under "
                <a href="https://creativecommons.org/licenses/by/4.0/">"CC BY 4.0"</a>". Data from: "
                <For each=publishers key=|p| p.0.clone() let:p>
                    <span class="publisher">
                        {match p.1.as_deref().and_then(finder::display::safe_link) {
                            Some(u) => view! { <a href=u.to_string()>{p.0.clone()}</a> }.into_any(),
                            None => view! { <span>{p.0.clone()}</span> }.into_any(),
                        }}
                    </span>
                </For>
                ". Activity names from the OpenActive Activity List (CC BY 4.0)."
            </p>
            <Show when=move || !ctx.embed.with_value(|o| o.embed)>
                <crate::components::embed_page::EmbedThis/>
            </Show>
        </footer>
    }
}
