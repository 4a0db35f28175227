//! The OpenActive Activity List seen through the finder's [`ActivityVocabulary`] trait.

use crate::index::ActivityVocabulary;
use openactive::vocab::ActivityList;

/// A vocabulary that knows nothing: no labels, no hierarchy; references pass through as the
/// feeds give them.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoVocabulary;

impl ActivityVocabulary for NoVocabulary {
    fn label_of(&self, _: &str) -> Option<String> {
        None
    }
    fn id_for_label(&self, _: &str) -> Option<String> {
        None
    }
    fn ancestors_of(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}

impl ActivityVocabulary for ActivityList {
    fn label_of(&self, id: &str) -> Option<String> {
        self.label(id).map(str::to_string)
    }
    fn id_for_label(&self, label: &str) -> Option<String> {
        self.match_label(label).map(str::to_string)
    }
    fn ancestors_of(&self, id: &str) -> Vec<String> {
        // Breadth-first over `broader`; the list is a DAG, so remember what was seen.
        let mut seen: Vec<&str> = Vec::new();
        let mut queue: Vec<&str> = self.parents(id);
        while let Some(p) = queue.pop() {
            if !seen.contains(&p) {
                seen.push(p);
                queue.extend(self.parents(p));
            }
        }
        seen.into_iter().map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_follow_every_broader_link_of_the_real_list() {
        let list =
            ActivityList::from_jsonld(include_str!("../../openactive/vocab/activity-list.jsonld"))
                .unwrap();
        let lessons = list.match_label("Swimming Lessons").unwrap().to_string();
        let swimming = list.match_label("Swimming").unwrap().to_string();
        assert!(list.ancestors_of(&lessons).contains(&swimming));
        // Capoeira sits under both Dance and Martial Arts.
        let capoeira = list.match_label("Capoeira").unwrap().to_string();
        let labels: Vec<String> = list
            .ancestors_of(&capoeira)
            .iter()
            .filter_map(|a| list.label_of(a))
            .collect();
        assert!(
            labels.iter().any(|l| l == "Dance") && labels.iter().any(|l| l == "Martial Arts"),
            "{labels:?}"
        );
    }
}
