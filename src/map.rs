//! The Leaflet map: one marker per venue carrying its session count, grouped where venues are
//! close on screen (computed here for the current zoom and view; groups look like
//! leaflet.markercluster's, whose stylesheet they use), kept in step with the list. Marker
//! icons and popups are DOM nodes built from text, never HTML strings.

use finder::filter::MapView;
use leaflet::{
    LatLng, LatLngBounds, LayerGroup, Map, MapOptions, Marker, MarkerOptions, TileLayer,
};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
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
    /// The tile layer and the settings it shows.
    tiles: RefCell<(TileLayer, Tiles)>,
    /// The venues and their clusters (shared with the map's move handler).
    markers: Rc<Markers>,
    /// Set while the app moves the map, so that only the person's moves reach the URL.
    programmatic: Rc<Cell<bool>>,
    /// Bounds of the current markers (refitted when a hidden map is shown).
    bounds: RefCell<Option<LatLngBounds>>,
    /// The map's own handlers.
    handlers: RefCell<Vec<Handler>>,
}

/// Builds a popup's content when Leaflet opens it.
type PopupContent = Closure<dyn Fn(JsValue) -> JsValue>;

/// What is on the map: one marker per venue with matching sessions, grouped where venues are
/// closer than [`CLUSTER_PX`] on screen at the current zoom. The grouping is computed here,
/// for the current zoom and the visible area only (a few hundred markers at most), so a filter
/// change costs the venues it touches, not every venue at every zoom level; markers that stay
/// keep their DOM node, and a changed count is written into it.
struct Markers {
    map: Map,
    layer: LayerGroup,
    /// The venues to show (those with matching sessions and a position).
    venues: RefCell<Vec<VenueMarker>>,
    /// Markers on the map now, by what they show.
    shown: RefCell<HashMap<Key, Shown>>,
    on_select: RefCell<Option<OnSelect>>,
    highlighted: Cell<Option<u32>>,
}

/// What choosing a venue's marker does.
type OnSelect = Rc<dyn Fn(u32)>;

/// Grid size of the grouping, in screen pixels.
const CLUSTER_PX: f64 = 60.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// One venue.
    Venue(u32),
    /// The venues in one grid cell at one zoom.
    Cluster(i32, i64, i64),
}

/// A marker on the map and what it needs while it is there.
struct Shown {
    marker: Marker,
    /// The count it shows (sessions for a venue, venues for a group).
    count: u32,
    /// The element showing the count.
    pin: web_sys::Element,
    /// Its click handler and lazy popup (kept alive while the marker is).
    _click: Handler,
    popup: Option<(PopupContent, Rc<RefCell<PopupState>>)>,
}

/// What a popup shows when it opens: a venue and its count, or the venues of a group.
#[derive(Default)]
struct PopupState {
    items: Vec<(String, u32)>,
}

/// Web Mercator position in pixels at `zoom` (what Leaflet's `project` gives for EPSG:3857).
fn project(at: (f64, f64), zoom: f64) -> (f64, f64) {
    let scale = 256.0 * 2f64.powf(zoom);
    let lat = at.0.clamp(-85.0511, 85.0511).to_radians();
    let x = (at.1 + 180.0) / 360.0 * scale;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * scale;
    (x, y)
}

