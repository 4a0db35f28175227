//! The URL contract: every filter, the sort, the view, the selected session and the map view in
//! a short, readable query string. Decoding never fails: a bad value falls back to its default
//! and yields a [`Notice`] the app shows; unknown keys are ignored; `v` marks the contract
//! version so old links keep working.
//!
//! | key | meaning | example |
//! |---|---|---|
//! | `v` | contract version (current 1) | `v=1` |
//! | `act` | Activity List ids (uuid part), comma separated | `act=5a8f…` |
//! | `near` | outward postcode | `near=E15` |
//! | `at` | point, lat,lon (3 dp) | `at=51.541,-0.003` |
//! | `r` | radius in km | `r=2` |
//! | `days` | days of week | `days=mon,wed` |
//! | `tod` | parts of day, or a start-time range | `tod=am,eve`, `tod=09:00-12:30` |
//! | `from`, `to` | local date range | `from=2026-11-24` |
//! | `free` | free only | `free=1` |
//! | `max` | maximum price (£) | `max=5` |
//! | `age` | the person's age | `age=67` |
//! | `g` | gender: f, fo, m, mo | `g=fo` |
//! | `acc` | accessibility support (uuid part) | `acc=1393f2dc-…` |
//! | `wc` | wheelchair accessible only | `wc=1` |
//! | `lvl` | `beginner` | `lvl=beginner` |
//! | `suit` | "suitable for" keys ([`crate::suits::Suit::key`]), all required | `suit=2fa48dbf-…` |
//! | `col` | a pathway collection's id ([`crate::collections`]) | `col=seated` |
//! | `org` | organiser or venue | `org=Better` |
//! | `q` | keyword | `q=yoga` |
//! | `slots` | include facility slots | `slots=1` |
//! | `cx` | show cancelled sessions (marked) | `cx=1` |
//! | `sort` | `soon` or `near` | `sort=near` |
//! | `view` | `list` or `map` | `view=map` |
//! | `s` | selected session key | `s=https://…` |
//! | `map` | map centre and zoom | `map=51.5,-0.12,12` |
//! | `sl` | a shared shortlist, 17 characters a session ([`crate::shortlist`]) | `sl=AbC…` |

use chrono::NaiveDate;

mod decode;
mod encode;

pub use decode::decode;
pub use encode::encode;

/// The version this build writes.
pub const VERSION: u32 = 1;
/// Prefix of Activity List ids; the URL carries only the part after `#`.
pub const ACTIVITY_PREFIX: &str = "https://openactive.io/activity-list#";
/// Prefix of accessibility-support ids.
pub const ACCESSIBILITY_PREFIX: &str = "https://openactive.io/accessibility-support#";

/// A value in the URL that could not be used; the filter fell back to its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The query key.
    pub key: String,
    /// What was wrong, in plain words.
    pub message: String,
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Days since 1970-01-01 for a date.
pub fn day_number(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// The date for a day number.
pub fn date_of(day: i32) -> Option<NaiveDate> {
    epoch().checked_add_signed(chrono::Duration::days(day as i64))
}

fn fmt_num(x: f64, dp: u32) -> String {
    crate::display::short(x, dp)
}

/// Minutes of the day as `HH:MM` (the URL's and `<input type="time">`'s format).
/// "2026-12-01" (ISO 8601 calendar date).
pub fn fmt_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Reads "2026-12-01" (exactly `YYYY-MM-DD`, as a date input gives it). Written by hand rather
/// than with chrono's format strings, which would cost the app's download about 5 KiB.
///
/// ```
/// use finder::url::parse_date;
/// assert_eq!(parse_date("2026-12-01").map(|d| d.to_string()).as_deref(), Some("2026-12-01"));
/// assert!(parse_date("2026-02-30").is_none() && parse_date("2026-1-1").is_none() && parse_date("").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

pub fn fmt_minutes(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// `HH:MM` (00:00 to 24:00) as minutes of the day.
pub fn parse_minutes(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

/// Normalises an outward postcode ("e15" → "E15"); `None` when it is not one.
pub fn outward_code(s: &str) -> Option<String> {
    let s: String = s.trim().to_ascii_uppercase();
    crate::postcode::is_outward(&s).then_some(s)
}

/// Reduces a full or partial UK postcode to its outward code ("E15 4HT" → "E15"), so that a
/// person's full postcode never goes into a URL.
pub fn postcode_to_outward(s: &str) -> Option<String> {
    let compact: String = s
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    if let Some(o) = outward_code(&compact) {
        return Some(o);
    }
    // A full postcode ends with a 3-character inward code (digit + 2 letters).
    if compact.is_ascii() && compact.len() >= 5 {
        let (out, inward) = compact.split_at(compact.len() - 3);
        let ib = inward.as_bytes();
        if ib[0].is_ascii_digit() && ib[1].is_ascii_alphabetic() && ib[2].is_ascii_alphabetic() {
            return outward_code(out);
        }
    }
    None
}
