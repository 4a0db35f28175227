//! Calendar files (RFC 5545), written by hand: one `VEVENT` per session, a weekly series as one
//! `VEVENT` with an `RRULE`, and one calendar for a whole shortlist. Times are London wall-clock
//! times with a `Europe/London` `VTIMEZONE` (BST and GMT rules), so a 10:00 session stays at
//! 10:00 on both sides of a clock change. Text is escaped (`\\`, `;`, `,`, newlines), lines are
//! folded at 75 octets without splitting a UTF-8 character, and lines end with CRLF.

use crate::index::Index;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

/// The `VTIMEZONE` of Europe/London since 1996 (EU rules: last Sunday of March 01:00 UTC to last
/// Sunday of October 01:00 UTC).
pub const LONDON_VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/London\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0000\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:BST\r\n\
DTSTART:19810329T010000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0000\r\n\
TZNAME:GMT\r\n\
DTSTART:19961027T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// One event of a calendar file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    /// Unique id (stable: the session's or series' `@id`).
    pub uid: String,
    /// Title.
    pub summary: String,
    /// Plain-text description.
    pub description: String,
    /// Venue and address.
    pub location: String,
    /// Booking or information page (http(s) only; anything else is left out).
    pub url: Option<String>,
    /// London local start.
    pub start: NaiveDateTime,
    /// London local end.
    pub end: Option<NaiveDateTime>,
    /// A repeat rule (`FREQ=WEEKLY;BYDAY=MO`…), without `UNTIL`.
    pub rrule: Option<String>,
    /// Last local date of the repeats (inclusive), written as `UNTIL` in UTC.
    pub until: Option<NaiveDate>,
    /// Local starts the rule skips.
    pub except: Vec<NaiveDateTime>,
    /// Cancelled by the organiser.
    pub cancelled: bool,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (continuations start with a space), never inside a
