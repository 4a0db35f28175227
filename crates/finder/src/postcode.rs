//! What the postcode box does with what was typed: an outward code ("E15") is resolved in the
//! browser; a full postcode ("E15 4HT") is looked up through the proxy and only a point rounded
//! to 2 decimal places (about 1 km) goes into the URL, so a link never pins down an address.
//! When the lookup is unavailable, the search falls back to the outward code.

use crate::filter::Place;
use crate::url::outward_code;

/// What was typed in the postcode box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// Nothing: no location filter.
    Empty,
    /// An outward code only, resolved in the browser.
    Outward(String),
    /// A full postcode (normalised, e.g. "E15 4HT") and its outward code.
    Full {
        /// The normalised postcode, for the proxy lookup and the hint (never the URL).
        postcode: String,
        /// Its outward code, the fallback.
        outward: String,
    },
    /// Not a postcode.
    Invalid,
}

/// Whether `s` (upper case, no spaces) has the shape of a UK outward code: one or two letters,
/// a digit, then optionally a letter or digit (`A9`, `A99`, `AA9`, `AA99`, `A9A`, `AA9A`).
/// The one rule the app and the proxy share.
///
/// ```
/// use finder::postcode::is_outward;
/// assert!(is_outward("E15") && is_outward("SW1A") && is_outward("W1") && is_outward("CR0"));
/// assert!(!is_outward("EEE1") && !is_outward("1E") && !is_outward("E") && !is_outward("E1234"));
/// ```
pub fn is_outward(s: &str) -> bool {
    let o = s.as_bytes();
    let letters = o.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let rest = &o[letters..];
    (1..=2).contains(&letters)
        && !rest.is_empty()
        && rest[0].is_ascii_digit()
        && match rest.len() {
            1 => true,
            2 => rest[1].is_ascii_alphanumeric(),
            _ => false,
        }
}

/// Normalises a full UK postcode ("e15 4ht", "E154HT" → "E15 4HT"); `None` unless it is made
/// of letters, digits and spaces only and has the shape of one (an outward code, see
/// [`is_outward`], then an inward `9AA`). The proxy looks up only what this accepts.
///
/// ```
/// use finder::postcode::normalise_full;
/// assert_eq!(normalise_full(" sw1a1aa ").as_deref(), Some("SW1A 1AA"));
/// assert_eq!(normalise_full("EEE1 2AB"), None);
/// ```
pub fn normalise_full(raw: &str) -> Option<String> {
    if raw.len() > 16 || !raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ') {
        return None;
    }
    let compact: String = raw
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase() as char)
        .collect();
    if !(5..=7).contains(&compact.len()) {
        return None;
    }
    let (out, inward) = compact.split_at(compact.len() - 3);
    let i = inward.as_bytes();
    let inward_ok =
        i[0].is_ascii_digit() && i[1].is_ascii_alphabetic() && i[2].is_ascii_alphabetic();
    (inward_ok && is_outward(out)).then(|| format!("{out} {inward}"))
}

/// Classifies the text of the postcode box.
///
/// ```
/// use finder::postcode::{classify, Typed};
/// assert_eq!(classify(" e15 "), Typed::Outward("E15".into()));
/// assert_eq!(classify("e154ht"), Typed::Full { postcode: "E15 4HT".into(), outward: "E15".into() });
/// ```
pub fn classify(text: &str) -> Typed {
    if text.trim().is_empty() {
        return Typed::Empty;
    }
    let compact: String = text
        .split_whitespace()
        .collect::<String>()
        .to_ascii_uppercase();
    if let Some(o) = outward_code(&compact) {
        return Typed::Outward(o);
    }
    match normalise_full(&compact) {
        Some(postcode) => Typed::Full {
            outward: postcode[..postcode.len() - 4].to_string(),
            postcode,
        },
        None => Typed::Invalid,
    }
}

/// The proxy's answer to a full-postcode lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// Found at this point.
    Found {
        /// Latitude.
        lat: f64,
        /// Longitude.
        lon: f64,
    },
    /// The postcode does not exist (HTTP 404).
    NotFound,
    /// Lookups are off or failing (HTTP 503, network error, bad answer).
    Unavailable,
}

