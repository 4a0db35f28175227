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

fn with_count(label: &str, n: u32) -> String {
    format!("{label} ({n})")
}

/// One live count as its own signal, so its label is rewritten only when that number changes
/// (not the whole panel on every filter change). Read from the panel's outcome, which is not
/// recomputed while the panel cannot be seen.
fn count_of(ctx: Ctx, f: impl Fn(&finder::Outcome) -> u32 + Send + Sync + 'static) -> Memo<u32> {
    Memo::new(move |_| ctx.panel_outcome.with(|o| f(o)))
}

/// All filters.
#[component]
pub fn FilterPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let heading = leptos::prelude::NodeRef::<leptos::html::H2>::new();
    // On phones the panel is a sheet: focus its heading when it opens, and give focus back to
    // the button that opened it when it closes.
    Effect::new(move |was_open: Option<bool>| {
        let open = ctx.filters_open.get();
        if open {
            if let Some(h) = heading.get() {
                let _ = h.focus();
            }
        } else if was_open == Some(true)
            && let Some(b) = leptos::prelude::document().get_element_by_id("open-filters")
            && let Ok(b) = b.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = b.focus();
        }
        open
    });
    let close = move |_| ctx.filters_open.set(false);
    let count = count_of(ctx, |o| o.results.len() as u32);
    let count = move || count.get();
    let times = TimeDraft::new(&ctx);
    let keyword = TypedFilter::new(ctx, |f, v| f.keyword = v);
    let organiser = TypedFilter::new(ctx, |f, v| f.organiser = v);
    // A group of controls is left out when the embedding options hide or lock any of its keys
    // (locked values are kept by `Ctx::set_filters` whatever the controls do).
    let shown = move |keys: &[&str]| !keys.iter().any(|k| ctx.hidden(k));
    view! {
        <aside class="filters" class:is-open=move || ctx.filters_open.get() id="filters-panel" aria-labelledby="filters-heading"
            on:keydown=move |e| if e.key() == "Escape" && ctx.filters_open.get_untracked() { ctx.filters_open.set(false) }>
            <div class="filters__top">
                <h2 id="filters-heading" tabindex="-1" node_ref=heading>"Filter sessions"</h2>
                <button type="button" class="button button--secondary filters__close" on:click=close>"Close"</button>
            </div>
            <form class="filters__form" on:submit=|e| e.prevent_default()>
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
                        prop:value=move || ctx.filters.with(|f| f.keyword.clone())
                        on:input=move |e| keyword.input(event_target_value(&e))/>
                </div>
                })}
                {shown(&["org"]).then(|| view! {
                <div class="field">
                    <label for="f-organiser">"Organiser or venue"</label>
                    <input id="f-organiser" type="search" autocomplete="off"
                        prop:value=move || ctx.filters.with(|f| f.organiser.clone())
                        on:input=move |e| organiser.input(event_target_value(&e))/>
                </div>
                })}
                <button type="button" class="button button--secondary" on:click=move |_| {
                    times.clear();
                    keyword.cancel();
                    organiser.cancel();
                    ctx.update_filters(History::Push, |f| { let view = f.view; *f = finder::Filters::default(); f.view = view; })
                }>"Clear all filters"</button>
                <div class="filters__done">
                    <button type="button" class="button" on:click=close>
                        {move || match count() { 1 => "Show 1 session".to_string(), n => format!("Show {n} sessions") }}
                    </button>
                </div>
            </form>
        </aside>
    }
}

/// How long typing must pause before what was typed is applied.
const TYPING_PAUSE_MS: u64 = 300;

/// A text filter applied as the person types, without a query (and a URL write) per
/// keystroke: the first keystroke after a pause applies at once; later ones are collected and
/// applied once typing pauses for [`TYPING_PAUSE_MS`]. Typing replaces the current history
/// entry (never one entry per keystroke).
#[derive(Clone, Copy)]
struct TypedFilter {
    ctx: Ctx,
    set: fn(&mut finder::Filters, String),
    /// The value waiting for the pause, and the timer that will apply it.
    pending: StoredValue<Option<(String, TimeoutHandle)>, LocalStorage>,
    /// When the last keystroke came (ms, `performance.now()`).
    last: StoredValue<f64>,
}

