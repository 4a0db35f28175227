//! The Leaflet map: one marker per venue carrying its session count, clustered with
//! leaflet.markercluster (bound here in the style of the `leaflet` crate), kept in step with
//! the list. Marker icons and popups are DOM nodes built from text, never HTML strings.

use finder::filter::MapView;
use leaflet::{LatLng, LatLngBounds, Layer, Map, MapOptions, Marker, MarkerOptions, TileLayer};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// [`L.MarkerClusterGroup`](https://github.com/Leaflet/Leaflet.markercluster#usage)
    #[derive(Clone, Debug)]
    #[wasm_bindgen(extends = leaflet::FeatureGroup, extends = leaflet::LayerGroup, extends = Layer)]
    pub type MarkerClusterGroup;

    /// `L.markerClusterGroup(options)`
    #[wasm_bindgen(js_namespace = L, js_name = markerClusterGroup)]
    fn marker_cluster_group(options: &JsValue) -> MarkerClusterGroup;

    /// [`addLayers`](https://github.com/Leaflet/Leaflet.markercluster#bulk-adding-and-removing-markers)
    #[wasm_bindgen(method, js_name = addLayers)]
    fn add_layers(this: &MarkerClusterGroup, layers: &js_sys::Array);

    /// [`removeLayers`](https://github.com/Leaflet/Leaflet.markercluster#bulk-adding-and-removing-markers)
    #[wasm_bindgen(method, js_name = removeLayers)]
    fn remove_layers(this: &MarkerClusterGroup, layers: &js_sys::Array);

    /// [`zoomToShowLayer`](https://github.com/Leaflet/Leaflet.markercluster#other-methods)
    #[wasm_bindgen(method, js_name = zoomToShowLayer)]
    fn zoom_to_show_layer(this: &MarkerClusterGroup, layer: &Layer, callback: &JsValue);

    /// `L.divIcon(options)`: `html` may be an element (Leaflet 1.9).
    #[wasm_bindgen(js_namespace = L, js_name = divIcon)]
    fn div_icon(options: &JsValue) -> leaflet::Icon;
}

/// A Leaflet event handler kept alive for as long as its marker or map.
type Handler = Closure<dyn FnMut(JsValue)>;

pub use contract::Tiles;

/// A venue marker to show.
#[derive(Debug, Clone, PartialEq)]
pub struct VenueMarker {
    /// Venue index.
    pub venue: u32,
    /// Position.
    pub at: (f64, f64),
    /// Venue name (untrusted text).
    pub name: String,
    /// Matching sessions there.
    pub count: u32,
}

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

/// The live map and its markers (JS handles: not `Send`, kept in local storage).
pub struct ResultsMap {
    map: Map,
    cluster: MarkerClusterGroup,
    /// The tile layer and the settings it shows.
    tiles: RefCell<(TileLayer, Tiles)>,
    /// Shown markers by venue, with the count they show and the element showing it.
    markers: RefCell<HashMap<u32, (Marker, u32, web_sys::Element)>>,
    /// Set while the app moves the map, so that only the person's moves reach the URL.
    programmatic: Rc<Cell<bool>>,
    /// Bounds of the current markers (refitted when a hidden map is shown).
    bounds: RefCell<Option<LatLngBounds>>,
    /// The map's own handler (first) and the current markers' click handlers.
    handlers: RefCell<Vec<Handler>>,
    marker_handlers: RefCell<HashMap<u32, Handler>>,
    /// Each marker's popup, built only when it opens, with the count it shows.
    popups: RefCell<HashMap<u32, LazyPopup>>,
}

/// Builds a popup's content when Leaflet opens it.
type PopupContent = Closure<dyn Fn(JsValue) -> JsValue>;
/// A marker's popup builder and the session count it will show.
type LazyPopup = (PopupContent, Rc<Cell<u32>>);

