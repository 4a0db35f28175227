//! The map pane: creates the Leaflet map once after mount and pushes result changes into it.

use crate::map::{PopupActions, PopupSession, ResultsMap, VenueMarker};
use crate::state::Ctx;
use crate::url_state::History;
use leptos::html::Div;
use leptos::prelude::*;
use std::rc::Rc;

/// A venue's popup: its next matching sessions (in the list's order), each with a shortlist
/// toggle that works like a card's.
fn popup_actions(ctx: Ctx) -> PopupActions {
    let sessions = move |venue: finder::VenueId| -> Vec<PopupSession> {
        let ix = ctx.index.get_untracked();
        let out = ctx.outcome.get_untracked();
        ctx.shortlist.with_untracked(|list| {
            out.results
                .iter()
                .map(|&p| p as usize)
                .filter(|&p| ix.venue_of(p) == venue)
                .take(crate::map::POPUP_SESSIONS)
                .map(|p| {
                    let o = &ix.occurrences[p];
                    PopupSession {
                        key: o.key.clone(),
                        name: o.name.clone(),
                        when: finder::display::when(&o.start),
                        shortlisted: list.iter().any(|e| e.key == o.key),
                    }
                })
                .collect()
        })
    };
    let toggle = move |key: &str| -> bool {
        crate::components::shortlist::toggle(ctx, key);
        ctx.shortlist
            .with_untracked(|l| l.iter().any(|e| e.key == key))
    };
    PopupActions {
        sessions: Rc::new(sessions),
        toggle: Rc::new(toggle),
    }
}

/// The map of matching venues.
#[component]
pub fn MapPane() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let el = NodeRef::<Div>::new();
    let map: StoredValue<Option<ResultsMap>, LocalStorage> = StoredValue::new_local(None);
    let marker_count = RwSignal::new(0usize);
    // Create the map once the element is in the DOM.
    Effect::new(move |_| {
        let Some(div) = el.get() else { return };
        if map.with_value(Option::is_some) {
            return;
        }
        let tiles = ctx.tiles.get_untracked();
        match ResultsMap::new(&div, &tiles, ctx.filters.get_untracked().map) {
            Ok(m) => {
                m.on_user_move(move |v| ctx.update_filters(History::Replace, |f| f.map = Some(v)));
                m.set_popup_actions(popup_actions(ctx));
                map.set_value(Some(m));
            }
            Err(e) => leptos::logging::error!("map could not start: {e:?}"),
        }
    });
    // The operator's tile server arrives with the feed list, after the map was created.
    Effect::new(move |_| {
        let tiles = ctx.tiles.get();
        map.with_value(|m| {
            if let Some(m) = m {
                m.set_tiles(&tiles);
            }
        });
    });
    // The list/map toggle changes the container's size. (Only the view, not every filter
    // change: invalidating the size makes Leaflet re-measure, forcing a layout.)
    let view = Memo::new(move |_| ctx.filters.with(|f| f.view));
    // Markers not pushed because the map was hidden (the list view on a phone).
    let stale = StoredValue::new(false);
    let narrow = ctx.narrow;
    // Push results into the map; fit to them unless the link carries its own map view. While
    // the map is hidden nothing is pushed (on a phone that is most of a filter change's work);
    // showing it pushes the latest results.
    Effect::new(move |prev: Option<usize>| {
        let out = ctx.outcome.get();
        let index = ctx.index.get();
        // Hidden = the list view on a small screen (the CSS breakpoint), read without forcing
        // a layout (measuring the element would).
        let hidden = view.get() == finder::filter::View::List && narrow.get();
        if hidden {
            stale.set_value(true);
            return prev.unwrap_or(0);
        }
        let markers: Vec<VenueMarker> = out
            .venues
            .iter()
            .filter_map(|&(v, n)| {
                let info = &index.venues[v];
                info.geo.map(|at| VenueMarker {
                    venue: v,
                    at,
                    name: info.name.clone(),
                    count: n,
                })
            })
            .collect();
        let keep_view =
            ctx.filters.with_untracked(|f| f.map.is_some()) && prev.is_none_or(|p| p == 0);
        map.with_value(|m| {
            if let Some(m) = m {
                if stale.get_value() {
                    // It was hidden: let Leaflet measure its new size before fitting.
                    m.refresh_size(false);
                    stale.set_value(false);
                }
                crate::state::measured("af:map", || {
                    m.show(&markers, !keep_view, move |venue| {
                        ctx.highlighted.set(Some(venue));
                    });
                });
                marker_count.set(m.marker_count());
            }
        });
        markers.len()
    });
    Effect::new(move |_| {
        let h = ctx.highlighted.get();
        map.with_value(|m| {
            if let Some(m) = m {
                m.highlight(h);
            }
        });
    });
    Effect::new(move |_| {
        let shown = view.get() == finder::filter::View::Map;
        // Refit unless the person has placed the map themselves.
        let refit = shown && ctx.filters.with_untracked(|f| f.map.is_none());
        map.with_value(|m| {
            if let Some(m) = m {
                m.refresh_size(refit);
            }
        });
    });
    view! {
        <section class="map-pane" aria-labelledby="map-heading">
            <h2 id="map-heading" class="visually-hidden">"Map of venues"</h2>
            <p class="visually-hidden" aria-live="polite">{move || format!("{} venues on the map", marker_count.get())}</p>
            <div class="map" node_ref=el data-markers=move || marker_count.get().to_string()></div>
            <button type="button" class="button button--secondary map-search" on:click=move |_| {
                if let Some((lat, lon)) = map.with_value(|m| m.as_ref().map(ResultsMap::centre)) {
                    ctx.update_filters(History::Push, |f| f.place = finder::filter::Place::Point(lat, lon));
                }
            }>"Search around the centre of the map"</button>
        </section>
    }
}
