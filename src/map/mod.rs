//! The Leaflet map: one marker per venue carrying its session count, grouped where venues are
//! close on screen (computed here for the current zoom and view; groups look like
//! leaflet.markercluster's, whose stylesheet they use), kept in step with the list. Marker
//! icons and popups are DOM nodes built from text, never HTML strings.

//!
//! `markers.rs` groups the venues and keeps the markers in step; `icons.rs` builds icons,
//! labels and popups from text; `tiles.rs` defers the basemap's work after the app's own moves
//! to an idle moment; `handles.rs` owns what is registered with Leaflet (the map,
//! its listeners, layers on a group) and releases it when dropped, so a `ResultsMap` dropped
//! with its component (Leptos disposes the `StoredValue` holding it) removes the map.

mod fit;
mod handles;
mod icons;
mod markers;
mod tiles;

use finder::VenueId;
use finder::filter::MapView;
use leaflet::{LatLng, LatLngBounds, LayerGroup, Map, MapOptions, TileLayer};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use handles::{Handler, Listener, MapHandle};
use icons::{escape_html, latlng_bounds};
use markers::Markers;
use tiles::TilesLater;

pub use contract::Tiles;

/// A venue marker to show.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueMarker {
    /// Venue index.
    pub venue: VenueId,
    /// Position.
    pub at: (f64, f64),
    /// Venue name (untrusted text).
    pub name: String,
    /// Matching sessions there.
    pub count: u32,
}

/// Space kept clear around the results when the map is fitted to them, in pixels.
const FIT_PADDING: f64 = 24.0;
/// The closest zoom a fit goes to (one venue: its street, not its doorstep).
const FIT_MAX_ZOOM: f64 = 15.0;

/// How many of a venue's next matching sessions its popup lists.
pub const POPUP_SESSIONS: usize = 3;

/// A session a venue's popup lists, with a shortlist toggle (untrusted text, shown as text).
#[derive(Debug, Clone, PartialEq)]
pub struct PopupSession {
    /// The session's key (its `@id`, or series and start).
    pub key: String,
    /// Its name.
    pub name: String,
    /// When, in words ("Tue 2 Dec, 10:00").
    pub when: String,
    /// On the shortlist now.
    pub shortlisted: bool,
}

/// What a venue's popup offers: its next matching sessions, and toggling one on the shortlist
/// (returns whether it is on the shortlist afterwards).
pub struct PopupActions {
    /// The next matching sessions at a venue.
    pub sessions: Rc<dyn Fn(VenueId) -> Vec<PopupSession>>,
    /// Adds a session to the shortlist, or takes it off.
    pub toggle: Rc<dyn Fn(&str) -> bool>,
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// The live map and its markers (JS handles: not `Send`, kept in local storage). Dropping it
/// releases everything it registered with Leaflet, the map last: fields drop in order.
pub struct ResultsMap {
    /// The map's own listeners (regrouping, the person's moves).
    handlers: RefCell<Vec<Listener>>,
    /// The venues and their clusters (shared with the map's move handler).
    markers: Rc<Markers>,
    /// The tile layer and the settings it shows.
    tiles: RefCell<(TileLayer, Tiles)>,
    /// Set while the app moves the map, so that only the person's moves reach the URL.
    programmatic: Rc<Cell<bool>>,
    /// Bounds of the current markers (refitted when a hidden map is shown).
    bounds: RefCell<Option<LatLngBounds>>,
    /// The map, removed when this is dropped.
    map: MapHandle,
    /// The tile layer's wrapped handlers: after the map, so they outlive its removal.
    tiles_later: TilesLater,
}

impl ResultsMap {
    /// Creates the map inside `el`.
    pub fn new(
        el: &web_sys::HtmlElement,
        tiles: &Tiles,
        view: Option<MapView>,
    ) -> Result<ResultsMap, JsValue> {
        let opts = MapOptions::new();
        let map = MapHandle::new(Map::new_with_element(el, &opts)?);
        let (lat, lon, zoom) =
            view.map_or((51.5072, -0.1276, 10.0), |v| (v.lat, v.lon, v.zoom as f64));
        map.set_view(&LatLng::new(lat, lon), zoom);
        let topts = js_sys::Object::new();
        set(
            &topts,
            "attribution",
            &JsValue::from_str(&tiles.attribution),
        );
        set(&topts, "maxZoom", &JsValue::from_f64(19.0));
        let tile_layer = TileLayer::new_options(&tiles.url, &topts.unchecked_into());
        // Before it is added: Leaflet reads the layer's handlers when it registers them.
        let tiles_later = TilesLater::wrap(tile_layer.as_ref(), &map);
        tile_layer.add_to(&map);
        let tile_state = RefCell::new((tile_layer, tiles.clone()));
        let layer = LayerGroup::new();
        map.add_layer(&layer);
        let markers = Markers::new(Map::clone(&map), layer);
        // Every move or zoom (the person's or the app's) regroups what is in view.
        let weak = Rc::downgrade(&markers);
        let regroup: Handler = Closure::new(move |_e: JsValue| {
            if let Some(m) = weak.upgrade() {
                m.refresh();
            }
        });
        let regroup = Listener::on(&map, "moveend", regroup);
        Ok(ResultsMap {
            handlers: RefCell::new(vec![regroup]),
            markers,
            tiles: tile_state,
            programmatic: Rc::new(Cell::new(false)),
            bounds: RefCell::new(None),
            map,
            tiles_later,
        })
    }

