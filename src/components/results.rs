//! The results list: a heading with the count (announced politely), pages of 10 cards with a
//! "show more" button (never everything at once), hover/focus in step with the map, and a
//! one-tap way out when nothing matches.

use crate::state::Ctx;
use crate::url_state::History;
use finder::display;
use leptos::prelude::*;
use std::sync::Arc;

/// Cards shown per page. Ten, not twenty: a phone shows two or three at once, and every filter
/// change builds and lays out the first page again (twenty cost about 13 ms more at the 95th
/// percentile on the phone profile; `bench/filter-latency.mjs`, bench/RESULTS.md).
pub const PAGE: usize = 10;

/// "Listed by Northgate Active Trust · updated 3 days ago · checked 5 min ago" for the
/// occurrence at `pos`: its feed's publisher, the item's last change, and the feed's last
/// successful read (or that the publisher is not answering).
pub fn trust(ctx: &Ctx, ix: &finder::Index, pos: usize) -> String {
    let o = &ix.occurrences[pos];
    let publisher = ix.dataset_of(pos).publisher;
    let (checked, answering) = ctx
        .feeds
        .with_untracked(|v| {
            v.get(o.feed).map(|f| {
                let t = f
                    .last_harvest
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.to_utc());
                (t, !f.status.is_unreachable())
            })
        })
        .unwrap_or((None, true));
    display::trust_line(
        &publisher,
        o.updated,
        checked,
        answering,
        chrono::Utc::now(),
    )
}

/// What a result card shows depends on: the index, the session, its distance, and the area
/// the distance is measured from (an outward code), or none.
#[derive(Clone, PartialEq, Eq, Hash)]
struct CardKey {
    generation: usize,
    pos: u32,
    dist: Option<u32>,
    from_area: Option<String>,
}

/// A card's text for one session: all of it but what follows the filters (its link and
/// "Matches"), worked out once when a session comes into the card's place.
#[derive(Clone, PartialEq)]
struct CardText {
    pos: usize,
    key: String,
    venue: finder::VenueId,
    name: String,
    slot: bool,
    cancelled: bool,
    when: String,
    place: String,
    price: String,
    activity: String,
    tags: Vec<String>,
    trust: String,
}

impl CardText {
    fn of(ctx: &Ctx, k: &CardKey) -> CardText {
        let ix = ctx.index.get_untracked();
        let pos = k.pos as usize;
        let o = &ix.occurrences[pos];
        let venue = ix.venue_of(pos);
        let facts = display::CardFacts::of(o);
        let activity = o
            .activities
            .iter()
            .find_map(|a| {
                a.id.as_deref()
                    .and_then(|id| ix.activity_index(id))
                    .map(|i| ix.activity_labels[i as usize].clone())
                    .or_else(|| a.label.clone())
            })
            .unwrap_or_default();
        let mut place = ix.venues[venue].name.clone();
        if let Some(d) = k.dist.map(f32::from_bits) {
            match &k.from_area {
                Some(area) => place.push_str(&format!(
                    " · {} from the centre of {area}",
                    display::distance(d)
                )),
                None => place.push_str(&format!(" · {} away", display::distance(d))),
            }
        }
        CardText {
            pos,
            key: o.key.clone(),
            venue,
            name: o.name.clone(),
            slot: facts.slot,
            cancelled: o.cancelled,
            when: display::when(&o.start),
            place,
            price: display::price(o),
            activity,
            tags: facts.tags().into_iter().map(String::from).collect(),
            trust: trust(ctx, &ix, pos),
        }
    }
}

