//! A timetable expanded into dated occurrences in its local wall-clock time.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, TimeDelta, Utc, Weekday};

use super::{Freq, freq_of, weekday};
use crate::lenient::{self, local_to_instant};
use crate::model::Schedule;

/// At most this many days are walked per schedule (about 11 years).
const MAX_DAYS: i64 = 4_000;
/// At most this many occurrences are produced per schedule.
const MAX_OCCURRENCES: usize = 5_000;

/// One generated occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledOccurrence {
    /// Start instant, with the local offset of the schedule's zone.
    pub start: DateTime<FixedOffset>,
    /// End instant when `endTime` or `duration` is known.
    pub end: Option<DateTime<FixedOffset>>,
    /// `idTemplate` filled in.
    pub id: Option<String>,
    /// `urlTemplate` filled in (http(s) only).
    pub url: Option<String>,
}

fn fill(
    template: &str,
    start: &DateTime<FixedOffset>,
    end: Option<&DateTime<FixedOffset>>,
) -> String {
    let fmt = |t: &DateTime<FixedOffset>| {
        t.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    };
    let mut out = template.replace("{startDate}", &fmt(start));
    if let Some(e) = end {
        out = out.replace("{endDate}", &fmt(e));
    }
    out
}

fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

fn week_start(d: NaiveDate) -> NaiveDate {
    d - TimeDelta::days(i64::from(d.weekday().num_days_from_monday()))
}

