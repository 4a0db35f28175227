//! When: date-times and their offsets, an end before the start, and `eventSchedule` entries
//! ([`Schedule`]).

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::lenient::{self, IsoDuration, into_text, local_name, one_or_many, text};

use super::common::{clip, take_type};

/// A date-time, noting an offset that cannot be right for a UK venue (the instant is kept).
pub(super) fn dated(
    text: &str,
    field: &str,
    notes: &mut Vec<String>,
) -> Option<DateTime<FixedOffset>> {
    let t = lenient::datetime(text)?;
    if !lenient::uk_offset(t.offset()) {
        notes.push(format!(
            "`{field}` {text} has offset {}, not a UK offset (the instant is kept)",
            t.offset()
        ));
    }
    Some(t)
}

/// An `endDate` not after `startDate`: the next day when it plausibly crosses midnight (same
/// local date, evening start, small-hours end), otherwise unknown. Either way noted.
pub(super) fn check_end(
    start: Option<DateTime<FixedOffset>>,
    end: Option<DateTime<FixedOffset>>,
    notes: &mut Vec<String>,
) -> Option<DateTime<FixedOffset>> {
    let (Some(s), Some(e)) = (start, end) else {
        return end;
    };
    if e > s {
        return Some(e);
    }
    if e.date_naive() == s.date_naive() && lenient::crosses_midnight(s.time(), e.time()) {
        notes.push(format!(
            "`endDate` {e} is before `startDate` {s}: read as crossing midnight (next day)"
        ));
        return Some(e + chrono::TimeDelta::days(1));
    }
    notes.push(format!(
        "`endDate` {e} is not after `startDate` {s}: end unknown"
    ));
    None
}

/// Notes on a schedule entry: an `endTime` not after its `startTime`.
pub(super) fn schedule_notes(s: &Schedule, notes: &mut Vec<String>) {
    let st = s.start_time.as_deref();
    let et = s.end_time.as_deref();
    if let (Some(st), Some(et)) = (st, et) {
        match (lenient::time(st), lenient::time(et)) {
            (Some(a), Some(b)) if b <= a => {
                if lenient::crosses_midnight(a, b) {
                    notes.push(format!(
                        "schedule `endTime` {et} is before `startTime` {st}: read as crossing midnight (next day)"
                    ));
                } else {
                    notes.push(format!(
                        "schedule `endTime` {et} is not after `startTime` {st}: end unknown"
                    ));
                }
            }
            (None, _) => notes.push(format!("schedule `startTime` {} is not a time", clip(st))),
            _ => {}
        }
    }
}

/// One `eventSchedule` entry (Schedule or PartialSchedule), as published.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schedule {
    /// `@type` was `PartialSchedule`.
    pub partial: bool,
    /// `byDay` values (schema.org URLs or iCal `MO`…), as published.
    pub by_day: Vec<String>,
    /// `byMonthDay`.
    pub by_month_day: Vec<u32>,
    /// `byMonth` (1–12).
    pub by_month: Vec<u32>,
    /// `startDate` (a date, or the date part of a date-time).
    pub start_date: Option<String>,
    /// `endDate`.
    pub end_date: Option<String>,
    /// `startTime` (`HH:MM`).
    pub start_time: Option<String>,
    /// `endTime`.
    pub end_time: Option<String>,
    /// `duration`.
    pub duration: Option<IsoDuration>,
    /// `repeatFrequency`.
    pub repeat_frequency: Option<IsoDuration>,
    /// `repeatCount`.
    pub repeat_count: Option<u32>,
    /// `exceptDate` values as published (dates or date-times).
    pub except_dates: Vec<String>,
    /// `scheduleTimezone` or `beta:timeZone`.
    pub timezone: Option<String>,
    /// `idTemplate`.
    pub id_template: Option<String>,
    /// `urlTemplate`.
    pub url_template: Option<String>,
    /// `scheduledEventType`.
    pub scheduled_event_type: Option<String>,
}

impl Schedule {
    pub(super) fn from_value(v: Value) -> Option<Schedule> {
        let Value::Object(mut m) = v else {
            return None;
        };
        let ty = take_type(&mut m);
        let texts = |v: Option<Value>| -> Vec<String> {
            v.map(one_or_many)
                .unwrap_or_default()
                .iter()
                .filter_map(text)
                .collect()
        };
        let ints = |v: Option<Value>| -> Vec<u32> {
            v.map(one_or_many)
                .unwrap_or_default()
                .iter()
                .filter_map(lenient::integer)
                .filter_map(|i| u32::try_from(i).ok())
                .collect()
        };
        Some(Schedule {
            partial: ty.is_some_and(|t| local_name(&t).eq_ignore_ascii_case("PartialSchedule")),
            by_day: texts(m.remove("byDay")),
            by_month_day: ints(m.remove("byMonthDay")),
            by_month: ints(m.remove("byMonth")),
            start_date: m.remove("startDate").and_then(into_text),
            end_date: m.remove("endDate").and_then(into_text),
            start_time: m.remove("startTime").and_then(into_text),
            end_time: m.remove("endTime").and_then(into_text),
            duration: m
                .remove("duration")
                .and_then(into_text)
                .and_then(|d| lenient::duration(&d)),
            repeat_frequency: m
                .remove("repeatFrequency")
                .and_then(into_text)
                .and_then(|d| lenient::duration(&d)),
            repeat_count: m
                .remove("repeatCount")
                .as_ref()
                .and_then(lenient::integer)
                .and_then(|i| u32::try_from(i).ok()),
            except_dates: texts(m.remove("exceptDate")),
            timezone: m
                .remove("scheduleTimezone")
                .or_else(|| m.remove("beta:timeZone"))
                .or_else(|| m.remove("timeZone"))
                .and_then(into_text),
            id_template: m.remove("idTemplate").and_then(into_text),
            url_template: m.remove("urlTemplate").and_then(into_text),
            scheduled_event_type: m.remove("scheduledEventType").and_then(into_text),
        })
    }
}
