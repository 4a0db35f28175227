//! The vocabulary snapshots the demo takes its concept ids from, read by `openactive::vocab`.

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
    openactive::ActivityList::from_jsonld(ACTIVITY_LIST)
        .map(|l| label_to_id(l.iter()))
        .unwrap_or_default()
}

/// (`@id`, prefLabel) of every Accessibility Support concept.
pub(super) fn accessibility_concepts() -> Vec<(String, String)> {
    openactive::vocab::ConceptList::from_jsonld(ACCESSIBILITY_SUPPORT)
        .map(|l| {
            l.iter()
                .map(|(id, label)| (id.to_string(), label.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// prefLabel → `@id` for every concept of the Facility Types snapshot.
pub(super) fn facility_type_index() -> std::collections::HashMap<String, String> {
    openactive::vocab::ConceptList::from_jsonld(FACILITY_TYPES)
        .map(|l| label_to_id(l.iter()))
        .unwrap_or_default()
}

/// prefLabel → `@id` (a later concept with the same label wins, as before).
fn label_to_id<'a>(
    concepts: impl Iterator<Item = (&'a str, &'a str)>,
) -> std::collections::HashMap<String, String> {
    concepts
        .map(|(id, label)| (label.to_string(), id.to_string()))
        .collect()
}
