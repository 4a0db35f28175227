//! Controlled vocabularies (SKOS ConceptSchemes in JSON-LD): the Activity List with its
//! hierarchy (children derived by inverting `broader`, never from `narrower`), and flat lists
//! such as Accessibility Support and Facility Types.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::Value;

use crate::lenient::{one_or_many, text};
use crate::occurrence::ConceptRef;

/// The shipped snapshot of the OpenActive Activity List (JSON-LD, as published; see
/// `vocab/SOURCES.md`).
pub const ACTIVITY_LIST_JSONLD: &str = include_str!("../vocab/activity-list.jsonld");
/// The shipped snapshot of the Accessibility Support list (JSON-LD).
pub const ACCESSIBILITY_SUPPORT_JSONLD: &str =
    include_str!("../vocab/accessibility-support.jsonld");
/// The shipped snapshot of the Facility Types list (JSON-LD).
pub const FACILITY_TYPES_JSONLD: &str = include_str!("../vocab/facility-types.jsonld");

/// The Accessibility Support concepts (id, label), as in [`ACCESSIBILITY_SUPPORT_JSONLD`]
/// (a test keeps them equal): the browser app shows these labels without carrying a JSON-LD
/// reader.
pub const ACCESSIBILITY_SUPPORT: &[(&str, &str)] = &[
    (
        "https://openactive.io/accessibility-support#1393f2dc-3fcc-4be9-a99f-f1e51f5ad277",
        "Visual impairment",
    ),
    (
        "https://openactive.io/accessibility-support#2bfb7228-5969-4927-8435-38b5005a8771",
        "Hearing impairment",
    ),
    (
        "https://openactive.io/accessibility-support#dd026873-6713-4ea1-af5a-08901f651d98",
        "Physical impairment",
    ),
    (
        "https://openactive.io/accessibility-support#67902468-fd49-4238-8650-20a22d7f0e40",
        "Learning impairment",
    ),
    (
        "https://openactive.io/accessibility-support#40b9b11f-bdd3-4aeb-8984-2ecf74a14c7a",
        "Mental health issues",
    ),
    (
        "https://openactive.io/accessibility-support#69b689d4-be04-4e6d-be56-4ac72ec82444",
        "Social or behavioural problems",
    ),
];

/// Why a vocabulary could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabError(String);

impl fmt::Display for VocabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "vocabulary: {}", self.0)
    }
}

impl std::error::Error for VocabError {}

#[derive(Debug, Clone)]
struct Concept {
    id: String,
    label: String,
    alt_labels: Vec<String>,
    notation: Option<String>,
    broader: Vec<usize>,
    top: bool,
}

fn id_of(m: &serde_json::Map<String, Value>) -> Option<String> {
    m.get("@id").or_else(|| m.get("id")).and_then(text)
}

fn read_concepts(text_in: &str) -> Result<(Vec<Concept>, Vec<Vec<String>>), VocabError> {
    let v: Value = serde_json::from_str(text_in).map_err(|e| VocabError(e.to_string()))?;
    let list = match v {
        Value::Object(mut m) => m
            .remove("concept")
            .ok_or_else(|| VocabError("no `concept` array".into()))?,
        Value::Array(a) => Value::Array(a),
        _ => return Err(VocabError("not a ConceptScheme".into())),
    };
    let mut concepts = Vec::new();
    let mut broader_ids = Vec::new();
    for c in one_or_many(list) {
        let Value::Object(m) = c else { continue };
        let (Some(id), Some(label)) = (id_of(&m), m.get("prefLabel").and_then(text)) else {
            continue;
        };
        let strings = |k: &str| -> Vec<String> {
            m.get(k)
                .cloned()
                .map(one_or_many)
                .unwrap_or_default()
                .iter()
                .filter_map(|x| match x {
                    Value::Object(o) => id_of(o),
                    other => text(other),
                })
                .collect()
        };
        broader_ids.push(strings("broader"));
        concepts.push(Concept {
            id,
            label,
            alt_labels: strings("altLabel"),
            notation: m.get("notation").and_then(text),
            broader: Vec::new(),
            top: m.contains_key("topConceptOf"),
        });
    }
    Ok((concepts, broader_ids))
}

/// A flat concept list (Accessibility Support, Facility Types).
#[derive(Debug, Clone, Default)]
pub struct ConceptList {
    concepts: Vec<(String, String)>,
    by_id: HashMap<String, usize>,
}

