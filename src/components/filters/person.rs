//! Who and how much: price, age, gender, level, accessibility.

// `allow`, not `expect`: clippy does not flag `super::*` in the test build.
#[allow(
    clippy::wildcard_imports,
    reason = "a filter group shares the panel's imports: the Leptos prelude, Ctx, History, the count helpers"
)]
use super::*;

/// Free and maximum price.
#[component]
pub(super) fn PriceFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let free = count_of(ctx, |o| o.facets.free);
    view! {
        <fieldset class="field">
            <legend>"Price"</legend>
            <div class="checkbox">
                <input type="checkbox" id="f-free" prop:checked=chosen(ctx, move |f| f.free)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.free = c) }/>
                <label for="f-free">{move || with_count("Free only", free.get())}</label>
            </div>
            <label for="f-max">"Maximum price (£)"</label>
            <input id="f-max" type="number" min="0" step="0.5" inputmode="decimal"
                prop:value=chosen(ctx, move |f| f.max_price.map(|m| finder::display::short(m, 2)).unwrap_or_default())
                on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.max_price = finder::decimal::parse(&v).filter(|m| m.is_finite() && *m >= 0.0)) }/>
        </fieldset>
    }
}

/// Age and gender of the person.
#[component]
pub(super) fn PersonFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let beginner = count_of(ctx, |o| o.facets.beginner);
    view! {
        <fieldset class="field">
            <legend>"Who is it for"</legend>
            <label for="f-age">"Age of the person"</label>
            <input id="f-age" type="number" min="0" max="120" inputmode="numeric"
                prop:value=chosen(ctx, move |f| f.age.map(|a| a.to_string()).unwrap_or_default())
                on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.age = v.parse::<u32>().ok().filter(|a| *a <= 120)) }/>
            <label for="f-gender">"Gender"</label>
            <select id="f-gender" on:change=move |e| {
                let g = GenderFilter::from_key(&event_target_value(&e)).unwrap_or_default();
                ctx.update_filters(History::Push, |f| f.gender = g);
            }>
                {GenderFilter::ALL.into_iter().enumerate().map(|(i, g)| {
                    let n = count_of(ctx, move |o| o.facets.gender[i]);
                    view! {
                        <option value=g.key() selected=chosen(ctx, move |f| f.gender == g)>
                            {move || with_count(g.label(), n.get())}
                        </option>
                    }
                }).collect_view()}
            </select>
            <div class="checkbox">
                <input type="checkbox" id="f-beginner" prop:checked=chosen(ctx, move |f| f.beginner)
                    on:change=move |e| { let c = event_target_checked(&e); ctx.update_filters(History::Push, |f| f.beginner = c) }/>
                <label for="f-beginner">{move || with_count("Beginner-friendly", beginner.get())}</label>
            </div>
        </fieldset>
    }
}

/// Accessibility support and wheelchair access.
#[component]
pub(super) fn AccessFilter() -> impl IntoView {
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
                <input type="checkbox" id="f-wheelchair" prop:checked=chosen(ctx, move |f| f.wheelchair)
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
                                prop:checked=chosen(ctx, move |f| f.accessibility.contains(&id))
                                on:change=move |_| {
                                    let id = id2.clone();
                                    ctx.update_filters(History::Push, move |f| {
                                        if let Some(i) = f.accessibility.iter().position(|a| a == &id) { f.accessibility.remove(i); } else { f.accessibility.push(id); }
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
