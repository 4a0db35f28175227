//! The app's shared state: [`Ctx`] (all signals, so `Copy`), which every component reads from
//! context, and the small helpers it needs. Kept apart from `app.rs` (loading and layout) so
//! components depend on the state, not on the component that builds the page.

use crate::api::FeedInfo;
use crate::url_state::{self, History};
use contract::Tiles;
use finder::embed::EmbedOptions;
use finder::url::Notice;
use finder::{Filters, Index, Outcome, QueryState};
use leptos::prelude::*;
use std::sync::Arc;

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
    /// The outcome the filter panel shows: the current one while the panel can be seen, the
    /// last one it showed while it cannot (a phone's closed filter sheet is `display: none`),
    /// so its counts are not rendered for nobody; opening the sheet brings them up to date in
    /// the same update, before it is painted, so stale numbers are never shown.
    pub panel_outcome: Memo<Arc<Outcome>>,
    /// The filters as the filter panel shows them: the same as `filters`, but not followed
    /// while the panel cannot be seen (a phone's closed sheet), so its controls are not
    /// rewritten on every change; it catches up when the panel opens.
    pub panel_filters: Memo<Filters>,
    /// Below the CSS breakpoint where the page shows the list or the map, and the filters as
    /// a sheet (`style/main.css`, 899px).
    pub narrow: RwSignal<bool>,
    /// The feeds, with their health and age, from the manifest.
    pub feeds: RwSignal<Vec<FeedInfo>>,
    /// Packs handled so far, and in all.
    pub packs: RwSignal<(usize, usize)>,
    /// Every pack the current link needs is loaded: its results are final.
    pub complete: RwSignal<bool>,
    /// For each details (by its address), its detail chunk and entry.
    pub detail_refs: StoredValue<std::collections::HashMap<usize, (String, u32)>>,
    /// Detail chunks fetched so far, by URL.
    pub detail_chunks:
        StoredValue<std::collections::HashMap<String, Arc<Vec<contract::pack::DetailExtra>>>>,
    /// Packs that could not be loaded, and why.
    pub load_errors: RwSignal<Vec<String>>,
    /// The proxy serves demo data.
    pub demo: RwSignal<bool>,
    /// The feed list could not be loaded at all.
    pub fatal: RwSignal<Option<String>>,
    /// Venue highlighted from the list or the map.
    pub highlighted: RwSignal<Option<finder::VenueId>>,
    /// Accessibility-support labels (id, label).
    pub accessibility_labels: StoredValue<Vec<(String, String)>>,
    /// Tile server.
    pub tiles: RwSignal<Tiles>,
    /// The filter sheet is open (small screens only; not part of the URL).
    pub filters_open: RwSignal<bool>,
    /// Embedding options from the URL (embed mode, theme, hidden and locked filters).
    pub embed: StoredValue<EmbedOptions>,
    /// The filters the page was opened with: locked filters keep these values.
    pub preset: StoredValue<Filters>,
    /// "Offline — data from …" when the data came from this device's copy.
    pub offline: RwSignal<Option<String>>,
    /// Saving data: the packs for other areas not loaded yet (how many), until asked.
    pub other_areas: RwSignal<Option<usize>>,
    /// The device's shortlist (kept in `localStorage`).
    pub shortlist: RwSignal<Vec<finder::shortlist::Entry>>,
    /// What the last shortlist change did, for the live region.
    pub shortlist_msg: RwSignal<String>,
    /// The link worker's note for the printed sheet: printed only, never stored or linked.
    pub sheet_note: RwSignal<String>,
}

impl Ctx {
    /// A shortlist to show: the device's own, or one shared in the link (`sl=`).
    pub fn has_shortlist(&self) -> bool {
        self.filters.with(|f| !f.shared.is_empty()) || self.shortlist.with(|l| !l.is_empty())
    }