impl ConceptList {
    /// Reads a ConceptScheme (`concept[]` with `id`/`@id` and `prefLabel`).
    pub fn from_jsonld(text: &str) -> Result<Self, VocabError> {
        let (concepts, _) = read_concepts(text)?;
        let concepts: Vec<(String, String)> =
            concepts.into_iter().map(|c| (c.id, c.label)).collect();
        let by_id = concepts
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.clone(), i))
            .collect();
        Ok(Self { concepts, by_id })
    }

    /// The label of a concept id.
    pub fn label(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|&i| self.concepts[i].1.as_str())
    }

    /// `(id, label)` in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.concepts.iter().map(|(i, l)| (i.as_str(), l.as_str()))
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }
}

/// The OpenActive Activity List: labels, lookup by label, and the `broader` hierarchy (a DAG).
#[derive(Debug, Clone, Default)]
pub struct ActivityList {
    concepts: Vec<Concept>,
    by_id: HashMap<String, usize>,
    by_label: HashMap<String, usize>,
    children: Vec<Vec<usize>>,
}

impl ActivityList {
    /// Reads the Activity List JSON-LD. `broader` references to unknown ids are ignored;
    /// `narrower` is never read.
    pub fn from_jsonld(text: &str) -> Result<Self, VocabError> {
        let (mut concepts, broader_ids) = read_concepts(text)?;
        let by_id: HashMap<String, usize> = concepts
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let mut children = vec![Vec::new(); concepts.len()];
        for (i, ids) in broader_ids.iter().enumerate() {
            for b in ids {
                if let Some(&p) = by_id.get(b)
                    && p != i
                    && !concepts[i].broader.contains(&p)
                {
                    concepts[i].broader.push(p);
                    children[p].push(i);
                }
            }
        }
        let mut by_label = HashMap::new();
        // Lowest priority first, so prefLabel wins over altLabel over notation.
        for (i, c) in concepts.iter().enumerate() {
            if let Some(n) = &c.notation {
                by_label.insert(n.to_lowercase(), i);
            }
        }
        for (i, c) in concepts.iter().enumerate() {
            for a in &c.alt_labels {
                by_label.insert(a.to_lowercase(), i);
            }
        }
        for (i, c) in concepts.iter().enumerate() {
            by_label.insert(c.label.to_lowercase(), i);
        }
        Ok(Self {
            concepts,
            by_id,
            by_label,
            children,
        })
    }

    fn idx(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// Number of concepts.
    pub fn len(&self) -> usize {
        self.concepts.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.concepts.is_empty()
    }

    /// The current `prefLabel` of a concept.
    pub fn label(&self, id: &str) -> Option<&str> {
        self.idx(id).map(|i| self.concepts[i].label.as_str())
    }

    /// `(id, prefLabel)` in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.concepts
            .iter()
            .map(|c| (c.id.as_str(), c.label.as_str()))
    }

    /// Concepts marked `topConceptOf`.
    pub fn top_concepts(&self) -> Vec<&str> {
        self.concepts
            .iter()
            .filter(|c| c.top)
            .map(|c| c.id.as_str())
            .collect()
    }

    /// Direct parents (`broader`).
    pub fn parents(&self, id: &str) -> Vec<&str> {
        self.idx(id)
            .map(|i| {
                self.concepts[i]
                    .broader
                    .iter()
                    .map(|&p| self.concepts[p].id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Direct children (derived from other concepts' `broader`).
    pub fn children(&self, id: &str) -> Vec<&str> {
        self.idx(id)
            .map(|i| {
                self.children[i]
                    .iter()
                    .map(|&c| self.concepts[c].id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// All transitive children, each once (the hierarchy is a DAG), excluding `id` itself.
    pub fn descendants(&self, id: &str) -> Vec<&str> {
        let Some(start) = self.idx(id) else {
            return Vec::new();
        };
        let mut seen = HashSet::from([start]);
        let mut stack = vec![start];
        let mut out = Vec::new();
        while let Some(i) = stack.pop() {
            for &c in &self.children[i] {
                if seen.insert(c) {
                    out.push(self.concepts[c].id.as_str());
                    stack.push(c);
                }
            }
        }
        out
    }

    /// Matches a label case-insensitively against prefLabel, altLabel and notation
    /// (publishers sometimes put `aqua_aerobics` in `prefLabel`).
    pub fn match_label(&self, label: &str) -> Option<&str> {
        self.by_label
            .get(&label.trim().to_lowercase())
            .map(|&i| self.concepts[i].id.as_str())
    }

    /// Fills in missing or unknown ids of concept references from their labels, and returns
    /// how many were resolved. Known ids are left alone.
    pub fn resolve_refs(&self, refs: &mut [ConceptRef]) -> usize {
        let mut n = 0;
        for r in refs {
            if r.id
                .as_deref()
                .is_some_and(|id| self.by_id.contains_key(id))
            {
                continue;
            }
            if let Some(id) = r.label.as_deref().and_then(|l| self.match_label(l)) {
                r.id = Some(id.to_string());
                n += 1;
            }
        }
        n
    }
}
