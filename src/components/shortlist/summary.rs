//! "What this link shows".

use crate::state::Ctx;
use crate::url_state::History;
use finder::summary;
use leptos::prelude::*;

/// "What this link shows": the active filters in plain words, each removable in one tap.
#[component]
pub fn LinkSummary() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let parts = Memo::new(move |_| {
        let ix = ctx.index.get();
        let acc = ctx.accessibility_labels.get_value();
        ctx.filters.with(|f| {
            summary::parts(f, &|id: &str| {
                ix.activity_index(id)
                    .map(|i| ix.activity_labels[i as usize].clone())
                    .or_else(|| acc.iter().find(|(a, _)| a == id).map(|(_, l)| l.clone()))
            })
        })
    });
    view! {
        <section class="link-summary" aria-labelledby="link-summary-heading" hidden=move || parts.with(Vec::is_empty)>
            <h3 id="link-summary-heading">"What this link shows"</h3>
            // Keyed: a filter change builds the chip that changed, not every chip.
            <ul class="link-summary__parts">
                <For each=move || parts.get() key=|p| (p.kind, p.text.clone()) let:p>
                {
                    let kind = p.kind;
                    view! {
                        <li>
                            <button type="button" class="summary-chip" on:click=move |_| {
                                let f = summary::remove(&ctx.filters.get_untracked(), kind);
                                ctx.set_filters(f, History::Push);
                            }>
                                <span class="visually-hidden">"Remove "</span>{p.text}<span aria-hidden="true">" ×"</span>
                            </button>
                        </li>
                    }
                }
                </For>
            </ul>
        </section>
    }
}
