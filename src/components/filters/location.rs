//! Where: postcode or place, "use my location", distance and sort.

// `allow`, not `expect`: clippy does not flag `super::*` in the test build.
#[allow(
    clippy::wildcard_imports,
    reason = "a filter group shares the panel's imports: the Leptos prelude, Ctx, History, the count helpers"
)]
use super::*;

/// Postcode area or my location, and a radius.
#[component]
pub(super) fn LocationFilter() -> impl IntoView {
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
        });
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
                {move || note.with(|n| n.as_ref().filter(|(_, p)| ctx.panel_filters.with(|f| f.place == *p)).map(|(t, _)| t.clone()))}
            </p>
            <p id="f-near-error" class="error-message" aria-live="polite">
                {move || error.get().or_else(|| unknown().then(|| "We don't know that postcode area yet; showing everywhere.".to_string()))}
            </p>
            <button type="button" class="link-button" on:click=locate>"Use my location"</button>
            <label for="f-radius">"Within"</label>
            <select id="f-radius" on:change=move |e| {
                let v = finder::decimal::parse(&event_target_value(&e)).unwrap_or(finder::filter::DEFAULT_RADIUS_KM);
                ctx.update_filters(History::Push, |f| f.radius_km = Some(v));
            }>
                {[1u32, 2, 5, 10, 20].into_iter().map(|r| view! {
                    <option value=r.to_string() selected=chosen(ctx, move |f| (f.radius() - f64::from(r)).abs() < 1e-9)>{format!("{r} km")}</option>
                }).collect_view()}
            </select>
            <label for="f-sort">"Sort by"</label>
            <select id="f-sort" on:change=move |e| {
                let s = if event_target_value(&e) == "near" { Sort::Nearest } else { Sort::Soonest };
                ctx.update_filters(History::Push, |f| f.sort = s);
            }>
                <option value="soon" selected=chosen(ctx, move |f| f.sort == Sort::Soonest)>"Soonest first"</option>
                <option value="near" selected=chosen(ctx, move |f| f.sort == Sort::Nearest)>"Nearest first"</option>
            </select>
        </fieldset>
    }
}