impl TypedFilter {
    fn new(ctx: Ctx, set: fn(&mut finder::Filters, String)) -> Self {
        TypedFilter {
            ctx,
            set,
            pending: StoredValue::new_local(None),
            last: StoredValue::new(f64::NEG_INFINITY),
        }
    }
    fn now() -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    fn apply(self, v: String) {
        let set = self.set;
        self.ctx
            .update_filters(History::Replace, move |f| set(f, v));
    }
    fn input(self, v: String) {
        let now = Self::now();
        let paused = now - self.last.get_value() >= TYPING_PAUSE_MS as f64;
        self.last.set_value(now);
        if let Some((_, h)) = self.pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
        if paused {
            self.apply(v);
            return;
        }
        let handle = set_timeout_with_handle(
            move || {
                if let Some((v, _)) = self.pending.try_update_value(Option::take).flatten() {
                    self.apply(v);
                }
            },
            std::time::Duration::from_millis(TYPING_PAUSE_MS),
        );
        if let Ok(h) = handle {
            self.pending.set_value(Some((v, h)));
        }
    }
    /// Forgets what is waiting (the filters were cleared).
    fn cancel(self) {
        if let Some((_, h)) = self.pending.try_update_value(Option::take).flatten() {
            h.clear();
        }
    }
}

/// Activity picker over the activities that have sessions: a tree with narrower activities
/// indented under broader ones, narrowed by a search box as the person types.
#[component]
fn ActivityFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let search = RwSignal::new(String::new());
    let selected = move || {
        ctx.filters
            .with(|f| f.activities.first().cloned().unwrap_or_default())
    };
    // The options shown (which activities have sessions, as a tree or the search's matches),
    // without their counts: the list is re-rendered only when the set of options changes;
    // each option's count is its own signal.
    let options = Memo::new(move |_| {
        let ix = ctx.index.get();
        let generation = Arc::as_ptr(&ix) as usize;
        let mut opts: Vec<ActivityRow> = ctx.panel_outcome.with(|out| {
            search.with(|q| {
                ix.activity_options(&out.facets.activities, q)
                    .into_iter()
                    .map(|o| ActivityRow {
                        index: ix.activity_index(&o.id),
                        id: o.id,
                        label: o.label,
                        depth: o.depth,
                        generation,
                    })
                    .collect()
            })
        });
        // Keep a selected activity visible even when it has no sessions now.
        let sel = selected();
        if !sel.is_empty() && !opts.iter().any(|o| o.id == sel) {
            let index = ix.activity_index(&sel);
            let label = index
                .map(|i| ix.activity_labels[i as usize].clone())
                .unwrap_or_else(|| "Selected activity".into());
            opts.insert(
                0,
                ActivityRow {
                    id: sel,
                    label,
                    depth: 0,
                    index,
                    generation,
                },
            );
        }
        opts
    });
    let match_count = move || options.with(Vec::len);
    view! {
        <div class="field">
            <label for="f-activity-search">"Search activities"</label>
            <input id="f-activity-search" type="search" autocomplete="off" aria-describedby="f-activity-matches"
                prop:value=move || search.get()
                on:input=move |e| search.set(event_target_value(&e))/>
            <p class="visually-hidden" id="f-activity-matches" aria-live="polite">
                {move || if search.with(String::is_empty) { String::new() } else { format!("{} activities match", match_count()) }}
            </p>
            <label for="f-activity">"Activity"</label>
            <p class="hint" id="f-activity-hint">"Includes narrower activities, e.g. Swimming includes Swimming Lessons."</p>
            <select id="f-activity" aria-describedby="f-activity-hint"
                on:change=move |e| {
                    let v = event_target_value(&e);
                    ctx.update_filters(History::Push, |f| f.activities = if v.is_empty() { vec![] } else { vec![v] })
                }>
                <option value="" selected=move || selected().is_empty() prop:selected=move || selected().is_empty()>"Any activity"</option>
                <For each=move || options.get() key=|o| (o.id.clone(), o.depth, o.generation) let:o>
                    {
                        let n = count_of(ctx, move |out| o.index.and_then(|i| out.facets.activities.get(i as usize).copied()).unwrap_or(0));
                        // Indent narrower activities (non-breaking spaces survive in <option>).
                        let indent = "\u{a0}\u{a0}\u{a0}".repeat(o.depth);
                        let (id, id2) = (o.id.clone(), o.id.clone());
                        let is_sel = Memo::new(move |_| ctx.filters.with(|f| f.activities.first() == Some(&id2)));
                        let label = o.label;
                        view! { <option value=id selected=is_sel prop:selected=is_sel>{move || format!("{indent}{}", with_count(&label, n.get()))}</option> }
                    }
                </For>
            </select>
        </div>
    }
}

