//! The shortlist on screen, chosen sessions first, with what became of each, and sharing it
//! (Web Share, copy, WhatsApp, text, email, a QR code).

use super::sheet::PrintSheet;
use super::{CalendarButtons, ShortlistToggle};
use crate::state::Ctx;
use crate::url_state::History;
use finder::shortlist::{Entry, LinkEntry, Lookup, Status};
use finder::{display, ics, summary};
use leptos::prelude::*;
use std::sync::Arc;

/// One entry of the list on screen: the link's compact form, what became of it, and the
/// device's full entry when the list is the device's own.
#[derive(Clone, PartialEq)]
pub(super) struct Resolved {
    pub(super) link: LinkEntry,
    pub(super) status: Status,
    pub(super) own: Option<Entry>,
}

/// The shortlist being shown: the one in the link (`sl=`) when there is one, else the device's.
fn resolved(
    ctx: Ctx,
    cache: StoredValue<Option<(usize, Arc<Lookup>)>, LocalStorage>,
) -> Memo<Vec<Resolved>> {
    Memo::new(move |_| {
        let shared = ctx.filters.with(|f| f.shared.clone());
        let own = ctx.shortlist.get();
        let entries: Vec<(LinkEntry, Option<Entry>)> = if shared.is_empty() {
            own.into_iter().map(|e| (e.link(), Some(e))).collect()
        } else {
            shared.into_iter().map(|l| (l, None)).collect()
        };
        if entries.is_empty() {
            return Vec::new();
        }
        let ix = ctx.index.get();
        let id = Arc::as_ptr(&ix) as usize;
        let lookup = match cache.get_value() {
            Some((i, l)) if i == id => l,
            _ => {
                let l = Arc::new(Lookup::new(&ix));
                cache.set_value(Some((id, l.clone())));
                l
            }
        };
        let now = chrono::Utc::now();
        entries
            .into_iter()
            .map(|(link, own)| Resolved {
                status: finder::shortlist::resolve(&ix, &lookup, &link, now),
                link,
                own,
            })
            .collect()
    })
}

/// The link that shares the list: the current search with the list (`sl=`), without the
/// selected session or the map position.
fn share_link(ctx: Ctx, list: &[Resolved]) -> String {
    let mut f = ctx.filters.get();
    f.selected = None;
    f.map = None;
    f.shared = list.iter().map(|r| r.link).collect();
    crate::url_state::share_href(&f, &ctx.embed.read_value())
}

fn still_loading(ctx: Ctx) -> bool {
    ctx.index.with(|ix| ix.is_empty()) || ctx.packs.with(|p| p.0 < p.1)
}

/// The QR code of a link, drawn as one SVG path (no text of the feed in it).
#[component]
pub fn QrCode(link: Signal<String>, #[prop(into)] id: String) -> impl IntoView {
    let qr = Memo::new(move |_| finder::qr::Qr::new(&link.get()));
    let title = format!("{id}-title");
    view! {
        {move || qr.get().map(|q| view! {
            <svg class="qr" id=id.clone() viewBox=q.view_box() role="img" aria-labelledby=title.clone() xmlns="http://www.w3.org/2000/svg">
                <title id=title.clone()>"QR code of the link to this shortlist"</title>
                <rect width="100%" height="100%" fill="#fff"></rect>
                <path d=q.path() fill="#000"></path>
            </svg>
        })}
    }
}

