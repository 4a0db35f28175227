//! The app shell: the page layout. Loading (manifest, packs, index) is in `load_flow.rs`; the
//! shared state, [`Ctx`], is in `state.rs`.

use crate::components::{filters::FilterPanel, results::ResultsList, status::LoadStatus};
use crate::load_flow::{load_other_areas, start_loading};
use crate::state::{Ctx, is_narrow};
use crate::url_state::{self, History};
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
#[cfg(feature = "split")]
use leptos::wasm_split::wasm_split;

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
        let on = ctx.has_shortlist();
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
    // The map's code is fetched (`lazy.rs`), and the map made, once it can be seen: at once on
    // a wide screen, at the first "Map" on a phone. It then stays (moving between list and map
    // keeps its place).
    let map_wanted = crate::lazy::once(move || {
        !ctx.narrow.get() || ctx.filters.with(|f| f.view == finder::filter::View::Map)
    });
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
                    <Show when=move || map_wanted.get()>
                        {crate::lazy_view!(map_pane(), crate::lazy::load_failed("The map"))}
                    </Show>
                </div>
            </div>
        </main>
        <Footer/>
        </div>
        // The session page's code comes when one first opens (`lazy.rs`).
        <Show when=detail_open>
            {crate::lazy_view!(session_detail(), detail_failed(ctx))}
        </Show>
        // Outside the page, which is inert while a session page is open.
        <p class="visually-hidden" role="status" aria-live="polite" id="shortlist-status">{move || ctx.shortlist_msg.get()}</p>
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
                {embed_this_disclosure()}
            </Show>
        </footer>
    }
}

/// The session page (`components/detail.rs`), loaded when one first opens (`lazy.rs`).
#[cfg_attr(
    feature = "split",
    wasm_split(detail, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_detail))
)]
pub(crate) fn session_detail() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::components::detail::SessionDetail/> }.into_any())
}

/// The session page when its module could not be loaded: a dialog that says so and leads back.
fn detail_failed(ctx: Ctx) -> AnyView {
    let heading = NodeRef::<leptos::html::H2>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    let back = move || ctx.update_filters(History::Push, |f| f.selected = None);
    let _esc = window_event_listener(leptos::ev::keydown, move |e| {
        if e.key() == "Escape" {
            back();
        }
    });
    view! {
        <section class="detail" role="dialog" aria-modal="true" aria-labelledby="detail-heading">
            <h2 id="detail-heading" tabindex="-1" node_ref=heading>"This session page could not be loaded"</h2>
            <p>"Check the connection, then open the session again."</p>
            <button type="button" class="button" on:click=move |_| back()>"Back to results"</button>
        </section>
    }
    .into_any()
}

/// "Embed this search": the disclosure is here; what it holds comes when it is first opened
/// (`lazy.rs`).
fn embed_this_disclosure() -> impl IntoView {
    crate::lazy::disclosure(
        "embed-this",
        Some("embed-this"),
        "Embed this search on your website",
        || {
            crate::lazy_view!(
                embed_this(),
                crate::lazy::load_failed("The embedding options")
            )
            .into_any()
        },
    )
}

/// What "Embed this search" holds (`components/embed_page.rs`).
#[cfg_attr(
    feature = "split",
    wasm_split(embed, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn embed_this() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::components::embed_page::EmbedOptions/> }.into_any())
}

/// The map (`components/map_view.rs`, `map/`), loaded when it can first be seen (`lazy.rs`).
#[cfg_attr(
    feature = "split",
    wasm_split(map, wasm_split_path = ::leptos::wasm_split, fallible, preload(preload_map))
)]
pub(crate) fn map_pane() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::components::map_view::MapPane/> }.into_any())
}
