//! "Suitable for": EMD UK `specialRequirements` tags (GP referral, chair based, Parkinson's…)
//! read leniently and mapped to the EMD UK Special Requirements list.
//!
//! Publishers write these tags in many forms: full concept objects with an `http://` or
//! `https://` `data.emduk.org` id, `@id`/`@type` keys, bare id strings, bare labels in any case
//! and punctuation ("Chair Based", "Parkinson's" for the list's "Parkinsons"). The model
//! (`openactive::model::take_special_requirements`) reads every key form into
//! [`ConceptRef`]s; [`normalise`] maps each to a concept of the list, by id (scheme and case
//! insensitive) or by label (case and punctuation insensitive). A tag the list does not have is
//! kept with its own label ([`Suit::Other`]); a tag with an unknown id and no label cannot be
//! shown and is skipped (the index counts it, [`crate::Index::suits_unread`]).
//!
//! The list itself is compiled in as [`CONCEPTS`] (18 concepts, a few hundred bytes), so the app
//! needs no vocabulary file; `tests/suits.rs` checks it against the snapshot in
//! `crates/openactive/vocab/special-requirements.jsonld`.

use openactive::ConceptRef;

/// The canonical prefix of EMD UK Special Requirements ids (the list's own ids use `http`).
pub const PREFIX: &str = "http://data.emduk.org/special-requirements#";

/// The EMD UK Special Requirements list (id after `#`, `prefLabel`), as in the snapshot.
pub const CONCEPTS: [(&str, &str); 18] = [
    ("736f74df-0c3f-4314-9bd5-eec6b9c2f34f", "Adult Education"),
    ("e5db28d6-93ef-463e-8626-f143f55f619c", "Autism"),
    ("56ec6bb7-2272-4c7b-970f-d1af7bf94269", "Back care"),
    ("ba2291c0-252c-4616-a2a0-4863cb04cd25", "Cancer support"),
    (
        "15caac99-83b7-4963-8ec0-183050779a3d",
        "Cardiac Rehabilitation",
    ),
    ("2fa48dbf-0165-433c-9b15-604afb5248b3", "Chair based"),
    ("20c1a0c6-cf75-4d6a-b7c3-3c083ec46ce0", "Dementia"),
    ("c4bceff4-39a5-4e39-b16a-873ed79bc498", "GP Referral"),
    ("135ff50d-c3af-4db2-a491-b68070874d21", "Multiple Sclerosis"),
    ("2eba5bcc-ac8b-4d1b-beeb-d62bb10e7a0d", "Osteoporosis"),
    ("f5c631fc-51d8-4252-89c4-e5a6e17bbfd9", "Parkinsons"),
    ("68dd5e97-baad-497f-8da4-4c3bcb8ca1a4", "Post Breast Cancer"),
    ("60bd020e-13a7-4e00-890e-89d6ad157083", "Post Natal"),
    ("88ce3d1a-b49c-4edc-a24e-8c3a29dbc4f3", "Pregnancy"),
    (
        "dbb8a138-3ce9-4298-9e51-9f9011d8f6e4",
        "Residential Home / Day centre",
    ),
    ("54031d85-b037-477d-98c4-2739d0e6ef44", "RNIB"),
    ("b079c5db-44d9-4bf5-936d-8ac0b1ea31e7", "Stroke"),
    ("06b78897-6efa-431f-b76b-382de3a6b05f", "Weight Management"),
];

/// A tag read against the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suit {
    /// A concept of the list (its position in [`CONCEPTS`]).
    Known(usize),
    /// A tag the list does not have, with the publisher's own label (trimmed).
    Other(String),
}

impl Suit {
    /// The URL key: the concept id after `#`, or `x-` and the label's letters and digits in
    /// lower case, words joined by `-` ("Menopause support" → `x-menopause-support`).
    pub fn key(&self) -> String {
        match self {
            Suit::Known(i) => CONCEPTS[*i].0.to_string(),
            Suit::Other(l) => format!("x-{}", slug(l)),
        }
    }

    /// The label shown.
    pub fn label(&self) -> &str {
        match self {
            Suit::Known(i) => CONCEPTS[*i].1,
            Suit::Other(l) => l,
        }
    }
}

/// ASCII lower-case letters and digits of `s`, runs of anything else as one `-` (apostrophes
/// dropped: "Parkinson's" → `parkinsons`). ASCII only, as URL keys are, and so the app carries
/// no Unicode case tables for it.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for w in s
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
    {
        let w: String = w
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

/// ASCII letters and digits only, lower case: "Parkinson's" and "Parkinsons" compare equal.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The concept with this id: `http(s)://data.emduk.org/special-requirements#uuid` in any case,
/// or the bare uuid.
pub fn by_id(id: &str) -> Option<usize> {
    let id = id.trim();
    let lower = id.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    let uuid = match rest.split_once('#') {
        Some((base, frag)) => {
            let base = base.trim_end_matches('/');
            if !base.starts_with("data.emduk.org/special-requirements") {
                return None;
            }
            frag
        }
        None => rest,
    };
    CONCEPTS.iter().position(|(u, _)| *u == uuid)
}

/// The concept with this label (case and punctuation insensitive).
pub fn by_label(label: &str) -> Option<usize> {
    let k = squash(label);
    (!k.is_empty())
        .then(|| CONCEPTS.iter().position(|(_, l)| squash(l) == k))
        .flatten()
}

/// The concept for a URL key (the uuid after `#`), or an `x-` key of a tag outside the list.
pub fn valid_key(key: &str) -> bool {
    by_id(key).is_some()
        || key.strip_prefix("x-").is_some_and(|s| {
            !s.is_empty()
                && s.len() <= 60
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// Reads one tag: by id first, then by label; an unknown tag keeps its label; `None` when it
/// has neither a known id nor a usable label (the caller counts it).
pub fn normalise(c: &ConceptRef) -> Option<Suit> {
    if let Some(i) = c.id.as_deref().and_then(by_id) {
        return Some(Suit::Known(i));
    }
    let label = c
        .label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())?;
    if let Some(i) = by_id(label).or_else(|| by_label(label)) {
        return Some(Suit::Known(i));
    }
    // A URL is not a label a person can read.
    if label.contains("://") || slug(label).is_empty() {
        return None;
    }
    Some(Suit::Other(label.chars().take(60).collect()))
}

/// Every tag of a session, read: distinct, in the order given, and how many were skipped.
pub fn read_all(tags: &[ConceptRef]) -> (Vec<Suit>, usize) {
    let mut out: Vec<Suit> = Vec::new();
    let mut skipped = 0;
    for t in tags {
        match normalise(t) {
            Some(s) if !out.iter().any(|o| o.key() == s.key()) => out.push(s),
            Some(_) => {}
            None => skipped += 1,
        }
    }
    (out, skipped)
}

/// The label for a URL key: the list's label, or the words of an `x-` key ("x-menopause-support"
/// → "Menopause support").
pub fn key_label(key: &str) -> String {
    if let Some(i) = by_id(key) {
        return CONCEPTS[i].1.to_string();
    }
    let words = key.strip_prefix("x-").unwrap_or(key).replace('-', " ");
    let mut c = words.chars();
    match c.next() {
        // Keys are ASCII (`valid_key`), and no Unicode case table is needed.
        Some(f) => std::iter::once(f.to_ascii_uppercase()).chain(c).collect(),
        None => String::new(),
    }
}
