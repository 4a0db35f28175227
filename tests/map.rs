//! Browser tests of the Leaflet bindings' handles (wasm-bindgen-test in headless Chromium):
//! dropping a `ResultsMap` removes the map from its element, so the element can hold a new
//! one (Leaflet refuses a second map on an element whose map was never removed).
//!
//! Leaflet is read from `node_modules` (`npm ci` first). Tiles point at a closed loopback port.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p activity-finder --target wasm32-unknown-unknown --test map`
#![cfg(target_arch = "wasm32")]

use activity_finder::map::{ResultsMap, Tiles, VenueMarker};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Makes the global `L` exist, as `index.html`'s classic script does in the app.
fn load_leaflet() {
    let has_l = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("L"))
        .map(|l| !l.is_undefined())
        .unwrap_or(false);
    if !has_l {
        js_sys::eval(include_str!("../node_modules/leaflet/dist/leaflet.js"))
            .expect("leaflet.js runs");
    }
}

fn map_element() -> web_sys::HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el: web_sys::HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    el.style().set_property("height", "300px").unwrap();
    el.style().set_property("width", "400px").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

/// The elements under `el` that match `selector` (`querySelectorAll`).
fn select_all(el: &web_sys::HtmlElement, selector: &str) -> js_sys::Array {
    let qsa: js_sys::Function = js_sys::Reflect::get(el, &JsValue::from_str("querySelectorAll"))
        .unwrap()
        .unchecked_into();
    js_sys::Array::from(&qsa.call1(el, &JsValue::from_str(selector)).unwrap())
}

/// How many elements under `el` match `selector`.
fn count(el: &web_sys::HtmlElement, selector: &str) -> u32 {
    select_all(el, selector).length()
}

fn tiles() -> Tiles {
    Tiles {
        url: "http://127.0.0.1:9/{z}/{x}/{y}.png".into(),
        attribution: "test".into(),
    }
}

fn venues() -> Vec<VenueMarker> {
    vec![
        VenueMarker {
            venue: finder::VenueId::new(1),
            at: (51.5, -0.1),
            name: "A".into(),
            count: 3,
        },
        VenueMarker {
            venue: finder::VenueId::new(2),
            at: (51.6, 0.0),
            name: "B".into(),
            count: 1,
        },
    ]
}

#[wasm_bindgen_test]
fn dropping_the_map_removes_it_and_its_markers_from_the_element() {
    load_leaflet();
    let el = map_element();
    let map = ResultsMap::new(&el, &tiles(), None).expect("a map");
    map.on_user_move(|_| {});
    map.show(&venues(), true, |_| {});
    assert_eq!(map.marker_count(), 2);
    assert!(
        el.query_selector(".venue-pin").unwrap().is_some(),
        "markers drawn"
    );
    assert!(el.query_selector(".leaflet-map-pane").unwrap().is_some());

    drop(map);
    assert!(
        el.query_selector(".leaflet-map-pane").unwrap().is_none(),
        "map pane gone"
    );
    assert!(
        el.query_selector(".venue-pin").unwrap().is_none(),
        "markers gone"
    );
    let id = js_sys::Reflect::get(&el, &JsValue::from_str("_leaflet_id")).unwrap();
    assert!(id.is_undefined(), "the element no longer holds a map");

    // Leaflet throws "Map container is already initialized" unless the first map was removed.
    let again = ResultsMap::new(&el, &tiles(), None).expect("a second map on the same element");
    again.show(&venues(), true, |_| {});
    assert!(el.query_selector(".venue-pin").unwrap().is_some());
    drop(again);
    el.remove();
}

#[wasm_bindgen_test]
fn markers_no_longer_shown_leave_the_map() {
    load_leaflet();
    let el = map_element();
    let map = ResultsMap::new(&el, &tiles(), None).expect("a map");
    map.show(&venues(), true, |_| {});
    assert_eq!(count(&el, ".venue-pin"), 2);
    map.show(&venues()[..1], false, |_| {});
    assert_eq!(count(&el, ".venue-pin"), 1);
    map.show(&[], false, |_| {});
    assert_eq!(count(&el, ".venue-pin"), 0);
    drop(map);
    el.remove();
}

fn venue(id: usize, at: (f64, f64)) -> VenueMarker {
    VenueMarker {
        venue: finder::VenueId::new(id),
        at,
        name: format!("Venue {id}"),
        count: 1,
    }
}

#[wasm_bindgen_test]
fn a_filter_change_moves_the_map_only_when_its_results_are_not_shown_well() {
    load_leaflet();
    let el = map_element();
    let map = ResultsMap::new(&el, &tiles(), None).expect("a map");
    let spread = [
        venue(1, (51.40, -0.30)),
        venue(2, (51.60, 0.10)),
        venue(3, (51.45, -0.25)),
        venue(4, (51.55, 0.05)),
    ];
    // The map opens on London; results across it already show well there.
    map.show(&spread, true, |_| {});
    let (centre, zoom) = (map.centre(), map.zoom());
    assert_eq!(
        (centre, zoom),
        ((51.507, -0.128), 10.0),
        "the opening view kept"
    );
    // Fewer results over most of the same area: the map stays where it is.
    map.show(&spread[2..], true, |_| {});
    assert_eq!((map.centre(), map.zoom()), (centre, zoom), "kept");
    assert!(count(&el, ".leaflet-marker-icon") >= 1, "its markers shown");
    // One venue: the map goes to it, as close as a fit goes.
    map.show(&spread[3..], true, |_| {});
    assert_eq!(map.zoom(), 15.0, "zoomed in to the one venue");
    assert_eq!(map.centre(), (51.55, 0.05));
    // Results partly outside the view: the map moves out to show them all.
    map.show(&spread, true, |_| {});
    assert_eq!(
        (map.centre(), map.zoom()),
        ((51.5, -0.1), 10.0),
        "fitted to all four"
    );
    drop(map);
    el.remove();
}