/// An option of the activity picker (its count is read live).
#[derive(Debug, Clone, PartialEq)]
struct ActivityRow {
    id: String,
    label: String,
    depth: usize,
    /// Interned index in the index the row was made for.
    index: Option<u16>,
    /// That index (its address): a rebuilt index renders the rows again.
    generation: usize,
}

/// Facility slots (courts, pitches, pool lanes to hire) are opt-in: most referrals are for
/// sessions, so they are left out until asked for.
#[component]
fn KindFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let slots = count_of(ctx, |o| o.facets.slots);
    view! {
        <fieldset class="field checkboxes">
            <legend>"What to include"</legend>
            {(!ctx.hidden("slots")).then(|| view! {
            <p class="hint" id="f-slots-hint">"Sessions are always shown. Facility bookings are times to hire a court, pitch or pool lane yourself."</p>
            <div class="checkbox">
                <input type="checkbox" id="f-slots" aria-describedby="f-slots-hint" prop:checked=move || ctx.filters.with(|f| f.slots)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.slots = c) }/>
                <label for="f-slots">{move || with_count("Include facility bookings: courts, pitches, pools", slots.get())}</label>
            </div>
            })}
            {(!ctx.hidden("cx")).then(|| view! {
            <div class="checkbox">
                <input type="checkbox" id="f-cancelled" prop:checked=move || ctx.filters.with(|f| f.cancelled)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.cancelled = c) }/>
                <label for="f-cancelled">{move || with_count("Show cancelled sessions (marked \"Cancelled\")", ctx.outcome.with(|o| o.facets.cancelled))}</label>
            </div>
            })}
        </fieldset>
    }
}