impl Markers {
    /// Groups the venues for the current zoom and visible area (with a margin of half a
    /// screen) and brings the markers on the map in line: unchanged ones stay as they are.
    fn refresh(self: &Rc<Self>) {
        let zoom = self.map.get_zoom();
        let z = zoom.round() as i32;
        let b = self.map.get_bounds();
        let (sw, ne) = (b.get_south_west(), b.get_north_east());
        let (x0, y1) = project((sw.lat(), sw.lng()), zoom);
        let (x1, y0) = project((ne.lat(), ne.lng()), zoom);
        let (mx, my) = (
            (x1 - x0).abs() / 2.0 + CLUSTER_PX,
            (y1 - y0).abs() / 2.0 + CLUSTER_PX,
        );
        let (left, right, top, bottom) = (
            x0.min(x1) - mx,
            x0.max(x1) + mx,
            y0.min(y1) - my,
            y0.max(y1) + my,
        );
        let venues = self.venues.borrow();
        let mut cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        for (i, v) in venues.iter().enumerate() {
            let (x, y) = project(v.at, zoom);
            if x < left || x > right || y < top || y > bottom {
                continue;
            }
            let cell = (
                (x / CLUSTER_PX).floor() as i64,
                (y / CLUSTER_PX).floor() as i64,
            );
            cells.entry(cell).or_default().push(i);
        }
        let mut wanted: HashMap<Key, Vec<usize>> = HashMap::with_capacity(cells.len());
        for (cell, members) in cells {
            let key = if members.len() == 1 {
                Key::Venue(venues[members[0]].venue)
            } else {
                Key::Cluster(z, cell.0, cell.1)
            };
            wanted.insert(key, members);
        }
        let mut shown = self.shown.borrow_mut();
        shown.retain(|key, m| {
            let keep = wanted.contains_key(key);
            if !keep {
                self.layer.remove_layer(&m.marker);
            }
            keep
        });
        for (key, members) in &wanted {
            let count = match key {
                Key::Venue(_) => venues[members[0]].count,
                Key::Cluster(..) => members.len() as u32,
            };
            let items: Vec<(String, u32)> = members
                .iter()
                .map(|&i| (venues[i].name.clone(), venues[i].count))
                .collect();
            match shown.get_mut(key) {
                Some(m) => {
                    if let Some((_, state)) = &m.popup {
                        state.borrow_mut().items = items;
                    }
                    if m.count != count {
                        m.count = count;
                        m.pin.set_text_content(Some(&count.to_string()));
                        let label = JsValue::from_str(&self.label(*key, &venues, members));
                        let options =
                            js_sys::Reflect::get(&m.marker, &JsValue::from_str("options"))
                                .unwrap_or(JsValue::UNDEFINED);
                        if options.is_object() {
                            set(options.unchecked_ref(), "title", &label);
                            set(options.unchecked_ref(), "alt", &label);
                        }
                        let icon = js_sys::Reflect::get(&m.marker, &JsValue::from_str("_icon"))
                            .unwrap_or(JsValue::UNDEFINED);
                        if icon.is_object() {
                            set(icon.unchecked_ref(), "title", &label);
                        }
                        if m.marker.is_popup_open()
                            && let Some((_, state)) = &m.popup
                        {
                            m.marker
                                .set_popup_content(&popup_node(&state.borrow().items).into());
                        }
                    }
                }
                None => {
                    let m = self.new_marker(*key, &venues, members, count, items);
                    self.layer.add_layer(&m.marker);
                    shown.insert(*key, m);
                }
            }
        }
        drop(shown);
        drop(venues);
        self.apply_highlight();
    }

    fn label(&self, key: Key, venues: &[VenueMarker], members: &[usize]) -> String {
        match key {
            Key::Venue(_) => marker_label(&venues[members[0]]),
            Key::Cluster(..) => {
                let sessions: u32 = members.iter().map(|&i| venues[i].count).sum();
                format!(
                    "{} venues, {} session{}: select to zoom in",
                    members.len(),
                    sessions,
                    if sessions == 1 { "" } else { "s" }
                )
            }
        }
    }

    fn new_marker(
        self: &Rc<Self>,
        key: Key,
        venues: &[VenueMarker],
        members: &[usize],
        count: u32,
        items: Vec<(String, u32)>,
    ) -> Shown {
        let label = self.label(key, venues, members);
        let (lat, lon) = {
            let n = members.len() as f64;
            let (a, b) = members.iter().fold((0.0, 0.0), |(a, b), &i| {
                (a + venues[i].at.0, b + venues[i].at.1)
            });
            (a / n, b / n)
        };
        let (icon, pin) = match key {
            Key::Venue(_) => venue_icon(count),
            Key::Cluster(..) => cluster_icon(count),
        };
        let mopts = MarkerOptions::new();
        mopts.set_icon(icon);
        mopts.set_title(label.clone());
        mopts.set_alt(label);
        mopts.set_keyboard(true);
        let marker = Marker::new_with_options(&LatLng::new(lat, lon), &mopts);
        let state = Rc::new(RefCell::new(PopupState { items }));
        let popup = {
            let state = state.clone();
            let content: PopupContent =
                Closure::new(move |_layer: JsValue| popup_node(&state.borrow().items).into());
            content
        };
        let click: Handler = match key {
            Key::Venue(venue) => {
                marker.bind_popup_with_options(popup.as_ref(), &JsValue::UNDEFINED);
                let me = Rc::downgrade(self);
                Closure::new(move |_e: JsValue| {
                    if let Some(me) = me.upgrade()
                        && let Some(cb) = me.on_select.borrow().clone()
                    {
                        cb(venue)
                    }
                })
            }
            Key::Cluster(..) => {
                // Zoom in to the group; venues at one spot (that no zoom separates) list
                // themselves in a popup instead.
                let points: Vec<(f64, f64)> = members.iter().map(|&i| venues[i].at).collect();
                let same_spot = points
                    .windows(2)
                    .all(|w| (w[0].0 - w[1].0).abs() < 1e-6 && (w[0].1 - w[1].1).abs() < 1e-6);
                if same_spot {
                    marker.bind_popup_with_options(popup.as_ref(), &JsValue::UNDEFINED);
                }
                let map = self.map.clone();
                Closure::new(move |_e: JsValue| {
                    if same_spot {
                        return;
                    }
                    if let Some(b) = bounds_of_points(&points) {
                        let fopts = js_sys::Object::new();
                        set(
                            &fopts,
                            "padding",
                            &js_sys::Array::of2(&48.into(), &48.into()),
                        );
                        map.fit_bounds_with_options(&b, &fopts);
                    }
                })
            }
        };
        marker.on("click", click.as_ref().unchecked_ref());
        Shown {
            marker,
            count,
            pin,
            _click: click,
            popup: Some((popup, state)),
        }
    }

