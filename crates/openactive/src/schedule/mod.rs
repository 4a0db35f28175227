//! Expands `eventSchedule` (Schedule and PartialSchedule) into dated occurrences in the
//! schedule's local wall-clock time (default Europe/London), correct across DST.
//!
//! Rules (documented choices):
//! - `repeatFrequency` `PnD`, `PnW` (with `byDay`, schema.org URLs or iCal `MO`…) and `PnM`
//!   (with `byMonthDay`) are supported; intervals count from `startDate` (else from `from`).
//!   Without a frequency, `byDay` implies weekly and `byMonthDay` monthly; with none of the
//!   three nothing is generated (a bare `startTime` is not a timetable).
//! - `repeatCount` counts occurrences from `startDate`, including excepted ones (RFC 5545).
//! - `exceptDate` as a Date removes that local day; as a DateTime, the occurrence starting at
//!   that instant.
//! - DST: a start time inside the spring-forward gap moves forward by the gap (01:30 → 02:30
//!   BST); an ambiguous time in the autumn fall-back takes the first (BST) instant. See
//!   [`crate::lenient::local_to_instant`].
//! - End: `endTime` on the same day; an `endTime` not after `startTime` is the next day when
//!   it plausibly crosses midnight (evening start, small-hours end, see
//!   [`crate::lenient::crosses_midnight`]), otherwise it is ignored (end from `duration`, else
//!   unknown; the reader flags the item).
//! - `idTemplate` / `urlTemplate`: RFC 6570 level 1 `{startDate}` / `{endDate}` substitution
//!   with UTC RFC 3339 instants (`2026-03-30T18:00:00Z`).

//!
//! `rule.rs` gives a timetable's normalised rule (what a pack carries), `expand.rs` its dated
//! occurrences; both read frequency and days through this file.

mod expand;
mod rule;

pub use crate::occurrence::ScheduleRule;
pub use expand::{ScheduledOccurrence, expand};
pub use rule::rule;

use chrono::Weekday;

use crate::lenient;
use crate::model::Schedule;

/// Reads a `byDay` value: `https://schema.org/Monday`, `http://schema.org/Monday`,
/// `schema:Monday`, `Monday`, or iCal `MO` (an ordinal prefix such as `1MO` is ignored).
///
/// ```
/// use chrono::Weekday;
/// use openactive::schedule::weekday;
/// assert_eq!(weekday("http://schema.org/Tuesday"), Some(Weekday::Tue));
/// assert_eq!(weekday("SU"), Some(Weekday::Sun));
/// assert_eq!(weekday("-1FR"), Some(Weekday::Fri));
/// assert_eq!(weekday("https://schema.org/PublicHolidays"), None);
/// ```
pub fn weekday(s: &str) -> Option<Weekday> {
    let name = lenient::local_name(s)
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
        .to_ascii_lowercase();
    Some(match name.as_str() {
        "monday" | "mo" | "mon" => Weekday::Mon,
        "tuesday" | "tu" | "tue" | "tues" => Weekday::Tue,
        "wednesday" | "we" | "wed" => Weekday::Wed,
        "thursday" | "th" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "friday" | "fr" | "fri" => Weekday::Fri,
        "saturday" | "sa" | "sat" => Weekday::Sat,
        "sunday" | "su" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

pub(super) enum Freq {
    Days(i64),
    Weeks(i64),
    Months(i64),
}

/// The repetition of a schedule: `repeatFrequency`, else weekly with `byDay`, else monthly
/// with `byMonthDay`; `None` for sub-day or zero frequencies and bare times (not timetables).
pub(super) fn freq_of(s: &Schedule, has_days: bool) -> Option<Freq> {
    match s.repeat_frequency {
        Some(f) if f.months > 0 => Some(Freq::Months(i64::from(f.months))),
        Some(f) if f.days > 0 && f.seconds == 0 => Some(if f.days % 7 == 0 {
            Freq::Weeks(i64::from(f.days / 7))
        } else {
            Freq::Days(i64::from(f.days))
        }),
        Some(_) => None,
        None if has_days => Some(Freq::Weeks(1)),
        None if !s.by_month_day.is_empty() => Some(Freq::Months(1)),
        None => None,
    }
}
