//! Small, forgiving readers for real-world OpenActive JSON: one-or-many, numbers as strings,
//! `http`/`https` schema.org prefixes, dates with or without offsets, ISO 8601 durations.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;
use serde_json::Value;

/// Non-empty trimmed text from a JSON string (numbers and booleans are rendered as text).
///
/// ```
/// use openactive::lenient::text;
/// use serde_json::json;
/// assert_eq!(text(&json!("  Yoga ")), Some("Yoga".to_string()));
/// assert_eq!(text(&json!(42)), Some("42".to_string()));
/// assert_eq!(text(&json!("")), None);
/// assert_eq!(text(&json!({"a": 1})), None);
/// ```
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Like [`text`] but takes ownership, avoiding a copy when the string is already trimmed.
pub fn into_text(v: Value) -> Option<String> {
    match v {
        Value::String(s) => {
            if s.trim().len() == s.len() {
                (!s.is_empty()).then_some(s)
            } else {
                let t = s.trim();
                (!t.is_empty()).then(|| t.to_string())
            }
        }
        other => text(&other),
    }
}

/// A number, accepting numbers published as strings (`"5.95"`, `" 0.00 "`).
///
/// ```
/// use openactive::lenient::number;
/// use serde_json::json;
/// assert_eq!(number(&json!("0.00")), Some(0.0));
/// assert_eq!(number(&json!(5.5)), Some(5.5));
/// assert_eq!(number(&json!("free")), None);
/// assert_eq!(number(&json!("NaN")), None);
/// ```
pub fn number(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().trim_start_matches('£').parse::<f64>().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// An integer, accepting integral floats and strings (`"12"`, `12.0`).
///
/// ```
/// use openactive::lenient::integer;
/// use serde_json::json;
/// assert_eq!(integer(&json!("12")), Some(12));
/// assert_eq!(integer(&json!(3.0)), Some(3));
/// assert_eq!(integer(&json!(3.5)), None);
/// ```
pub fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>()
                .ok()
                .or_else(|| integer(&Value::from(t.parse::<f64>().ok()?)))
        }
        _ => None,
    }
}

