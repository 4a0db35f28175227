//! The app shell: state (filters from the URL, the index, feed progress), loading, and the
//! page layout. Components read the shared [`Ctx`] from context.

use crate::api;
use crate::components::{
    detail::SessionDetail, filters::FilterPanel, results::ResultsList, status::LoadStatus,
};
use crate::loader::{self, Event, FeedProgress, FeedState};
use crate::map::Tiles;
use crate::url_state::{self, History};
use finder::url::Notice;
use finder::{Filters, Index, Outcome};
use leptos::prelude::*;
use openactive::join::Store;
use openactive::vocab::ActivityList;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// How far ahead sessions are listed.
pub const HORIZON_DAYS: u32 = 28;

/// Shared app state (all signals, so `Copy`).
#[derive(Clone, Copy)]
pub struct Ctx {
    /// The current filters (mirrors the URL).
    pub filters: RwSignal<Filters>,
    /// URL values that could not be used.
    pub notices: RwSignal<Vec<Notice>>,
    /// The index of upcoming occurrences.
    pub index: RwSignal<Arc<Index>>,
    /// Filter results and live counts.
    pub outcome: Memo<Arc<Outcome>>,
    /// Per-feed loading progress.
    pub feeds: RwSignal<Vec<FeedProgress>>,
    /// The proxy serves demo data.
    pub demo: RwSignal<bool>,
    /// The feed list could not be loaded at all.
    pub fatal: RwSignal<Option<String>>,
    /// Venue highlighted from the list or the map.
    pub highlighted: RwSignal<Option<u32>>,
    /// Accessibility-support labels (id, label).
    pub accessibility_labels: StoredValue<Vec<(String, String)>>,
    /// Tile server.
    pub tiles: RwSignal<Tiles>,
    /// The filter sheet is open (small screens only; not part of the URL).
    pub filters_open: RwSignal<bool>,
}

impl Ctx {
    /// Fresh state for these filters: an empty index, no feeds yet.
    pub fn new(filters: Filters, notices: Vec<Notice>) -> Ctx {
        let filters = RwSignal::new(filters);
        let index = RwSignal::new(Arc::new(Index::default()));
        let outcome = Memo::new(move |_| {
            measured("af:query", || {
                Arc::new(index.with(|ix| filters.with(|f| ix.query(f))))
            })
        });
        Ctx {
            filters,
            notices: RwSignal::new(notices),
            index,
            outcome,
            feeds: RwSignal::new(Vec::new()),
            demo: RwSignal::new(false),
            fatal: RwSignal::new(None),
            highlighted: RwSignal::new(None),
            accessibility_labels: StoredValue::new(accessibility_labels()),
            tiles: RwSignal::new(Tiles::default()),
            filters_open: RwSignal::new(false),
        }
    }

    /// Changes the filters and writes them to the URL.
    pub fn set_filters(&self, f: Filters, how: History) {
        url_state::write(&f, how);
        self.filters.set(f);
    }
    /// Changes the filters with a closure.
    pub fn update_filters(&self, how: History, change: impl FnOnce(&mut Filters)) {
        let mut f = self.filters.get_untracked();
        change(&mut f);
        // A filter change (not a selection) returns to the results.
        self.set_filters(f, how);
    }
}

