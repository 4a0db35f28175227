//! "Why it matched" on a card or session page: the person's choices this session meets, as
//! text ("Matches: Chair based · Beginner-friendly · Free"; a screen reader hears the phrases
//! separated by commas, not the dots).

use leptos::prelude::*;

/// The line, or nothing when no choice about the person is set.
#[component]
pub fn WhyMatched(phrases: Vec<String>) -> impl IntoView {
    (!phrases.is_empty()).then(|| {
        let shown = finder::why::line(&phrases);
        let spoken = phrases.join(", ");
        view! {
            <p class="why">
                <span class="why__label">"Matches: "</span>
                <span aria-hidden="true">{shown}</span>
                <span class="visually-hidden">{spoken}</span>
            </p>
        }
    })
}