/// Postcode area or my location, and a radius.
#[component]
fn LocationFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let typed = RwSignal::new(ctx.filters.with_untracked(|f| match &f.place {
        Place::Outward(o) => o.clone(),
        _ => String::new(),
    }));
    let error = RwSignal::new(None::<String>);
    // A hint about the place searched, shown only while that place is still the filter's.
    let note = RwSignal::new(None::<(String, Place)>);
    // Bumped on every new search so a late postcode answer cannot override a newer choice.
    let generation = StoredValue::new(0u32);
    let set_place = move |p: Place| {
        ctx.update_filters(History::Push, |f| {
            f.place = p;
            if f.sort == Sort::Soonest && f.radius_km.is_none() {
                f.radius_km = Some(finder::filter::DEFAULT_RADIUS_KM);
            }
        })
    };
    let apply = move || {
        generation.update_value(|g| *g = g.wrapping_add(1));
        note.set(None);
        match classify(&typed.get_untracked()) {
            Typed::Empty => {
                error.set(None);
                ctx.update_filters(History::Push, |f| f.place = Place::Anywhere);
            }
            Typed::Outward(o) => {
                typed.set(o.clone());
                error.set(None);
                set_place(Place::Outward(o));
            }
            Typed::Full { postcode, outward } => {
                // The full postcode stays in the box; only a rounded point reaches the URL.
                typed.set(postcode.clone());
                error.set(None);
                let asked = generation.get_value();
                leptos::task::spawn_local(async move {
                    let lookup = crate::api::lookup_postcode(&postcode).await;
                    if generation.get_value() != asked {
                        return;
                    }
                    let known = ctx
                        .index
                        .with_untracked(|ix| ix.gazetteer.lookup(&outward).is_some());
                    let out = after_lookup(&postcode, &outward, lookup, known);
                    error.set(out.error);
                    if let Some(p) = out.place {
                        note.set(out.note.map(|n| (n, p.clone())));
                        set_place(p);
                    }
                });
            }
            Typed::Invalid => error.set(Some(
                "Enter a postcode or the first part of one, like E15 or E15 4HT".into(),
            )),
        }
    };
    let locate = move |_| {
        generation.update_value(|g| *g = g.wrapping_add(1));
        let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
            error.set(Some(
                "Your browser cannot share your location; enter a postcode instead.".into(),
            ));
            return;
        };
        let ok = wasm_bindgen::closure::Closure::once_into_js(move |pos: web_sys::Position| {
            let c = pos.coords();
            let (lat, lon) = (
                (c.latitude() * 1000.0).round() / 1000.0,
                (c.longitude() * 1000.0).round() / 1000.0,
            );
            typed.set(String::new());
            error.set(None);
            ctx.update_filters(History::Push, |f| f.place = Place::Point(lat, lon));
        });
        let fail =
            wasm_bindgen::closure::Closure::once_into_js(move |_e: wasm_bindgen::JsValue| {
                error.set(Some(
                    "Your location could not be found; enter a postcode instead.".into(),
                ));
            });
        let _ = geo.get_current_position_with_error_callback(
            ok.unchecked_ref(),
            Some(fail.unchecked_ref()),
        );
    };
    let unknown = move || ctx.panel_outcome.with(|o| o.unknown_place);
    view! {
        <fieldset class="field">
            <legend>"Where"</legend>
            <label for="f-near">"Postcode"</label>
            <p class="hint" id="f-near-hint">"The first part (like E15) stays in your browser. A full postcode is looked up through our server, and the link keeps only an approximate point."</p>
            <div class="inline">
                <input id="f-near" type="text" autocomplete="postal-code" aria-describedby="f-near-hint f-near-status f-near-error"
                    prop:value=move || typed.get()
                    on:input=move |e| typed.set(event_target_value(&e))
                    on:keydown=move |e| if e.key() == "Enter" { e.prevent_default(); apply() }/>
                <button type="button" class="button" on:click=move |_| apply()>"Search"</button>
            </div>
            <p id="f-near-status" class="hint" aria-live="polite">
                {move || note.with(|n| n.as_ref().filter(|(_, p)| ctx.filters.with(|f| f.place == *p)).map(|(t, _)| t.clone()))}
            </p>
            <p id="f-near-error" class="error-message" aria-live="polite">
                {move || error.get().or_else(|| unknown().then(|| "We don't know that postcode area yet; showing everywhere.".to_string()))}
            </p>
            <button type="button" class="link-button" on:click=locate>"Use my location"</button>
            <label for="f-radius">"Within"</label>
            <select id="f-radius" on:change=move |e| {
                let v = finder::decimal::parse(&event_target_value(&e)).unwrap_or(finder::filter::DEFAULT_RADIUS_KM);
                ctx.update_filters(History::Push, |f| f.radius_km = Some(v))
            }>
                {[1u32, 2, 5, 10, 20].into_iter().map(|r| view! {
                    <option value=r.to_string() selected=move || ctx.filters.with(|f| (f.radius() - f64::from(r)).abs() < 1e-9)>{format!("{r} km")}</option>
                }).collect_view()}
            </select>
            <label for="f-sort">"Sort by"</label>
            <select id="f-sort" on:change=move |e| {
                let s = if event_target_value(&e) == "near" { Sort::Nearest } else { Sort::Soonest };
                ctx.update_filters(History::Push, |f| f.sort = s)
            }>
                <option value="soon" selected=move || ctx.filters.with(|f| f.sort == Sort::Soonest)>"Soonest first"</option>
                <option value="near" selected=move || ctx.filters.with(|f| f.sort == Sort::Nearest)>"Nearest first"</option>
            </select>
        </fieldset>
    }
}