/// A boolean, accepting `"true"`/`"false"` strings.
///
/// ```
/// use openactive::lenient::boolean;
/// use serde_json::json;
/// assert_eq!(boolean(&json!("True")), Some(true));
/// assert_eq!(boolean(&json!(false)), Some(false));
/// assert_eq!(boolean(&json!(1)), None);
/// ```
pub fn boolean(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// One-or-many: an array becomes its elements, `null` nothing, anything else one element.
///
/// ```
/// use openactive::lenient::one_or_many;
/// use serde_json::json;
/// assert_eq!(one_or_many(json!(["a", "b"])).len(), 2);
/// assert_eq!(one_or_many(json!("a")).len(), 1);
/// assert!(one_or_many(json!(null)).is_empty());
/// ```
pub fn one_or_many(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// The local name of an enumeration or type value: strips `https://schema.org/`,
/// `http://schema.org/`, `https://openactive.io/`, `oa:`, `schema:`, `…ns#` and similar prefixes.
///
/// ```
/// use openactive::lenient::local_name;
/// assert_eq!(local_name("http://schema.org/Monday"), "Monday");
/// assert_eq!(local_name("https://openactive.io/FemaleOnly"), "FemaleOnly");
/// assert_eq!(local_name("http://openactive.io/ns#None"), "None");
/// assert_eq!(local_name("oa:None"), "None");
/// assert_eq!(local_name(" Organization "), "Organization");
/// assert_eq!(local_name("beta:Cafe"), "Cafe");
/// ```
pub fn local_name(s: &str) -> &str {
    let s = s.trim();
    let cut = s.rfind(['/', '#', ':']).map_or(0, |i| i + 1);
    &s[cut..]
}

/// Keeps a URL only when it is an absolute `http(s)` URL (feed text is untrusted).
///
/// ```
/// use openactive::lenient::http_url;
/// assert_eq!(http_url("https://example.org/x"), Some("https://example.org/x".to_string()));
/// assert_eq!(http_url("javascript:alert(1)"), None);
/// assert_eq!(http_url("/relative"), None);
/// ```
pub fn http_url(s: &str) -> Option<String> {
    let t = s.trim();
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    let ok = (lower.starts_with("https://") && t.len() > 8)
        || (lower.starts_with("http://") && t.len() > 7);
    (ok && !t.chars().any(|c| c.is_whitespace() || c.is_control())).then(|| t.to_string())
}

/// The `Europe/London` zone used when a schedule names none (or one we do not know).
pub const DEFAULT_TZ: Tz = chrono_tz::Europe::London;

/// Parses a timezone name leniently, falling back to `Europe/London`.
///
/// ```
/// use openactive::lenient::timezone;
/// assert_eq!(timezone(Some("UTC")), chrono_tz::UTC);
/// assert_eq!(timezone(Some("Mars/Olympus")), chrono_tz::Europe::London);
/// ```
pub fn timezone(name: Option<&str>) -> Tz {
    name.and_then(|n| n.trim().parse::<Tz>().ok())
        .unwrap_or(DEFAULT_TZ)
}

/// Resolves a local wall-clock time in `tz` deliberately across DST transitions:
/// an ambiguous time (autumn fall-back) takes the **earlier** instant (the first time the
/// clock shows it); a non-existent time (spring-forward gap) is shifted forward by the gap,
/// i.e. read with the offset in force just before the gap (01:30 → 02:30 BST in London).
///
/// ```
/// use chrono::NaiveDate;
/// use openactive::lenient::{local_to_instant, DEFAULT_TZ};
/// let gap = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap().and_hms_opt(1, 30, 0).unwrap();
/// assert_eq!(local_to_instant(DEFAULT_TZ, gap).to_rfc3339(), "2026-03-29T02:30:00+01:00");
/// let ambiguous = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap().and_hms_opt(1, 30, 0).unwrap();
/// assert_eq!(local_to_instant(DEFAULT_TZ, ambiguous).to_rfc3339(), "2026-10-25T01:30:00+01:00");
/// ```
pub fn local_to_instant(tz: Tz, local: NaiveDateTime) -> DateTime<FixedOffset> {
    use chrono::LocalResult;
    use chrono::Offset;
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.fixed_offset(),
        LocalResult::Ambiguous(a, b) => a.fixed_offset().min(b.fixed_offset()),
        LocalResult::None => {
            // Offset in force a few hours before the gap (gaps are at most a couple of hours).
            let before = local - TimeDelta::hours(3);
            let offset = tz
                .offset_from_local_datetime(&before)
                .earliest()
                .map(|o| o.fix())
                .unwrap_or_else(|| tz.offset_from_utc_datetime(&before).fix());
            let utc = local - TimeDelta::seconds(i64::from(offset.local_minus_utc()));
            let resolved = tz.from_utc_datetime(&utc);
            resolved.fixed_offset()
        }
    }
}

/// Parses an ISO 8601 date-time. A missing offset is read as Europe/London wall-clock time;
/// a bare date is midnight Europe/London. Fractional seconds are accepted.
///
/// ```
/// use openactive::lenient::datetime;
/// assert_eq!(datetime("2018-10-03T20:15:00+01:00").unwrap().to_rfc3339(), "2018-10-03T20:15:00+01:00");
/// assert_eq!(datetime("2020-07-23T11:00:00.000Z").unwrap().to_rfc3339(), "2020-07-23T11:00:00+00:00");
/// assert_eq!(datetime("2018-08-01").unwrap().to_rfc3339(), "2018-08-01T00:00:00+01:00");
/// assert_eq!(datetime("2024-01-10T09:00:00").unwrap().to_rfc3339(), "2024-01-10T09:00:00+00:00");
/// assert_eq!(datetime("2024-01-15 18:00:00").unwrap().to_rfc3339(), "2024-01-15T18:00:00+00:00");
/// assert!(datetime("next tuesday").is_none());
/// ```
pub fn datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    // `2024-01-15 18:00:00` (a space for the `T`, as some publishers write `exceptDate`).
    let spaced;
    let s = match s.as_bytes().get(10) {
        Some(b' ') if s.len() > 11 => {
            spaced = format!("{}T{}", &s[..10], s[11..].trim_start());
            spaced.as_str()
        }
        _ => s,
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%z") {
        return Some(t);
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(local_to_instant(DEFAULT_TZ, n));
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        return Some(local_to_instant(DEFAULT_TZ, n));
    }
    let d = date(s)?;
    Some(local_to_instant(DEFAULT_TZ, d.and_time(NaiveTime::MIN)))
}

/// Parses a calendar date `YYYY-MM-DD` (also the date part of a date-time).
///
/// ```
/// use openactive::lenient::date;
/// assert_eq!(date("2020-01-02").unwrap().to_string(), "2020-01-02");
/// assert_eq!(date("2020-01-02T10:00:00Z").unwrap().to_string(), "2020-01-02");
/// ```
pub fn date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// Parses a wall-clock time `HH:MM` or `HH:MM:SS`.
///
/// ```
/// use openactive::lenient::time;
/// assert_eq!(time("09:30").unwrap().to_string(), "09:30:00");
/// assert_eq!(time("9:30:15").unwrap().to_string(), "09:30:15");
/// assert!(time("25:00").is_none());
/// ```
pub fn time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

