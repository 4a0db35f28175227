//! Pathway collections: named presets ("Low impact", "Seated and chair-based", "Walking
//! sports", "60+"…) built from the vocabularies, kept in `data/collections.json` at the top of
//! the repository (documented in README.md, "Pathway collections") and compiled into the app
//! (parsed with `serde_json`, already in the app for the pack manifest).
//!
//! A session belongs to a collection when it meets **any** of the collection's "what" criteria
//! (an activity or a narrower one, an accessibility support, a special requirement, a published
//! minimum age of at least `min_age_from`), or the collection lists none of them, **and all** of
//! its "who" constraints (`gender`, `level`, `open_to_age`).

use crate::filter::GenderFilter;
use serde::Deserialize;
use std::sync::OnceLock;

/// The collections file as shipped.
pub const SOURCE: &str = include_str!("../../../data/collections.json");

/// One collection, as written in the file (ids are the part after `#`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collection {
    /// The URL value (`col=`): lower-case letters, digits and `-`.
    pub id: String,
    /// What the picker shows.
    pub label: String,
    /// One sentence saying what it includes.
    pub description: String,
    /// Activity List concepts; each includes its narrower activities.
    #[serde(default)]
    pub activities: Vec<String>,
    /// Accessibility Support concepts.
    #[serde(default)]
    pub accessibility: Vec<String>,
    /// EMD UK Special Requirements concepts.
    #[serde(default)]
    pub special_requirements: Vec<String>,
    /// Sessions whose published minimum age is at least this (aimed at older people).
    #[serde(default)]
    pub min_age_from: Option<u8>,
    /// Only sessions open to a person of this age.
    #[serde(default)]
    pub open_to_age: Option<u8>,
    /// Only sessions with this gender restriction (the `g=` keys: `f`, `fo`, `m`, `mo`).
    #[serde(default)]
    pub gender: Option<String>,
    /// `beginner`: only beginner-friendly sessions.
    #[serde(default)]
    pub level: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[allow(dead_code)]
    about: Option<String>,
    collections: Vec<Collection>,
}

/// Why a collections file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionsError(pub String);

impl std::fmt::Display for CollectionsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Collection {
    /// The gender constraint, when one is set.
    pub fn gender_filter(&self) -> Option<GenderFilter> {
        self.gender.as_deref().and_then(GenderFilter::from_key)
    }

    /// Whether it lists any "what" criterion (else every session meeting the "who"
    /// constraints belongs).
    pub fn has_what(&self) -> bool {
        !self.activities.is_empty()
            || !self.accessibility.is_empty()
            || !self.special_requirements.is_empty()
            || self.min_age_from.is_some()
    }
}

/// Reads a collections file and checks its own rules (ids, known constraint values, at most
/// 16 collections); the vocabulary ids are checked by the tests against the snapshots.
pub fn parse(text: &str) -> Result<Vec<Collection>, CollectionsError> {
    let file: File = serde_json::from_str(text).map_err(|e| CollectionsError(e.to_string()))?;
    let err = |m: String| Err(CollectionsError(m));
    if file.collections.len() > 16 {
        return err("at most 16 collections".into());
    }
    for (i, c) in file.collections.iter().enumerate() {
        let ok_id = !c.id.is_empty()
            && c.id.len() <= 40
            && c.id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok_id {
            return err(format!("collection {i}: id \"{}\" is not a URL key", c.id));
        }
        if file.collections[..i].iter().any(|o| o.id == c.id) {
            return err(format!("collection id \"{}\" is used twice", c.id));
        }
        if c.label.trim().is_empty() {
            return err(format!("collection \"{}\" has no label", c.id));
        }
        if c.gender.is_some() && c.gender_filter().is_none_or(|g| g == GenderFilter::Any) {
            return err(format!("collection \"{}\": gender is not f/fo/m/mo", c.id));
        }
        if c.level.as_deref().is_some_and(|l| l != "beginner") {
            return err(format!(
                "collection \"{}\": level is not \"beginner\"",
                c.id
            ));
        }
    }
    Ok(file.collections)
}

/// The shipped collections (parsed once; a file that does not parse gives none, and the
/// native tests fail on it before it ships).
pub fn all() -> &'static [Collection] {
    static ALL: OnceLock<Vec<Collection>> = OnceLock::new();
    ALL.get_or_init(|| parse(SOURCE).unwrap_or_default())
}

/// The position of the collection with this id.
pub fn position(id: &str) -> Option<usize> {
    all().iter().position(|c| c.id == id)
}

/// What a session offers, as collections read it (full concept ids or their part after `#`).
#[derive(Debug, Clone, Default)]
pub struct Facts<'a> {
    /// Its activities and every broader one.
    pub acts: Vec<&'a str>,
    /// Accessibility Support ids.
    pub accessibility: Vec<&'a str>,
    /// "Suitable for" keys ([`crate::suits::Suit::key`]).
    pub suits: Vec<String>,
    /// Effective age range (255: no upper bound).
    pub age_min: u8,
    /// Effective upper age, 255 for none.
    pub age_max: u8,
    /// Gender restriction.
    pub gender: openactive::Gender,
    /// Beginner-friendly.
    pub beginner: bool,
}

/// Which "what" criterion of a collection a session meets first (for "why it matched").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Met {
    /// This EMD UK special requirement (its key).
    Suit(String),
    /// This activity of the collection (the session's own, or a broader one it lists).
    Activity(String),
    /// This accessibility support.
    Accessibility(String),
    /// Aimed at older people (published minimum age at least `min_age_from`).
    OlderAge(u8),
    /// The collection has no "what" criterion: only its constraints.
    Constraints,
}

fn frag(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, f)| f)
}

/// What a session meets of the collection's "what" criteria, tags first (the most specific),
/// then activities, accessibility and age; `None` when it meets none of them.
pub fn met(c: &Collection, f: &Facts<'_>) -> Option<Met> {
    if !c.has_what() {
        return Some(Met::Constraints);
    }
    if let Some(s) = c
        .special_requirements
        .iter()
        .find(|s| f.suits.iter().any(|k| k == *s))
    {
        return Some(Met::Suit(s.clone()));
    }
    // The session's own activity first when the collection lists it, else a broader one.
    if let Some(a) = f
        .acts
        .iter()
        .map(|a| frag(a))
        .find(|a| c.activities.iter().any(|x| x == a))
    {
        return Some(Met::Activity(a.to_string()));
    }
    if let Some(a) = f
        .accessibility
        .iter()
        .map(|a| frag(a))
        .find(|a| c.accessibility.iter().any(|x| x == a))
    {
        return Some(Met::Accessibility(a.to_string()));
    }
    match c.min_age_from {
        Some(n) if f.age_min >= n => Some(Met::OlderAge(n)),
        _ => None,
    }
}

/// Whether the "who" constraints hold.
pub fn constraints_hold(c: &Collection, f: &Facts<'_>) -> bool {
    c.gender_filter()
        .is_none_or(|g| crate::query::gender_ok(g, f.gender))
        && (c.level.is_none() || f.beginner)
        && c.open_to_age
            .is_none_or(|a| a >= f.age_min && (f.age_max == 255 || a <= f.age_max))
}

/// Whether a session belongs to the collection.
pub fn belongs(c: &Collection, f: &Facts<'_>) -> bool {
    constraints_hold(c, f) && met(c, f).is_some()
}