/// UTF-8 character, and ends every line with CRLF.
pub fn fold(line: &str, out: &mut String) {
    let mut used = 0;
    let mut first = true;
    for c in line.chars() {
        let n = c.len_utf8();
        let limit = if first { 75 } else { 74 };
        if used + n > limit {
            out.push_str("\r\n ");
            used = 0;
            first = false;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

fn local(t: NaiveDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn utc(t: DateTime<Utc>) -> String {
    format!("{}Z", local(t.naive_utc()))
}

/// The last instant of a London date, in UTC (for `UNTIL`).
fn end_of_day_utc(d: NaiveDate) -> Option<DateTime<Utc>> {
    crate::london::earliest_utc(d.and_hms_opt(23, 59, 59)?)
}

/// Is `rrule` made only of the parts we understand (no injection of other properties)?
fn clean_rule(r: &str) -> bool {
    !r.is_empty()
        && r.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b';' | b',' | b'-' | b'+'))
        && !r.contains("UNTIL")
}

/// A whole calendar with these events; `stamp` is `DTSTAMP` (when the file was made).
pub fn calendar(events: &[Event], stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Activity Finder//Shortlist//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    out.push_str(LONDON_VTIMEZONE);
    for e in events {
        let mut line = |s: &str| fold(s, &mut out);
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape(&e.uid)));
        line(&format!("DTSTAMP:{}", utc(stamp)));
        line(&format!("DTSTART;TZID=Europe/London:{}", local(e.start)));
        if let Some(end) = e.end.filter(|end| *end > e.start) {
            line(&format!("DTEND;TZID=Europe/London:{}", local(end)));
        }
        if let Some(r) = e.rrule.as_deref().filter(|r| clean_rule(r)) {
            match e.until.and_then(end_of_day_utc) {
                Some(u) => line(&format!("RRULE:{r};UNTIL={}", utc(u))),
                None => line(&format!("RRULE:{r}")),
            }
            for x in &e.except {
                line(&format!("EXDATE;TZID=Europe/London:{}", local(*x)));
            }
        }
        line(&format!("SUMMARY:{}", escape(&e.summary)));
        if !e.location.is_empty() {
            line(&format!("LOCATION:{}", escape(&e.location)));
        }
        if !e.description.is_empty() {
            line(&format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if let Some(u) = e.url.as_deref().and_then(crate::display::safe_link)
            && !u.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            line(&format!("URL:{u}"));
        }
        if e.cancelled {
            line("STATUS:CANCELLED");
        }
        line("END:VEVENT");
    }
    fold("END:VCALENDAR", &mut out);
    out
}

fn london(t: &DateTime<chrono::FixedOffset>) -> NaiveDateTime {
    crate::london::local(t).naive_local()
}

/// The event of one dated session (the occurrence at `pos`).
pub fn session_event(ix: &Index, pos: usize) -> Event {
    let o = &ix.occurrences[pos];
    let venue = &ix.venues[ix.venue_of(pos)];
    let location: Vec<String> = std::iter::once(venue.name.clone())
        .chain(o.venue.address.iter().cloned())
        .chain(o.venue.postcode.clone())
        .filter(|s| !s.is_empty())
        .collect();
    let mut description = vec![crate::display::price(o)];
    if let Some(d) = &o.description {
        description.push(d.clone());
    }
    description.push(format!("Source: {}", ix.dataset_of(pos).publisher));
    Event {
        uid: o.key.clone(),
        summary: o.name.clone(),
        description: description.join("\n"),
        location: location.join(", "),
        url: o.url.clone(),
        start: london(&o.start),
        end: o.end.as_ref().map(london),
        cancelled: o.cancelled,
        ..Event::default()
    }
}

/// The event of the whole series of the occurrence at `pos`: one repeating event when the
/// series publishes a timetable in London time, else every listed date of the series.
pub fn series_events(ix: &Index, pos: usize) -> Vec<Event> {
    let o = &ix.occurrences[pos];
    if let Some(rule) = o
        .schedule
        .as_ref()
        .filter(|r| r.timezone == "Europe/London" && clean_rule(&r.rrule))
    {
        let first = rule
            .start_date
            .as_deref()
            .and_then(crate::url::parse_date)
            .unwrap_or_else(|| london(&o.start).date());
        let time = crate::url::parse_minutes(&rule.start_time)
            .and_then(|m| chrono::NaiveTime::from_hms_opt(m as u32 / 60, m as u32 % 60, 0));
        if let Some(time) = time {
            // The first date may not be a day the rule repeats on: start at the first listed
            // date instead, which always is.
            let listed = ix.series_dates(pos);
            let start = listed
                .first()
                .map(|&p| london(&ix.occurrences[p].start))
                .filter(|s| s.time() == time)
                .unwrap_or_else(|| first.and_time(time));
            let mut e = session_event(ix, pos);
            e.uid = o.series_key.clone().unwrap_or_else(|| o.key.clone());
            e.start = start;
            e.end = rule
                .duration_minutes
                .map(|m| start + chrono::Duration::minutes(m as i64));
            e.rrule = Some(rule.rrule.clone());
            e.until = rule.end_date.as_deref().and_then(crate::url::parse_date);
            e.except = rule
                .except_dates
                .iter()
                .filter_map(|d| crate::url::parse_date(d))
                .map(|d| d.and_time(time))
                .collect();
            e.cancelled = false;
            return vec![e];
        }
    }
    ix.series_dates(pos)
        .into_iter()
        .map(|p| session_event(ix, p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
    }

    #[test]
    fn folding_is_at_75_octets_and_utf8_safe() {
        let line = format!("SUMMARY:{}", "é".repeat(100));
        let mut out = String::new();
        fold(&line, &mut out);
        for (i, l) in out.split("\r\n").filter(|l| !l.is_empty()).enumerate() {
            assert!(l.len() <= 75, "{l}");
            assert_eq!(i > 0, l.starts_with(' '));
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn rules_cannot_inject_lines() {
        assert!(!clean_rule("FREQ=WEEKLY\r\nATTACH:x"));
        assert!(!clean_rule("FREQ=WEEKLY;UNTIL=20270101"));
        assert!(clean_rule("FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH"));
    }
}