    fn apply_highlight(&self) {
        let venue = self.highlighted.get();
        for (key, m) in self.shown.borrow().iter() {
            let el: Option<web_sys::Element> =
                js_sys::Reflect::get(&m.marker, &JsValue::from_str("_icon"))
                    .ok()
                    .and_then(|x| x.dyn_into().ok());
            if let Some(el) = el {
                let _ = if matches!(key, Key::Venue(v) if Some(*v) == venue) {
                    el.class_list().add_1("is-highlighted")
                } else {
                    el.class_list().remove_1("is-highlighted")
                };
            }
        }
    }
}

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
        let layer = LayerGroup::new();
        map.add_layer(&layer);
        let markers = Rc::new(Markers {
            map: map.clone(),
            layer,
            venues: RefCell::new(Vec::new()),
            shown: RefCell::new(HashMap::new()),
            on_select: RefCell::new(None),
            highlighted: Cell::new(None),
        });
        // Every move or zoom (the person's or the app's) regroups what is in view.
        let weak = Rc::downgrade(&markers);
        let regroup = Closure::<dyn FnMut(JsValue)>::new(move |_e: JsValue| {
            if let Some(m) = weak.upgrade() {
                m.refresh();
            }
        });
        map.on("moveend", regroup.as_ref().unchecked_ref());
        Ok(ResultsMap {
            tiles: tile_state,
            map,
            markers,
            programmatic: Rc::new(Cell::new(false)),
            bounds: RefCell::new(None),
            handlers: RefCell::new(vec![regroup]),
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
    /// (a venue that stays keeps its marker; a changed count is written into it), grouped for
    /// the current view. `on_select` is called when a venue's marker is chosen.
    pub fn show(&self, venues: &[VenueMarker], fit: bool, on_select: impl Fn(u32) + 'static) {
        *self.markers.on_select.borrow_mut() = Some(Rc::new(on_select));
        *self.markers.venues.borrow_mut() = venues.to_vec();
        *self.bounds.borrow_mut() = bounds_of(venues);
        if fit && self.bounds.borrow().is_some() {
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

    /// Number of venues with a marker (alone or in a group; for tests).
    pub fn marker_count(&self) -> usize {
        self.markers.venues.borrow().len()
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

/// A group's icon (markercluster's look, from its stylesheet): the number of venues in it.
fn cluster_icon(venues: u32) -> (leaflet::Icon, web_sys::Element) {
    let doc = document();
    let outer = doc.create_element("div").expect("div");
    let count = doc.create_element("span").expect("span");
    count.set_text_content(Some(&venues.to_string()));
    let _ = outer.append_child(&count);
    let size = if venues < 10 {
        "small"
    } else if venues < 100 {
        "medium"
    } else {
        "large"
    };
    let iopts = js_sys::Object::new();
    set(&iopts, "html", &outer);
    set(
        &iopts,
        "className",
        &JsValue::from_str(&format!("marker-cluster marker-cluster-{size}")),
    );
    let px = js_sys::Array::of2(&JsValue::from_f64(40.0), &JsValue::from_f64(40.0));
    set(&iopts, "iconSize", &px);
    (div_icon(&iopts), count)
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
    bounds_of_points(&venues.iter().map(|v| v.at).collect::<Vec<_>>())
}

/// The box around these points, if any.
fn bounds_of_points(points: &[(f64, f64)]) -> Option<LatLngBounds> {
    let first = points.first()?;
    let (mut s, mut w, mut n, mut e) = (first.0, first.1, first.0, first.1);
    for p in points {
        s = s.min(p.0);
        n = n.max(p.0);
        w = w.min(p.1);
        e = e.max(p.1);
    }
    Some(LatLngBounds::new(&LatLng::new(s, w), &LatLng::new(n, e)))
}

/// Popup content: a DOM node built from text (feed text is untrusted): a venue and its
/// count, or the venues at one spot.
fn popup_node(items: &[(String, u32)]) -> web_sys::Element {
    let doc = document();
    let root = doc.create_element("div").expect("div");
    root.set_class_name("venue-popup");
    for (name, count) in items {
        let title = doc.create_element("strong").expect("strong");
        // Feed text, isolated so its direction cannot spill into the count after it.
        let name_el = doc.create_element("bdi").expect("bdi");
        name_el.set_text_content(Some(name));
        let _ = title.append_child(&name_el);
        let p = doc.create_element("p").expect("p");
        p.set_text_content(Some(&format!(
            "{count} matching session{}",
            if *count == 1 { "" } else { "s" }
        )));
        let _ = root.append_child(&title);
        let _ = root.append_child(&p);
    }
    root
}
