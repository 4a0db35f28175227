//! What every reader of the model shares: [`Ref`] and the key readers (`@id`, `@type`), notes'
//! quotes, "empty is not set".

use serde_json::{Map, Value};

use crate::lenient::{into_text, text};

/// A reference that is either a URL (`@id`) or an embedded object.
#[derive(Debug, Clone, PartialEq)]
pub enum Ref<T> {
    /// A URL / `@id` to look up.
    Id(String),
    /// The object itself.
    Embedded(T),
}

impl<T> Ref<T> {
    /// The embedded object, if any.
    pub fn embedded(&self) -> Option<&T> {
        match self {
            Ref::Embedded(t) => Some(t),
            Ref::Id(_) => None,
        }
    }
}

/// Feed text quoted in a note: trimmed, at most 80 characters.
pub(super) fn clip(s: &str) -> String {
    let t = s.trim();
    match t.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

pub(super) fn take_id(m: &mut Map<String, Value>) -> Option<String> {
    m.remove("@id")
        .and_then(into_text)
        .or_else(|| m.remove("id").and_then(into_text))
}

pub(super) fn take_type(m: &mut Map<String, Value>) -> Option<String> {
    let t = m.remove("@type").or_else(|| m.remove("type"))?;
    match t {
        Value::Array(a) => a.iter().find_map(text),
        other => into_text(other),
    }
}

pub(super) fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}
