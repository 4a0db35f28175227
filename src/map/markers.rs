//! The venue markers: grouped for the current zoom and view, kept in step with the results.

use leaflet::{LatLng, LayerGroup, Map, Marker, MarkerOptions};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::fit::project;
use super::handles::Handler;
use super::handles::{DomListener, Listener, OnLayer};
use super::icons::{
    CLUSTER_SIZES, bounds_of_points, cluster_icon, cluster_size, marker_label, popup_node,
    set_pressed, venue_icon,
};
use super::{POPUP_SESSIONS, PopupActions, VenueMarker, set};
use finder::VenueId;

/// Builds a popup's content when Leaflet opens it.
type PopupContent = Closure<dyn Fn(JsValue) -> JsValue>;

/// What is on the map: one marker per venue with matching sessions, grouped where venues are
/// closer than [`CLUSTER_PX`] on screen at the current zoom. The grouping is computed here,
/// for the current zoom and the visible area only (a few hundred markers at most), so a filter
/// change costs the venues it touches, not every venue at every zoom level; markers that stay
/// keep their DOM node, and a changed count is written into it.
pub(super) struct Markers {
    map: Map,
    layer: LayerGroup,
    /// The venues to show (those with matching sessions and a position).
    pub(super) venues: RefCell<Vec<VenueMarker>>,
    /// Markers on the map now, by what they show.
    shown: RefCell<HashMap<Key, Shown>>,
    pub(super) on_select: RefCell<Option<OnSelect>>,
    pub(super) highlighted: Cell<Option<VenueId>>,
    /// The venue whose marker carries the highlight now.
    lit: Cell<Option<VenueId>>,
    /// What a venue's popup lists and does.
    pub(super) popup_actions: RefCell<Option<Rc<PopupActions>>>,
}

/// What choosing a venue's marker does.
type OnSelect = Rc<dyn Fn(VenueId)>;

/// Grid size of the grouping, in screen pixels.
const CLUSTER_PX: f64 = 60.0;

/// How far beyond the visible area markers are placed, as a share of the view's width (and
/// height) on each side: a short pan shows markers at once, and a longer one shows them when
/// it ends (`moveend` regroups). A quarter, not a half: a filter change that moves the map
/// builds the markers of 2.25 views instead of 4 (fewer than half as many DOM nodes).
const MARGIN: f64 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// One venue.
    Venue(VenueId),
    /// The venues in one grid cell at one zoom.
    Cluster(i32, i64, i64),
}

/// A marker on the map and what it needs while it is there.
struct Shown {
    /// Taken off the layer group when this is dropped (fields drop in order: the marker
    /// first, then its click listener, then the popup's closure).
    marker: OnLayer<Marker>,
    /// The count it shows (sessions for a venue, venues for a group).
    count: u32,
    /// The element showing the count.
    pin: web_sys::Element,
    /// Its click listener and lazy popup (kept alive while the marker is).
    _click: Listener,
    popup: Option<(PopupContent, Rc<RefCell<PopupState>>)>,
}

/// Gives a group's marker the size class of `venues` venues.
fn resize_cluster(options: &JsValue, icon: &JsValue, venues: u32) {
    let size = cluster_size(venues);
    let icon_options = js_sys::Reflect::get(options, &JsValue::from_str("icon"))
        .and_then(|i| js_sys::Reflect::get(&i, &JsValue::from_str("options")))
        .unwrap_or(JsValue::UNDEFINED);
    if icon_options.is_object() {
        set(
            icon_options.unchecked_ref(),
            "className",
            &JsValue::from_str(&format!("marker-cluster {size}")),
        );
    }
    if let Some(el) = icon.dyn_ref::<web_sys::Element>()
        && !el.class_list().contains(size)
    {
        let list = el.class_list();
        for c in CLUSTER_SIZES {
            let _ = list.remove_1(c);
        }
        let _ = list.add_1(size);
    }
}

/// What a popup shows when it opens: a venue and its count, or the venues of a group.
#[derive(Default)]
struct PopupState {
    items: Vec<(String, u32)>,
    /// The venue, for a venue's popup (which lists its next sessions with shortlist toggles).
    venue: Option<VenueId>,
    /// The toggles' click listener on the content shown now (replaced with the content).
    clicks: Option<DomListener>,
}

/// Popup options: panned clear of the zoom buttons (top left) when it opens.
fn popup_options() -> JsValue {
    let o = js_sys::Object::new();
    let xy = |x: f64, y: f64| js_sys::Array::of2(&x.into(), &y.into());
    set(&o, "autoPanPaddingTopLeft", &xy(56.0, 16.0));
    set(&o, "autoPanPaddingBottomRight", &xy(16.0, 16.0));
    o.into()
}

impl Markers {
    /// No markers yet, on `layer` of `map`.
    pub(super) fn new(map: Map, layer: LayerGroup) -> Rc<Markers> {
        Rc::new(Markers {
            map,
            layer,
            venues: RefCell::new(Vec::new()),
            shown: RefCell::new(HashMap::new()),
            on_select: RefCell::new(None),
            highlighted: Cell::new(None),
            lit: Cell::new(None),
            popup_actions: RefCell::new(None),
        })
    }