/// Expands one schedule into occurrences starting within `[from, until]`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use openactive::model::Schedule;
/// use openactive::schedule::expand;
/// let s = Schedule {
///     by_day: vec!["https://schema.org/Monday".into()],
///     start_time: Some("19:00".into()),
///     end_time: Some("19:45".into()),
///     ..Schedule::default()
/// };
/// let from = Utc.with_ymd_and_hms(2026, 3, 20, 0, 0, 0).unwrap();
/// let until = Utc.with_ymd_and_hms(2026, 4, 3, 0, 0, 0).unwrap();
/// let occ = expand(&s, from, until);
/// assert_eq!(occ[0].start.to_rfc3339(), "2026-03-23T19:00:00+00:00");
/// assert_eq!(occ[1].start.to_rfc3339(), "2026-03-30T19:00:00+01:00"); // after the clocks change
/// assert_eq!(occ.len(), 2);
/// ```
pub fn expand(s: &Schedule, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<ScheduledOccurrence> {
    let mut out = Vec::new();
    if until < from {
        return out;
    }
    let Some(start_time) = s.start_time.as_deref().and_then(lenient::time) else {
        return out;
    };
    let tz = lenient::timezone(s.timezone.as_deref());
    let by_day: HashSet<Weekday> = s.by_day.iter().filter_map(|d| weekday(d)).collect();
    if !s.by_day.is_empty() && by_day.is_empty() {
        return out; // only PublicHolidays or unreadable days
    }
    let start_date = s.start_date.as_deref().and_then(lenient::date);
    let end_date = s.end_date.as_deref().and_then(lenient::date);
    let Some(freq) = freq_of(s, !by_day.is_empty()) else {
        return out;
    };
    let from_local = from.with_timezone(&tz).date_naive();
    let until_local = until.with_timezone(&tz).date_naive();
    let anchor = start_date.unwrap_or(from_local);
    let weekly_days: HashSet<Weekday> = if by_day.is_empty() {
        std::iter::once(anchor.weekday()).collect()
    } else {
        by_day.clone()
    };
    let first = if s.repeat_count.is_some() {
        anchor
    } else {
        anchor.max(from_local - TimeDelta::days(1))
    };
    let mut last = until_local + TimeDelta::days(1);
    if let Some(e) = end_date {
        last = last.min(e);
    }
    if (last - first).num_days() > MAX_DAYS {
        last = first + TimeDelta::days(MAX_DAYS);
    }
    let mut except_days = HashSet::new();
    let mut except_instants = HashSet::new();
    for e in &s.except_dates {
        if e.trim().len() > 10 {
            if let Some(t) = lenient::datetime(e) {
                except_instants.insert(t.with_timezone(&Utc));
            }
        } else if let Some(d) = lenient::date(e) {
            except_days.insert(d);
        }
    }
    let end_time = s.end_time.as_deref().and_then(lenient::time);
    let duration = s
        .duration
        .and_then(|d| d.to_timedelta())
        .filter(|d| *d > TimeDelta::zero());

    let mut count: u32 = 0;
    let mut d = first;
    while d <= last && out.len() < MAX_OCCURRENCES {
        let matches = match freq {
            Freq::Days(n) => {
                (d - anchor).num_days().rem_euclid(n) == 0
                    && (by_day.is_empty() || by_day.contains(&d.weekday()))
            }
            Freq::Weeks(n) => {
                weekly_days.contains(&d.weekday())
                    && ((week_start(d) - week_start(anchor)).num_days() / 7).rem_euclid(n) == 0
            }
            Freq::Months(n) => {
                (month_index(d) - month_index(anchor)).rem_euclid(n) == 0
                    && if s.by_month_day.is_empty() {
                        d.day() == anchor.day()
                    } else {
                        s.by_month_day.contains(&d.day())
                    }
                    && (by_day.is_empty() || by_day.contains(&d.weekday()))
            }
        } && (s.by_month.is_empty() || s.by_month.contains(&d.month()))
            && d >= anchor;
        if matches {
            count += 1;
            if s.repeat_count.is_some_and(|c| count > c) {
                break;
            }
            if !except_days.contains(&d) {
                let start = local_to_instant(tz, d.and_time(start_time));
                let end = match end_time
                    .filter(|et| *et > start_time || lenient::crosses_midnight(start_time, *et))
                {
                    Some(et) => {
                        let day = if et > start_time {
                            d
                        } else {
                            d + TimeDelta::days(1)
                        };
                        let local_end = day.and_time(et);
                        let end = local_to_instant(tz, local_end);
                        // A start shifted out of a DST gap keeps its wall-clock length.
                        Some(if end > start {
                            end
                        } else {
                            start + (local_end - d.and_time(start_time))
                        })
                    }
                    None => duration.map(|dur| start + dur),
                };
                let start_utc = start.with_timezone(&Utc);
                if !except_instants.contains(&start_utc) && start_utc >= from && start_utc <= until
                {
                    out.push(ScheduledOccurrence {
                        id: s
                            .id_template
                            .as_deref()
                            .map(|t| fill(t, &start, end.as_ref())),
                        url: s
                            .url_template
                            .as_deref()
                            .and_then(|t| lenient::http_url(&fill(t, &start, end.as_ref()))),
                        start,
                        end,
                    });
                }
            }
        }
        d += TimeDelta::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap()
    }

    fn sched(days: &[&str], start: &str, end: Option<&str>) -> Schedule {
        Schedule {
            by_day: days.iter().map(|d| d.to_string()).collect(),
            start_time: Some(start.into()),
            end_time: end.map(Into::into),
            repeat_frequency: lenient::duration("P1W"),
            ..Schedule::default()
        }
    }

    #[test]
    fn spring_forward_gap_last_sunday_of_march_2026() {
        // 29 March 2026: London clocks go 01:00 GMT -> 02:00 BST; 01:30 does not exist.
        let s = sched(&["SU"], "01:30", Some("02:30"));
        let occ = expand(&s, utc(2026, 3, 21), utc(2026, 4, 6));
        let starts: Vec<_> = occ.iter().map(|o| o.start.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2026-03-22T01:30:00+00:00",
                "2026-03-29T02:30:00+01:00",
                "2026-04-05T01:30:00+01:00"
            ]
        );
        // The shifted start keeps its one-hour wall-clock length.
        assert_eq!(
            occ[1].end.unwrap().to_rfc3339(),
            "2026-03-29T03:30:00+01:00"
        );
        // A normal evening session keeps its wall-clock time across the change.
        let s = sched(&["https://schema.org/Sunday"], "19:00", Some("20:00"));
        let occ = expand(&s, utc(2026, 3, 21), utc(2026, 4, 1));
        assert_eq!(occ[0].start.to_rfc3339(), "2026-03-22T19:00:00+00:00");
        assert_eq!(occ[1].start.to_rfc3339(), "2026-03-29T19:00:00+01:00");
        assert_eq!(
            occ[1].start.with_timezone(&Utc).to_rfc3339(),
            "2026-03-29T18:00:00+00:00"
        );
    }

    #[test]
    fn fall_back_ambiguity_last_sunday_of_october_2026() {
        // 25 October 2026: 02:00 BST -> 01:00 GMT; 01:30 happens twice. We take the first.
        let s = sched(&["http://schema.org/Sunday"], "01:30", None);
        let s = Schedule {
            duration: lenient::duration("PT1H"),
            ..s
        };
        let occ = expand(&s, utc(2026, 10, 20), utc(2026, 11, 2));
        assert_eq!(occ[0].start.to_rfc3339(), "2026-10-25T01:30:00+01:00");
        // A one-hour duration is exact elapsed time: ends at 01:30 GMT (the second 01:30).
        assert_eq!(
            occ[0].end.unwrap().with_timezone(&Utc).to_rfc3339(),
            "2026-10-25T01:30:00+00:00"
        );
        assert_eq!(occ[1].start.to_rfc3339(), "2026-11-01T01:30:00+00:00");
        let s = sched(&["SU"], "10:00", Some("11:00"));
        let occ = expand(&s, utc(2026, 10, 20), utc(2026, 11, 2));
        assert_eq!(occ[0].start.to_rfc3339(), "2026-10-25T10:00:00+00:00");
        assert_eq!(
            occ[0].end.unwrap().to_rfc3339(),
            "2026-10-25T11:00:00+00:00"
        );
    }

    #[test]
    fn except_dates_and_templates_and_counts() {
        let s = Schedule {
            start_date: Some("2026-01-05".into()),
            end_date: Some("2026-02-28".into()),
            except_dates: vec!["2026-01-12".into(), "2026-01-19T18:00:00Z".into()],
            id_template: Some("https://ex.org/s/1/{startDate}".into()),
            url_template: Some("https://ex.org/book?at={startDate}&to={endDate}".into()),
            ..sched(&["MO"], "18:00", Some("19:00"))
        };
        let occ = expand(&s, utc(2026, 1, 1), utc(2026, 1, 31));
        let days: Vec<_> = occ
            .iter()
            .map(|o| o.start.date_naive().to_string())
            .collect();
        assert_eq!(days, ["2026-01-05", "2026-01-26"]);
        assert_eq!(
            occ[0].id.as_deref(),
            Some("https://ex.org/s/1/2026-01-05T18:00:00Z")
        );
        assert_eq!(
            occ[0].url.as_deref(),
            Some("https://ex.org/book?at=2026-01-05T18:00:00Z&to=2026-01-05T19:00:00Z")
        );
        let daily = Schedule {
            start_date: Some("2018-08-01".into()),
            repeat_count: Some(3),
            repeat_frequency: lenient::duration("P1D"),
            start_time: Some("09:00".into()),
            duration: lenient::duration("PT8H"),
            ..Schedule::default()
        };
        let occ = expand(&daily, utc(2018, 1, 1), utc(2019, 1, 1));
        assert_eq!(occ.len(), 3);
        assert_eq!(occ[2].start.to_rfc3339(), "2018-08-03T09:00:00+01:00");
        assert_eq!(
            occ[2].end.unwrap().to_rfc3339(),
            "2018-08-03T17:00:00+01:00"
        );
    }

    #[test]
    fn fortnightly_and_monthly() {
        let s = Schedule {
            start_date: Some("2026-01-06".into()),
            repeat_frequency: lenient::duration("P2W"),
            ..sched(&["TU"], "10:00", None)
        };
        let occ = expand(&s, utc(2026, 1, 1), utc(2026, 2, 10));
        let days: Vec<_> = occ
            .iter()
            .map(|o| o.start.date_naive().to_string())
            .collect();
        assert_eq!(days, ["2026-01-06", "2026-01-20", "2026-02-03"]);
        let m = Schedule {
            start_date: Some("2026-01-01".into()),
            repeat_frequency: lenient::duration("P1M"),
            by_month_day: vec![15],
            start_time: Some("12:00".into()),
            ..Schedule::default()
        };
        assert_eq!(expand(&m, utc(2026, 1, 1), utc(2026, 4, 1)).len(), 3);
        let nothing = Schedule {
            start_time: Some("12:00".into()),
            ..Schedule::default()
        };
        assert!(expand(&nothing, utc(2026, 1, 1), utc(2026, 4, 1)).is_empty());
    }
}
