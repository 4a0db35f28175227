//! Plain-English text for people: dates and times in London time, prices, ages, distances.
//! Pure functions so the wording is tested natively and shared by every view.

use chrono::{DateTime, FixedOffset, Utc};
use openactive::{AgeRange, Gender, Occurrence};

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

/// What a result card says about a session besides its name, time and place: the facts it
/// shows as tags, in a struct of its own so the wording is decided (and tested) here rather
/// than in the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CardFacts {
    /// A facility booking slot rather than a session.
    pub slot: bool,
    pub gender: Gender,
    /// Levels that suit a beginner ([`crate::index::is_beginner`]).
    pub beginner: bool,
    /// `Some(true)` only when the publisher says it is wheelchair accessible.
    pub wheelchair: Option<bool>,
    pub full: bool,
    /// Times may still change (the publisher marks it provisional).
    pub provisional: bool,
}

impl CardFacts {
    /// The facts of an occurrence.
    pub fn of(o: &Occurrence) -> Self {
        CardFacts {
            slot: o.kind == openactive::OpportunityKind::FacilitySlot,
            gender: o.gender,
            beginner: crate::index::is_beginner(&o.levels),
            wheelchair: o.wheelchair,
            full: o.is_full(),
            provisional: o.provisional,
        }
    }

    /// The card's tags, in the order shown. "Open to all genders" is not a tag (it is the
    /// usual case); a gender is a tag only when restricted.
    pub fn tags(&self) -> Vec<&'static str> {
        let mut tags = Vec::new();
        if self.slot {
            tags.push("Facility booking");
        }
        if let Some(g) = gender(self.gender).filter(|_| self.gender != Gender::NoRestriction) {
            tags.push(g);
        }
        if self.beginner {
            tags.push("Beginner-friendly");
        }
        if self.wheelchair == Some(true) {
            tags.push("Wheelchair accessible");
        }
        if self.full {
            tags.push("Full");
        }
        if self.provisional {
            tags.push("Times may change");
        }
        tags
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

/// Where "Report a problem with this listing" goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportTarget {
    /// `mailto:` the organiser's email (validated), with the session named in the subject.
    Email(String),
    /// The organiser's web site (http(s) only).
    Website(String),
    /// The publisher's dataset page (http(s) only).
    Dataset(String),
}

impl ReportTarget {
    /// The link's address.
    pub fn href(&self) -> &str {
        match self {
            ReportTarget::Email(h) | ReportTarget::Website(h) | ReportTarget::Dataset(h) => h,
        }
    }
    /// What following it does, in plain words (shown beside the link).
    pub fn hint(&self) -> &'static str {
        match self {
            ReportTarget::Email(_) => "emails the organiser",
            ReportTarget::Website(_) => "the organiser's website, opens in a new tab",
            ReportTarget::Dataset(_) => "the publisher's data page, opens in a new tab",
        }
    }
}

/// An email address plain enough to put in a `mailto:` link untouched: one `@`, a local part of
/// letters, digits and `.!#$%&'*+/=?^_{|}~-` (no `?`, `&`, spaces or controls), and a domain of
/// dot-separated letter/digit/hyphen labels with a dot. Feed text is untrusted: anything else is
/// refused rather than repaired.
///
/// ```
/// use finder::display::valid_email;
/// assert_eq!(valid_email(" Bookings@North-Gate.org.uk "), Some("Bookings@North-Gate.org.uk"));
/// assert_eq!(valid_email("a@b?cc=x@evil.example"), None);
/// assert_eq!(valid_email("javascript:alert(1)//@x.example"), None);
/// ```
pub fn valid_email(s: &str) -> Option<&str> {
    let s = s.trim();
    let (local, domain) = s.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._+-!$%'*=^{|}~/".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    (local_ok && domain_ok).then_some(s)
}

/// Percent-encodes everything but RFC 3986 unreserved characters (for a `mailto:` subject).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to report a problem with a listing: the organiser's email (a person reads it), else
/// the organiser's web site, else the publisher's dataset page; `None` when none is usable.
/// Only `mailto:` with a [`valid_email`] and http(s) links come out (feed text is untrusted).
pub fn report_target(
    organizer: Option<&openactive::Organizer>,
    dataset_url: Option<&str>,
    session_name: &str,
) -> Option<ReportTarget> {
    if let Some(email) = organizer
        .and_then(|o| o.email.as_deref())
        .and_then(valid_email)
    {
        let name: String = session_name
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        let subject = percent_encode(&format!("Problem with a listing: {}", name.trim()));
        return Some(ReportTarget::Email(format!(
            "mailto:{email}?subject={subject}"
        )));
    }
    if let Some(url) = organizer.and_then(|o| o.url.as_deref()).and_then(safe_link) {
        return Some(ReportTarget::Website(url.to_string()));
    }
    dataset_url
        .and_then(safe_link)
        .map(|u| ReportTarget::Dataset(u.to_string()))
}