/// Days of the week.
#[component]
fn DaysFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <fieldset class="field checkboxes">
            <legend>"Days"</legend>
            {(0u32..7).map(|d| {
                let id = format!("f-day-{d}");
                let n = count_of(ctx, move |o| o.facets.days[d as usize]);
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=id.clone()
                            prop:checked=move || ctx.filters.with(|f| f.days.contains(d))
                            on:change=move |_| ctx.update_filters(History::Push, |f| f.days = f.days.toggled(d))/>
                        <label for=id>{move || with_count(DAY_NAMES[d as usize], n.get())}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// What the start-time inputs hold, which may be half-typed or invalid and so not (yet) the
/// filter. Owned by the panel so that "Clear all filters" empties them too.
#[derive(Clone, Copy)]
struct TimeDraft {
    start: RwSignal<String>,
    end: RwSignal<String>,
    /// Why the inputs are not applied (shown inline).
    error: RwSignal<Option<String>>,
    /// A short note when one kind of time filter replaced the other.
    note: RwSignal<Option<String>>,
}

impl TimeDraft {
    fn new(ctx: &Ctx) -> Self {
        let (start, end) = match ctx.filters.with_untracked(|f| f.time.clone()) {
            TimeOfDay::Range(a, b) => (fmt_minutes(a), fmt_minutes(b)),
            _ => (String::new(), String::new()),
        };
        TimeDraft {
            start: RwSignal::new(start),
            end: RwSignal::new(end),
            error: RwSignal::new(None),
            note: RwSignal::new(None),
        }
    }
    fn clear(&self) {
        self.start.set(String::new());
        self.end.set(String::new());
        self.error.set(None);
        self.note.set(None);
    }
    /// The range the inputs describe, when both are filled in and valid.
    fn range(&self) -> Option<(u16, u16)> {
        let (a, b) = (
            input_minutes(&self.start.get_untracked())?,
            input_minutes(&self.end.get_untracked())?,
        );
        (a < b).then_some((a, b))
    }
}

/// An `<input type="time">` value (`HH:MM`, or `HH:MM:SS` with a seconds step) as minutes.
fn input_minutes(v: &str) -> Option<u16> {
    parse_minutes(v.get(..5)?)
}

/// Time of day: parts of the day, or a start-time range (alternatives in the filter model:
/// choosing one clears the other), and dates.
#[component]
fn TimeFilter(draft: TimeDraft) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let toggle = move |p: DayPart| {
        let (had_range, adding) = ctx.filters.with_untracked(|f| match &f.time {
            TimeOfDay::Range(..) => (true, true),
            TimeOfDay::Parts(v) => (false, !v.contains(&p)),
            TimeOfDay::Any => (false, true),
        });
        ctx.update_filters(History::Push, |f| {
            let mut parts = match &f.time {
                TimeOfDay::Parts(v) => v.clone(),
                _ => vec![],
            };
            if let Some(i) = parts.iter().position(|x| *x == p) {
                parts.remove(i);
            } else {
                parts.push(p);
                parts = DayPart::in_order(&parts);
            }
            f.time = if parts.is_empty() {
                TimeOfDay::Any
            } else {
                TimeOfDay::Parts(parts)
            };
        });
        let typed =
            !draft.start.get_untracked().is_empty() || !draft.end.get_untracked().is_empty();
        if adding && (had_range || typed) {
            draft.clear();
            draft.note.set(Some(
                "Your start times were cleared: a part of the day replaces them.".into(),
            ));
        } else {
            draft.note.set(None);
        }
    };
    // The inputs follow the filter when it changes from elsewhere (a link, back/forward, a part
    // of the day ticked, "Clear all filters"), but keep a half-typed or invalid entry while the
    // filter has no time range.
    let time = Memo::new(move |_| ctx.filters.with(|f| f.time.clone()));
    Effect::new(move |_| match time.get() {
        TimeOfDay::Range(a, b) => {
            if draft.range() != Some((a, b)) {
                draft.start.set(fmt_minutes(a));
                draft.end.set(fmt_minutes(b));
            }
            draft.error.set(None);
        }
        TimeOfDay::Parts(_) => {
            draft.start.set(String::new());
            draft.end.set(String::new());
            draft.error.set(None);
        }
        TimeOfDay::Any => {
            if draft.range().is_some() {
                draft.clear();
            }
        }
    });
    // Applies the inputs: a valid range becomes the filter (replacing parts of the day); an
    // incomplete or invalid one removes a range set before, with an inline explanation.
    let apply = move || {
        let (s, e) = (draft.start.get_untracked(), draft.end.get_untracked());
        let had_parts = ctx
            .filters
            .with_untracked(|f| matches!(f.time, TimeOfDay::Parts(_)));
        let had_range = ctx
            .filters
            .with_untracked(|f| matches!(f.time, TimeOfDay::Range(..)));
        let (error, note) = match (input_minutes(&s), input_minutes(&e)) {
            (Some(a), Some(b)) if a < b => {
                draft.error.set(None);
                draft.note.set(had_parts.then(|| {
                    "Your part-of-day choice was cleared: start times replace it.".to_string()
                }));
                ctx.update_filters(History::Push, |f| f.time = TimeOfDay::Range(a, b));
                return;
            }
            (Some(_), Some(_)) => (
                Some(
                    "The second time must be later than the first. Start times are not used until this is fixed.",
                ),
                None,
            ),
            _ if s.is_empty() && e.is_empty() => (None, None),
            _ => (None, Some("Set both times to filter by start time.")),
        };
        draft.error.set(error.map(str::to_string));
        draft.note.set(note.map(str::to_string));
        if had_range {
            ctx.update_filters(History::Push, |f| f.time = TimeOfDay::Any);
        }
    };
    let clear_range = move |_| {
        draft.clear();
        if ctx
            .filters
            .with_untracked(|f| matches!(f.time, TimeOfDay::Range(..)))
        {
            ctx.update_filters(History::Push, |f| f.time = TimeOfDay::Any);
        }
        if let Some(el) = leptos::prelude::document().get_element_by_id("f-tod-start")
            && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    };
    let has_times =
        move || !draft.start.with(String::is_empty) || !draft.end.with(String::is_empty);
    view! {
        <fieldset class="field checkboxes" aria-describedby="f-tod-hint">
            <legend>"Time of day"</legend>
            <p class="hint" id="f-tod-hint">"Tick parts of the day, or set your own start times below. Choosing one clears the other."</p>
            {DayPart::ALL.into_iter().enumerate().map(|(i, p)| {
                let id = format!("f-tod-{}", p.key());
                let n = count_of(ctx, move |o| o.facets.parts[i]);
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=id.clone()
                            prop:checked=move || ctx.filters.with(|f| matches!(&f.time, TimeOfDay::Parts(v) if v.contains(&p)))
                            on:change=move |_| toggle(p)/>
                        <label for=id>{move || with_count(p.label(), n.get())}</label>
                    </div>
                }
            }).collect_view()}
            <fieldset class="subfield">
                <legend>"Or starts between"</legend>
                <div class="inline">
                    <div>
                        <label for="f-tod-start">"From"</label>
                        <input id="f-tod-start" type="time" aria-describedby="f-tod-error"
                            aria-invalid=move || draft.error.with(Option::is_some).then_some("true")
                            prop:value=move || draft.start.get()
                            on:change=move |e| { draft.start.set(event_target_value(&e)); apply() }/>
                    </div>
                    <div>
                        <label for="f-tod-end">"Before"</label>
                        <input id="f-tod-end" type="time" aria-describedby="f-tod-error"
                            aria-invalid=move || draft.error.with(Option::is_some).then_some("true")
                            prop:value=move || draft.end.get()
                            on:change=move |e| { draft.end.set(event_target_value(&e)); apply() }/>
                    </div>
                </div>
                <p id="f-tod-error" class="error-message" aria-live="polite">{move || draft.error.get()}</p>
                <p id="f-tod-status" class="hint" aria-live="polite">{move || draft.note.get()}</p>
                <Show when=has_times>
                    <button type="button" class="link-button" id="f-tod-clear" on:click=clear_range>"Clear start times"</button>
                </Show>
            </fieldset>
            <div class="inline">
                <div>
                    <label for="f-from">"From date"</label>
                    <input id="f-from" type="date" prop:value=move || ctx.filters.with(|f| f.from.and_then(finder::url::date_of).map(|d| d.to_string()).unwrap_or_default())
                        on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.from = finder::url::parse_date(&v).map(day_number)) }/>
                </div>
                <div>
                    <label for="f-to">"To date"</label>
                    <input id="f-to" type="date" prop:value=move || ctx.filters.with(|f| f.to.and_then(finder::url::date_of).map(|d| d.to_string()).unwrap_or_default())
                        on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.to = finder::url::parse_date(&v).map(day_number)) }/>
                </div>
            </div>
        </fieldset>
    }
}

