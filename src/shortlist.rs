//! The browser side of the shortlist: the device's copy in `localStorage` (never sent anywhere
//! except inside a link the person chooses to share), calendar downloads (a `Blob` and an
//! object URL), the Web Share API and the clipboard. What is kept, and what the link says, is
//! `finder::shortlist`.

use finder::shortlist::{self, Entry};
use wasm_bindgen::{JsCast, JsValue};

const KEY: &str = "af-shortlist-v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The device's shortlist (empty when storage is unavailable or holds nothing readable).
pub fn load() -> Vec<Entry> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|s| shortlist::from_json(&s))
        .unwrap_or_default()
}

/// Saves the device's shortlist (an empty one removes the key).
pub fn save(list: &[Entry]) {
    let Some(s) = storage() else { return };
    let _ = if list.is_empty() {
        s.remove_item(KEY)
    } else {
        s.set_item(KEY, &shortlist::to_json(list))
    };
}

/// Offers `text` as a file download named `name` (an `.ics` calendar).
pub fn download(name: &str, text: &str, mime: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(name);
        a.set_hidden(true);
        if let Some(body) = doc.body() {
            let _ = body.append_child(&a);
            a.click();
            let _ = body.remove_child(&a);
        }
    }
    // Revoked after the click has been handled.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
}

/// Whether the browser offers the Web Share API (phones, mostly).
pub fn can_share() -> bool {
    web_sys::window()
        .map(|w| JsValue::from(w.navigator()))
        .and_then(|n| js_sys::Reflect::get(&n, &"share".into()).ok())
        .is_some_and(|f| f.is_function())
}

/// Opens the system share sheet with the message and the link.
pub fn web_share(title: &str, text: &str, url: &str) {
    let Some(nav) = web_sys::window().map(|w| JsValue::from(w.navigator())) else {
        return;
    };
    let data = js_sys::Object::new();
    for (k, v) in [("title", title), ("text", text), ("url", url)] {
        let _ = js_sys::Reflect::set(&data, &k.into(), &v.into());
    }
    if let Ok(f) = js_sys::Reflect::get(&nav, &"share".into())
        && let Some(f) = f.dyn_ref::<js_sys::Function>()
        && let Ok(p) = f.call1(&nav, &data)
        && let Ok(p) = p.dyn_into::<js_sys::Promise>()
    {
        // A person closing the sheet rejects the promise: nothing to report.
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        });
    }
}

/// Copies `text`; resolves to whether it worked.
pub async fn copy(text: &str) -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let promise = w.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    js_sys::encode_uri_component(s)
        .as_string()
        .unwrap_or_default()
}
