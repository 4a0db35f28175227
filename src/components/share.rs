//! Sharing the current view: copy the link, send it by email, WhatsApp or text message, or
//! print. The link holds only filters (no personal data), so it is safe to share.

use crate::url_state;
use leptos::prelude::*;

fn encode_component(s: &str) -> String {
    js_sys::encode_uri_component(s)
        .as_string()
        .unwrap_or_default()
}

/// "Share this list": its buttons are built, and their code fetched, when first opened
/// (`lazy.rs`).
#[component]
pub fn ShareBar() -> impl IntoView {
    crate::lazy::disclosure("share", None, "Share this list", || {
        crate::lazy_view!(
            share_buttons(),
            crate::lazy::load_failed("The share buttons")
        )
        .into_any()
    })
}

/// Share buttons for the current URL.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(share, wasm_split_path = ::leptos::wasm_split, fallible)
)]
fn share_buttons() -> Result<AnyView, leptos::wasm_split::SplitLoaderError> {
    let ctx = expect_context::<crate::state::Ctx>();
    let copied = RwSignal::new(String::new());
    // Re-read the URL whenever the filters change.
    // Computed once per change (not once per link).
    let href = Memo::new(move |_| {
        ctx.filters
            .with(|f| url_state::share_href(f, &ctx.embed.read_value()))
    });
    let href = move || href.get();
    let text = Memo::new(move |_| {
        encode_component(&format!(
            "Physical activity sessions I found for you: {}",
            href()
        ))
    });
    let text = move || text.get();
    let copy = move |_| {
        let url = href();
        if let Some(w) = web_sys::window() {
            let promise = w.navigator().clipboard().write_text(&url);
            leptos::task::spawn_local(async move {
                let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.set(if ok {
                    "Link copied".into()
                } else {
                    "Copy the link from the address bar".into()
                });
            });
        }
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    Ok(view! {
            <div class="share__buttons" role="group" aria-label="Share these results">
            <button type="button" class="button button--secondary" on:click=copy>"Copy link"</button>
            <a class="button button--secondary" href=move || format!("mailto:?subject={}&body={}", encode_component("Activity sessions"), text())>"Email"</a>
            <a class="button button--secondary" href=move || format!("https://wa.me/?text={}", text()) rel="noopener noreferrer" target="_blank">"WhatsApp"</a>
            <a class="button button--secondary" href=move || format!("sms:?&body={}", text())>"Text message"</a>
            <button type="button" class="button button--secondary" on:click=print>"Print"</button>
            <span class="share__status" role="status" aria-live="polite">{move || copied.get()}</span>
            </div>
    }
    .into_any())
}
