//! Loading progress: a progress bar, the number of sessions loaded, and each feed's health
//! (how many items it has, when it was checked, whether its publisher is answering).

use crate::state::Ctx;
use leptos::prelude::*;

/// Progress bar and per-feed status.
#[component]
pub fn LoadStatus() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let total = move || ctx.packs.with(|p| p.1);
    let finished = move || ctx.packs.with(|p| p.0);
    let started = move || !ctx.feeds.with(Vec::is_empty) || ctx.fatal.with(Option::is_some);
    let loading = move || !started() || finished() < total();
    let count = move || ctx.index.with(|ix| ix.visible_len());
    view! {
        <section class="load-status" aria-label="Data loading">
            <p class="load-status__summary" id="loaded-count">
                {move || {
                    let n = count();
                    if loading() {
                        format!("Loading sessions… {n} loaded so far")
                    } else {
                        format!("{n} upcoming sessions loaded")
                    }
                }}
            </p>
            // Kept in place (hidden) when loading ends, so nothing below it moves then.
            <progress
                class="load-status__bar"
                class:is-done=move || !loading()
                max=move || total().max(1).to_string()
                value=move || finished().to_string()
                aria-label="Session data loaded"
            ></progress>
            // The feed lines are built, and their code fetched, when first opened (`lazy.rs`).
            {crate::lazy::disclosure("load-status__feeds", None, "Data sources", || {
                crate::lazy_view!(feed_lines(), crate::lazy::load_failed("The data sources")).into_any()
            })}
        </section>
    }
}

/// Each feed's line under "Data sources" (loaded when first opened, `lazy.rs`).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(sources, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn feed_lines() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    let ctx = expect_context::<Ctx>();
    // Only the one filter the feed lines read: every other filter change would otherwise
    // rewrite one line per feed (44 in the London demo).
    let show_cancelled = Memo::new(move |_| ctx.filters.with(|x| x.cancelled));
    Ok(view! {
        <ul>
            <For each=move || ctx.feeds.get() key=|f| (f.id.clone(), f.items, f.status, f.last_harvest.clone()) let:f>
                <li class="feed-status">
                    <span>{format!("{} ({})", f.publisher, f.kind)}</span>
                    ": "
                    <span>{move || feed_line(&f, show_cancelled.get())}</span>
                </li>
            </For>
        </ul>
    }
    .into_any())
}

/// "120 items · checked 3 minutes ago", or why the publisher is not answering.
fn feed_line(f: &crate::api::FeedInfo, show_cancelled: bool) -> String {
    use contract::Health;
    let age = f
        .last_harvest
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| finder::display::age(&t, &chrono::Utc::now().fixed_offset()));
    let checked = age
        .as_ref()
        .map(|a| format!(" · checked {a}"))
        .unwrap_or_default();
    let hidden = f
        .hidden
        .as_ref()
        .map(|h| hidden_line(h, show_cancelled))
        .unwrap_or_default();
    let line = match f.status {
        Health::Ok => format!("{} items{checked}", f.items),
        Health::Harvesting => format!("{} items so far (first read in progress)", f.items),
        Health::Failing | Health::Gone => format!(
            "not answering ({}); showing its last {} items{}",
            f.error.as_deref().unwrap_or("no answer"),
            f.items,
            age.map(|a| format!(", last updated {a}"))
                .unwrap_or_default()
        ),
    };
    format!("{line}{hidden}")
}

/// "; not shown: 12 past, 3 cancelled, 2 without a location" (only the reasons that occur).
/// With cancelled sessions shown (`cx=1`), they are said to be shown, marked.
fn hidden_line(h: &openactive::join::Hidden, show_cancelled: bool) -> String {
    let shown = if show_cancelled && h.cancelled > 0 {
        format!("; {} cancelled shown, marked", h.cancelled)
    } else {
        String::new()
    };
    let parts: Vec<String> = [
        (h.unreadable, "unreadable"),
        (h.orphaned, "waiting for their series"),
        (h.undated, "without a date"),
        (h.past, "past"),
        (h.absurd_date, "with an impossible date"),
        (h.duplicate, "listed twice"),
        (if show_cancelled { 0 } else { h.cancelled }, "cancelled"),
        (h.booking_grid, "repeats in a booking grid"),
        (h.no_location, "without a location"),
        (h.outside_region, "outside the area"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        shown
    } else {
        format!("; not shown: {}{shown}", parts.join(", "))
    }
}