/// The `i`th card of the list. A card stays in its place when the results change and shows
/// whichever session is `i`th now: a filter change rewrites the text of the cards whose
/// session changed, instead of building new cards (elements, listeners and their styles),
/// about half of a change's work on a phone before (bench/RESULTS.md).
fn card(ctx: Ctx, rows: Memo<Vec<CardKey>>, i: usize) -> impl IntoView {
    let key_at = Memo::new(move |_| rows.with(|r| r.get(i).cloned()));
    let text = Memo::new(move |_| key_at.with(|k| k.as_ref().map(|k| CardText::of(&ctx, k))));
    // One field of the card's text (empty while the place has no session: a list getting
    // shorter removes it just after).
    let field = move |f: fn(&CardText) -> String| {
        move || text.with(|t| t.as_ref().map(f).unwrap_or_default())
    };
    let flag = move |f: fn(&CardText) -> bool| move || text.with(|t| t.as_ref().is_some_and(f));
    let venue = move || text.with(|t| t.as_ref().map(|t| t.venue));
    let key = Signal::derive(field(|t| t.key.clone()));
    let name = Signal::derive(field(|t| t.name.clone()));
    // Its link to the session page carries the filters.
    let href = move || {
        let mut f = ctx.filters.get();
        f.selected = Some(key.get());
        format!("?{}", finder::url::encode(&f))
    };
    // Which of the person's choices it meets follows the filters (rendered again only when
    // the phrases change).
    let phrases = Memo::new(move |_| {
        let pos = text.with(|t| t.as_ref().map(|t| t.pos));
        pos.map(|pos| {
            let ix = ctx.index.get_untracked();
            ctx.filters.with(|f| finder::why::phrases(&ix, f, pos))
        })
        .unwrap_or_default()
    });
    let highlight = move || {
        if let Some(v) = venue() {
            ctx.highlighted.set(Some(v));
        }
    };
    // A place with no session now (fewer results than places) stays, hidden and without the
    // `card` class, so that more results fill it in instead of building a card.
    let present = move || key_at.with(Option::is_some);
    view! {
        <li class:card=present hidden=move || !present() class:card--cancelled=flag(|t| t.cancelled) class:is-highlighted=move || venue().is_some() && ctx.highlighted.get() == venue()
            data-key=move || key.get() data-venue=move || venue().map(|v| v.to_string()).unwrap_or_default()
            data-kind=move || if flag(|t| t.slot)() { "slot" } else { "session" }
            on:mouseenter=move |_| highlight() on:focusin=move |_| highlight()>
            <h3 class="card__title">
                <a href=href on:click=move |e| {
                    e.prevent_default();
                    let k = key.get_untracked();
                    ctx.update_filters(History::Push, move |f| f.selected = Some(k));
                }>{move || name.get()}</a>
            </h3>
            {move || flag(|t| t.cancelled)().then(|| view! {
                <p class="card__cancelled"><strong>"Cancelled:"</strong>" this session will not take place"</p>
            })}
            <p class="card__when">{field(|t| t.when.clone())}</p>
            <p class="card__where">{field(|t| t.place.clone())}</p>
            <p class="card__meta">
                <span class="card__price">{field(|t| t.price.clone())}</span>
                {move || {
                    let activity = field(|t| t.activity.clone())();
                    (!activity.is_empty()).then(|| view! { <span class="card__activity">{format!(" · {activity}")}</span> })
                }}
            </p>
            {move || {
                let tags = text.with(|t| t.as_ref().map(|t| t.tags.clone()).unwrap_or_default());
                (!tags.is_empty()).then(|| view! {
                    <ul class="tags" aria-label="Details">
                        {tags.into_iter().map(|t| view! { <li class="tag">{t}</li> }).collect_view()}
                    </ul>
                })
            }}
            <crate::components::why::WhyMatched phrases=phrases/>
            <p class="card__trust">{field(|t| t.trust.clone())}</p>
            <crate::components::shortlist::ShortlistToggle key=key name=name/>
        </li>
    }
}

