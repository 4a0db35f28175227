//! What: the activity picker and sessions / facility bookings.

// `allow`, not `expect`: clippy does not flag `super::*` in the test build.
#[allow(
    clippy::wildcard_imports,
    reason = "a filter group shares the panel's imports: the Leptos prelude, Ctx, History, the count helpers"
)]
use super::*;

/// Activity picker over the activities that have sessions: a tree with narrower activities
/// indented under broader ones, narrowed by a search box as the person types.
#[component]
pub(super) fn ActivityFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let search = RwSignal::new(String::new());
    let selected = move || {
        ctx.panel_filters
            .with(|f| f.activities.first().cloned().unwrap_or_default())
    };
    // Which activities have sessions (1) or none (0): most filter changes leave this as it
    // was, and then the options below are not worked out again.
    let with_sessions = Memo::new(move |_| {
        ctx.panel_outcome.with(|out| {
            out.facets
                .activities
                .iter()
                .map(|&n| u32::from(n > 0))
                .collect::<Vec<u32>>()
        })
    });
    // The options shown (which activities have sessions, as a tree or the search's matches),
    // without their counts: the list is re-rendered only when the set of options changes;
    // each option's count is its own signal.
    let options = Memo::new(move |_| {
        let ix = ctx.index.get();
        let generation = Arc::as_ptr(&ix) as usize;
        let mut opts: Vec<ActivityRow> = with_sessions.with(|has| {
            search.with(|q| {
                ix.activity_options(has, q)
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
                    ctx.update_filters(History::Push, |f| f.activities = if v.is_empty() { vec![] } else { vec![v] });
                }>
                <option value="" selected=move || selected().is_empty() prop:selected=move || selected().is_empty()>"Any activity"</option>
                <For each=move || options.get() key=|o| (o.id.clone(), o.depth, o.generation) let:o>
                    {
                        let n = count_of(ctx, move |out| o.index.and_then(|i| out.facets.activities.get(i as usize).copied()).unwrap_or(0));
                        // Indent narrower activities (non-breaking spaces survive in <option>).
                        let indent = "\u{a0}\u{a0}\u{a0}".repeat(o.depth);
                        let (id, id2) = (o.id.clone(), o.id.clone());
                        let is_sel = Memo::new(move |_| ctx.panel_filters.with(|f| f.activities.first() == Some(&id2)));
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
pub(super) struct ActivityRow {
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
pub(super) fn KindFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let slots = count_of(ctx, |o| o.facets.slots);
    view! {
        <fieldset class="field checkboxes">
            <legend>"What to include"</legend>
            {(!ctx.hidden("slots")).then(|| view! {
            <p class="hint" id="f-slots-hint">"Sessions are always shown. Facility bookings are times to hire a court, pitch or pool lane yourself."</p>
            <div class="checkbox">
                <input type="checkbox" id="f-slots" aria-describedby="f-slots-hint" prop:checked=chosen(ctx, move |f| f.slots)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.slots = c) }/>
                <label for="f-slots">{move || with_count("Include facility bookings: courts, pitches, pools", slots.get())}</label>
            </div>
            })}
            {(!ctx.hidden("cx")).then(|| view! {
            <div class="checkbox">
                <input type="checkbox" id="f-cancelled" prop:checked=chosen(ctx, move |f| f.cancelled)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.cancelled = c) }/>
                <label for="f-cancelled">{move || with_count("Show cancelled sessions (marked \"Cancelled\")", ctx.outcome.with(|o| o.facets.cancelled))}</label>
            </div>
            })}
        </fieldset>
    }
}
