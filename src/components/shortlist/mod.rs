//! The referral pack's views: the shortlist toggle (cards and the session page), the shortlist
//! (chosen sessions first, with what became of each), sharing it (Web Share, copy, WhatsApp,
//! text, email, a QR code), calendar files, "What this link shows", and the printed referral
//! sheet. The logic is in `finder::{shortlist, summary, ics, qr}`; these stay thin.

mod panel;
mod sheet;
mod summary;

use crate::state::Ctx;
use finder::ics;
use leptos::prelude::*;

pub use panel::{QrCode, ShortlistPanel};
pub use summary::LinkSummary;

/// Adds or removes a session from the device's shortlist and says so in the live region.
pub(crate) fn toggle(ctx: Ctx, key: &str) {
    let ix = ctx.index.get_untracked();
    let mut list = ctx.shortlist.get_untracked();
    let (added, name) = match ix.position(key) {
        Some(pos) => (
            finder::shortlist::toggle(&mut list, &ix, pos),
            ix.occurrences[pos].name.clone(),
        ),
        None => {
            let name = list
                .iter()
                .find(|e| e.key == key)
                .map(|e| e.label.clone())
                .unwrap_or_default();
            list.retain(|e| e.key != key);
            (false, name)
        }
    };
    crate::shortlist::save(&list);
    let n = list.len();
    let count = format!("{n} session{}", if n == 1 { "" } else { "s" });
    ctx.shortlist_msg.set(if added {
        format!("Added “{name}” to the shortlist ({count}).")
    } else {
        format!("Removed “{name}” from the shortlist ({count}).")
    });
    ctx.shortlist.set(list);
}

/// The "Shortlist" toggle of a session (a pressed button when it is on the list). A result
/// card passes its session as signals (the card shows another session after a filter change).
#[component]
pub fn ShortlistToggle(
    #[prop(into)] key: Signal<String>,
    #[prop(into)] name: Signal<String>,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let on =
        Memo::new(move |_| key.with(|k| ctx.shortlist.with(|l| l.iter().any(|e| &e.key == k))));
    let on = move || on.get();
    view! {
        <button type="button" class="shortlist-toggle" aria-pressed=move || on().to_string()
            on:click=move |_| toggle(ctx, &key.get_untracked())>
            <span aria-hidden="true">{move || if on() { "★ " } else { "☆ " }}</span>
            "Shortlist"<span class="visually-hidden">{move || format!(": {}", name.get())}</span>
        </button>
    }
}

/// Downloads the calendar of one session, or of its whole series.
fn download_ics(ctx: Ctx, pos: usize, series: bool) {
    let ix = ctx.index.get_untracked();
    let events = if series {
        ics::series_events(&ix, pos)
    } else {
        vec![ics::session_event(&ix, pos)]
    };
    let name = if series { "series.ics" } else { "session.ics" };
    crate::shortlist::download(
        name,
        &ics::calendar(&events, chrono::Utc::now()),
        "text/calendar",
    );
}

/// "Add to calendar" buttons of a session (and its series, when it has one).
#[component]
pub fn CalendarButtons(pos: usize, has_series: bool) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <button type="button" class="button button--secondary ics-session" on:click=move |_| download_ics(ctx, pos, false)>
            "Add to calendar"
        </button>
        {has_series.then(|| view! {
            <button type="button" class="button button--secondary ics-series" on:click=move |_| download_ics(ctx, pos, true)>
                "Add every week to calendar"
            </button>
        })}
    }
}
