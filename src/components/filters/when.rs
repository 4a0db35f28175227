//! When: days of the week, parts of the day and a start-time range.

// `allow`, not `expect`: clippy does not flag `super::*` in the test build.
#[allow(
    clippy::wildcard_imports,
    reason = "a filter group shares the panel's imports: the Leptos prelude, Ctx, History, the count helpers"
)]
use super::*;

/// Days of the week.
#[component]
pub(super) fn DaysFilter() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    view! {
        <fieldset class="field checkboxes">
            <legend>"Days"</legend>
            {(0u32..7).map(|d| {
                let id = format!("f-day-{d}");
                let n = count_of(ctx, move |o| o.facets.days[d as usize]);
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=id.clone()
                            prop:checked=chosen(ctx, move |f| f.days.contains(d))
                            on:change=move |_| ctx.update_filters(History::Push, |f| f.days = f.days.toggled(d))/>
                        <label for=id>{move || with_count(DAY_NAMES[d as usize], n.get())}</label>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// What the start-time inputs hold, which may be half-typed or invalid and so not (yet) the
/// filter. Owned by the panel so that "Clear all filters" empties them too.
#[derive(Clone, Copy)]
pub(super) struct TimeDraft {
    start: RwSignal<String>,
    end: RwSignal<String>,
    /// Why the inputs are not applied (shown inline).
    error: RwSignal<Option<String>>,
    /// A short note when one kind of time filter replaced the other.
    note: RwSignal<Option<String>>,
}

impl TimeDraft {
    pub(super) fn new(ctx: &Ctx) -> Self {
        let (start, end) = match ctx.filters.with_untracked(|f| f.time.clone()) {
            TimeOfDay::Range(a, b) => (fmt_minutes(a), fmt_minutes(b)),
            _ => (String::new(), String::new()),
        };
        TimeDraft {
            start: RwSignal::new(start),
            end: RwSignal::new(end),
            error: RwSignal::new(None),
            note: RwSignal::new(None),
        }
    }
    pub(super) fn clear(&self) {
        self.start.set(String::new());
        self.end.set(String::new());
        self.error.set(None);
        self.note.set(None);
    }
    /// The range the inputs describe, when both are filled in and valid.
    fn range(&self) -> Option<(u16, u16)> {
        let (a, b) = (
            input_minutes(&self.start.get_untracked())?,
            input_minutes(&self.end.get_untracked())?,
        );
        (a < b).then_some((a, b))
    }
}

/// An `<input type="time">` value (`HH:MM`, or `HH:MM:SS` with a seconds step) as minutes.
pub(super) fn input_minutes(v: &str) -> Option<u16> {
    parse_minutes(v.get(..5)?)
}

/// Time of day: parts of the day, or a start-time range (alternatives in the filter model:
/// choosing one clears the other), and dates.
#[component]
pub(super) fn TimeFilter(draft: TimeDraft) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let toggle = move |p: DayPart| {
        let (had_range, adding) = ctx.filters.with_untracked(|f| match &f.time {
            TimeOfDay::Range(..) => (true, true),
            TimeOfDay::Parts(v) => (false, !v.contains(&p)),
            TimeOfDay::Any => (false, true),
        });
        ctx.update_filters(History::Push, |f| {
            let mut parts = match &f.time {
                TimeOfDay::Parts(v) => v.clone(),
                _ => vec![],
            };
            if let Some(i) = parts.iter().position(|x| *x == p) {
                parts.remove(i);
            } else {
                parts.push(p);
                parts = DayPart::in_order(&parts);
            }
            f.time = if parts.is_empty() {
                TimeOfDay::Any
            } else {
                TimeOfDay::Parts(parts)
            };
        });
        let typed =
            !draft.start.get_untracked().is_empty() || !draft.end.get_untracked().is_empty();
        if adding && (had_range || typed) {
            draft.clear();
            draft.note.set(Some(
                "Your start times were cleared: a part of the day replaces them.".into(),
            ));
        } else {
            draft.note.set(None);
        }
    };
    // The inputs follow the filter when it changes from elsewhere (a link, back/forward, a part
    // of the day ticked, "Clear all filters"), but keep a half-typed or invalid entry while the
    // filter has no time range.
    let time = Memo::new(move |_| ctx.panel_filters.with(|f| f.time.clone()));
    Effect::new(move |_| match time.get() {
        TimeOfDay::Range(a, b) => {
            if draft.range() != Some((a, b)) {
                draft.start.set(fmt_minutes(a));
                draft.end.set(fmt_minutes(b));
            }
            draft.error.set(None);
        }
        TimeOfDay::Parts(_) => {
            draft.start.set(String::new());
            draft.end.set(String::new());
            draft.error.set(None);
        }
        TimeOfDay::Any => {
            if draft.range().is_some() {
                draft.clear();
            }
        }
    });
    // Applies the inputs: a valid range becomes the filter (replacing parts of the day); an
    // incomplete or invalid one removes a range set before, with an inline explanation.
    let apply = move || {
        let (s, e) = (draft.start.get_untracked(), draft.end.get_untracked());
        let had_parts = ctx
            .filters
            .with_untracked(|f| matches!(f.time, TimeOfDay::Parts(_)));
        let had_range = ctx
            .filters
            .with_untracked(|f| matches!(f.time, TimeOfDay::Range(..)));
        let (error, note) = match (input_minutes(&s), input_minutes(&e)) {
            (Some(a), Some(b)) if a < b => {
                draft.error.set(None);
                draft.note.set(had_parts.then(|| {
                    "Your part-of-day choice was cleared: start times replace it.".to_string()
                }));
                ctx.update_filters(History::Push, |f| f.time = TimeOfDay::Range(a, b));
                return;
            }
            (Some(_), Some(_)) => (
                Some(
                    "The second time must be later than the first. Start times are not used until this is fixed.",
                ),
                None,
            ),
            _ if s.is_empty() && e.is_empty() => (None, None),
            _ => (None, Some("Set both times to filter by start time.")),
        };
        draft.error.set(error.map(str::to_string));
        draft.note.set(note.map(str::to_string));
        if had_range {
            ctx.update_filters(History::Push, |f| f.time = TimeOfDay::Any);
        }
    };
    let clear_range = move |_| {
        draft.clear();
        if ctx
            .filters
            .with_untracked(|f| matches!(f.time, TimeOfDay::Range(..)))
        {
            ctx.update_filters(History::Push, |f| f.time = TimeOfDay::Any);
        }
        if let Some(el) = document().get_element_by_id("f-tod-start")
            && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    };
    let has_times =
        move || !draft.start.with(String::is_empty) || !draft.end.with(String::is_empty);
    view! {
        <fieldset class="field checkboxes" aria-describedby="f-tod-hint">
            <legend>"Time of day"</legend>
            <p class="hint" id="f-tod-hint">"Tick parts of the day, or set your own start times below. Choosing one clears the other."</p>
            {DayPart::ALL.into_iter().enumerate().map(|(i, p)| {
                let id = format!("f-tod-{}", p.key());
                let n = count_of(ctx, move |o| o.facets.parts[i]);
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=id.clone()
                            prop:checked=chosen(ctx, move |f| matches!(&f.time, TimeOfDay::Parts(v) if v.contains(&p)))
                            on:change=move |_| toggle(p)/>
                        <label for=id>{move || with_count(p.label(), n.get())}</label>
                    </div>
                }
            }).collect_view()}
            <fieldset class="subfield">
                <legend>"Or starts between"</legend>
                <div class="inline">
                    <div>
                        <label for="f-tod-start">"From"</label>
                        <input id="f-tod-start" type="time" aria-describedby="f-tod-error"
                            aria-invalid=move || draft.error.with(Option::is_some).then_some("true")
                            prop:value=move || draft.start.get()
                            on:change=move |e| { draft.start.set(event_target_value(&e)); apply() }/>
                    </div>
                    <div>
                        <label for="f-tod-end">"Before"</label>
                        <input id="f-tod-end" type="time" aria-describedby="f-tod-error"
                            aria-invalid=move || draft.error.with(Option::is_some).then_some("true")
                            prop:value=move || draft.end.get()
                            on:change=move |e| { draft.end.set(event_target_value(&e)); apply() }/>
                    </div>
                </div>
                <p id="f-tod-error" class="error-message" aria-live="polite">{move || draft.error.get()}</p>
                <p id="f-tod-status" class="hint" aria-live="polite">{move || draft.note.get()}</p>
                <Show when=has_times>
                    <button type="button" class="link-button" id="f-tod-clear" on:click=clear_range>"Clear start times"</button>
                </Show>
            </fieldset>
            <div class="inline">
                <div>
                    <label for="f-from">"From date"</label>
                    <input id="f-from" type="date" prop:value=chosen(ctx, move |f| f.from.and_then(finder::url::date_of).map(|d| d.to_string()).unwrap_or_default())
                        on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.from = finder::url::parse_date(&v).map(day_number)) }/>
                </div>
                <div>
                    <label for="f-to">"To date"</label>
                    <input id="f-to" type="date" prop:value=chosen(ctx, move |f| f.to.and_then(finder::url::date_of).map(|d| d.to_string()).unwrap_or_default())
                        on:change=move |e| { let v = event_target_value(&e); ctx.update_filters(History::Push, |f| f.to = finder::url::parse_date(&v).map(day_number)) }/>
                </div>
            </div>
        </fieldset>
    }
}