/// Free and maximum price.
#[component]
fn PriceFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let free = count_of(ctx, |o| o.facets.free);
    view! {
        <fieldset class="field">
            <legend>"Price"</legend>
            <div class="checkbox">
                <input type="checkbox" id="f-free" prop:checked=move || ctx.filters.with(|f| f.free)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.free = c) }/>
                <label for="f-free">{move || with_count("Free only", free.get())}</label>
            </div>
            <label for="f-max">"Maximum price (£)"</label>
            <input id="f-max" type="number" min="0" step="0.5" inputmode="decimal"
                prop:value=move || ctx.filters.with(|f| f.max_price.map(|m| finder::display::short(m, 2)).unwrap_or_default())
                on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.max_price = finder::decimal::parse(&v).filter(|m| m.is_finite() && *m >= 0.0)) }/>
        </fieldset>
    }
}

/// Age and gender of the person.
#[component]
fn PersonFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let beginner = count_of(ctx, |o| o.facets.beginner);
    view! {
        <fieldset class="field">
            <legend>"Who is it for"</legend>
            <label for="f-age">"Age of the person"</label>
            <input id="f-age" type="number" min="0" max="120" inputmode="numeric"
                prop:value=move || ctx.filters.with(|f| f.age.map(|a| a.to_string()).unwrap_or_default())
                on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.age = v.parse::<u32>().ok().filter(|a| *a <= 120)) }/>
            <label for="f-gender">"Gender"</label>
            <select id="f-gender" on:change=move |e| {
                let g = GenderFilter::from_key(&event_target_value(&e)).unwrap_or_default();
                ctx.update_filters(History::Push, |f| f.gender = g)
            }>
                {GenderFilter::ALL.into_iter().enumerate().map(|(i, g)| {
                    let n = count_of(ctx, move |o| o.facets.gender[i]);
                    view! {
                        <option value=g.key() selected=move || ctx.filters.with(|f| f.gender == g)>
                            {move || with_count(g.label(), n.get())}
                        </option>
                    }
                }).collect_view()}
            </select>
            <div class="checkbox">
                <input type="checkbox" id="f-beginner" prop:checked=move || ctx.filters.with(|f| f.beginner)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.beginner = c) }/>
                <label for="f-beginner">{move || with_count("Beginner-friendly", beginner.get())}</label>
            </div>
        </fieldset>
    }
}