/// The list of matching sessions.
#[component]
pub fn ResultsList() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let shown = RwSignal::new(PAGE);
    // A filter change starts again from the first page.
    Effect::new(move |_| {
        ctx.outcome.track();
        shown.set(PAGE);
    });
    let count = move || ctx.outcome.with(|o| o.results.len());
    let heading = move || match count() {
        0 => "No sessions match".to_string(),
        1 => "1 session found".to_string(),
        n => format!("{n} sessions found"),
    };
    // The sessions the cards show, by place in the list (`card`). Each key holds what a card's
    // text depends on: the index it points into, the session, its distance and the area that
    // distance is measured from.
    let rows = Memo::new(move |_| {
        let out = ctx.outcome.get();
        let generation = ctx.index.with(|ix| Arc::as_ptr(ix) as usize);
        let n = shown.get().min(out.results.len());
        // Distances from an outward code are measured from the centre of its venues.
        let from_area = ctx.filters.with_untracked(|f| match &f.place {
            finder::filter::Place::Outward(o) => Some(o.clone()),
            _ => None,
        });
        out.results[..n]
            .iter()
            .enumerate()
            .map(|(i, &pos)| CardKey {
                generation,
                pos,
                dist: out.distance(i).map(f32::to_bits),
                from_area: from_area.clone(),
            })
            .collect::<Vec<_>>()
    });
    let relax = move || ctx.outcome.with(|o| o.relax);
    // Screen readers hear one polite summary once the results settle, not one per change
    // (typing, or several quick taps).
    let announcement = RwSignal::new(String::new());
    let announce_timer = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let text = heading();
        if let Some(h) = announce_timer.try_update_value(Option::take).flatten() {
            h.clear();
        }
        let h = set_timeout_with_handle(
            move || announcement.set(text),
            std::time::Duration::from_millis(700),
        );
        announce_timer.set_value(h.ok());
    });
    // Once the results are complete, as `lazy::prefetch` fetches its module then (not when the
    // connection asks to save data: then with the first filter).
    let summary_wanted = crate::lazy::once(move || {
        (ctx.complete.get() && !crate::offline::save_data())
            || ctx.filters.with(|f| f.active_count() > 0)
    });
    view! {
        <section class="results" aria-labelledby="results-heading"
            data-complete=move || ctx.complete.get().to_string()>
            // "What this link shows" is built once the results are complete (or with the first
            // filter), and then stays, hidden while no filter is active: the first change after
            // the load, and each after "Clear all", fill it in instead of building it.
            <Show when=move || summary_wanted.get()>
                {crate::lazy_view!(link_summary(), crate::lazy::load_failed("What this link shows"))}
            </Show>
            // The shortlist's code comes when there first is one (`lazy.rs`).
            <Show when=move || ctx.has_shortlist()>
                {crate::lazy_view!(shortlist_panel(), crate::lazy::load_failed("The shortlist"))}
            </Show>
            <h2 id="results-heading" tabindex="-1">{heading}</h2>
            <crate::components::share::ShareBar/>
            <p class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" id="results-announcement">{move || announcement.get()}</p>
            <Show when=move || count() == 0 && ctx.index.with(|ix| !ix.is_empty())>
                <div class="empty">
                    {move || match relax() {
                        Some((kind, n)) => view! {
                            <p>{format!("The {} filter removes the most sessions.", kind.label())}</p>
                            <button type="button" class="button" id="relax-button" on:click=move |_| {
                                let f = kind.relax(&ctx.filters.get_untracked());
                                ctx.set_filters(f, History::Push);
                            }>{format!("Remove the {} filter ({} session{})", kind.label(), n, if n == 1 { "" } else { "s" })}</button>
                        }.into_any(),
                        None => view! { <p>"Try removing some filters."</p> }.into_any(),
                    }}
                </div>
            </Show>
            <ol class="cards" id="results-list">
                // One place per card shown ("show more" adds ten), filled or not: a change from
                // few results to many fills places in, and builds none.
                <For each=move || 0..shown.get() key=|i| *i let:i>{card(ctx, rows, i)}</For>
            </ol>
            <Show when=move || { shown.get() < count() }>
                <button type="button" class="button button--secondary" id="show-more" on:click=move |_| shown.update(|s| *s += PAGE)>
                    {move || format!("Show more ({} of {} shown)", shown.get().min(count()), count())}
                </button>
            </Show>
        </section>
    }
}

/// The shortlist, its sharing and the printed sheet (`components/shortlist/`), loaded when there
/// first is one (`lazy.rs`).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        shortlist,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        preload(preload_shortlist)
    )
)]
pub(crate) fn shortlist_panel() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <crate::components::shortlist::ShortlistPanel/> }.into_any())
}

/// "What this link shows" (`components/shortlist/summary.rs`), loaded with the first active
/// filter (`lazy.rs`).
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        summary,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        preload(preload_summary)
    )
)]
pub(crate) fn link_summary() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    Ok(view! { <crate::components::shortlist::LinkSummary/> }.into_any())
}