/// Whether an end time earlier than (or equal to) the start time plausibly means the next
/// day: an evening start (from 17:00) and a small-hours end (up to 06:00), e.g. 22:00–01:00.
/// Anything else (09:00–08:00) is taken as an error in the data: the end is unknown.
///
/// ```
/// use openactive::lenient::{crosses_midnight, time};
/// assert!(crosses_midnight(time("22:00").unwrap(), time("01:00").unwrap()));
/// assert!(!crosses_midnight(time("09:00").unwrap(), time("08:00").unwrap()));
/// assert!(!crosses_midnight(time("20:00").unwrap(), time("21:00").unwrap()));
/// ```
pub fn crosses_midnight(start: NaiveTime, end: NaiveTime) -> bool {
    end <= start
        && start >= NaiveTime::from_hms_opt(17, 0, 0).unwrap_or(NaiveTime::MIN)
        && end <= NaiveTime::from_hms_opt(6, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// Whether a UTC offset can be right for a UK venue (GMT or BST).
///
/// ```
/// use openactive::lenient::{datetime, uk_offset};
/// assert!(uk_offset(datetime("2024-06-01T10:00:00+01:00").unwrap().offset()));
/// assert!(!uk_offset(datetime("2024-06-01T10:00:00+05:30").unwrap().offset()));
/// ```
pub fn uk_offset(o: &FixedOffset) -> bool {
    matches!(o.local_minus_utc(), 0 | 3600)
}

/// A parsed ISO 8601 duration: calendar months (years × 12) plus an exact time span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IsoDuration {
    /// Whole months (`P1M`, `P1Y` = 12).
    pub months: u32,
    /// Days (weeks × 7).
    pub days: u32,
    /// Hours, minutes and seconds, in seconds.
    pub seconds: u64,
}

impl IsoDuration {
    /// The exact span when there are no months; days count as 24 hours.
    pub fn to_timedelta(self) -> Option<TimeDelta> {
        if self.months != 0 {
            return None;
        }
        let secs = u64::from(self.days)
            .checked_mul(86_400)?
            .checked_add(self.seconds)?;
        TimeDelta::try_seconds(i64::try_from(secs).ok()?)
    }

    /// Whether the duration is zero.
    pub fn is_zero(self) -> bool {
        self.months == 0 && self.days == 0 && self.seconds == 0
    }
}

/// Parses an ISO 8601 duration such as `PT1H30M`, `P1W`, `P3D`, `PT0.5H` or `P1M`.
///
/// ```
/// use openactive::lenient::duration;
/// assert_eq!(duration("PT1H30M").unwrap().seconds, 5400);
/// assert_eq!(duration("P2W").unwrap().days, 14);
/// assert_eq!(duration("P1Y2M").unwrap().months, 14);
/// assert_eq!(duration("PT0.5H").unwrap().seconds, 1800);
/// assert!(duration("1 hour").is_none());
/// assert!(duration("P").is_none());
/// ```
pub fn duration(s: &str) -> Option<IsoDuration> {
    let s = s.trim();
    let rest = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let mut out = IsoDuration::default();
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c.to_ascii_uppercase() {
            'T' if num.is_empty() => in_time = true,
            d @ ('0'..='9' | '.' | ',') => num.push(if d == ',' { '.' } else { d }),
            unit => {
                let v: f64 = num.parse().ok()?;
                if !(0.0..=1.0e9).contains(&v) {
                    return None;
                }
                num.clear();
                any = true;
                let whole = |v: f64| (v.fract() == 0.0).then_some(v as u32);
                match (unit, in_time) {
                    ('Y', false) => {
                        out.months = out.months.checked_add(whole(v)?.checked_mul(12)?)?;
                    }
                    ('M', false) => out.months = out.months.checked_add(whole(v)?)?,
                    ('W', false) => out.days = out.days.checked_add(whole(v)?.checked_mul(7)?)?,
                    ('D', false) => out.days = out.days.checked_add(whole(v)?)?,
                    ('H', true) => out.seconds += (v * 3600.0).round() as u64,
                    ('M', true) => out.seconds += (v * 60.0).round() as u64,
                    ('S', true) => out.seconds += v.round() as u64,
                    _ => return None,
                }
            }
        }
    }
    (any && num.is_empty()).then_some(out)
}
