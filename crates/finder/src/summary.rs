//! "What this link shows": the active filters in plain words ("Free · Women only ·
//! Beginner-friendly · Weekdays · Mornings · within 2 km of E15"), each with the filter change
//! that removes it; and the plain-English message that shares a shortlist.

use crate::filter::{DAY_KEYS, DayPart, DaySet, Filters, GenderFilter, Place, TimeOfDay};
use crate::index::Index;
use crate::query::FilterKind;

/// One part of the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// What it says ("Free").
    pub text: String,
    /// The filter it belongs to (what removing it clears).
    pub kind: FilterKind,
}

/// The filters with this part removed.
pub fn remove(f: &Filters, kind: FilterKind) -> Filters {
    let mut f = match kind {
        FilterKind::Kind => {
            let mut f = f.clone();
            f.slots = false;
            f
        }
        FilterKind::Cancelled => {
            let mut f = f.clone();
            f.cancelled = false;
            f
        }
        k => k.relax(f),
    };
    f.selected = None;
    f
}

fn day_names(d: DaySet) -> String {
    const SHORT: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    if d == DaySet::WEEKDAYS {
        return "Weekdays".into();
    }
    if d == DaySet(0b110_0000) {
        return "Weekends".into();
    }
    let v: Vec<&str> = (0..7)
        .filter(|&i| d.contains(i))
        .map(|i| SHORT[i as usize])
        .collect();
    debug_assert_eq!(DAY_KEYS.len(), SHORT.len());
    v.join(", ")
}

fn date(day: i32) -> String {
    use chrono::Datelike;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    crate::url::date_of(day)
        .map(|d| format!("{} {}", d.day(), MONTHS[d.month0() as usize]))
        .unwrap_or_default()
}

/// The parts of the summary, in the order the filter panel shows them. `labels` gives an
/// activity's or accessibility concept's label from its id.
pub fn parts(f: &Filters, label: &dyn Fn(&str) -> Option<String>) -> Vec<Part> {
    let mut v = Vec::new();
    let mut push = |kind, text: String| v.push(Part { text, kind });
    if !f.activities.is_empty() {
        let names: Vec<String> = f
            .activities
            .iter()
            .map(|a| label(a).unwrap_or_else(|| "an activity".into()))
            .collect();
        push(FilterKind::Activity, names.join(" or "));
    }
    if let Some(c) = f
        .collection
        .as_deref()
        .and_then(crate::collections::position)
    {
        push(
            FilterKind::Collection,
            crate::collections::all()[c].label.clone(),
        );
    }
    if !f.suits.is_empty() {
        let names: Vec<String> = f.suits.iter().map(|k| crate::suits::key_label(k)).collect();
        push(
            FilterKind::Suits,
            format!("Suitable for {}", names.join(" and ")),
        );
    }
    if f.free {
        push(FilterKind::Price, "Free".into());
    } else if let Some(m) = f.max_price {
        push(
            FilterKind::Price,
            format!("Up to £{}", crate::display::fixed(m, 2)),
        );
    }
    match f.gender {
        GenderFilter::Any => {}
        GenderFilter::WomenOnly => push(FilterKind::Gender, "Women only".into()),
        GenderFilter::MenOnly => push(FilterKind::Gender, "Men only".into()),
        g => push(FilterKind::Gender, g.label().into()),
    }
    if f.beginner {
        push(FilterKind::Level, "Beginner-friendly".into());
    }
    if let Some(a) = f.age {
        push(FilterKind::Age, format!("Suitable at age {a}"));
    }
    if !f.accessibility.is_empty() {
        let names: Vec<String> = f
            .accessibility
            .iter()
            .map(|a| label(a).unwrap_or_else(|| "accessibility support".into()))
            .collect();
        push(
            FilterKind::Accessibility,
            format!("Support for {}", names.join(" and ").to_lowercase()),
        );
    }
    if f.wheelchair {
        push(FilterKind::Wheelchair, "Wheelchair accessible".into());
    }
    if !f.days.is_empty() {
        push(FilterKind::Days, day_names(f.days));
    }
    match &f.time {
        TimeOfDay::Any => {}
        TimeOfDay::Parts(p) => {
            let names: Vec<&str> = p
                .iter()
                .map(|p| match p {
                    DayPart::Morning => "mornings",
                    DayPart::Afternoon => "afternoons",
                    DayPart::Evening => "evenings",
                })
                .collect();
            let mut s = names.join(" or ");
            if let Some(c) = s.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            push(FilterKind::Time, s);
        }
        TimeOfDay::Range(a, b) => push(
            FilterKind::Time,
            format!(
                "Starting {} to {}",
                crate::url::fmt_minutes(*a),
                crate::url::fmt_minutes(*b)
            ),
        ),
    }
    match (f.from, f.to) {
        (None, None) => {}
        (Some(a), None) => push(FilterKind::Dates, format!("From {}", date(a))),
        (None, Some(b)) => push(FilterKind::Dates, format!("Until {}", date(b))),
        (Some(a), Some(b)) => push(FilterKind::Dates, format!("{} to {}", date(a), date(b))),
    }
    let r = crate::display::short(f.radius(), 1);
    match &f.place {
        Place::Anywhere => {}
        Place::Outward(o) => push(FilterKind::Place, format!("within {r} km of {o}")),
        Place::Point(..) => push(
            FilterKind::Place,
            format!("within {r} km of a chosen place"),
        ),
    }
    if !f.organiser.trim().is_empty() {
        push(
            FilterKind::Organiser,
            format!("Organiser or venue: “{}”", f.organiser.trim()),
        );
    }
    if !f.keyword.trim().is_empty() {
        push(
            FilterKind::Keyword,
            format!("Matching “{}”", f.keyword.trim()),
        );
    }
    if f.slots {
        push(FilterKind::Kind, "Including facility bookings".into());
    }
    if f.cancelled {
        push(FilterKind::Cancelled, "Showing cancelled sessions".into());
    }
    v
}

