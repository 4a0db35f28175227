//! The session page: everything a referral needs about one session, with "Source: publisher"
//! attribution. Opened from the list (the selected key is in the URL), focus moves to its
//! heading and returns to the list when closed.

use crate::state::Ctx;
use crate::url_state::History;
use finder::display;
use leptos::html::H2;
use leptos::prelude::*;
use openactive::Occurrence;

fn link(url: Option<&str>, text: String) -> AnyView {
    match url.and_then(display::safe_link) {
        Some(u) => {
            view! { <a href=u.to_string() rel="noopener noreferrer" target="_blank">{text}</a> }
                .into_any()
        }
        None => view! { <span>{text}</span> }.into_any(),
    }
}

fn row(label: &'static str, value: Option<AnyView>) -> Option<AnyView> {
    value.map(|v| view! { <div class="detail__row"><dt>{label}</dt><dd>{v}</dd></div> }.into_any())
}

fn text(s: impl Into<String>) -> AnyView {
    let s: String = s.into();
    view! { <span>{s}</span> }.into_any()
}

/// After the session page closes, focus goes back to that session's card link (or the results
/// heading), so keyboard and screen-reader users are not sent back to the top of the page.
fn return_focus(key: Option<&str>) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // Keys are untrusted feed text: only simple ones go into a selector.
    let card_link = key
        .filter(|k| !k.chars().any(|c| c == '"' || c == '\\' || c.is_control()))
        .and_then(|k| {
            doc.query_selector(&format!("#results-list > li.card[data-key=\"{k}\"] h3 a"))
                .ok()
                .flatten()
        });
    // The page behind the dialog is inert until the next render; lift it now so that focus
    // can land there.
    if let Ok(Some(page)) = doc.query_selector(".page") {
        let _ = page.remove_attribute("inert");
    }
    let target = card_link.or_else(|| doc.get_element_by_id("results-heading"));
    if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// Details of the selected session, if any.
