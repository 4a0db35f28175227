//! Shared helpers for the fixture tests: load files, wrap single items into pages, join.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use openactive::{Dataset, Occurrence, Page, Store, parse_page};

/// Reads a fixture below `tests/fixtures/`.
pub fn fixture(path: &str) -> String {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Parses a fixture page.
pub fn page(path: &str, url: &str) -> Page {
    parse_page(&fixture(path), url).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Wraps a single RPDE item (or a bare `{data}` object) into a one-item page.
pub fn wrap_item(path: &str) -> Page {
    let mut v: serde_json::Value = serde_json::from_str(&fixture(path)).unwrap();
    if v.get("state").is_none() {
        v = serde_json::json!({
            "state": "updated", "kind": "x", "id": path, "modified": 1, "data": v["data"].take()
        });
    }
    let text = serde_json::json!({ "next": "https://feed.example/next", "items": [v] }).to_string();
    parse_page(&text, "https://feed.example/page").unwrap()
}

/// A store with one feed per page, applied in order.
pub fn store_of(pages: &[Page]) -> Store {
    let mut store = Store::new();
    for p in pages {
        let f = store.add_feed(Dataset {
            publisher: "Test".into(),
            ..Dataset::default()
        });
        store.apply_page(f, p);
    }
    store
}

/// A UTC instant from RFC 3339.
pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// All occurrences between two instants.
pub fn between(store: &Store, from: &str, until: &str) -> Vec<Occurrence> {
    store.occurrences_between(at(from), at(until))
}

/// Occurrence start times as RFC 3339 strings.
pub fn starts(occ: &[Occurrence]) -> Vec<String> {
    occ.iter().map(|o| o.start.to_rfc3339()).collect()
}

/// Activity labels of an occurrence.
pub fn labels(o: &Occurrence) -> Vec<&str> {
    o.activities
        .iter()
        .filter_map(|a| a.label.as_deref())
        .collect()
}
