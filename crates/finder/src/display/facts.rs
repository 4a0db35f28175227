//! Prices, numbers, ages, distances, a card's tags, safe links and where to report a problem.

use openactive::{AgeRange, Gender, Occurrence};

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
