//! An item's `modified` and its ordering within one feed.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An item's `modified`: an integer (timestamp, change number, .NET ticks…) or a string.
///
/// Comparable within one feed: integers numerically (never through `f64`), strings of digits
/// numerically (any length), other strings lexicographically. Order across classes:
/// negative integers < non-negative numbers < other strings. Equality follows the ordering,
/// so `Int(5) == Str("05")`. Numbers with a fraction (`1700000000.25`, published as a JSON
/// float or a string) compare numerically with the others.
///
/// ```
/// use openactive::rpde::Modified;
/// assert!(Modified::Int(637890336000000001) > Modified::Int(637890336000000000));
/// assert!(Modified::Str("10".into()) > Modified::Int(9));
/// assert!(Modified::Str("100000000000000000000000000000000000000000".into())
///     > Modified::Str("99999999999999999999999999999999999999999".into()));
/// assert_eq!(Modified::Str("05".into()), Modified::Int(5));
/// assert!(Modified::Str("2015-01-13".into()) > Modified::Int(1_000_000));
/// assert!(Modified::Str("1000.5".into()) > Modified::Str("999.75".into()));
/// assert!(Modified::Str("1000.5".into()) > Modified::Int(1000));
/// assert!(Modified::Str("1000.5".into()) < Modified::Int(1001));
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Modified {
    /// A JSON integer (covers `u64` and `i64`).
    Int(i128),
    /// A string (or a non-integer number kept as its text).
    Str(String),
}

impl Modified {
    /// Reads `modified` from JSON: integers exactly, other numbers and strings as text.
    pub(super) fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Number(n) => Some(if let Some(i) = n.as_i64() {
                Modified::Int(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Modified::Int(i128::from(u))
            } else {
                Modified::Str(n.to_string())
            }),
            Value::String(s) if !s.trim().is_empty() => Some(Modified::Str(s.trim().to_string())),
            _ => None,
        }
    }

    /// `(class, integer digits without leading zeros, fraction digits without trailing
    /// zeros)`; classes: 0 negative integer, 1 non-negative number (integer, digit string or
    /// decimal such as `1700000000.25`), 2 other text.
    fn class(&self) -> (u8, std::borrow::Cow<'_, str>, &str) {
        use std::borrow::Cow;
        match self {
            Modified::Int(i) if *i < 0 => (0, Cow::Owned(String::new()), ""),
            Modified::Int(i) => (1, Cow::Owned(i.to_string()), ""),
            Modified::Str(s) => match decimal(s) {
                Some((int, frac)) => (1, Cow::Borrowed(int), frac),
                None => (2, Cow::Borrowed(s.as_str()), ""),
            },
        }
    }

    /// The instant this `modified` stands for, when it plausibly is one (between 2000 and
    /// 2100): Unix seconds (also with a fraction), 13-digit milliseconds, 16-digit
    /// microseconds, .NET ticks (18 digits), or an ISO 8601 date-time. A change counter
    /// (`287950976`) is not a time: `None`.
    ///
    /// ```
    /// use openactive::rpde::Modified;
    /// let t = |m: Modified| m.as_timestamp().map(|t| t.to_rfc3339());
    /// assert_eq!(t(Modified::Int(1_700_000_000)).as_deref(), Some("2023-11-14T22:13:20+00:00"));
    /// assert_eq!(t(Modified::Int(1_700_000_000_000)).as_deref(), Some("2023-11-14T22:13:20+00:00"));
    /// assert_eq!(t(Modified::Str("1700000000.5".into())).as_deref(), Some("2023-11-14T22:13:20.500+00:00"));
    /// assert_eq!(t(Modified::Int(638_355_968_000_000_000)).as_deref(), Some("2023-11-14T22:13:20+00:00"));
    /// assert_eq!(t(Modified::Str("2024-01-02T03:04:05Z".into())).as_deref(), Some("2024-01-02T03:04:05+00:00"));
    /// assert_eq!(t(Modified::Int(287_950_976)), None);
    /// assert_eq!(t(Modified::Int(42)), None);
    /// ```
    pub fn as_timestamp(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::{DateTime, Utc};
        const LOW: i64 = 946_684_800; // 2000-01-01
        const HIGH: i64 = 4_102_444_800; // 2100-01-01
        let in_range = |secs: i64, nanos: u32| {
            (LOW..HIGH)
                .contains(&secs)
                .then(|| DateTime::<Utc>::from_timestamp(secs, nanos))
                .flatten()
        };
        let from_int = |i: i128, frac: &str| -> Option<DateTime<Utc>> {
            let nanos_of = |f: &str| -> u32 {
                let digits: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
                digits.parse().unwrap_or(0)
            };
            for (div, sub) in [
                (1_i128, 0_i128),
                (1_000, 0),
                (1_000_000, 0),
                (10_000_000, 621_355_968_000_000_000),
            ] {
                let v = i - sub;
                if v < 0 {
                    continue;
                }
                let secs = i64::try_from(v / div).ok()?;
                let rem = u32::try_from(v % div).ok()?;
                let nanos = if div == 1 {
                    nanos_of(frac)
                } else {
                    u32::try_from(i128::from(rem) * 1_000_000_000 / div).ok()?
                };
                if let Some(t) = in_range(secs, nanos) {
                    return Some(t);
                }
            }
            None
        };
        match self {
            Modified::Int(i) => from_int(*i, ""),
            Modified::Str(s) => match decimal(s) {
                Some((int, frac)) if int.len() <= 30 => from_int(int.parse().unwrap_or(0), frac),
                Some(_) => None,
                None => {
                    let t = crate::lenient::datetime(s)?.with_timezone(&Utc);
                    in_range(t.timestamp(), 0).map(|_| t)
                }
            },
        }
    }
}

