//! [`Place`]: a location, given as a URL, a name or an object with an address and geo.

use serde_json::Value;

use crate::lenient::{self, into_text, text};

use super::common::{Ref, take_id};

/// A location, after lenient reading (geo is raw here: hygiene happens in the join).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Place {
    /// `@id`.
    pub id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// Address lines (street, locality, region), or the free-text address.
    pub address: Vec<String>,
    /// `postalCode`, trimmed and upper-cased.
    pub postcode: Option<String>,
    /// `(latitude, longitude)` as published (numbers or numeric strings).
    pub geo: Option<(f64, f64)>,
}

impl Place {
    pub(super) fn from_value(v: Value) -> Option<Ref<Place>> {
        match v {
            Value::String(s) => {
                let s = s.trim();
                if s.is_empty() {
                    None
                } else if lenient::http_url(s).is_some() {
                    Some(Ref::Id(s.to_string()))
                } else {
                    Some(Ref::Embedded(Place {
                        name: Some(s.to_string()),
                        ..Place::default()
                    }))
                }
            }
            Value::Array(a) => a.into_iter().find_map(Place::from_value),
            Value::Object(mut m) => {
                let id = take_id(&mut m);
                let name = m.remove("name").and_then(into_text);
                let (address, postcode) =
                    m.remove("address").map(address_lines).unwrap_or_default();
                let geo = m.remove("geo").and_then(geo_pair).or_else(|| {
                    let lat = m.get("latitude").and_then(lenient::number)?;
                    let lon = m.get("longitude").and_then(lenient::number)?;
                    Some((lat, lon))
                });
                if id.is_none() && name.is_none() && address.is_empty() && geo.is_none() {
                    return None;
                }
                Some(Ref::Embedded(Place {
                    id,
                    name,
                    address,
                    postcode,
                    geo,
                }))
            }
            _ => None,
        }
    }
}

impl Place {
    /// Whether the place says more than its `@id`.
    pub fn has_content(&self) -> bool {
        self.name.is_some()
            || !self.address.is_empty()
            || self.postcode.is_some()
            || self.geo.is_some()
    }
}

fn geo_pair(v: Value) -> Option<(f64, f64)> {
    let m = v.as_object()?;
    let lat = m.get("latitude").and_then(lenient::number)?;
    let lon = m.get("longitude").and_then(lenient::number)?;
    Some((lat, lon))
}

fn clean_line(s: &str) -> Option<String> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == ',');
    (!t.is_empty()).then(|| t.to_string())
}

/// Address lines and postcode from a PostalAddress object or a free-text address.
fn address_lines(v: Value) -> (Vec<String>, Option<String>) {
    match v {
        Value::String(s) => (clean_line(&s).into_iter().collect(), None),
        Value::Object(m) => {
            let lines = ["streetAddress", "addressLocality", "addressRegion"]
                .iter()
                .filter_map(|k| m.get(*k).and_then(text))
                .filter_map(|s| clean_line(&s))
                .collect();
            let postcode = m.get("postalCode").and_then(text).map(|p| p.to_uppercase());
            (lines, postcode)
        }
        _ => (Vec::new(), None),
    }
}