fn accessibility_labels() -> Vec<(String, String)> {
    let text = include_str!("../crates/openactive/vocab/accessibility-support.jsonld");
    openactive::vocab::ConceptList::from_jsonld(text)
        .map(|l| {
            l.iter()
                .map(|(id, label)| (id.to_string(), label.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let (f0, n0) = url_state::read();
    let ctx = Ctx::new(f0, n0);
    provide_context(ctx);

    let _popstate = window_event_listener(leptos::ev::popstate, move |_| {
        let (f, n) = url_state::read();
        ctx.filters.set(f);
        ctx.notices.set(n);
    });

    leptos::task::spawn_local(start_loading(ctx));

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
        <header class="site-header">
            <div class="site-header__inner">
                <p class="site-title">"Activity Finder"</p>
                <p class="site-tagline">"Find local physical activity sessions"</p>
            </div>
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
    }
}

/// Runs `f` between two User Timing marks so the benchmarks (and DevTools) can read how long
/// it took (`performance.getEntriesByName(name)`).
fn measured<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let perf = web_sys::window().and_then(|w| w.performance());
    let (start, end) = (format!("{name}:start"), format!("{name}:end"));
    if let Some(p) = &perf {
        let _ = p.mark(&start);
    }
    let out = f();
    if let Some(p) = &perf {
        let _ = p.mark(&end);
        let _ = p.measure_with_start_mark_and_end_mark(name, &start, &end);
    }
    out
}

/// A User Timing mark (read by the load benchmark).
fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}

/// Fetches the feed list and the Activity List, then streams every feed into the store.
async fn start_loading(ctx: Ctx) {
    // The Activity List is only needed to build the index: it is fetched and parsed while the
    // first feed pages are on their way, and the first build waits for it.
    let vocab: Rc<RefCell<Option<Rc<ActivityList>>>> = Rc::new(RefCell::new(None));
    let (store, rebuild, wanted) = index_builder(ctx, vocab.clone());
    let vocab_task = {
        let (vocab, rebuild, wanted) = (vocab.clone(), rebuild.clone(), wanted.clone());
        async move {
            let text = api::fetch_text("/vocab/activity-list.jsonld").await;
            let list = match text.ok().and_then(|t| ActivityList::from_jsonld(&t).ok()) {
                Some(v) => v,
                None => {
                    ctx.notices.update(|n| {
                        n.push(Notice { key: "vocab".into(), message: "Activity names could not be loaded; some activities may show without names.".into() })
                    });
                    ActivityList::default()
                }
            };
            *vocab.borrow_mut() = Some(Rc::new(list));
            if wanted.get() {
                rebuild.now();
            }
        }
    };
    let load_task = {
        let (store, rebuild) = (store.clone(), rebuild.clone());
        async move {
            let list = match api::feed_list().await {
                Ok(l) => l,
                Err(e) => {
                    ctx.fatal.set(Some(format!(
                        "The session list {e}. Please try again later."
                    )));
                    return false;
                }
            };
            ctx.demo.set(list.demo);
            if let Some(t) = &list.tiles {
                ctx.tiles.set(Tiles {
                    url: t.url.clone(),
                    attribution: t.attribution.clone(),
                });
            }
            ctx.feeds.set(
                list.feeds
                    .iter()
                    .map(|f| FeedProgress {
                        info: f.clone(),
                        pages: 0,
                        items: 0,
                        skipped: 0,
                        state: FeedState::Waiting,
                    })
                    .collect(),
            );
            // Rebuilding the index costs O(n). While pages stream in, rebuild only once the
            // data has grown GROWTH times over since the last build, and first as soon as
            // anything arrives so the first results show at once.
            let notify: Rc<dyn Fn(Event)> = Rc::new(move |e| match e {
                Event::Progress(i, p) => ctx.feeds.update(|v| {
                    if let Some(slot) = v.get_mut(i) {
                        *slot = *p;
                    }
                }),
                Event::DataChanged => rebuild.request(false),
                Event::Fallback => rebuild.request(true),
            });
            loader::load_all(list.feeds, store, notify).await;
            true
        }
    };
    let (loaded, ()) = futures::join!(load_task, vocab_task);
    if loaded {
        rebuild.now();
        mark("af:loaded");
    }
}

/// While pages stream in, the index is rebuilt when the store has grown this many times over
/// since the last build: all builds together then cost about GROWTH / (GROWTH - 1) final builds.
const GROWTH: usize = 4;

/// Builds the index from the store, at most one build queued at a time.
struct Rebuild {
    run: Rc<dyn Fn()>,
    store: Rc<RefCell<Store>>,
    pending: Rc<Cell<bool>>,
    built_items: Rc<Cell<usize>>,
}

impl Rebuild {
    /// Builds now (or as soon as the vocabulary is in).
    fn now(&self) {
        (self.run)();
    }

    /// Queues a build when the store has grown GROWTH times over since the last one (or always, with `force`).
    fn request(&self, force: bool) {
        let grown = self.store.borrow().len() >= GROWTH * self.built_items.get().max(1);
        if (grown || force) && !self.pending.replace(true) {
            let (run, pending) = (self.run.clone(), self.pending.clone());
            // A build that ran in the meantime (`now`) cleared `pending`: nothing left to do.
            set_timeout(
                move || {
                    if pending.get() {
                        run();
                    }
                },
                Duration::from_millis(50),
            );
        }
    }
}

/// The store, the index build over it, and the flag saying a build waits for the vocabulary.
fn index_builder(
    ctx: Ctx,
    vocab: Rc<RefCell<Option<Rc<ActivityList>>>>,
) -> (Rc<RefCell<Store>>, Rc<Rebuild>, Rc<Cell<bool>>) {
    let store = Rc::new(RefCell::new(Store::new()));
    let pending = Rc::new(Cell::new(false));
    let built_items = Rc::new(Cell::new(0usize));
    let wanted = Rc::new(Cell::new(false));
    let run: Rc<dyn Fn()> = {
        let (store, pending, built_items, wanted) = (
            store.clone(),
            pending.clone(),
            built_items.clone(),
            wanted.clone(),
        );
        Rc::new(move || {
            pending.set(false);
            let Some(vocab) = vocab.borrow().clone() else {
                wanted.set(true);
                return;
            };
            wanted.set(false);
            built_items.set(store.borrow().len());
            let occ = measured("af:occurrences", || {
                store.borrow().occurrences(chrono::Utc::now(), HORIZON_DAYS)
            });
            let datasets = {
                let s = store.borrow();
                (0..s.feed_count()).map(|i| s.dataset(i).clone()).collect()
            };
            let index = measured("af:index", || {
                Index::build(occ, vocab.as_ref()).with_datasets(datasets)
            });
            ctx.index.set(Arc::new(index));
        })
    };
    let rebuild = Rc::new(Rebuild {
        run,
        store: store.clone(),
        pending,
        built_items,
    });
    (store, rebuild, wanted)
}

/// URL values that fell back to defaults, and failing feeds.
#[component]
fn Notices() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    // (publisher, whether its sessions are shown from its series' timetables instead)
    let failing = move || {
        ctx.feeds.with(|v| {
            let failed = |i: usize| matches!(v[i].state, FeedState::Failed(_));
            // Runs on every page's progress: nothing to pair up unless something failed.
            if !(0..v.len()).any(failed) {
                return Vec::new();
            }
            let infos: Vec<api::FeedInfo> = v.iter().map(|p| p.info.clone()).collect();
            let children = loader::child_feeds(&infos);
            let mut out: Vec<(String, bool)> = Vec::new();
            for (i, p) in v.iter().enumerate() {
                if !failed(i) {
                    continue;
                }
                let from_timetable = children
                    .iter()
                    .enumerate()
                    .any(|(parent, kids)| kids.contains(&i) && !failed(parent));
                match out.iter_mut().find(|(name, _)| *name == p.info.publisher) {
                    Some(entry) => entry.1 &= from_timetable,
                    None => out.push((p.info.publisher.clone(), from_timetable)),
                }
            }
            out
        })
    };
    view! {
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
        <For each=failing key=|p| p.clone() let:p>
            <div class="notice notice--warning" role="status">
                {if p.1 {
                    format!("{0}'s session times could not be reached; showing {0}'s sessions from its weekly timetables (cancellations and changes may be missing), and the rest as usual.", p.0)
                } else {
                    format!("{} could not be reached; showing the rest.", p.0)
                }}
            </div>
        </For>
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
            for p in v {
                if !seen.iter().any(|(n, _)| n == &p.info.publisher) {
                    seen.push((p.info.publisher.clone(), p.info.dataset_url.clone()));
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
        </footer>
    }
}
