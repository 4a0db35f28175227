//! Concept references (`activity`, `accessibilitySupport`, EMD UK special requirements) and
//! text-or-label lists (`level`, equipment).

use serde_json::{Map, Value};

use crate::lenient::{into_text, local_name, one_or_many, text};
use crate::occurrence::ConceptRef;

use super::common::{non_empty, take_id};

/// A Concept reference (object, `@id` URL string, or a legacy label string).
///
/// ```
/// use openactive::model::concept;
/// use serde_json::json;
/// let c = concept(json!({"type": "Concept", "prefLabel": "Bowls"})).unwrap();
/// assert_eq!((c.id, c.label.as_deref()), (None, Some("Bowls")));
/// let c = concept(json!("https://openactive.io/activity-list#x")).unwrap();
/// assert!(c.id.is_some() && c.label.is_none());
/// assert_eq!(concept(json!("Yoga")).unwrap().label.as_deref(), Some("Yoga"));
/// ```
pub fn concept(v: Value) -> Option<ConceptRef> {
    match v {
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                None
            } else if s.starts_with("http://") || s.starts_with("https://") {
                Some(ConceptRef {
                    id: Some(s.to_string()),
                    label: None,
                })
            } else {
                Some(ConceptRef {
                    id: None,
                    label: Some(s.to_string()),
                })
            }
        }
        Value::Object(mut m) => {
            let id = take_id(&mut m);
            let label = m
                .remove("prefLabel")
                .or_else(|| m.remove("name"))
                .and_then(into_text);
            (id.is_some() || label.is_some()).then_some(ConceptRef { id, label })
        }
        _ => None,
    }
}

pub(super) fn concepts(v: Value) -> Option<Vec<ConceptRef>> {
    non_empty(one_or_many(v).into_iter().filter_map(concept).collect())
}

/// Takes EMD UK special requirements out of an object, whatever the key's prefix
/// (`emduk:specialRequirements`, `beta:specialRequirements`, `specialRequirements`, the
/// singular `emduk:specialRequirement`, any letter case), keys in sorted order; the same
/// concept given twice is kept once (with a label if either copy has one).
///
/// ```
/// use openactive::model::take_special_requirements;
/// use serde_json::json;
/// let mut m = json!({
///     "emduk:specialRequirement": {"id": "https://data.emduk.org/special-requirements#a", "prefLabel": "GP Referral"},
///     "beta:SpecialRequirements": ["Chair Based", "https://data.emduk.org/special-requirements#a"],
/// }).as_object().unwrap().clone();
/// let got = take_special_requirements(&mut m).unwrap();
/// assert_eq!(got.len(), 2);
/// assert_eq!(got[0].label.as_deref(), Some("Chair Based"));
/// assert_eq!(got[1].label.as_deref(), Some("GP Referral")); // the label from the other key
/// assert!(m.is_empty());
/// ```
pub fn take_special_requirements(m: &mut Map<String, Value>) -> Option<Vec<ConceptRef>> {
    let mut keys: Vec<String> = m
        .keys()
        .filter(|k| {
            let l = local_name(k).to_ascii_lowercase();
            l == "specialrequirements" || l == "specialrequirement"
        })
        .cloned()
        .collect();
    keys.sort();
    let mut out: Vec<ConceptRef> = Vec::new();
    for k in keys {
        for c in m
            .remove(&k)
            .map(one_or_many)
            .unwrap_or_default()
            .into_iter()
            .filter_map(concept)
        {
            let same = out.iter_mut().find(|x| {
                (x.id.is_some() && x.id == c.id)
                    || (x.id.is_none() && c.id.is_none() && x.label == c.label)
            });
            match same {
                Some(x) if x.label.is_none() => x.label = c.label,
                Some(_) => {}
                None => out.push(c),
            }
        }
    }
    non_empty(out)
}

pub(super) fn texts_or_labels(v: Value) -> Option<Vec<String>> {
    non_empty(
        one_or_many(v)
            .into_iter()
            .filter_map(|x| match x {
                Value::Object(m) => m.get("prefLabel").or_else(|| m.get("name")).and_then(text),
                other => into_text(other),
            })
            .collect(),
    )
}
