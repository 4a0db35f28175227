//! Work that can wait for the page to be idle: after the frame that shows a change, and after
//! the input that follows it.

use wasm_bindgen::{JsCast, JsValue};

/// Runs `f` when the page is next idle (`requestIdleCallback`), and within `timeout_ms`
/// whatever happens; where a browser has no idle callbacks, in a task of its own. Without a
/// window (not in a browser), at once.
pub fn when_idle(timeout_ms: u32, f: impl FnOnce() + 'static) {
    let Some(w) = web_sys::window() else {
        return f();
    };
    // Shared with the fallback below, so `f` runs once whichever path takes it.
    let f = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let run = {
        let f = f.clone();
        move || {
            if let Some(f) = f.take() {
                f();
            }
        }
    };
    let cb = wasm_bindgen::closure::Closure::once_into_js(run);
    let has_idle =
        js_sys::Reflect::has(&w, &JsValue::from_str("requestIdleCallback")).unwrap_or(false);
    let scheduled = if has_idle {
        let opts = web_sys::IdleRequestOptions::new();
        opts.set_timeout(timeout_ms);
        w.request_idle_callback_with_options(cb.unchecked_ref(), &opts)
            .is_ok()
    } else {
        w.set_timeout_with_callback(cb.unchecked_ref()).is_ok()
    };
    if !scheduled && let Some(f) = f.take() {
        f();
    }
}
