//! "Suits me": the pathway collections (named presets from `data/collections.json`) and
//! "Suitable for" (EMD UK special requirements the publishers tag), with live counts.

// `allow`, not `expect`: clippy does not flag `super::*` in the test build.
#[allow(
    clippy::wildcard_imports,
    reason = "a filter group shares the panel's imports: the Leptos prelude, Ctx, History, the count helpers"
)]
use super::*;

/// The pathway picker: one collection at a time, each with its live count and what it
/// includes.
#[component]
pub(super) fn CollectionFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let cols = finder::collections::all();
    let description = move || {
        ctx.panel_filters.with(|f| {
            f.collection
                .as_deref()
                .and_then(finder::collections::position)
                .map(|i| cols[i].description.clone())
                .unwrap_or_else(|| "Named sets of sessions for common needs.".into())
        })
    };
    view! {
        <div class="field">
            <label for="f-col">"Pathway"</label>
            <select id="f-col" aria-describedby="f-col-hint" on:change=move |e| {
                let v = event_target_value(&e);
                let c = finder::collections::position(&v).map(|_| v);
                ctx.update_filters(History::Push, move |f| f.collection = c);
            }>
                <option value="" selected=chosen(ctx, move |f| f.collection.is_none())>"Any pathway"</option>
                {cols.iter().enumerate().map(|(i, c)| {
                    let n = count_of(ctx, move |o| o.facets.collections.get(i).copied().unwrap_or(0));
                    let id = c.id.clone();
                    let id2 = c.id.clone();
                    let label = c.label.clone();
                    view! {
                        <option value=id selected=chosen(ctx, move |f| f.collection.as_deref() == Some(id2.as_str()))>
                            {move || with_count(&label, n.get())}
                        </option>
                    }
                }).collect_view()}
            </select>
            <p class="field__hint" id="f-col-hint">{description}</p>
        </div>
    }
}

/// "Suitable for": one checkbox per tag the loaded sessions carry (all chosen must be met).
#[component]
pub(super) fn SuitsFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let options = move || {
        ctx.index.with(|ix| {
            ix.suit_keys
                .iter()
                .cloned()
                .zip(ix.suit_labels.iter().cloned())
                .enumerate()
                .map(|(i, (k, l))| (i, k, l))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <fieldset class="field checkboxes" id="suits-filter">
            <legend>"Suitable for"</legend>
            <Show when=move || ctx.index.with(|ix| ix.suit_keys.is_empty())>
                <p class="field__hint">"No session loaded here is tagged with a condition or need yet."</p>
            </Show>
            <For each=options key=|o| (o.0, o.1.clone()) let:o>
                {
                    let (i, key, label) = o;
                    let dom_id = format!("f-suit-{key}");
                    let key2 = key.clone();
                    let n = count_of(ctx, move |o| o.facets.suits.get(i).copied().unwrap_or(0));
                    view! {
                        <div class="checkbox">
                            <input type="checkbox" id=dom_id.clone()
                                prop:checked=chosen(ctx, move |f| f.suits.contains(&key))
                                on:change=move |_| {
                                    let k = key2.clone();
                                    ctx.update_filters(History::Push, move |f| {
                                        if let Some(i) = f.suits.iter().position(|s| *s == k) { f.suits.remove(i); } else { f.suits.push(k); }
                                    });
                                }/>
                            <label for=dom_id>{move || with_count(&label, n.get())}</label>
                        </div>
                    }
                }
            </For>
        </fieldset>
    }
}
