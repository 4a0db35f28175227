//! "Embed this search": builds the copy-paste snippet for a referral agency's page from the
//! current filters and the options chosen here. The options go through the same validation
//! as the frame's URL (`finder::embed::decode`), and the markup comes from
//! `finder::embed::snippet`, so nothing typed here can add markup or script.

use crate::state::Ctx;
use finder::embed::{Font, snippet};
use finder::filter::View;
use leptos::prelude::*;

/// Groups of filters a host can show, hide or lock, with their URL keys.
const GROUPS: [(&str, &str, &[&str]); 13] = [
    ("col", "Pathway", &["col"]),
    ("suit", "Suitable for", &["suit"]),
    ("place", "Place and distance", &["near", "at", "r"]),
    ("act", "Activities", &["act"]),
    ("days", "Days", &["days"]),
    ("time", "Times and dates", &["tod", "from", "to"]),
    ("price", "Price", &["free", "max"]),
    ("person", "Age, gender and level", &["age", "g", "lvl"]),
    ("access", "Accessibility", &["acc", "wc"]),
    ("q", "Keyword", &["q"]),
    ("org", "Organiser or venue", &["org"]),
    ("slots", "Facility slots", &["slots"]),
    ("cx", "Cancelled sessions", &["cx"]),
];

/// What the "Embed this search" disclosure under the results holds (the disclosure is in
/// `app.rs`, so this loads only when it is opened).
#[component]
pub fn EmbedOptions() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let fg = RwSignal::new(String::new());
    let bg = RwSignal::new(String::new());
    let accent = RwSignal::new(String::new());
    let font = RwSignal::new(String::new());
    let view_choice = RwSignal::new(String::from("list"));
    let modes: Vec<RwSignal<String>> = GROUPS
        .iter()
        .map(|_| RwSignal::new(String::from("shown")))
        .collect();
    let modes = StoredValue::new(modes);

    // The options as the frame will read them, with the validation notices.
    let options = Memo::new(move |_| {
        let values = [
            ("fg", fg.get()),
            ("bg", bg.get()),
            ("accent", accent.get()),
            ("font", font.get()),
        ];
        let mut pairs: Vec<(&str, String)> = values
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k, v.trim().to_string()))
            .collect();
        let (mut hide, mut lock) = (Vec::new(), Vec::new());
        modes.with_value(|m| {
            for (i, (_, _, keys)) in GROUPS.iter().enumerate() {
                match m[i].get().as_str() {
                    "hidden" => hide.extend_from_slice(keys),
                    "locked" => lock.extend_from_slice(keys),
                    _ => {}
                }
            }
        });
        if !hide.is_empty() {
            pairs.push(("hide", hide.join(",")));
        }
        if !lock.is_empty() {
            pairs.push(("lock", lock.join(",")));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        finder::embed::from_pairs(&pairs)
    });
    // Computed once per change (not once per field that shows it).
    let made = Memo::new(move |_| {
        let base = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        let mut f = ctx.filters.get();
        f.view = if view_choice.get() == "map" {
            View::Map
        } else {
            View::List
        };
        options.with(|(o, _)| snippet(&base, &f, o))
    });
    let made = move || made.get();
    let script = move || {
        made()
            .map(|s| s.script)
            .unwrap_or_else(|e| format!("Cannot make a snippet: {e}."))
    };
    let iframe = move || made().map(|s| s.iframe).unwrap_or_default();
    let preview = move || made().map(|s| s.src).unwrap_or_default();
    let notices =
        move || options.with(|(_, n)| n.iter().map(|n| n.message.clone()).collect::<Vec<_>>());

    let colour = move |id: &'static str, label: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type="text" inputmode="text" placeholder="#rrggbb" autocomplete="off" spellcheck="false"
                    prop:value=move || sig.get() on:change=move |e| sig.set(event_target_value(&e))/>
            </div>
        }
    };
    view! {
            <p>"Paste this into any web page to show this search there, in your colours. The finder in the frame sets no cookies, does no tracking, and talks only to this site (and the map tile server). The site's operator must allow your website's address first (see the README, \"Embedding\")."</p>
            <div class="colours">
                {colour("embed-fg", "Text colour", fg)}
                {colour("embed-bg", "Background colour", bg)}
                {colour("embed-accent", "Accent colour (links, buttons)", accent)}
                <div class="field">
                    <label for="embed-font">"Font"</label>
                    <select id="embed-font" on:change=move |e| font.set(event_target_value(&e))>
                        <option value="">"Default"</option>
                        {Font::ALL.iter().map(|f| view! { <option value=f.key()>{f.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="embed-view">"Show first"</label>
                    <select id="embed-view" on:change=move |e| view_choice.set(event_target_value(&e))>
                        <option value="list">"List"</option>
                        <option value="map">"Map"</option>
                    </select>
                </div>
            </div>
            <ul class="embed-notices" aria-live="polite">
                <For each=notices key=|n| n.clone() let:n><li>{n}</li></For>
            </ul>
            <fieldset class="field">
                <legend>"Filters in the frame"</legend>
                <p class="hint">"Locked filters keep this search's values and are hidden from visitors. Locking is a convenience for your page, not a security measure: anyone can change the frame's address."</p>
                {GROUPS.iter().enumerate().map(|(i, (id, label, _))| {
                    let sig = modes.with_value(|m| m[i]);
                    let sel = format!("embed-group-{id}");
                    view! {
                        <div class="field">
                            <label for=sel.clone()>{*label}</label>
                            <select id=sel on:change=move |e| sig.set(event_target_value(&e))>
                                <option value="shown">"Shown"</option>
                                <option value="hidden">"Hidden"</option>
                                <option value="locked">"Locked to this search"</option>
                            </select>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <label for="embed-snippet">"Snippet (script and placeholder; the frame grows with its content)"</label>
            <textarea id="embed-snippet" readonly prop:value=script></textarea>
            <label for="embed-iframe">"Or a plain frame (fixed height, no script)"</label>
            <textarea id="embed-iframe" readonly prop:value=iframe></textarea>
            <p><a id="embed-preview" href=preview rel="noopener" target="_blank">"Preview the framed page (opens in a new tab)"</a></p>
    }
}
