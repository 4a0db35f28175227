//! Dates and times in London time, durations, and how fresh a listing is.

use chrono::{DateTime, FixedOffset, Utc};
use openactive::Occurrence;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Mon 30 Nov, 9:00am" in London time. (Written by hand rather than with chrono's `format`,
/// whose format-string machinery would cost the app's download about 5 KiB.)
pub fn when(start: &DateTime<FixedOffset>) -> String {
    use chrono::Datelike;
    let l = crate::london::local(start);
    format!(
        "{} {} {}, {}",
        WEEKDAYS[l.weekday().num_days_from_monday() as usize],
        l.day(),
        MONTHS[l.month0() as usize],
        clock(&l)
    )
}

/// How long ago `then` was, in plain words: "just now", "5 minutes ago", "2 hours ago",
/// "3 days ago".
///
/// ```
/// use chrono::{DateTime, Duration};
/// let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z").unwrap();
/// assert_eq!(finder::display::age(&(now - Duration::seconds(20)), &now), "just now");
/// assert_eq!(finder::display::age(&(now - Duration::minutes(1)), &now), "1 minute ago");
/// assert_eq!(finder::display::age(&(now - Duration::minutes(130)), &now), "2 hours ago");
/// assert_eq!(finder::display::age(&(now - Duration::days(3)), &now), "3 days ago");
/// ```
pub fn age(then: &DateTime<FixedOffset>, now: &DateTime<FixedOffset>) -> String {
    let secs = (*now - *then).num_seconds().max(0);
    let (n, unit) = match secs {
        0..60 => return "just now".into(),
        60..3600 => (secs / 60, "minute"),
        3600..86400 => (secs / 3600, "hour"),
        _ => (secs / 86400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// "9:00am"-style clock time.
fn clock<T: chrono::TimeZone>(t: &DateTime<T>) -> String {
    use chrono::Timelike;
    let (pm, hour) = t.hour12();
    format!("{hour}:{:02}{}", t.minute(), if pm { "pm" } else { "am" })
}

/// "9:00am to 10:00am (1 hour)" or just the start time.
pub fn time_span(o: &Occurrence) -> String {
    let s = crate::london::local(&o.start);
    match o.end {
        Some(e) if e > o.start => {
            let mins = (e - o.start).num_minutes();
            format!(
                "{} to {} ({})",
                clock(&s),
                clock(&crate::london::local(&e)),
                duration(mins)
            )
        }
        _ => clock(&s),
    }
}

/// "45 minutes", "1 hour", "1 hour 30 minutes".
pub fn duration(mins: i64) -> String {
    let (h, m) = (mins / 60, mins % 60);
    let hs = match h {
        0 => String::new(),
        1 => "1 hour".into(),
        h => format!("{h} hours"),
    };
    match (h, m) {
        (_, 0) => hs,
        (0, m) => format!("{m} minutes"),
        (_, m) => format!("{hs} {m} minutes"),
    }
}

/// How long ago `then` was, short, for the trust line: "just now", "5 min ago",
/// "3 hours ago", "3 days ago", and from a week on the London date: "on 12 Oct" (with the year
/// when it is not this year's). A time in the future (clock skew) reads "just now".
pub fn ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let secs = (now - then).num_seconds().max(0);
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match secs {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86400 => plural(secs / 3600, "hour"),
        86400..604800 => plural(secs / 86400, "day"),
        _ => {
            let (l, n) = (crate::london::local(&then), crate::london::local(&now));
            let mut s = format!("on {} {}", l.day(), MONTHS[l.month0() as usize]);
            if l.year() != n.year() {
                s.push_str(&format!(" {}", l.year()));
            }
            s
        }
    }
}

/// Who listed a session and how fresh it is, for every card and session page:
/// "Listed by Northgate Active Trust · updated 3 days ago · checked 5 min ago".
/// `updated` is the item's last change, `checked` the feed's last successful read; either is
/// left out when unknown. When the publisher is not answering, the check says so.
pub fn trust_line(
    publisher: &str,
    updated: Option<DateTime<Utc>>,
    checked: Option<DateTime<Utc>>,
    answering: bool,
    now: DateTime<Utc>,
) -> String {
    let mut s = format!("Listed by {}", publisher.trim());
    if let Some(u) = updated {
        s.push_str(&format!(" · updated {}", ago(u, now)));
    }
    match (checked, answering) {
        (Some(c), true) => s.push_str(&format!(" · checked {}", ago(c, now))),
        (Some(c), false) => s.push_str(&format!(
            " · last checked {}; the publisher is not answering",
            ago(c, now)
        )),
        (None, false) => s.push_str(" · the publisher is not answering"),
        (None, true) => {}
    }
    s
}

/// How far ahead the publisher lists dates for a series: "Dates listed until Mon 14 Dec"
/// (London date; the year added when it is not this year's).
pub fn listed_until(until: &DateTime<FixedOffset>, now: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let (l, n) = (crate::london::local(until), crate::london::local(&now));
    let mut s = format!(
        "Dates listed until {} {} {}",
        WEEKDAYS[l.weekday().num_days_from_monday() as usize],
        l.day(),
        MONTHS[l.month0() as usize]
    );
    if l.year() != n.year() {
        s.push_str(&format!(" {}", l.year()));
    }
    s
}