/// The shortlist, chosen sessions first, with sharing, calendars and the note for the sheet.
#[component]
pub fn ShortlistPanel() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let cache = StoredValue::new_local(None);
    let list = resolved(ctx, cache);
    provide_context(list);
    let shared = move || ctx.filters.with(|f| !f.shared.is_empty());
    let count = move || list.with(Vec::len);
    let link = Signal::derive(move || list.with(|l| share_link(ctx, l)));
    let message = Signal::derive(move || {
        let ix = ctx.index.get();
        let lines: Vec<String> = list.with(|l| {
            l.iter()
                .filter_map(|r| r.status.pos())
                .map(|p| summary::session_line(&ix, p))
                .collect()
        });
        summary::share_message(&lines, &link.get())
    });
    let copied = RwSignal::new(String::new());
    let copy = move |_| {
        let url = link.get_untracked();
        leptos::task::spawn_local(async move {
            copied.set(if crate::shortlist::copy(&url).await {
                "Link copied".into()
            } else {
                "Copy the link shown below".into()
            });
        });
    };
    let all_ics = move |_| {
        let ix = ctx.index.get_untracked();
        let events: Vec<ics::Event> = list.with_untracked(|l| {
            l.iter()
                .filter_map(|r| r.status.pos())
                .map(|p| ics::session_event(&ix, p))
                .collect()
        });
        crate::shortlist::download(
            "shortlist.ics",
            &ics::calendar(&events, chrono::Utc::now()),
            "text/calendar",
        );
    };
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let can_share = crate::shortlist::can_share();
    let enc = crate::shortlist::encode_component;
    let items = move || {
        let ix = ctx.index.get();
        let loading = still_loading(ctx);
        // Saving data: the other areas' packs wait to be asked for.
        let partial = ctx.other_areas.with(Option::is_some);
        list.get()
            .into_iter()
            .map(|r| {
                let pos = r.status.pos();
                let label = match (r.status, loading) {
                    (Status::NoLongerListed, true) => "checking…".to_string(),
                    (Status::NoLongerListed, _) if partial => {
                        "not in the areas loaded yet: load the other areas to check".to_string()
                    }
                    (s, _) => s.label(&ix),
                };
                let status_key = match r.status {
                    Status::Found(_) => "found",
                    Status::Moved(_) => "moved",
                    Status::Cancelled(_) => "cancelled",
                    Status::Past(_) => "past",
                    Status::NoLongerListed => "gone",
                };
                let key = r.own.as_ref().map(|e| e.key.clone());
                match pos {
                    Some(p) => {
                        let o = &ix.occurrences[p];
                        let venue = ix.venues[ix.venue_of(p)].name.clone();
                        let k = o.key.clone();
                        let href = {
                            let mut f = ctx.filters.get_untracked();
                            f.selected = Some(k.clone());
                            format!("?{}", finder::url::encode(&f))
                        };
                        let own_key = key.unwrap_or_else(|| k.clone());
                        let data_key = k.clone();
                        let name = o.name.clone();
                        let has_series = o.series_key.is_some();
                        view! {
                            <li class="shortlist__item" data-key=data_key data-status=status_key>
                                <h3 class="shortlist__title"><a href=href on:click=move |e| {
                                    e.prevent_default();
                                    let k = k.clone();
                                    ctx.update_filters(History::Push, move |f| f.selected = Some(k));
                                }>{name.clone()}</a></h3>
                                {(!label.is_empty()).then(|| view! { <p class="shortlist__status"><strong>{label.clone()}</strong></p> })}
                                <p class="shortlist__when">{display::when(&o.start)}" · "{venue}</p>
                                <p class="shortlist__price">{display::price(o)}</p>
                                <div class="shortlist__buttons">
                                    <ShortlistToggle key=own_key name=name/>
                                    <CalendarButtons pos=p has_series=has_series/>
                                </div>
                            </li>
                        }
                        .into_any()
                    }
                    None => {
                        let what = r
                            .own
                            .as_ref()
                            .map(|e| e.label.clone())
                            .unwrap_or_else(|| format!("A session on {}", display::when(&r.link.start().fixed_offset())));
                        view! {
                            <li class="shortlist__item" data-status=status_key>
                                <h3 class="shortlist__title">{what.clone()}</h3>
                                <p class="shortlist__status"><strong>{label}</strong></p>
                                {key.map(|k| view! {
                                    <div class="shortlist__buttons"><ShortlistToggle key=k name=what/></div>
                                })}
                            </li>
                        }
                        .into_any()
                    }
                }
            })
            .collect_view()
    };
    view! {
        <Show when=move || { count() > 0 }>
            <section class="shortlist" id="shortlist" aria-labelledby="shortlist-heading">
                <h2 id="shortlist-heading">{move || if shared() {
                    format!("Chosen for you ({})", count())
                } else {
                    format!("Your shortlist ({})", count())
                }}</h2>
                {move || shared().then(|| view! { <p>"These sessions were chosen for you. Any change since then is shown beside each one."</p> })}
                <ol class="shortlist__items" id="shortlist-items">{items}</ol>
                <div class="shortlist__all">
                    <button type="button" class="button button--secondary" id="ics-all" on:click=all_ics>"Add all to calendar"</button>
                    <button type="button" class="button button--secondary" id="print-sheet" on:click=print>"Print referral sheet"</button>
                    {move || if shared() {
                        view! {
                            <button type="button" class="button button--secondary" id="close-shared" on:click=move |_| {
                                ctx.update_filters(History::Push, |f| f.shared.clear());
                            }>"Close this list"</button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button button--secondary" id="clear-shortlist" on:click=move |_| {
                                crate::shortlist::save(&[]);
                                ctx.shortlist.set(Vec::new());
                                ctx.shortlist_msg.set("The shortlist is empty.".into());
                            }>"Clear shortlist"</button>
                        }.into_any()
                    }}
                </div>
                <details class="share share--shortlist" id="share-shortlist">
                    <summary>"Share this shortlist"</summary>
                    <div class="share__buttons" role="group" aria-label="Share this shortlist">
                        {can_share.then(|| view! {
                            <button type="button" class="button" id="web-share" on:click=move |_| {
                                crate::shortlist::web_share("Activity sessions", &message.get_untracked(), &link.get_untracked());
                            }>"Share…"</button>
                        })}
                        <button type="button" class="button button--secondary" id="copy-shortlist" on:click=copy>"Copy link"</button>
                        <a class="button button--secondary" id="share-whatsapp" href=move || format!("https://wa.me/?text={}", enc(&message.get())) rel="noopener noreferrer" target="_blank">"WhatsApp"</a>
                        <a class="button button--secondary" id="share-sms" href=move || format!("sms:?&body={}", enc(&message.get()))>"Text message"</a>
                        <a class="button button--secondary" id="share-email" href=move || format!("mailto:?subject={}&body={}", enc("Activity sessions chosen for you"), enc(&message.get()))>"Email"</a>
                        <span class="share__status" role="status" aria-live="polite">{move || copied.get()}</span>
                    </div>
                    <p class="share__link">"Link: "<span id="shortlist-link">{move || link.get()}</span></p>
                    <QrCode link=link id="shortlist-qr"/>
                </details>
                <label class="sheet-note-label" for="sheet-note">"A note for the printed sheet (printed only: never saved or put in a link)"</label>
                <textarea id="sheet-note" class="sheet-note" rows="2" maxlength="500"
                    prop:value=move || ctx.sheet_note.get()
                    on:input=move |e| ctx.sheet_note.set(event_target_value(&e))></textarea>
            </section>
            <PrintSheet link=link/>
        </Show>
    }
}