impl ResultsMap {
    /// Creates the map inside `el`.
    pub fn new(
        el: &web_sys::HtmlElement,
        tiles: &Tiles,
        view: Option<MapView>,
    ) -> Result<ResultsMap, JsValue> {
        let opts = MapOptions::new();
        let map = Map::new_with_element(el, &opts)?;
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
        tile_layer.add_to(&map);
        let tile_state = RefCell::new((tile_layer, tiles.clone()));
        let copts = js_sys::Object::new();
        set(&copts, "showCoverageOnHover", &JsValue::FALSE);
        set(&copts, "maxClusterRadius", &JsValue::from_f64(50.0));
        // No split/merge animation: after a filter change the markers are in place at once
        // (the animation kept the map changing for ~250 ms after every change), and nothing
        // moves for people who prefer reduced motion.
        set(&copts, "animate", &JsValue::FALSE);
        let cluster = marker_cluster_group(&copts);
        map.add_layer(&cluster);
        Ok(ResultsMap {
            tiles: tile_state,
            map,
            cluster,
            markers: RefCell::new(HashMap::new()),
            programmatic: Rc::new(Cell::new(false)),
            bounds: RefCell::new(None),
            handlers: RefCell::new(Vec::new()),
            marker_handlers: RefCell::new(HashMap::new()),
            popups: RefCell::new(HashMap::new()),
        })
    }