/// A non-negative decimal number as text: `(integer digits without leading zeros, fraction
/// digits without trailing zeros)`.
fn decimal(s: &str) -> Option<(&str, &str)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() && digits(int) && digits(frac))
        .then(|| (int.trim_start_matches('0'), frac.trim_end_matches('0')))
}

fn cmp_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for Modified {
    fn cmp(&self, other: &Self) -> Ordering {
        if let (Modified::Int(a), Modified::Int(b)) = (self, other) {
            return a.cmp(b);
        }
        let (ca, sa, fa) = self.class();
        let (cb, sb, fb) = other.class();
        match ca.cmp(&cb) {
            Ordering::Equal => {}
            o => return o,
        }
        match ca {
            0 => match (self, other) {
                (Modified::Int(a), Modified::Int(b)) => a.cmp(b),
                _ => Ordering::Equal,
            },
            1 => cmp_digits(sa.trim_start_matches('0'), sb.trim_start_matches('0'))
                .then_with(|| fa.cmp(fb)),
            _ => sa.cmp(&sb),
        }
    }
}

impl PartialOrd for Modified {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Modified {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Modified {}

impl fmt::Display for Modified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Modified::Int(i) => write!(f, "{i}"),
            Modified::Str(s) => f.write_str(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpde::parse_page;

    #[test]
    fn modified_ordering_mixed() {
        let mut v = [
            Modified::Str("b".into()),
            Modified::Int(10),
            Modified::Str("9".into()),
            Modified::Int(-3),
            Modified::Str("a".into()),
            Modified::Int(u64::MAX.into()),
        ];
        v.sort();
        assert_eq!(
            v.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["-3", "9", "10", "18446744073709551615", "a", "b"]
        );
    }

    #[test]
    fn huge_modified_is_exact() {
        let p = parse_page(
            r#"{"next":"n","items":[{"state":"deleted","kind":"k","id":"a","modified":18446744073709551615}]}"#,
            "u",
        )
        .unwrap();
        assert_eq!(p.items[0].modified, Modified::Int(18446744073709551615));
    }
}
