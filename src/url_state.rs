//! Keeps the filters in the address bar: the URL is the product. Discrete choices push a
//! history entry (so back/forward step through them); typing replaces the current entry so
//! history is not flooded.

use finder::Filters;
use finder::url::{Notice, decode, encode};
use wasm_bindgen::JsValue;

/// How a change is written to history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// A new entry (a click, a selection).
    Push,
    /// Replace the current entry (typing, map moves).
    Replace,
}

/// The filters in the current URL, with notices for any value that could not be used.
pub fn read() -> (Filters, Vec<Notice>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    decode(&search)
}

/// Writes the filters to the URL, unless it already says the same.
pub fn write(f: &Filters, how: History) {
    let Some(w) = web_sys::window() else { return };
    let query = encode(f);
    let current = w.location().search().unwrap_or_default();
    if current.trim_start_matches('?') == query {
        return;
    }
    let path = w.location().pathname().unwrap_or_else(|_| "/".into());
    let url = format!("{path}?{query}");
    if let Ok(h) = w.history() {
        let _ = match how {
            History::Push => h.push_state_with_url(&JsValue::NULL, "", Some(&url)),
            History::Replace => h.replace_state_with_url(&JsValue::NULL, "", Some(&url)),
        };
    }
}

/// The full shareable URL of the current view.
pub fn current_href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}