/// Accessibility support and wheelchair access.
#[component]
fn AccessFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let wheelchair = count_of(ctx, |o| o.facets.wheelchair);
    let options = move || {
        let ix = ctx.index.get();
        ctx.accessibility_labels
            .get_value()
            .into_iter()
            .map(|(id, label)| {
                let pos = ix.accessibility_ids.iter().position(|a| a == &id);
                (id, label, pos)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <fieldset class="field checkboxes">
            <legend>"Accessibility"</legend>
            <div class="checkbox">
                <input type="checkbox" id="f-wheelchair" prop:checked=move || ctx.filters.with(|f| f.wheelchair)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.wheelchair = c) }/>
                <label for="f-wheelchair">{move || with_count("Wheelchair accessible", wheelchair.get())}</label>
            </div>
            <For each=options key=|o| o.0.clone() let:o>
                {
                    let (id, label, pos) = o;
                    let dom_id = format!("f-acc-{}", id.rsplit('#').next().unwrap_or("x"));
                    let id2 = id.clone();
                    let n = count_of(ctx, move |o| pos.map_or(0, |p| o.facets.accessibility.get(p).copied().unwrap_or(0)));
                    let label = format!("Support for {}", label.to_lowercase());
                    view! {
                        <div class="checkbox">
                            <input type="checkbox" id=dom_id.clone()
                                prop:checked=move || ctx.filters.with(|f| f.accessibility.contains(&id))
                                on:change=move |_| {
                                    let id = id2.clone();
                                    ctx.update_filters(History::Push, move |f| {
                                        if let Some(i) = f.accessibility.iter().position(|a| a == &id) { f.accessibility.remove(i); } else { f.accessibility.push(id); }
                                    })
                                }/>
                            <label for=dom_id>{move || with_count(&label, n.get())}</label>
                        </div>
                    }
                }
            </For>
        </fieldset>
    }
}