/// The summary as one line ("Free · Women only · within 2 km of E15").
pub fn line(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// "Aqua fit, Tue 1 Dec, 10:00am, Riverside Leisure Centre" for the occurrence at `pos`.
pub fn session_line(ix: &Index, pos: usize) -> String {
    let o = &ix.occurrences[pos];
    format!(
        "{}, {}, {}",
        o.name,
        crate::display::when(&o.start),
        ix.venues[ix.venue_of(pos)].name
    )
}

/// The message sent by WhatsApp, text or email: the sessions, one a line, then the link.
pub fn share_message(lines: &[String], link: &str) -> String {
    if lines.is_empty() {
        return format!("Physical activity sessions I found for you: {link}");
    }
    let mut s = String::from("Physical activity sessions chosen for you:\n");
    for (i, l) in lines.iter().enumerate() {
        s.push_str(&format!("{}. {l}\n", i + 1));
    }
    s.push_str(&format!("Details, maps and any changes: {link}"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_referral_example_reads_plainly_and_each_part_removes_its_filter() {
        let (f, _) = crate::url::decode(
            "v=1&near=E15&r=2&days=mon,tue,wed,thu,fri&tod=am&free=1&g=fo&lvl=beginner",
        );
        let p = parts(&f, &|_| None);
        assert_eq!(
            line(&p),
            "Free · Women only · Beginner-friendly · Weekdays · Mornings · within 2 km of E15"
        );
        for part in &p {
            let g = remove(&f, part.kind);
            let left = parts(&g, &|_| None);
            assert_eq!(left.len(), p.len() - 1, "{}", part.text);
            assert!(!left.iter().any(|q| q.text == part.text));
        }
        assert!(parts(&Filters::default(), &|_| None).is_empty());
    }

    #[test]
    fn other_filters_have_words_too() {
        let (f, _) = crate::url::decode(
            "v=1&act=abc&max=5&age=67&days=sat,sun&tod=09:00-12:30&from=2026-12-01&to=2026-12-14&q=aqua&slots=1&cx=1&wc=1",
        );
        let p = parts(&f, &|id| {
            id.ends_with("abc").then(|| "Swimming".to_string())
        });
        assert_eq!(
            line(&p),
            "Swimming · Up to £5.00 · Suitable at age 67 · Wheelchair accessible · Weekends · \
             Starting 09:00 to 12:30 · 1 Dec to 14 Dec · Matching “aqua” · \
             Including facility bookings · Showing cancelled sessions"
        );
        for part in &p {
            assert_eq!(parts(&remove(&f, part.kind), &|_| None).len(), p.len() - 1);
        }
    }

    #[test]
    fn the_share_message_lists_each_session_then_the_link() {
        let m = share_message(
            &[
                "Aqua fit, Tue 1 Dec, 10:00am, Riverside".into(),
                "Yoga, Wed 2 Dec, 6:00pm, Hall".into(),
            ],
            "https://x.example/?v=1&sl=abc",
        );
        assert_eq!(
            m,
            "Physical activity sessions chosen for you:\n1. Aqua fit, Tue 1 Dec, 10:00am, Riverside\n\
             2. Yoga, Wed 2 Dec, 6:00pm, Hall\nDetails, maps and any changes: https://x.example/?v=1&sl=abc"
        );
    }
}