/// Whether the marker of venue `name` (its title) carries the highlight.
fn lit(el: &web_sys::HtmlElement, name: &str) -> bool {
    count(
        el,
        &format!(".leaflet-marker-icon.is-highlighted[title*=\"{name}\"]"),
    ) == 1
}

#[wasm_bindgen_test]
fn the_highlight_follows_the_chosen_venue_and_survives_a_regroup() {
    load_leaflet();
    let el = map_element();
    let map = ResultsMap::new(&el, &tiles(), None).expect("a map");
    let far = [venue(1, (51.40, -0.30)), venue(2, (51.60, 0.10))];
    map.show(&far, true, |_| {});
    assert_eq!(count(&el, ".is-highlighted"), 0, "nothing lit at first");
    map.highlight(Some(finder::VenueId::new(1)));
    assert!(lit(&el, "Venue 1"));
    assert_eq!(count(&el, ".is-highlighted"), 1);
    // Another venue: the first goes out.
    map.highlight(Some(finder::VenueId::new(2)));
    assert!(lit(&el, "Venue 2") && !lit(&el, "Venue 1"));
    assert_eq!(count(&el, ".is-highlighted"), 1);
    // New results regroup the markers: the chosen venue is still lit, and only it.
    map.show(&[far[1].clone(), venue(3, (51.45, -0.25))], false, |_| {});
    assert!(lit(&el, "Venue 2"));
    assert_eq!(count(&el, ".is-highlighted"), 1);
    // Its marker gone and back (the results left it out, then in again): lit again.
    map.show(&[venue(3, (51.45, -0.25))], false, |_| {});
    assert_eq!(count(&el, ".is-highlighted"), 0);
    map.show(&far, false, |_| {});
    assert!(lit(&el, "Venue 2"));
    map.highlight(None);
    assert_eq!(count(&el, ".is-highlighted"), 0, "none lit");
    drop(map);
    el.remove();
}

#[wasm_bindgen_test]
fn a_group_shows_its_size_as_it_grows() {
    load_leaflet();
    let el = map_element();
    let map = ResultsMap::new(&el, &tiles(), None).expect("a map");
    // Venues a few metres apart: one group at the opening zoom.
    let near: Vec<VenueMarker> = (0..12)
        .map(|i| venue(10 + i, (51.5 + i as f64 * 1e-4, -0.1)))
        .collect();
    map.show(&near[..3], false, |_| {});
    assert_eq!(count(&el, ".marker-cluster-small"), 1, "a group of three");
    map.show(&near, false, |_| {});
    assert_eq!(count(&el, ".marker-cluster-small"), 0);
    assert_eq!(count(&el, ".marker-cluster-medium"), 1, "a group of twelve");
    assert_eq!(count(&el, ".leaflet-marker-icon"), 1);
    drop(map);
    el.remove();
}

/// The zoom levels of the tiles under `el` (from their addresses, `…/{z}/{x}/{y}.png`).
fn tile_zooms(el: &web_sys::HtmlElement) -> Vec<u32> {
    select_all(el, "img.leaflet-tile")
        .iter()
        .filter_map(|img| {
            js_sys::Reflect::get(&img, &JsValue::from_str("src"))
                .ok()?
                .as_string()
        })
        .filter_map(|src| src.split('/').rev().nth(2)?.parse().ok())
        .collect()
}

async fn sleep_ms(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

#[wasm_bindgen_test]
async fn after_a_filter_change_moves_the_map_its_tiles_follow_when_idle() {
    load_leaflet();
    let el = map_element();
    let map = ResultsMap::new(&el, &tiles(), None).expect("a map");
    map.show(
        &[venue(1, (51.40, -0.30)), venue(2, (51.60, 0.10))],
        true,
        |_| {},
    );
    sleep_ms(300).await;
    let before = tile_zooms(&el);
    assert!(
        !before.is_empty() && before.iter().all(|&z| z == 10),
        "{before:?}"
    );
    // One venue: the map zooms in to it. The markers are there at once; the tiles of the
    // opening view stay (scaled) for that frame, and the new zoom's come when the page is idle.
    map.show(&[venue(3, (51.55, 0.05))], true, |_| {});
    assert_eq!(map.zoom(), 15.0);
    assert_eq!(count(&el, ".leaflet-marker-icon"), 1, "the marker at once");
    let now = tile_zooms(&el);
    assert!(
        !now.is_empty() && now.iter().all(|&z| z == 10),
        "old tiles kept: {now:?}"
    );
    sleep_ms(300).await;
    let later = tile_zooms(&el);
    assert!(later.contains(&15), "the new zoom's tiles: {later:?}");
    drop(map);
    el.remove();
}
