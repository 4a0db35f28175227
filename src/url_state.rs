//! Keeps the filters in the address bar: the URL is the product. Discrete choices push a
//! history entry (so back/forward step through them); typing replaces the current entry so
//! history is not flooded.

use finder::Filters;
use finder::embed::EmbedOptions;
use finder::url::{Notice, decode, encode};
use std::cell::RefCell;
use wasm_bindgen::JsValue;

thread_local! {
    /// The embedding keys of the page's own URL, written back after the filters so they stay
    /// in every URL (and so in links shared from inside a frame).
    static EMBED_QUERY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The embedding options in the current URL (read once at start-up), with notices.
pub fn read_embed() -> (EmbedOptions, Vec<Notice>) {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let (o, n) = finder::embed::decode(&search);
    EMBED_QUERY.with(|q| *q.borrow_mut() = finder::embed::encode(&o));
    (o, n)
}

fn query_of(f: &Filters) -> String {
    let mut query = encode(f);
    EMBED_QUERY.with(|q| {
        let q = q.borrow();
        if !q.is_empty() {
            query.push('&');
            query.push_str(&q);
        }
    });
    query
}

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

thread_local! {
    /// URL writes waiting for the page to be idle, in order.
    static PENDING: RefCell<Vec<(String, History)>> = const { RefCell::new(Vec::new()) };
}

/// Writes the filters to the URL when the page is next idle (`requestIdleCallback`, at most
/// half a second later; a zero timeout where a browser has no idle callbacks), so neither a
/// filter change's frame nor the input after it waits for `pushState` (1 to 7 ms on a laptop,
/// up to 11 ms on the phone profile). Writes keep their order; each push is still one history entry.
pub fn write_when_idle(f: &Filters, how: History) {
    let query = query_of(f);
    let first = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        p.push((query, how));
        p.len() == 1
    });
    if first {
        crate::idle::when_idle(500, flush_pending);
    }
}

/// Makes the URL writes still waiting, in order.
fn flush_pending() {
    let writes = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    for (query, how) in writes {
        write_query(&query, how);
    }
}

/// Drops the writes not made yet: the person went back or forward in the meantime, and the
/// URL they chose is the one to show.
pub fn discard_pending() {
    PENDING.with(|p| p.borrow_mut().clear());
}

/// Writes the filters to the URL, unless it already says the same.
pub fn write(f: &Filters, how: History) {
    write_query(&query_of(f), how);
}

fn write_query(query: &str, how: History) {
    let Some(w) = web_sys::window() else { return };
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

/// The link to share for these filters: the full page (not the compact embed layout), keeping
/// the theme and the locked and hidden filters of an embedded finder.
pub fn share_href(f: &Filters, embed: &EmbedOptions) -> String {
    let Some(w) = web_sys::window() else {
        return String::new();
    };
    let loc = w.location();
    let base = format!(
        "{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_else(|_| "/".into())
    );
    let mut o = embed.clone();
    o.embed = false;
    let extra = finder::embed::encode(&o);
    let mut query = encode(f);
    if !extra.is_empty() {
        query.push('&');
        query.push_str(&extra);
    }
    format!("{base}?{query}")
}
