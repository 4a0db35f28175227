//! Views whose code is loaded on demand (ARCHITECTURE.md "Modules loaded on demand"). A visit
//! starts with the main module: the shell, loading, the index and query, the URL and the
//! results list. The filter form and the map come as soon as they can be seen (at once on a wide
//! screen); the session page, the shortlist, "What this link shows", sharing, "Data sources"
//! and "Embed this search" when first used; all but the last three also in the background once
//! the results are complete ([`prefetch`]).
//!
//! A split point is a function returning `Result<AnyView, SplitLoaderError>`, marked
//! `#[cfg_attr(feature = "split", wasm_split(…, fallible, …))]`. Under the `split` feature
//! (trunk's builds, `index.html`) its code, and whatever only it uses, goes into a wasm module
//! of its own (`scripts/split-wasm.mjs`); calling it fetches that module once (the service
//! worker keeps it) and then runs it. A module that cannot be fetched (offline before it was
//! ever used) is an `Err`, shown as a notice; the next use tries again. Without the feature
//! (the wasm tests, native checks) the function is an ordinary one.
//!
//! [`lazy_view!`] renders such a function.

/// Renders `$call` (a split point, see the module docs): nothing until its module has arrived,
/// then its view, or `$failed` (an `AnyView`) when the module could not be loaded.
#[macro_export]
macro_rules! lazy_view {
    ($call:expr, $failed:expr) => {{
        #[cfg(feature = "split")]
        {
            ::leptos::prelude::Suspend::new(async move {
                match $call.await {
                    Ok(v) => v,
                    Err(_) => $failed,
                }
            })
        }
        #[cfg(not(feature = "split"))]
        {
            match $call {
                Ok(v) => v,
                Err(_) => $failed,
            }
        }
    }};
}

/// Fetches the modules a phone has not needed yet (the filters, the map, the session page, the
/// shortlist) in the background once the results are complete; the browser's cache and the
/// service worker keep them, so the first tap is instant and they work offline. Not when the
/// connection asks to save data: then each comes on first use.
pub fn prefetch() {
    #[cfg(feature = "split")]
    if !crate::offline::save_data() {
        leptos::task::spawn_local(async {
            // A failure here is not shown: the module is fetched again on first use, and that
            // use says so if it fails.
            let _ = crate::components::filters::preload_filters().await;
            // Shown with the first filter chosen: compiled before it, not during it.
            let _ = crate::components::results::preload_summary().await;
            let _ = crate::app::preload_map().await;
            let _ = crate::app::preload_detail().await;
            let _ = crate::components::results::preload_shortlist().await;
        });
    }
}

/// True from the first time `cond` holds, for good: when a lazily loaded view is first wanted
/// (and then kept, so its state survives being hidden). Once true it no longer reads `cond`.
pub fn once(cond: impl Fn() -> bool + Send + Sync + 'static) -> leptos::prelude::Memo<bool> {
    leptos::prelude::Memo::new(move |was: Option<&bool>| was == Some(&true) || cond())
}

/// The notice shown where a view's module could not be loaded.
pub fn load_failed(what: &'static str) -> leptos::prelude::AnyView {
    use leptos::prelude::*;
    view! {
        <p class="notice notice--error" role="alert">
            {what}" could not be loaded. Check the connection, then try again."
        </p>
    }
    .into_any()
}

/// A `<details>` disclosure whose contents are built the first time it is opened: with a
/// split point inside, its code is fetched then too.
pub fn disclosure(
    class: &'static str,
    id: Option<&'static str>,
    summary: &'static str,
    contents: impl Fn() -> leptos::prelude::AnyView + Send + Sync + 'static,
) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    let opened = RwSignal::new(false);
    view! {
        <details class=class id=id
            on:toggle=move |e| {
                if event_target::<web_sys::HtmlDetailsElement>(&e).open() {
                    opened.set(true);
                }
            }>
            <summary>{summary}</summary>
            <Show when=move || opened.get()>{contents()}</Show>
        </details>
    }
}
