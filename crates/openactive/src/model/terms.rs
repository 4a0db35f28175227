//! Who may come, what it costs and who runs it: `genderRestriction`, `ageRange`, `offers` and
//! `organizer`.

use serde_json::Value;

use crate::lenient::{self, local_name, text};
use crate::occurrence::{AgeRange, Gender, Offer, Organizer};

/// Reads `genderRestriction`, including legacy values.
///
/// ```
/// use openactive::model::gender;
/// use openactive::Gender;
/// assert_eq!(gender("http://openactive.io/ns#None"), Some(Gender::NoRestriction));
/// assert_eq!(gender("mixed"), Some(Gender::NoRestriction));
/// assert_eq!(gender("https://openactive.io/FemaleOnly"), Some(Gender::FemaleOnly));
/// assert_eq!(gender("oa:MaleOnly"), Some(Gender::MaleOnly));
/// assert_eq!(gender("robots"), None);
/// ```
pub fn gender(s: &str) -> Option<Gender> {
    match local_name(s).to_ascii_lowercase().as_str() {
        "norestriction" | "none" | "mixed" | "any" | "all" => Some(Gender::NoRestriction),
        "maleonly" | "male" | "men" => Some(Gender::MaleOnly),
        "femaleonly" | "female" | "women" => Some(Gender::FemaleOnly),
        _ => None,
    }
}

pub(super) fn offer(v: Value) -> Option<Offer> {
    let Value::Object(m) = v else {
        return None;
    };
    let price = m.get("price").and_then(lenient::number);
    let mut currency = m.get("priceCurrency").and_then(text);
    if currency.is_none() && price == Some(0.0) {
        currency = Some("GBP".to_string());
    }
    let o = Offer {
        name: m.get("name").and_then(text),
        price,
        currency,
        url: m
            .get("url")
            .and_then(Value::as_str)
            .and_then(lenient::http_url),
    };
    (o.name.is_some() || o.price.is_some() || o.url.is_some()).then_some(o)
}

pub(super) fn organizer(v: Value) -> Option<Organizer> {
    let m = match v {
        Value::Object(m) => m,
        Value::Array(a) => return a.into_iter().find_map(organizer),
        Value::String(s) => {
            return lenient::http_url(&s).map(|url| Organizer {
                url: Some(url),
                ..Organizer::default()
            });
        }
        _ => return None,
    };
    let name = m.get("name").and_then(text).or_else(|| {
        let given = m.get("givenName").and_then(text);
        let family = m.get("familyName").and_then(text);
        match (given, family) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (g, f) => g.or(f),
        }
    });
    let o = Organizer {
        name,
        url: m
            .get("url")
            .and_then(Value::as_str)
            .and_then(lenient::http_url),
        email: m.get("email").and_then(text),
        telephone: m.get("telephone").and_then(text),
    };
    (o != Organizer::default()).then_some(o)
}

pub(super) fn age_range(v: Value) -> Option<AgeRange> {
    let Value::Object(m) = v else {
        return None;
    };
    let bound = |k: &str| {
        m.get(k)
            .and_then(lenient::integer)
            .and_then(|i| u32::try_from(i).ok())
    };
    Some(AgeRange {
        min: bound("minValue"),
        max: bound("maxValue"),
        declared: true,
    })
}
