//! A timetable as a normalised rule (RFC 5545 `RRULE`, start time, length, zone, dates).

use chrono::{NaiveDate, Weekday};

use super::{Freq, freq_of, weekday};
use crate::lenient::{self};
use crate::model::Schedule;
use crate::occurrence::ScheduleRule;

/// The normalised rule of a schedule, with the same reading of frequency, days and times as
/// [`expand`](super::expand); `None` when the schedule is not a timetable (no readable start time, no
/// repetition, only unreadable days).
///
/// ```
/// use openactive::model::Schedule;
/// use openactive::schedule::rule;
/// let s = Schedule {
///     by_day: vec!["https://schema.org/Monday".into(), "schema:Thursday".into()],
///     start_time: Some("9:30:00".into()),
///     end_time: Some("10:15".into()),
///     end_date: Some("2027-03-01".into()),
///     ..Schedule::default()
/// };
/// let r = rule(&s).unwrap();
/// assert_eq!(r.rrule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH");
/// assert_eq!((r.start_time.as_str(), r.duration_minutes), ("09:30", Some(45)));
/// assert_eq!(r.end_date.as_deref(), Some("2027-03-01"));
/// assert_eq!(r.timezone, "Europe/London");
/// ```
pub fn rule(s: &Schedule) -> Option<ScheduleRule> {
    let start_time = s.start_time.as_deref().and_then(lenient::time)?;
    let mut days: Vec<Weekday> = s.by_day.iter().filter_map(|d| weekday(d)).collect();
    if !s.by_day.is_empty() && days.is_empty() {
        return None;
    }
    days.sort_by_key(Weekday::num_days_from_monday);
    days.dedup();
    let freq = freq_of(s, !days.is_empty())?;
    let (name, interval) = match freq {
        Freq::Days(n) => ("DAILY", n),
        Freq::Weeks(n) => ("WEEKLY", n),
        Freq::Months(n) => ("MONTHLY", n),
    };
    let mut rrule = format!("FREQ={name};INTERVAL={interval}");
    let ical = |d: &Weekday| match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    };
    let list = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
    if !days.is_empty() {
        rrule.push_str(";BYDAY=");
        rrule.push_str(&days.iter().map(ical).collect::<Vec<_>>().join(","));
    }
    if !s.by_month_day.is_empty() {
        rrule.push_str(";BYMONTHDAY=");
        rrule.push_str(&list(&s.by_month_day));
    }
    if !s.by_month.is_empty() {
        rrule.push_str(";BYMONTH=");
        rrule.push_str(&list(&s.by_month));
    }
    if let Some(c) = s.repeat_count {
        rrule.push_str(&format!(";COUNT={c}"));
    }
    let tz = lenient::timezone(s.timezone.as_deref());
    let end_time = s
        .end_time
        .as_deref()
        .and_then(lenient::time)
        .filter(|et| *et > start_time || lenient::crosses_midnight(start_time, *et));
    let duration_minutes = match end_time {
        Some(et) => {
            let mins = (et - start_time).num_minutes();
            Some(if mins > 0 { mins } else { mins + 24 * 60 })
        }
        None => s
            .duration
            .and_then(|d| d.to_timedelta())
            .map(|d| d.num_minutes())
            .filter(|m| *m > 0),
    }
    .and_then(|m| u32::try_from(m).ok());
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let except_dates = s
        .except_dates
        .iter()
        .filter_map(|e| {
            if e.trim().len() > 10 {
                lenient::datetime(e).map(|t| t.with_timezone(&tz).date_naive())
            } else {
                lenient::date(e)
            }
        })
        .map(day)
        .collect();
    Some(ScheduleRule {
        rrule,
        start_time: start_time.format("%H:%M").to_string(),
        duration_minutes,
        timezone: tz.name().to_string(),
        start_date: s.start_date.as_deref().and_then(lenient::date).map(day),
        end_date: s.end_date.as_deref().and_then(lenient::date).map(day),
        except_dates,
    })
}
