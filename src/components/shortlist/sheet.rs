//! The printed referral sheet.

use super::panel::{QrCode, Resolved};
use crate::state::Ctx;
use finder::display;
use leptos::prelude::*;
use std::sync::Arc;

/// The printed referral sheet (shown only on paper, `style/main.css`): for each session what
/// it is, when, where and how to get there, price, what to bring, contact and booking, source.
#[component]
pub(super) fn PrintSheet(link: Signal<String>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let list = expect_context::<Memo<Vec<Resolved>>>();
    // What to bring and contacts are in the packs' detail chunks: fetch those of the list.
    let chunks = RwSignal::new(0u32);
    Effect::new(move |_| {
        let ix = ctx.index.get();
        let ptrs: Vec<usize> = list.with(|l| {
            l.iter()
                .filter_map(|r| r.status.pos())
                .map(|p| Arc::as_ptr(&ix.occurrences[p].details) as usize)
                .collect()
        });
        for ptr in ptrs {
            let Some((url, _)) = ctx.detail_refs.with_value(|m| m.get(&ptr).cloned()) else {
                continue;
            };
            if ctx.detail_chunks.with_value(|m| m.contains_key(&url)) {
                continue;
            }
            leptos::task::spawn_local(async move {
                if ctx.detail_chunks.with_value(|m| m.contains_key(&url)) {
                    return;
                }
                if let Ok(chunk) = crate::loader::fetch_details(&url).await {
                    ctx.detail_chunks.update_value(|m| {
                        m.insert(url, Arc::new(chunk));
                    });
                    chunks.update(|n| *n += 1);
                }
            });
        }
    });
    let sessions = move || {
        chunks.track();
        let ix = ctx.index.get();
        list.get()
            .into_iter()
            .map(|r| {
                let Some(p) = r.status.pos() else {
                    let what = r.own.as_ref().map(|e| e.label.clone()).unwrap_or_else(|| "A chosen session".into());
                    return view! { <li class="sheet__item"><h2>{what}</h2><p><strong>{r.status.label(&ix)}</strong></p></li> }.into_any();
                };
                let mut o = ix.occurrences[p].clone();
                let ptr = Arc::as_ptr(&o.details) as usize;
                if let Some((url, i)) = ctx.detail_refs.with_value(|m| m.get(&ptr).cloned())
                    && let Some(x) = ctx.detail_chunks.with_value(|m| m.get(&url).and_then(|c| c.get(i as usize).cloned()))
                {
                    x.apply(Arc::make_mut(&mut o.details));
                }
                let status = r.status.label(&ix);
                let venue = ix.venues[ix.venue_of(p)].name.clone();
                let address: Vec<String> = o.venue.address.iter().cloned().chain(o.venue.postcode.clone()).collect();
                let journey = o.venue.geo.map(|(la, lo)| format!("https://www.openstreetmap.org/directions?to={}%2C{}", display::fixed(la, 5), display::fixed(lo, 5)));
                let activities: Vec<String> = o.activities.iter().filter_map(|a| {
                    a.id.as_deref().and_then(|id| ix.activity_index(id)).map(|i| ix.activity_labels[i as usize].clone()).or_else(|| a.label.clone())
                }).collect();
                let what = match (&o.description, activities.is_empty()) {
                    (Some(d), _) => {
                        let short: String = d.chars().take(280).collect();
                        if short.len() < d.len() { format!("{short}…") } else { short }
                    }
                    (None, false) => activities.join(", "),
                    (None, true) => String::new(),
                };
                let dates: Vec<String> = ix.series_dates(p).into_iter().filter(|&i| ix.occurrences[i].start >= o.start).take(4).map(|i| display::when(&ix.occurrences[i].start)).collect();
                let org = o.organizer.clone().unwrap_or_default();
                let contact: Vec<String> = [org.name.clone(), org.telephone.clone().map(|t| format!("phone {t}")), org.email.map(|e| format!("email {e}"))].into_iter().flatten().collect();
                let booking = o.url.as_deref().and_then(display::safe_link).map(str::to_string);
                let source = match o.updated {
                    Some(u) => format!("Source: {}, updated {}", ix.dataset_of(p).publisher, display::ago(u, chrono::Utc::now())),
                    None => format!("Source: {}", ix.dataset_of(p).publisher),
                };
                view! {
                    <li class="sheet__item">
                        <h2>{o.name.clone()}</h2>
                        {(!status.is_empty()).then(|| view! { <p><strong>{status.clone()}</strong></p> })}
                        {(!what.is_empty()).then(|| view! { <p>{what.clone()}</p> })}
                        <dl>
                            <dt>"When"</dt><dd>{dates.join(" · ")}<br/>{display::time_span(&o)}</dd>
                            <dt>"Where"</dt><dd>{venue}{(!address.is_empty()).then(|| format!(", {}", address.join(", ")))}</dd>
                            {journey.map(|j| view! { <dt>"Getting there"</dt><dd>{j}</dd> })}
                            <dt>"Price"</dt><dd>{display::price(&o)}</dd>
                            {(!o.what_to_bring.is_empty()).then(|| view! { <dt>"What to bring"</dt><dd>{o.what_to_bring.join(", ")}</dd> })}
                            {(!contact.is_empty()).then(|| view! { <dt>"Contact"</dt><dd>{contact.join(", ")}</dd> })}
                            {booking.map(|b| view! { <dt>"Booking"</dt><dd>{b}</dd> })}
                        </dl>
                        <p class="sheet__source">{source}</p>
                    </li>
                }
                .into_any()
            })
            .collect_view()
    };
    view! {
        <section class="print-sheet" aria-label="Printed referral sheet">
            <h1>"Activity sessions chosen for you"</h1>
            {move || ctx.demo.get().then(|| view! { <p><strong>"Demo data — not real sessions."</strong></p> })}
            {move || {
                let n = ctx.sheet_note.get();
                (!n.trim().is_empty()).then(|| view! { <p class="sheet__note">{n}</p> })
            }}
            <ol class="sheet__items">{sessions}</ol>
            <div class="sheet__qr">
                <QrCode link=link id="sheet-qr"/>
                <p>"Scan for the latest times, maps and changes: "<span class="sheet__link">{move || link.get()}</span></p>
            </div>
        </section>
    }
}