    /// Fresh state for these filters: an empty index, no feeds yet.
    pub fn new(filters: Filters, notices: Vec<Notice>) -> Ctx {
        let preset = StoredValue::new(filters.clone());
        let filters = RwSignal::new(filters);
        let index = RwSignal::new(Arc::new(Index::default()));
        // The query keeps, per filter, the set of occurrences passing it between filter changes
        // (only the filters that changed are evaluated again); a new index starts a new state. The weak handle
        // identifies the index without keeping it alive.
        let state: StoredValue<Option<(std::sync::Weak<Index>, QueryState)>> =
            StoredValue::new(None);
        let outcome = Memo::new(move |_| {
            measured("af:query", || {
                index.with(|ix| {
                    filters.with(|f| {
                        state
                            .try_update_value(|st| {
                                if !st
                                    .as_ref()
                                    .is_some_and(|(w, _)| std::ptr::eq(w.as_ptr(), Arc::as_ptr(ix)))
                                {
                                    *st = Some((Arc::downgrade(ix), QueryState::new(ix)));
                                }
                                let (_, qs) = st.as_mut().expect("set above");
                                Arc::new(qs.query(ix, f))
                            })
                            .unwrap_or_else(|| Arc::new(ix.query(f)))
                    })
                })
            })
        });
        let narrow = RwSignal::new(is_narrow());
        let filters_open = RwSignal::new(false);
        let panel_outcome = while_panel_seen(narrow, filters_open, outcome.into());
        let panel_filters = while_panel_seen(narrow, filters_open, filters.into());
        Ctx {
            panel_outcome,
            panel_filters,
            narrow,
            filters,
            notices: RwSignal::new(notices),
            index,
            outcome,
            feeds: RwSignal::new(Vec::new()),
            packs: RwSignal::new((0, 0)),
            complete: RwSignal::new(false),
            detail_refs: StoredValue::new(std::collections::HashMap::new()),
            detail_chunks: StoredValue::new(std::collections::HashMap::new()),
            load_errors: RwSignal::new(Vec::new()),
            demo: RwSignal::new(SHELL_SAID_DEMO.with(std::cell::Cell::get)),
            fatal: RwSignal::new(None),
            highlighted: RwSignal::new(None),
            accessibility_labels: StoredValue::new(accessibility_labels()),
            tiles: RwSignal::new(Tiles::default()),
            filters_open,
            embed: StoredValue::new(EmbedOptions::default()),
            preset,
            offline: RwSignal::new(None),
            other_areas: RwSignal::new(None),
            shortlist: RwSignal::new(crate::shortlist::load()),
            shortlist_msg: RwSignal::new(String::new()),
            sheet_note: RwSignal::new(String::new()),
        }
    }

    /// Whether the controls for a filter key are hidden by the embedding options.
    pub fn hidden(&self, key: &str) -> bool {
        self.embed.with_value(|o| o.is_hidden(key))
    }

    /// Puts the locked filters back to the values the page was opened with.
    pub(crate) fn locked(&self, mut f: Filters) -> Filters {
        self.embed.with_value(|o| {
            self.preset
                .with_value(|p| finder::embed::apply_locks(&o.locked, p, &mut f));
        });
        f
    }

    /// Changes the filters and writes them to the URL (after the frame that shows the change
    /// is painted: `pushState` costs a few milliseconds, and more on a phone).
    pub fn set_filters(&self, f: Filters, how: History) {
        let f = self.locked(f);
        url_state::write_when_idle(&f, how);
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

/// `value`, standing still while the filter panel cannot be seen (a phone's closed sheet): the
/// panel's counts and controls are not rewritten behind it, and catch up when it opens.
fn while_panel_seen<T: Clone + PartialEq + Send + Sync + 'static>(
    narrow: RwSignal<bool>,
    open: RwSignal<bool>,
    value: Signal<T>,
) -> Memo<T> {
    Memo::new(move |prev: Option<&T>| match prev {
        Some(p) if narrow.get() && !open.get() => p.clone(),
        _ => value.get(),
    })
}

/// Below the breakpoint where `style/main.css` shows the list or the map, not both, and the
/// filters as a sheet. Read from the media query, without forcing a layout.
pub fn is_narrow() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(max-width: 899px)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn accessibility_labels() -> Vec<(String, String)> {
    openactive::vocab::ACCESSIBILITY_SUPPORT
        .iter()
        .map(|(id, label)| (id.to_string(), label.to_string()))
        .collect()
}

thread_local! {
    /// Whether the static shell carried the demo banner (set by `start` before it removes the
    /// shell); the manifest has the last word.
    pub static SHELL_SAID_DEMO: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` between two User Timing marks so the benchmarks (and DevTools) can read how long
/// it took (`performance.getEntriesByName(name)`).
pub(crate) fn measured<T>(name: &str, f: impl FnOnce() -> T) -> T {
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
