//! Icons, labels, popups and bounds: DOM nodes built from text, never HTML strings.

use leaflet::{LatLng, LatLngBounds};
use wasm_bindgen::prelude::*;

use super::{PopupSession, VenueMarker, document, set};

#[wasm_bindgen]
extern "C" {
    /// `L.divIcon(options)`: `html` may be an element (Leaflet 1.9).
    #[wasm_bindgen(js_namespace = L, js_name = divIcon)]
    fn div_icon(options: &JsValue) -> leaflet::Icon;
}

/// Leaflet takes attributions as HTML: the configured text is escaped so it shows as text.
pub(super) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// "Venue name: 3 sessions" (the marker's title and alt text). The name is feed text: it is
/// isolated (U+2068 … U+2069) so a right-to-left override inside it cannot reverse the rest.
pub(super) fn marker_label(v: &VenueMarker) -> String {
    format!(
        "\u{2068}{}\u{2069}: {} session{}",
        v.name,
        v.count,
        if v.count == 1 { "" } else { "s" }
    )
}

/// A group's icon (markercluster's look, from its stylesheet): the number of venues in it.
pub(super) fn cluster_icon(venues: u32) -> (leaflet::Icon, web_sys::Element) {
    let doc = document();
    let outer = doc.create_element("div").expect("div");
    let count = doc.create_element("span").expect("span");
    count.set_text_content(Some(&venues.to_string()));
    let _ = outer.append_child(&count);
    let iopts = js_sys::Object::new();
    set(&iopts, "html", &outer);
    set(
        &iopts,
        "className",
        &JsValue::from_str(&format!("marker-cluster {}", cluster_size(venues))),
    );
    let px = js_sys::Array::of2(&JsValue::from_f64(40.0), &JsValue::from_f64(40.0));
    set(&iopts, "iconSize", &px);
    (div_icon(&iopts), count)
}

/// A group's size classes (markercluster's three looks): under 10, under 100, and more venues.
pub(super) const CLUSTER_SIZES: [&str; 3] = [
    "marker-cluster-small",
    "marker-cluster-medium",
    "marker-cluster-large",
];

/// A group's size class, by the number of venues in it.
pub(super) fn cluster_size(venues: u32) -> &'static str {
    CLUSTER_SIZES[usize::from(venues >= 10) + usize::from(venues >= 100)]
}

/// A round pin with the session count, built as a DOM node (no HTML strings); the node is
/// returned too, so a new count is written into it in place.
pub(super) fn venue_icon(count: u32) -> (leaflet::Icon, web_sys::Element) {
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

/// The box around these points, if any.
pub(super) fn bounds_of_points(points: &[(f64, f64)]) -> Option<LatLngBounds> {
    super::fit::box_of(points.iter().copied()).map(latlng_bounds)
}

/// A box of latitudes and longitudes as Leaflet's bounds.
pub(super) fn latlng_bounds((s, w, n, e): super::fit::LatLonBox) -> LatLngBounds {
    LatLngBounds::new(&LatLng::new(s, w), &LatLng::new(n, e))
}

/// Popup content: a DOM node built from text (feed text is untrusted): a venue and its
/// count, or the venues at one spot.
pub(super) fn popup_node(items: &[(String, u32)], sessions: &[PopupSession]) -> web_sys::Element {
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
    if !sessions.is_empty() {
        let list = doc.create_element("ul").expect("ul");
        list.set_class_name("venue-popup__sessions");
        for s in sessions {
            let li = doc.create_element("li").expect("li");
            let name = doc.create_element("bdi").expect("bdi");
            name.set_text_content(Some(&s.name));
            let when = doc.create_element("span").expect("span");
            when.set_class_name("venue-popup__when");
            when.set_text_content(Some(&s.when));
            let button = doc.create_element("button").expect("button");
            let _ = button.set_attribute("type", "button");
            button.set_class_name("shortlist-toggle");
            let _ = button.set_attribute("data-key", &s.key);
            let hidden = doc.create_element("span").expect("span");
            hidden.set_class_name("visually-hidden");
            hidden.set_text_content(Some(&format!(": {}", s.name)));
            let star = doc.create_element("span").expect("span");
            let _ = star.set_attribute("aria-hidden", "true");
            let _ = button.append_child(&star);
            let _ = button.append_child(&doc.create_text_node("Shortlist"));
            let _ = button.append_child(&hidden);
            set_pressed(&button, s.shortlisted);
            let _ = li.append_child(&name);
            let _ = li.append_child(&when);
            let _ = li.append_child(&button);
            let _ = list.append_child(&li);
        }
        let _ = root.append_child(&list);
    }
    root
}

/// Shows a popup's shortlist toggle as on or off (the star and `aria-pressed`).
pub(super) fn set_pressed(button: &web_sys::Element, on: bool) {
    let _ = button.set_attribute("aria-pressed", if on { "true" } else { "false" });
    if let Some(star) = button.first_element_child() {
        star.set_text_content(Some(if on { "★ " } else { "☆ " }));
    }
}
