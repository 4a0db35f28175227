//! Activity Finder browser app (Leptos, client-side rendered). `app` holds the layout,
//! `loader` reads the proxy's feeds, `url_state` keeps every choice in the address bar,
//! `map` wraps Leaflet, and `components/` holds the views. The logic lives in the `finder`
//! and `openactive` crates so it is tested natively.

pub mod api;
pub mod app;
pub mod components;
pub mod embed;
pub mod idle;
pub mod lazy;
pub mod load_flow;
pub mod loader;
pub mod map;
pub mod offline;
pub mod shortlist;
pub mod state;
pub mod url_state;

/// Mounts the app on `<body>`, in place of the static shell `index.html` paints first.
pub fn start() {
    console_error_panic_hook::set_once();
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("shell"))
    {
        // The proxy (or the publish step) put the demo banner into the shell: the app shows its
        // own from its first frame rather than once the manifest is read, so the banner never
        // disappears while the packs are decoded.
        if shell
            .query_selector(".demo-banner")
            .ok()
            .flatten()
            .is_some()
        {
            state::SHELL_SAID_DEMO.with(|d| d.set(true));
        }
        shell.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