    /// Calls `f` with the view after each move the person makes (not the app's own fits).
    pub fn on_user_move(&self, f: impl Fn(MapView) + 'static) {
        let map = self.map.clone();
        let programmatic = self.programmatic.clone();
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |_e: JsValue| {
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
        self.map.on("moveend", closure.as_ref().unchecked_ref());
        self.handlers.borrow_mut().push(closure);
    }

    /// Shows these venue markers, changing only what differs from the markers already shown
    /// (removed venues go, new ones are added, changed counts update their icon), so a filter
    /// change does not rebuild every marker. `on_select` is called when a marker is chosen.
    pub fn show(
        &self,
        venues: &[VenueMarker],
        fit: bool,
        on_select: impl Fn(u32) + Clone + 'static,
    ) {
        let mut markers = self.markers.borrow_mut();
        let mut handlers = self.marker_handlers.borrow_mut();
        let mut popups = self.popups.borrow_mut();
        let wanted: HashMap<u32, &VenueMarker> = venues.iter().map(|v| (v.venue, v)).collect();
        let gone = js_sys::Array::new();
        markers.retain(|venue, (marker, _, _)| {
            let keep = wanted.contains_key(venue);
            if !keep {
                gone.push(marker);
                handlers.remove(venue);
                popups.remove(venue);
            }
            keep
        });
        if gone.length() > 0 {
            self.cluster.remove_layers(&gone);
        }
        let added = js_sys::Array::new();
        for v in venues {
            match markers.get_mut(&v.venue) {
                Some((_, count, _)) if *count == v.count => {}
                Some((marker, count, pin)) => {
                    // The count is written into the marker's own pin element (shown now, or
                    // when its cluster opens): no new icon, no re-rendered marker.
                    *count = v.count;
                    pin.set_text_content(Some(&v.count.to_string()));
                    let label = marker_label(v);
                    let label = JsValue::from_str(&label);
                    let options = js_sys::Reflect::get(marker, &JsValue::from_str("options"))
                        .unwrap_or(JsValue::UNDEFINED);
                    if options.is_object() {
                        let options: js_sys::Object = options.unchecked_into();
                        set(&options, "title", &label);
                        set(&options, "alt", &label);
                    }
                    // A marker on the map now has an element whose title is its name.
                    let icon = js_sys::Reflect::get(marker, &JsValue::from_str("_icon"))
                        .unwrap_or(JsValue::UNDEFINED);
                    if icon.is_object() {
                        set(icon.unchecked_ref(), "title", &label);
                    }
                    if let Some((_, shown)) = popups.get(&v.venue) {
                        shown.set(v.count);
                    }
                    // An open popup is not rebuilt by Leaflet: refresh it.
                    if marker.is_popup_open() {
                        marker.set_popup_content(&popup_node(&v.name, v.count).into());
                    }
                }
                None => {
                    let label = marker_label(v);
                    let mopts = MarkerOptions::new();
                    let (icon, pin) = venue_icon(v.count);
                    mopts.set_icon(icon);
                    mopts.set_title(label.clone());
                    mopts.set_alt(label);
                    mopts.set_keyboard(true);
                    let marker = Marker::new_with_options(&LatLng::new(v.at.0, v.at.1), &mopts);
                    // Popups are built when opened, not for every marker on every change.
                    let shown = Rc::new(Cell::new(v.count));
                    let (name, count) = (v.name.clone(), shown.clone());
                    let content: PopupContent =
                        Closure::new(move |_layer: JsValue| popup_node(&name, count.get()).into());
                    marker.bind_popup_with_options(content.as_ref(), &JsValue::UNDEFINED);
                    popups.insert(v.venue, (content, shown));
                    let (venue, cb) = (v.venue, on_select.clone());
                    let closure = Closure::<dyn FnMut(JsValue)>::new(move |_e: JsValue| cb(venue));
                    marker.on("click", closure.as_ref().unchecked_ref());
                    handlers.insert(v.venue, closure);
                    added.push(&marker);
                    markers.insert(v.venue, (marker, v.count, pin));
                }
            }
        }
        if added.length() > 0 {
            self.cluster.add_layers(&added);
        }
        *self.bounds.borrow_mut() = bounds_of(venues);
        drop((markers, handlers, popups));
        if fit {
            self.fit();
        }
    }

    /// Fits the map to the current markers (the app's own move, not the person's).
    fn fit(&self) {
        let bounds = self.bounds.borrow();
        let Some(b) = bounds.as_ref() else { return };
        let fopts = js_sys::Object::new();
        set(&fopts, "maxZoom", &JsValue::from_f64(15.0));
        set(&fopts, "animate", &JsValue::FALSE);
        let pad = js_sys::Array::of2(&JsValue::from_f64(24.0), &JsValue::from_f64(24.0));
        set(&fopts, "padding", &pad);
        // Not animated, so Leaflet's `moveend` fires inside this call.
        self.programmatic.set(true);
        self.map.fit_bounds_with_options(b, &fopts);
        self.programmatic.set(false);
    }

    /// Highlights one venue's marker (and un-highlights the rest).
    pub fn highlight(&self, venue: Option<u32>) {
        for (v, (m, _, _)) in self.markers.borrow().iter() {
            let el: Option<web_sys::Element> = js_sys::Reflect::get(m, &JsValue::from_str("_icon"))
                .ok()
                .and_then(|x| x.dyn_into().ok());
            if let Some(el) = el {
                let _ = if Some(*v) == venue {
                    el.class_list().add_1("is-highlighted")
                } else {
                    el.class_list().remove_1("is-highlighted")
                };
            }
        }
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

    /// Number of venue markers shown (for tests).
    pub fn marker_count(&self) -> usize {
        self.markers.borrow().len()
    }
}

/// Leaflet takes attributions as HTML: the configured text is escaped so it shows as text.
fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// "Venue name: 3 sessions" (the marker's title and alt text). The name is feed text: it is
/// isolated (U+2068 … U+2069) so a right-to-left override inside it cannot reverse the rest.
fn marker_label(v: &VenueMarker) -> String {
    format!(
        "\u{2068}{}\u{2069}: {} session{}",
        v.name,
        v.count,
        if v.count == 1 { "" } else { "s" }
    )
}

/// A round pin with the session count, built as a DOM node (no HTML strings); the node is
/// returned too, so a new count is written into it in place.
fn venue_icon(count: u32) -> (leaflet::Icon, web_sys::Element) {
    let icon_el = document().create_element("span").expect("span");
    icon_el.set_class_name("venue-pin");
    icon_el.set_text_content(Some(&count.to_string()));
    let iopts = js_sys::Object::new();
    set(&iopts, "html", &icon_el);
    set(&iopts, "className", &JsValue::from_str("venue-icon"));
    let size = js_sys::Array::of2(&JsValue::from_f64(34.0), &JsValue::from_f64(34.0));
    set(&iopts, "iconSize", &size);
    (div_icon(&iopts), icon_el)
}

/// The box around every venue, if any.
fn bounds_of(venues: &[VenueMarker]) -> Option<LatLngBounds> {
    let first = venues.first()?;
    let (mut s, mut w, mut n, mut e) = (first.at.0, first.at.1, first.at.0, first.at.1);
    for v in venues {
        s = s.min(v.at.0);
        n = n.max(v.at.0);
        w = w.min(v.at.1);
        e = e.max(v.at.1);
    }
    Some(LatLngBounds::new(&LatLng::new(s, w), &LatLng::new(n, e)))
}

/// Popup content: a DOM node built from text (feed text is untrusted).
fn popup_node(name: &str, count: u32) -> web_sys::Element {
    let doc = document();
    let root = doc.create_element("div").expect("div");
    root.set_class_name("venue-popup");
    let title = doc.create_element("strong").expect("strong");
    // Feed text, isolated so its direction cannot spill into the count after it.
    let name_el = doc.create_element("bdi").expect("bdi");
    name_el.set_text_content(Some(name));
    let _ = title.append_child(&name_el);
    let p = doc.create_element("p").expect("p");
    p.set_text_content(Some(&format!(
        "{count} matching session{}",
        if count == 1 { "" } else { "s" }
    )));
    let _ = root.append_child(&title);
    let _ = root.append_child(&p);
    root
}
