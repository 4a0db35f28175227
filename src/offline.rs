//! Return visits, offline use and saving data: registers the service worker (`static/sw.js`)
//! for this build, and reads whether the connection asks to save data.

use wasm_bindgen::{JsCast, JsValue};

/// This build's id: the content hash trunk puts in the app's file names
/// (`/activity-finder-<hash>.js`), read from the page's `modulepreload` link. `None` in a build
/// without hashed names.
pub fn build_id() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let link = doc.query_selector("link[rel=modulepreload][href]").ok()??;
    let href = link.get_attribute("href")?;
    let file = href.rsplit('/').next()?;
    let stem = file.strip_suffix(".js")?;
    let (_, hash) = stem.rsplit_once('-')?;
    (!hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hash.to_string())
}

/// Registers `/sw.js?v=<build>`: a new build is a new worker with its own app cache, and the
/// old one's is dropped when it activates. Does nothing where service workers are unavailable
/// (plain http on another host than localhost, some embedded browsers) or in an unhashed build.
pub fn register_service_worker() {
    let Some(build) = build_id() else { return };
    let Some(window) = web_sys::window() else {
        return;
    };
    let nav: JsValue = window.navigator().into();
    let Ok(sw) = js_sys::Reflect::get(&nav, &"serviceWorker".into()) else {
        return;
    };
    if sw.is_undefined() || sw.is_null() {
        return;
    }
    let Ok(register) = js_sys::Reflect::get(&sw, &"register".into()) else {
        return;
    };
    let Some(register) = register.dyn_ref::<js_sys::Function>() else {
        return;
    };
    if let Ok(p) = register.call1(&sw, &format!("/sw.js?v={build}").into())
        && let Ok(p) = p.dyn_into::<js_sys::Promise>()
    {
        // A refused registration (e.g. no secure context) just means no offline copy.
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        });
    }
}

/// The connection asks to save data: `navigator.connection.saveData` (the `Save-Data`
/// setting), or a 2G-class connection.
pub fn save_data() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let nav: JsValue = window.navigator().into();
    let Ok(conn) = js_sys::Reflect::get(&nav, &"connection".into()) else {
        return false;
    };
    if conn.is_undefined() || conn.is_null() {
        return false;
    }
    let get = |k: &str| js_sys::Reflect::get(&conn, &k.into()).ok();
    let save = get("saveData").and_then(|v| v.as_bool()).unwrap_or(false);
    let slow = get("effectiveType")
        .and_then(|v| v.as_string())
        .is_some_and(|t| t == "2g" || t == "slow-2g");
    save || slow
}

/// "Offline — data from Mon 30 Nov, 11:14pm" for the manifest's `generated` time.
pub fn offline_note(generated: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(generated) {
        Ok(t) => format!("Offline — data from {}", finder::display::when(&t)),
        Err(_) => "Offline — showing the data saved on this device".to_string(),
    }
}
