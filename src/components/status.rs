//! Loading progress: a progress bar, the number of sessions loaded, and each feed's state.

use crate::app::Ctx;
use crate::loader::FeedState;
use leptos::prelude::*;

/// Progress bar and per-feed status.
#[component]
pub fn LoadStatus() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let total = move || ctx.feeds.with(Vec::len);
    let finished = move || {
        ctx.feeds.with(|v| {
            v.iter()
                .filter(|p| matches!(p.state, FeedState::Done | FeedState::Failed(_)))
                .count()
        })
    };
    let loading = move || total() == 0 || finished() < total();
    let count = move || ctx.index.with(|ix| ix.visible_len());
    view! {
        <section class="load-status" aria-label="Data loading">
            <p class="load-status__summary" id="loaded-count">
                {move || {
                    let n = count();
                    if loading() {
                        format!("Loading sessions… {n} loaded so far")
                    } else {
                        format!("{n} upcoming sessions loaded")
                    }
                }}
            </p>
            <Show when=loading>
                <progress
                    class="load-status__bar"
                    max=move || total().max(1).to_string()
                    value=move || finished().to_string()
                    aria-label="Feeds loaded"
                ></progress>
            </Show>
            <details class="load-status__feeds">
                <summary>"Data sources"</summary>
                <ul>
                    <For each=move || ctx.feeds.get() key=|p| (p.info.id.clone(), p.pages, format!("{:?}", p.state)) let:p>
                        <li class="feed-status">
                            <span>{format!("{} ({})", p.info.publisher, p.info.kind)}</span>
                            ": "
                            <span>
                                {match &p.state {
                                    FeedState::Waiting => "waiting".to_string(),
                                    FeedState::Loading => format!("loading, {} items", p.items),
                                    FeedState::Done => {
                                        if p.skipped > 0 {
                                            format!("{} items, {} skipped as unreadable", p.items, p.skipped)
                                        } else {
                                            format!("{} items", p.items)
                                        }
                                    }
                                    FeedState::Failed(why) => format!("failing: {why}"),
                                }}
                            </span>
                        </li>
                    </For>
                </ul>
            </details>
        </section>
    }
}
