//! Plain-English text for people: dates and times in London time, prices, ages, distances.
//! Pure functions so the wording is tested natively and shared by every view.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Europe::London;
use openactive::{AgeRange, Gender, Occurrence};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "Mon 30 Nov, 9:00am" in London time. (Written by hand rather than with chrono's `format`,
/// whose format-string machinery would cost the app's download about 5 KiB.)
pub fn when(start: &DateTime<FixedOffset>) -> String {
    use chrono::Datelike;
    let l = start.with_timezone(&London);
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
    let s = o.start.with_timezone(&London);
    match o.end {
        Some(e) if e > o.start => {
            let mins = (e - o.start).num_minutes();
            format!(
                "{} to {} ({})",
                clock(&s),
                clock(&e.with_timezone(&London)),
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

/// "Free", "£4.50", "From £3.00", or "Price not given".
pub fn price(o: &Occurrence) -> String {
    let prices: Vec<f64> = o
        .offers
        .iter()
        .filter_map(|x| x.price)
        .filter(|p| p.is_finite())
        .collect();
    if o.free || (!prices.is_empty() && prices.iter().all(|p| *p == 0.0)) {
        return "Free".into();
    }
    let min = prices.iter().copied().fold(f64::INFINITY, f64::min);
    if !min.is_finite() {
        return "Price not given".into();
    }
    if prices.iter().any(|p| *p != min) {
        format!("From £{}", fixed(min, 2))
    } else {
        format!("£{}", fixed(min, 2))
    }
}

/// `x` with `dp` decimals, rounded half away from zero ("4.50", "-0.003"; a value that rounds
/// to zero has no sign; not-finite values give "0"). Integer arithmetic, so the app carries no
/// float-formatting code (a few KiB of wasm).
///
/// ```
/// use finder::display::fixed;
/// assert_eq!(fixed(4.5, 2), "4.50");
/// assert_eq!(fixed(51.541_234_5, 3), "51.541");
/// assert_eq!(fixed(-0.0035, 3), "-0.004");
/// assert_eq!(fixed(-0.0004, 3), "0.000");
/// assert_eq!(fixed(12.0, 0), "12");
/// assert_eq!(fixed(f64::NAN, 2), "0");
/// ```
pub fn fixed(x: f64, dp: u32) -> String {
    fixed_digits(x, dp)
}

/// [`fixed`] without trailing zeros ("4.5", "5", "-0.003").
///
/// ```
/// use finder::display::short;
/// assert_eq!(short(4.5, 2), "4.5");
/// assert_eq!(short(5.0, 2), "5");
/// assert_eq!(short(-0.0034, 3), "-0.003");
/// ```
pub fn short(x: f64, dp: u32) -> String {
    let s = fixed(x, dp);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn fixed_digits(x: f64, dp: u32) -> String {
    let dp = dp.min(9);
    let scale = 10_i64.pow(dp);
    let v = x * scale as f64;
    if !v.is_finite() || v.abs() >= 9.0e15 {
        return "0".into();
    }
    let n = v.round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let (whole, frac) = (
        n.unsigned_abs() / scale as u64,
        n.unsigned_abs() % scale as u64,
    );
    if dp == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = dp as usize)
    }
}

/// "Ages 18+ (not stated: adults)", "Ages 5 to 11", "All ages".
pub fn ages(a: &AgeRange) -> String {
    if !a.declared {
        return "Adults (18+); age range not stated".into();
    }
    match (a.min.filter(|m| *m > 0), a.max) {
        (None, None) => "All ages".into(),
        (Some(m), None) => format!("Ages {m}+"),
        (None, Some(x)) => format!("Up to age {x}"),
        (Some(m), Some(x)) => format!("Ages {m} to {x}"),
    }
}

/// "Women only", "Men only", "Open to all", or `None` when unstated.
pub fn gender(g: Gender) -> Option<&'static str> {
    match g {
        Gender::FemaleOnly => Some("Women only"),
        Gender::MaleOnly => Some("Men only"),
        Gender::NoRestriction => Some("Open to all genders"),
        Gender::Unspecified => None,
    }
}

/// "350 m" or "2.4 km".
pub fn distance(km: f32) -> String {
    if km < 1.0 {
        format!("{} m", ((km * 1000.0) / 10.0).round() as i64 * 10)
    } else {
        format!("{} km", fixed(f64::from(km), 1))
    }
}

/// A link is shown only when it is http(s): feed text is untrusted.
pub fn safe_link(url: &str) -> Option<&str> {
    let u = url.trim();
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_london_time_across_the_clock_change() {
        let summer = DateTime::parse_from_rfc3339("2026-07-01T08:30:00Z").unwrap();
        assert_eq!(when(&summer), "Wed 1 Jul, 9:30am");
        let winter = DateTime::parse_from_rfc3339("2026-11-30T18:05:00+00:00").unwrap();
        assert_eq!(when(&winter), "Mon 30 Nov, 6:05pm");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45), "45 minutes");
        assert_eq!(duration(60), "1 hour");
        assert_eq!(duration(90), "1 hour 30 minutes");
        assert_eq!(duration(120), "2 hours");
    }

    #[test]
    fn only_http_links_are_allowed() {
        assert_eq!(
            safe_link(" https://a.example/x "),
            Some("https://a.example/x")
        );
        assert_eq!(safe_link("HTTP://a.example"), Some("HTTP://a.example"));
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("data:text/html,hi"), None);
        assert_eq!(safe_link("ja"), None);
    }

    #[test]
    fn ages_follow_the_spec_default() {
        assert_eq!(
            ages(&AgeRange::default()),
            "Adults (18+); age range not stated"
        );
        assert_eq!(
            ages(&AgeRange {
                min: Some(0),
                max: None,
                declared: true
            }),
            "All ages"
        );
        assert_eq!(
            ages(&AgeRange {
                min: Some(60),
                max: None,
                declared: true
            }),
            "Ages 60+"
        );
        assert_eq!(
            ages(&AgeRange {
                min: Some(5),
                max: Some(11),
                declared: true
            }),
            "Ages 5 to 11"
        );
    }

    #[test]
    fn distances() {
        assert_eq!(distance(0.344), "340 m");
        assert_eq!(distance(2.44), "2.4 km");
    }
}