    /// Groups the venues for the current zoom and visible area (with a margin of half a
    /// screen) and brings the markers on the map in line: unchanged ones stay as they are.
    pub(super) fn refresh(self: &Rc<Self>) {
        let zoom = self.map.get_zoom();
        let z = zoom.round() as i32;
        let b = self.map.get_bounds();
        let (sw, ne) = (b.get_south_west(), b.get_north_east());
        let (x0, y1) = project((sw.lat(), sw.lng()), zoom);
        let (x1, y0) = project((ne.lat(), ne.lng()), zoom);
        let (mx, my) = (
            (x1 - x0).abs() * MARGIN + CLUSTER_PX,
            (y1 - y0).abs() * MARGIN + CLUSTER_PX,
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
        // A marker not kept leaves the map as it is dropped (`OnLayer`).
        shown.retain(|key, _| wanted.contains_key(key));
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
                        // A group that grew or shrank past 10 or 100 venues takes that size's
                        // look, in its element and in the icon options Leaflet builds it from
                        // when it is added again.
                        if let Key::Cluster(..) = key {
                            resize_cluster(&options, &icon, count);
                        }
                    }
                    // An open popup follows the filters (its count and its sessions).
                    if m.marker.is_popup_open()
                        && let Some((_, state)) = &m.popup
                    {
                        m.marker
                            .set_popup_content(&self.popup_content(state).into());
                    }
                }
                None => {
                    let m = self.new_marker(*key, &venues, members, count, items);
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
        let state = Rc::new(RefCell::new(PopupState {
            items,
            venue: match key {
                Key::Venue(v) => Some(v),
                Key::Cluster(..) => None,
            },
            clicks: None,
        }));
        let popup = {
            let state = state.clone();
            let me = Rc::downgrade(self);
            let content: PopupContent = Closure::new(move |_layer: JsValue| match me.upgrade() {
                Some(me) => me.popup_content(&state).into(),
                None => popup_node(&state.borrow().items, &[]).into(),
            });
            content
        };
        let click: Handler = match key {
            Key::Venue(venue) => {
                marker.bind_popup_with_options(popup.as_ref(), &popup_options());
                let me = Rc::downgrade(self);
                Closure::new(move |_e: JsValue| {
                    if let Some(me) = me.upgrade()
                        && let Some(cb) = me.on_select.borrow().clone()
                    {
                        cb(venue);
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
                    marker.bind_popup_with_options(popup.as_ref(), &popup_options());
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
        let click = Listener::on(&marker, "click", click);
        Shown {
            marker: OnLayer::add(&self.layer, marker),
            count,
            pin,
            _click: click,
            popup: Some((popup, state)),
        }
    }

    /// A popup's content: the venue (or the group's venues) and its count; for a venue, its
    /// next matching sessions, each with a shortlist toggle whose state is announced by
    /// `aria-pressed` (and by the app's shortlist live region).
    fn popup_content(&self, state: &Rc<RefCell<PopupState>>) -> web_sys::Element {
        let actions = self.popup_actions.borrow().clone();
        let venue = state.borrow().venue;
        let sessions = match (venue, &actions) {
            (Some(v), Some(a)) => {
                let mut s = (a.sessions)(v);
                s.truncate(POPUP_SESSIONS);
                s
            }
            _ => Vec::new(),
        };
        let node = popup_node(&state.borrow().items, &sessions);
        let clicks = actions.filter(|_| !sessions.is_empty()).map(|a| {
            let handler = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                let button = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|t| t.closest("button[data-key]").ok().flatten());
                if let Some(b) = button
                    && let Some(key) = b.get_attribute("data-key")
                {
                    let on = (a.toggle)(&key);
                    set_pressed(&b, on);
                }
            });
            DomListener::on(&node, "click", handler)
        });
        state.borrow_mut().clicks = clicks;
        node
    }

    pub(super) fn apply_highlight(&self) {
        let venue = self.highlighted.get();
        let shown = self.shown.borrow();
        let icon_of = |v: VenueId| -> Option<web_sys::Element> {
            let m = shown.get(&Key::Venue(v))?;
            js_sys::Reflect::get(&m.marker, &JsValue::from_str("_icon"))
                .ok()
                .and_then(|x| x.dyn_into().ok())
        };
        // Only the marker that was lit and the one to light change (not every marker: a
        // regroup calls this, and a London-wide view has about two thousand).
        if let Some(was) = self.lit.get()
            && Some(was) != venue
            && let Some(el) = icon_of(was)
        {
            let _ = el.class_list().remove_1("is-highlighted");
        }
        if let Some(v) = venue
            && let Some(el) = icon_of(v)
        {
            let _ = el.class_list().add_1("is-highlighted");
        }
        self.lit.set(venue);
    }
}
