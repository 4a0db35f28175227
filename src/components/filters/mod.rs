//! The filter panel: every control labelled, live counts beside each option, and changes
//! written to the URL (typing replaces the history entry; clicks push one).

use crate::state::Ctx;
use crate::url_state::History;
use finder::filter::{DAY_NAMES, DayPart, GenderFilter, Place, Sort, TimeOfDay};
use finder::postcode::{Typed, after_lookup, classify};
use finder::url::{day_number, fmt_minutes, parse_minutes};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

mod activity;
mod location;
mod person;
mod suits;
mod typed;
mod when;

use activity::{ActivityFilter, KindFilter};
use location::LocationFilter;
use person::{AccessFilter, PersonFilter, PriceFilter};
use suits::{CollectionFilter, SuitsFilter};
use typed::TypedFilter;
use when::{DaysFilter, TimeDraft, TimeFilter};

pub(super) fn with_count(label: &str, n: u32) -> String {
    format!("{label} ({n})")
}

/// One live count as its own signal, so its label is rewritten only when that number changes
/// (not the whole panel on every filter change). Read from the panel's outcome, which is not
/// recomputed while the panel cannot be seen.
pub(super) fn count_of(
    ctx: Ctx,
    f: impl Fn(&finder::Outcome) -> u32 + Send + Sync + 'static,
) -> Memo<u32> {
    Memo::new(move |_| ctx.panel_outcome.with(|o| f(o)))
}

/// One value of the filters as the panel shows it, as its own signal: the control bound to
/// it is rewritten only when that value changes, not on every filter change (and not at all
/// while the panel cannot be seen: [`Ctx::panel_filters`]).
pub(super) fn chosen<T: PartialEq + Send + Sync + 'static>(
    ctx: Ctx,
    f: impl Fn(&finder::Filters) -> T + Send + Sync + 'static,
) -> Memo<T> {
    Memo::new(move |_| ctx.panel_filters.with(|x| f(x)))
}

/// All filters.
#[component]
pub fn FilterPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let heading = NodeRef::<leptos::html::H2>::new();
    // On phones the panel is a sheet: focus its heading when it opens, and give focus back to
    // the button that opened it when it closes.
    Effect::new(move |was_open: Option<bool>| {
        let open = ctx.filters_open.get();
        if open {
            if let Some(h) = heading.get() {
                let _ = h.focus();
            }
        } else if was_open == Some(true)
            && let Some(b) = document().get_element_by_id("open-filters")
            && let Ok(b) = b.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = b.focus();
        }
        open
    });
    let close = move |_| ctx.filters_open.set(false);
    // The form is built, and its code fetched (`lazy.rs`), once the panel can be seen: at once
    // on a wide screen, when the sheet first opens on a phone.
    let wanted = crate::lazy::once(move || !ctx.narrow.get() || ctx.filters_open.get());
    view! {
        <aside class="filters" class:is-open=move || ctx.filters_open.get() id="filters-panel" aria-labelledby="filters-heading"
            on:keydown=move |e| if e.key() == "Escape" && ctx.filters_open.get_untracked() { ctx.filters_open.set(false) }>
            <div class="filters__top">
                <h2 id="filters-heading" tabindex="-1" node_ref=heading>"Filter sessions"</h2>
                <button type="button" class="button button--secondary filters__close" on:click=close>"Close"</button>
            </div>
            <Show when=move || wanted.get()>
                {crate::lazy_view!(filter_form(), crate::lazy::load_failed("The filters"))}
            </Show>
        </aside>
    }
}

/// Every filter's controls (loaded when the panel can first be seen, `lazy.rs`).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        filters,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        preload(preload_filters)
    )
)]
pub(crate) fn filter_form() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    let ctx = expect_context::<Ctx>();
    let close = move |_| ctx.filters_open.set(false);
    let count = count_of(ctx, |o| o.results.len() as u32);
    let count = move || count.get();
    let times = TimeDraft::new(&ctx);
    let keyword = TypedFilter::new(ctx, |f, v| f.keyword = v);
    let organiser = TypedFilter::new(ctx, |f, v| f.organiser = v);
    // A group of controls is left out when the embedding options hide or lock any of its keys
    // (locked values are kept by `Ctx::set_filters` whatever the controls do).
    let shown = move |keys: &[&str]| !keys.iter().any(|k| ctx.hidden(k));
    Ok(view! {
            <form class="filters__form" on:submit=|e| e.prevent_default()>
                {shown(&["col"]).then(|| view! { <CollectionFilter/> })}
                {shown(&["suit"]).then(|| view! { <SuitsFilter/> })}
                {shown(&["act"]).then(|| view! { <ActivityFilter/> })}
                {(shown(&["slots"]) || shown(&["cx"])).then(|| view! { <KindFilter/> })}
                {shown(&["near", "at", "r"]).then(|| view! { <LocationFilter/> })}
                {shown(&["days"]).then(|| view! { <DaysFilter/> })}
                {shown(&["tod", "from", "to"]).then(|| view! { <TimeFilter draft=times/> })}
                {shown(&["free", "max"]).then(|| view! { <PriceFilter/> })}
                {shown(&["age", "g", "lvl"]).then(|| view! { <PersonFilter/> })}
                {shown(&["acc", "wc"]).then(|| view! { <AccessFilter/> })}
                {shown(&["q"]).then(|| view! {
                <div class="field">
                    <label for="f-keyword">"Keyword"</label>
                    <input id="f-keyword" type="search" autocomplete="off"
                        prop:value=chosen(ctx, move |f| f.keyword.clone())
                        on:input=move |e| keyword.input(event_target_value(&e))/>
                </div>
                })}
                {shown(&["org"]).then(|| view! {
                <div class="field">
                    <label for="f-organiser">"Organiser or venue"</label>
                    <input id="f-organiser" type="search" autocomplete="off"
                        prop:value=chosen(ctx, move |f| f.organiser.clone())
                        on:input=move |e| organiser.input(event_target_value(&e))/>
                </div>
                })}
                <button type="button" class="button button--secondary" on:click=move |_| {
                    times.clear();
                    keyword.cancel();
                    organiser.cancel();
                    ctx.update_filters(History::Push, |f| { let view = f.view; *f = finder::Filters::default(); f.view = view; });
                }>"Clear all filters"</button>
                <div class="filters__done">
                    <button type="button" class="button" on:click=close>
                        {move || match count() { 1 => "Show 1 session".to_string(), n => format!("Show {n} sessions") }}
                    </button>
                </div>
            </form>
    }
    .into_any())
}