    /// Calls `f` with the view after each move the person makes (not the app's own fits).
    pub fn on_user_move(&self, f: impl Fn(MapView) + 'static) {
        let map = Map::clone(&self.map);
        let programmatic = self.programmatic.clone();
        let closure: Handler = Closure::new(move |_e: JsValue| {
            if programmatic.replace(false) {
                return;
            }
            let c = map.get_center();
            f(MapView {
                lat: (c.lat() * 1e4).round() / 1e4,
                lon: (c.lng() * 1e4).round() / 1e4,
                zoom: map.get_zoom().round().clamp(0.0, 19.0) as u8,
            });
        });
        let listener = Listener::on(&self.map, "moveend", closure);
        self.handlers.borrow_mut().push(listener);
    }

    /// Shows these venue markers, changing only what differs from the markers already shown
    /// (a venue that stays keeps its marker; a changed count is written into it), grouped for
    /// the current view. With `fit`, the map moves to them unless they are already shown well
    /// where it is (`fit.rs`). `on_select` is called when a venue's marker is chosen.
    pub fn show(&self, venues: &[VenueMarker], fit: bool, on_select: impl Fn(VenueId) + 'static) {
        *self.markers.on_select.borrow_mut() = Some(Rc::new(on_select));
        *self.markers.venues.borrow_mut() = venues.to_vec();
        let results = fit::box_of(venues.iter().map(|v| v.at));
        *self.bounds.borrow_mut() = results.map(latlng_bounds);
        if fit && results.is_some_and(|r| self.needs_fit(r)) {
            // The fit's `moveend` regroups for the new view; regroup here only when the view
            // did not move (Leaflet fires nothing then).
            let before = (self.map.get_center(), self.map.get_zoom());
            self.fit();
            let after = (self.map.get_center(), self.map.get_zoom());
            if before.1 == after.1
                && before.0.lat() == after.0.lat()
                && before.0.lng() == after.0.lng()
            {
                self.markers.refresh();
            }
        } else {
            self.markers.refresh();
        }
    }

    /// Whether results in the box `results` should move the map: some lie outside the view,
    /// or they would fill it more than one zoom level closer.
    fn needs_fit(&self, results: fit::LatLonBox) -> bool {
        let size = self.map.get_size();
        let b = self.map.get_bounds();
        let (sw, ne) = (b.get_south_west(), b.get_north_east());
        fit::needs_fit(
            (sw.lat(), sw.lng(), ne.lat(), ne.lng()),
            self.map.get_zoom(),
            results,
            (size.x(), size.y()),
            FIT_PADDING,
            FIT_MAX_ZOOM,
        )
    }

    /// What a venue's popup lists and does (its sessions, each with a shortlist toggle).
    pub fn set_popup_actions(&self, actions: PopupActions) {
        *self.markers.popup_actions.borrow_mut() = Some(Rc::new(actions));
    }

    /// Fits the map to the current markers (the app's own move, not the person's).
    fn fit(&self) {
        let bounds = self.bounds.borrow();
        let Some(b) = bounds.as_ref() else { return };
        let fopts = js_sys::Object::new();
        set(&fopts, "maxZoom", &JsValue::from_f64(FIT_MAX_ZOOM));
        set(&fopts, "animate", &JsValue::FALSE);
        let pad = js_sys::Array::of2(
            &JsValue::from_f64(FIT_PADDING),
            &JsValue::from_f64(FIT_PADDING),
        );
        set(&fopts, "padding", &pad);
        // Not animated, so Leaflet's `moveend` fires inside this call (the markers regroup
        // there); the tiles for the new view come when the page is next idle (`tiles.rs`).
        self.programmatic.set(true);
        self.tiles_later.during(|| {
            let _ = self.map.fit_bounds_with_options(b, &fopts);
        });
        self.programmatic.set(false);
    }

    /// Highlights one venue's marker (and un-highlights the rest).
    pub fn highlight(&self, venue: Option<VenueId>) {
        self.markers.highlighted.set(venue);
        self.markers.apply_highlight();
    }

    /// Makes sure the map redraws after its container changed size (list/map toggle). With
    /// `refit`, fits the markers again: a map created while hidden (phones open on the list)
    /// was fitted to a zero-size box and would otherwise show none of them.
    pub fn refresh_size(&self, refit: bool) {
        self.programmatic.set(true);
        self.map.invalidate_size(false);
        self.programmatic.set(false);
        if refit {
            self.fit();
        }
    }

    /// Switches to another tile server (the operator's, from `/api/feeds`) and its attribution.
    pub fn set_tiles(&self, tiles: &Tiles) {
        let mut current = self.tiles.borrow_mut();
        if &current.1 == tiles {
            return;
        }
        current.0.set_url(&tiles.url, None);
        let control = js_sys::Reflect::get(&self.map, &JsValue::from_str("attributionControl"))
            .unwrap_or(JsValue::UNDEFINED);
        if control.is_object() {
            for (method, text) in [
                ("removeAttribution", &current.1.attribution),
                ("addAttribution", &tiles.attribution),
            ] {
                if let Ok(f) = js_sys::Reflect::get(&control, &JsValue::from_str(method))
                    .and_then(|f| f.dyn_into::<js_sys::Function>())
                {
                    let _ = f.call1(&control, &JsValue::from_str(&escape_html(text)));
                }
            }
        }
        current.1 = tiles.clone();
    }

    /// The map centre, rounded to about 100 m.
    pub fn centre(&self) -> (f64, f64) {
        let c = self.map.get_center();
        (
            (c.lat() * 1000.0).round() / 1000.0,
            (c.lng() * 1000.0).round() / 1000.0,
        )
    }

    /// The zoom level shown.
    pub fn zoom(&self) -> f64 {
        self.map.get_zoom()
    }

    /// Number of venues with a marker (alone or in a group; for tests).
    pub fn marker_count(&self) -> usize {
        self.markers.venues.borrow().len()
    }
}