#[component]
pub fn SessionDetail() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let heading = NodeRef::<H2>::new();
    let selected = move || {
        let key = ctx.filters.with(|f| f.selected.clone())?;
        let ix = ctx.index.get();
        ix.position(&key).map(|p| (p, ix))
    };
    let close = move || {
        let key = ctx.filters.with_untracked(|f| f.selected.clone());
        ctx.update_filters(History::Push, |f| f.selected = None);
        return_focus(key.as_deref());
    };
    Effect::new(move |_| {
        if ctx.filters.with(|f| f.selected.is_some())
            && let Some(h) = heading.get()
        {
            let _ = h.focus();
        }
    });
    // What only a session page shows comes from the pack's detail chunk, fetched on opening
    // (once per chunk); the page shows the rest at once and fills these rows in.
    let extra: RwSignal<Option<(usize, contract::pack::DetailExtra)>> = RwSignal::new(None);
    Effect::new(move |_| {
        let Some(ptr) = selected()
            .map(|(pos, ix)| std::sync::Arc::as_ptr(&ix.occurrences[pos].details) as usize)
        else {
            return;
        };
        if extra.with_untracked(|x| x.as_ref().is_some_and(|(p, _)| *p == ptr)) {
            return;
        }
        let Some((url, i)) = ctx.detail_refs.with_value(|m| m.get(&ptr).cloned()) else {
            return;
        };
        let show = move |chunk: &[contract::pack::DetailExtra]| {
            if let Some(x) = chunk.get(i as usize) {
                extra.set(Some((ptr, x.clone())));
            }
        };
        if let Some(chunk) = ctx.detail_chunks.with_value(|m| m.get(&url).cloned()) {
            show(&chunk);
            return;
        }
        leptos::task::spawn_local(async move {
            match crate::loader::fetch_details(&url).await {
                Ok(chunk) => {
                    let chunk = std::sync::Arc::new(chunk);
                    ctx.detail_chunks.update_value(|m| {
                        m.insert(url.clone(), chunk.clone());
                    });
                    show(&chunk);
                }
                Err(e) => ctx.load_errors.update(|v| {
                    let why = format!("Some session details {e}.");
                    if !v.contains(&why) {
                        v.push(why);
                    }
                }),
            }
        });
    });
    let _esc = window_event_listener(leptos::ev::keydown, move |e| {
        if e.key() == "Escape" && ctx.filters.with_untracked(|f| f.selected.is_some()) {
            close();
        }
    });
    view! {
        <Show when=move || ctx.filters.with(|f| f.selected.is_some())>
            <section class="detail" role="dialog" aria-modal="true" aria-labelledby="detail-heading">
                {move || match selected() {
                    None => view! {
                        <h2 id="detail-heading" tabindex="-1" node_ref=heading>
                            {move || if ctx.index.with(|ix| ix.is_empty()) || ctx.packs.with(|p| p.0 < p.1) { "Loading session…" } else { "This session is no longer listed" }}
                        </h2>
                        <button type="button" class="button" on:click=move |_| close()>"Back to results"</button>
                    }.into_any(),
                    Some((pos, ix)) => {
                        let base: &Occurrence = &ix.occurrences[pos];
                        let ptr = std::sync::Arc::as_ptr(&base.details) as usize;
                        let mut full = base.clone();
                        if let Some((_, x)) = extra.get().filter(|(p, _)| *p == ptr) {
                            x.apply(std::sync::Arc::make_mut(&mut full.details));
                        }
                        let o: &Occurrence = &full;
                        let dataset = ix.dataset_of(pos);
                        let activities: Vec<String> = o.activities.iter().filter_map(|a| {
                            a.id.as_deref().and_then(|id| ix.activity_index(id)).map(|i| ix.activity_labels[i as usize].clone()).or_else(|| a.label.clone())
                        }).collect();
                        let dates: Vec<String> = ix.series_dates(pos).into_iter().take(12).map(|i| display::when(&ix.occurrences[i].start)).collect();
                        let address: Vec<String> = o.venue.address.iter().cloned().chain(o.venue.postcode.clone()).collect();
                        let directions = o.venue.geo.map(|(la, lo)| format!("https://www.openstreetmap.org/directions?to={}%2C{}", display::fixed(la, 5), display::fixed(lo, 5)));
                        let acc_labels = ctx.accessibility_labels.get_value();
                        let acc: Vec<String> = o.accessibility.iter().filter_map(|c| {
                            c.id.as_ref().and_then(|id| acc_labels.iter().find(|(i, _)| i == id).map(|(_, l)| l.clone())).or_else(|| c.label.clone())
                        }).collect();
                        let slot = o.kind == openactive::OpportunityKind::FacilitySlot;
                        let suits: Vec<String> = finder::suits::read_all(&o.special_requirements).0.iter().map(|s| s.label().to_string()).collect();
                        let why = ctx.filters.with_untracked(|f| finder::why::phrases(&ix, f, pos));
                        let capacity = match (o.remaining_capacity, o.maximum_capacity) {
                            (Some(0), _) => Some("Full".to_string()),
                            (Some(r), Some(m)) if slot => Some(format!("{r} of {m} available to book")),
                            (Some(r), Some(m)) => Some(format!("{r} of {m} places left")),
                            (Some(r), None) => Some(format!("{r} places left")),
                            (None, Some(m)) => Some(format!("Up to {m} people")),
                            _ => None,
                        };
                        let offers: Vec<String> = o.offers.iter().map(|of| match (of.name.as_deref(), of.price) {
                            (Some(n), Some(0.0)) => format!("{n}: free"),
                            (Some(n), Some(p)) => format!("{n}: £{}", display::fixed(p, 2)),
                            (None, Some(0.0)) => "Free".into(),
                            (None, Some(p)) => format!("£{}", display::fixed(p, 2)),
                            (Some(n), None) => n.to_string(),
                            (None, None) => "Price not given".into(),
                        }).collect();
                        let org = o.organizer.clone().unwrap_or_default();
                        let trust_line = crate::components::results::trust(&ctx, &ix, pos);
                        let report = display::report_target(o.organizer.as_ref(), dataset.url.as_deref(), &o.name);
                        let rows: Vec<AnyView> = [
                            row("When", Some(text(format!("{}, {}", display::when(&o.start).split(", ").next().unwrap_or(""), display::time_span(o))))),
                            row("Activity", (!activities.is_empty()).then(|| text(activities.join(", ")))),
                            row("Where", Some(view! {
                                <span>
                                    {o.venue.name.clone().unwrap_or_else(|| ix.venues[ix.venue_of(pos)].name.clone())}
                                    {(!address.is_empty()).then(|| view! { <br/>{address.join(", ")} })}
                                    {directions.map(|d| view! { <br/><a href=d rel="noopener noreferrer" target="_blank">"Directions (opens in a new tab)"</a> })}
                                </span>
                            }.into_any())),
                            row("Price", Some(text(if offers.is_empty() { display::price(o) } else { offers.join("; ") }))),
                            row("Ages", Some(text(display::ages(&o.age_range)))),
                            row("Gender", display::gender(o.gender).map(text)),
                            row("Level", (!o.levels.is_empty()).then(|| text(o.levels.join(", ")))),
                            row("Accessibility", (!acc.is_empty() || o.wheelchair.is_some() || o.accessibility_information.is_some()).then(|| {
                                let mut parts = acc.iter().map(|a| format!("Support for {}", a.to_lowercase())).collect::<Vec<_>>();
                                match o.wheelchair { Some(true) => parts.push("Wheelchair accessible".into()), Some(false) => parts.push("Not wheelchair accessible".into()), None => {} }
                                if let Some(i) = &o.accessibility_information { parts.push(i.clone()); }
                                text(parts.join(". "))
                            })),
                            row("Suitable for", (!suits.is_empty()).then(|| text(suits.join(", ")))),
                            row("Type", slot.then(|| text("Facility booking: hire it for yourself or a group".to_string()))),
                            row(if slot { "Availability" } else { "Places" }, capacity.map(text)),
                            row("What to bring", (!o.what_to_bring.is_empty()).then(|| text(o.what_to_bring.join(", ")))),
                            row("Instructions", o.attendee_instructions.clone().map(text)),
                            row("Meeting point", o.meeting_point.clone().map(text)),
                            row("Organiser", org.name.clone().map(|n| view! {
                                <span>
                                    {link(org.url.as_deref(), n)}
                                    {org.telephone.clone().map(|t| view! { <br/>{format!("Phone: {t}")} })}
                                    {org.email.clone().map(|e| view! { <br/>{format!("Email: {e}")} })}
                                </span>
                            }.into_any())),
                            row("Other dates", (dates.len() > 1).then(|| view! {
                                <ul class="dates">{dates.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                            }.into_any())),
                        ].into_iter().flatten().collect();
                        view! {
                            <h2 id="detail-heading" tabindex="-1" node_ref=heading>{o.name.clone()}</h2>
                            {o.cancelled.then(|| view! { <p class="notice notice--warning detail__cancelled"><strong>"Cancelled:"</strong>" this session has been cancelled and will not take place."</p> })}
                            <p class="detail__trust">{trust_line}</p>
                            <crate::components::why::WhyMatched phrases=why/>
                            {o.provisional.then(|| view! { <p class="notice">"The organiser has not confirmed exact times: check before you go."</p> })}
                            {o.description.clone().map(|d| view! { <p class="detail__description">{d}</p> })}
                            <dl class="detail__list">{rows}</dl>
                            {o.listed_until.map(|u| view! { <p class="detail__listed-until">{display::listed_until(&u, chrono::Utc::now())}</p> })}
                            <p class="detail__actions">
                                {o.url.as_deref().and_then(display::safe_link).map(|u| view! {
                                    <a class="button" href=u.to_string() rel="noopener noreferrer" target="_blank">"Book or find out more (opens in a new tab)"</a>
                                })}
                                <button type="button" class="button button--secondary" on:click=move |_| close()>"Back to results"</button>
                                <crate::components::shortlist::ShortlistToggle key=o.key.clone() name=o.name.clone()/>
                                <crate::components::shortlist::CalendarButtons pos=pos has_series=o.series_key.is_some()/>
                            </p>
                            {report.map(|r| {
                                let hint = r.hint();
                                let mail = matches!(r, display::ReportTarget::Email(_));
                                let href = r.href().to_string();
                                view! {
                                    <p class="detail__report">
                                        {if mail {
                                            view! { <a id="report-problem" href=href>"Report a problem with this listing"</a> }.into_any()
                                        } else {
                                            view! { <a id="report-problem" href=href rel="noopener noreferrer" target="_blank">"Report a problem with this listing"</a> }.into_any()
                                        }}
                                        {format!(" ({hint})")}
                                    </p>
                                }
                            })}
                            <p class="detail__source">
                                "Source: "{link(dataset.url.as_deref(), dataset.publisher.clone())}
                                {dataset.license.as_deref().and_then(display::safe_link).map(|l| view! { " · " <a href=l.to_string()>"Licence"</a> })}
                                // When it was checked is in the trust line; a publisher not answering is
                                // said here too, with the age of what is shown.
                                {ctx.feeds.with_untracked(|v| v.get(o.feed).filter(|f| f.status.is_unreachable()).map(|f| f.last_harvest.clone()))
                                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t?).ok())
                                    .map(|t| format!(" · Last updated {}; the publisher is not answering", display::age(&t, &chrono::Utc::now().fixed_offset())))}
                            </p>
                        }.into_any()
                    }
                }}
            </section>
        </Show>
    }
}
