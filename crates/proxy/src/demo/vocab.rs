//! Readers of the vocabulary snapshots the demo takes its concept ids from.

use serde_json::Value;

use super::tables::TEMPLATES;

/// The Activity List snapshot shipped with the app.
pub const ACTIVITY_LIST: &str = openactive::vocab::ACTIVITY_LIST_JSONLD;
/// The Accessibility Support snapshot.
pub const ACCESSIBILITY_SUPPORT: &str = openactive::vocab::ACCESSIBILITY_SUPPORT_JSONLD;
/// The Facility Types snapshot.
pub const FACILITY_TYPES: &str = openactive::vocab::FACILITY_TYPES_JSONLD;
/// (prefLabel, @id) of every activity the demo uses, resolved from the vocab snapshot.
pub fn demo_activities() -> Vec<(&'static str, String)> {
    let index = activity_index();
    let mut labels: Vec<&'static str> = TEMPLATES.iter().map(|t| t.activity).collect();
    labels.sort_unstable();
    labels.dedup();
    labels
        .into_iter()
        .filter_map(|l| index.get(l).map(|id| (l, id.clone())))
        .collect()
}

/// prefLabel → `@id` for every concept of the Activity List snapshot.
pub fn activity_index() -> std::collections::HashMap<String, String> {
    let v: Value = serde_json::from_str(ACTIVITY_LIST).unwrap_or(Value::Null);
    v.get("concept")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c.get("prefLabel")?.as_str()?.to_string(),
                        c.get("id")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn accessibility_concepts() -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(ACCESSIBILITY_SUPPORT).unwrap_or(Value::Null);
    v.get("concept")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c.get("id")?.as_str()?.to_string(),
                        c.get("prefLabel")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// prefLabel → `@id` for every concept of the Facility Types snapshot.
pub(super) fn facility_type_index() -> std::collections::HashMap<String, String> {
    let v: Value = serde_json::from_str(FACILITY_TYPES).unwrap_or(Value::Null);
    v.get("concept")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| {
                    Some((
                        c.get("prefLabel")?.as_str()?.to_string(),
                        c.get("id")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}
