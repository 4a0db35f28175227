//! "Why it matched" on a card or session page: the person's choices this session meets, as
//! text ("Matches: Chair based · Beginner-friendly · Free"; a screen reader hears the phrases
//! separated by commas, not the dots).

use leptos::prelude::*;

/// The line, hidden while no choice about the person is set. It stays in place when the
/// phrases change: a card fills it in rather than building it (`components/results.rs`).
#[component]
pub fn WhyMatched(#[prop(into)] phrases: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <p class="why" hidden=move || phrases.with(Vec::is_empty)>
            <span class="why__label">"Matches: "</span>
            <span aria-hidden="true">{move || phrases.with(|p| finder::why::line(p))}</span>
            <span class="visually-hidden">{move || phrases.with(|p| p.join(", "))}</span>
        </p>
    }
}