/// What the app does after a lookup: the place to search from (`None` leaves it as it was)
/// and what to tell the person.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The new place, if any.
    pub place: Option<Place>,
    /// A hint about what is being searched.
    pub note: Option<String>,
    /// Something went wrong and the person should act.
    pub error: Option<String>,
}

/// Rounds a coordinate to 2 decimal places (about 1 km).
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Decides the place and messages after looking up `postcode` (whose outward code is
/// `outward`); `outward_known` says whether the browser's gazetteer knows the outward code.
pub fn after_lookup(postcode: &str, outward: &str, lookup: Lookup, outward_known: bool) -> Outcome {
    match lookup {
        Lookup::Found { lat, lon } if lat.is_finite() && lon.is_finite() => Outcome {
            place: Some(Place::Point(round2(lat), round2(lon))),
            note: Some(format!(
                "Searching around {postcode} (the link keeps only an approximate point)"
            )),
            error: None,
        },
        Lookup::NotFound => Outcome {
            place: None,
            note: None,
            error: Some(format!(
                "We couldn't find that postcode; check it or enter just the first part, like {outward}"
            )),
        },
        Lookup::Found { .. } | Lookup::Unavailable if outward_known => Outcome {
            place: Some(Place::Outward(outward.to_string())),
            note: Some(format!(
                "Postcode lookup is unavailable, so we're searching from the centre of {outward}"
            )),
            error: None,
        },
        Lookup::Found { .. } | Lookup::Unavailable => Outcome {
            place: Some(Place::Outward(outward.to_string())),
            note: None,
            error: Some(format!(
                "Postcode lookup is unavailable and we don't know the area {outward} yet; \
                 try \u{201c}Use my location\u{201d} or, on the map, \
                 \u{201c}Search around the centre of the map\u{201d}"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_text_is_classified_as_outward_full_or_invalid() {
        assert_eq!(classify(""), Typed::Empty);
        assert_eq!(classify("  "), Typed::Empty);
        assert_eq!(classify("e15"), Typed::Outward("E15".into()));
        assert_eq!(classify("SW1A"), Typed::Outward("SW1A".into()));
        assert_eq!(
            classify("sw1a 1aa"),
            Typed::Full {
                postcode: "SW1A 1AA".into(),
                outward: "SW1A".into()
            }
        );
        assert_eq!(
            classify("E15  4HT"),
            Typed::Full {
                postcode: "E15 4HT".into(),
                outward: "E15".into()
            }
        );
        assert_eq!(classify("hello world"), Typed::Invalid);
        assert_eq!(classify("../E15"), Typed::Invalid);
    }

    #[test]
    fn found_postcode_becomes_a_point_rounded_to_about_a_kilometre() {
        let o = after_lookup(
            "E15 4HT",
            "E15",
            Lookup::Found {
                lat: 51.541_832,
                lon: 0.003_125,
            },
            true,
        );
        assert_eq!(o.place, Some(Place::Point(51.54, 0.0)));
        let note = o.note.unwrap();
        assert!(note.contains("Searching around E15 4HT"));
        assert!(o.error.is_none());
        // The URL carries no postcode text and no more than 2 decimals.
        let f = crate::Filters {
            place: o.place.unwrap(),
            ..Default::default()
        };
        let q = crate::url::encode(&f);
        assert!(q.contains("at=51.54%2C0"), "{q}");
        assert!(!q.contains("E15") && !q.contains("4HT"), "{q}");
    }

    #[test]
    fn unknown_postcode_keeps_the_place_and_asks_to_check_it() {
        let o = after_lookup("ZZ9 9ZZ", "ZZ9", Lookup::NotFound, false);
        assert_eq!(o.place, None);
        assert!(o.error.unwrap().contains("We couldn't find that postcode"));
    }

    #[test]
    fn unavailable_lookup_falls_back_to_the_outward_code() {
        let o = after_lookup("E15 4HT", "E15", Lookup::Unavailable, true);
        assert_eq!(o.place, Some(Place::Outward("E15".into())));
        assert_eq!(
            o.note.as_deref(),
            Some("Postcode lookup is unavailable, so we're searching from the centre of E15")
        );
        let o = after_lookup("XY9 9AA", "XY9", Lookup::Unavailable, false);
        let e = o.error.unwrap();
        assert!(e.contains("don't know the area XY9"));
        assert!(e.contains("Use my location"));
        assert!(e.contains("Search around the centre of the map"));
    }
}
