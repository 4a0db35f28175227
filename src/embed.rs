//! Embed mode and theming, applied once at start-up from the validated embedding options.
//!
//! The theme reaches the page as CSS custom properties set through the CSSOM
//! (`style.setProperty`) from validated values, so the CSP keeps `style-src 'self'`. In embed
//! mode (`embed=1`) the page tells its parent its height, and nothing else, with
//! `postMessage({type: "activity-finder:height", height})`; it listens to no message from the
//! parent. Links to other sites open in a new tab (most booking sites refuse framing).

use finder::embed::EmbedOptions;
use std::cell::Cell;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The one message type the frame sends to its parent.
pub const HEIGHT_MESSAGE: &str = "activity-finder:height";

/// Applies the theme, and in embed mode the compact layout, the height reports and the
/// new-tab links.
pub fn start(o: &EmbedOptions) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(root) = doc
        .document_element()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = root.style();
    for (name, value) in o.theme.css_properties() {
        let _ = style.set_property(name, &value);
    }
    if !o.embed {
        return;
    }
    let _ = root.class_list().add_1("is-embed");
    open_other_sites_in_new_tab(&doc);
    report_height(&doc);
}

/// Marks every link to another origin `target=_blank` (with `rel=noopener noreferrer`) as it
/// is followed.
fn open_other_sites_in_new_tab(doc: &web_sys::Document) {
    let own = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
        let Some(el) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let Ok(Some(a)) = el.closest("a[href]") else {
            return;
        };
        let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() else {
            return;
        };
        let href = a.href();
        let same_origin = href.starts_with(&format!("{own}/")) || href == own;
        if !same_origin && a.target().is_empty() {
            a.set_target("_blank");
            a.set_rel("noopener noreferrer");
        }
    });
    let _ = doc.add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    // App-lifetime: `start` runs once per page load, and the listener must stay for as long as
    // the page does, so the closure is deliberately leaked rather than owned by a view.
    on_click.forget();
}

/// Posts the body's height to the parent whenever it changes.
fn report_height(doc: &web_sys::Document) {
    let Some(w) = web_sys::window() else { return };
    let Ok(Some(parent)) = w.parent() else { return };
    if parent == w {
        return; // not in a frame
    }
    let Some(body) = doc.body() else { return };
    let last = Cell::new(-1.0_f64);
    let send = {
        let body = body.clone();
        move || {
            let h = body.get_bounding_client_rect().height().ceil();
            if (h - last.get()).abs() < 1.0 {
                return;
            }
            last.set(h);
            let msg = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&msg, &"type".into(), &HEIGHT_MESSAGE.into());
            let _ = js_sys::Reflect::set(&msg, &"height".into(), &h.into());
            // The height is not private; the parent's origin is not known to the frame.
            let _ = parent.post_message(&msg, "*");
        }
    };
    send();
    let observer_cb = Closure::<dyn Fn()>::new(send);
    if let Ok(ro) = web_sys::ResizeObserver::new(observer_cb.as_ref().unchecked_ref()) {
        ro.observe(&body);
        // The observer lives as long as the page.
        #[expect(
            clippy::mem_forget,
            reason = "the frame reports its height for as long as the page lives; never disconnected"
        )]
        std::mem::forget(ro);
    }
    // App-lifetime, as the observer above: leaked on purpose, once per page load.
    observer_cb.forget();
}
