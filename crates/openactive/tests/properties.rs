//! Property tests: FeedState against a simple oracle, and parse_page never panicking.

use std::collections::HashMap;

use openactive::{FeedState, Modified, parse_page};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Update { id: u8, modified: u16, value: u8 },
    Delete { id: u8, modified: u16 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..8, 0u16..50, any::<u8>()).prop_map(|(id, modified, value)| Op::Update {
            id,
            modified,
            value
        }),
        (0u8..8, 0u16..50).prop_map(|(id, modified)| Op::Delete { id, modified }),
    ]
}

fn page_json(ops: &[Op]) -> String {
    let items: Vec<_> = ops
        .iter()
        .map(|o| match o {
            // Mix integer and digit-string `modified` (and integer/string ids) on purpose.
            Op::Update { id, modified, value } => serde_json::json!({
                "state": "updated", "kind": "Event", "id": if id % 2 == 0 { serde_json::json!(id) } else { serde_json::json!(id.to_string()) },
                "modified": if modified % 3 == 0 { serde_json::json!(modified.to_string()) } else { serde_json::json!(modified) },
                "data": {"@type": "Event", "name": value.to_string()}
            }),
            Op::Delete { id, modified } => serde_json::json!({
                "state": "deleted", "kind": "Event", "id": id.to_string(), "modified": modified
            }),
        })
        .collect();
    serde_json::json!({"next": "https://x/f", "items": items}).to_string()
}

proptest! {
    #[test]
    fn feed_state_matches_oracle(pages in prop::collection::vec(prop::collection::vec(op(), 0..12), 0..6)) {
        let mut state = FeedState::new();
        // Oracle: id -> (modified, Some(value) when live).
        let mut oracle: HashMap<String, (u16, Option<u8>)> = HashMap::new();
        for ops in &pages {
            let page = parse_page(&page_json(ops), "https://x/f").unwrap();
            prop_assert_eq!(page.report.skipped.len(), 0);
            state.apply(&page);
            for o in ops {
                let (id, m, v) = match *o {
                    Op::Update { id, modified, value } => (id, modified, Some(value)),
                    Op::Delete { id, modified } => (id, modified, None),
                };
                let e = oracle.entry(id.to_string()).or_insert((m, v));
                if m >= e.0 { *e = (m, v); }
            }
        }
        let live: HashMap<&String, u8> = oracle.iter().filter_map(|(k, (_, v))| v.map(|v| (k, v))).collect();
        prop_assert_eq!(state.len(), live.len());
        for (id, v) in &live {
            let item = state.get(id).unwrap();
            let name = item.opportunity.as_ref().unwrap().name.clone().unwrap();
            prop_assert_eq!(name, v.to_string());
            prop_assert_eq!(state.modified(id), Some(&Modified::Int(i128::from(oracle[*id].0))));
        }
        prop_assert_eq!(state.iter().count(), live.len());
    }

    #[test]
    fn parse_page_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_page(&text, "https://x/f");
    }

    #[test]
    fn parse_page_never_panics_on_json(v in arb_json()) {
        let page = serde_json::json!({"next": "https://x/f", "items": [v.clone(), {"state": "updated", "id": "1", "modified": 1, "data": v}]});
        let _ = parse_page(&page.to_string(), "https://x/f");
        let _ = parse_page(&v.to_string(), "https://x/f");
        if let Ok(p) = parse_page(&page.to_string(), "https://x/f") {
            let mut store = openactive::Store::new();
            let f = store.add_feed(openactive::Dataset::default());
            store.apply_page(f, &p);
            let _ = store.occurrences("2024-01-01T00:00:00Z".parse().unwrap(), 30);
        }
    }

    #[test]
    fn the_model_only_parse_reads_the_same_items(v in arb_json(), ops in prop::collection::vec(op(), 0..8)) {
        // Arbitrary JSON as an item and as `data`, plus well-formed items: the browser's
        // one-pass parse keeps and skips the same items, with the same model.
        let mut page: serde_json::Value = serde_json::from_str(&page_json(&ops)).unwrap();
        let items = page["items"].as_array_mut().unwrap();
        items.push(v.clone());
        items.push(serde_json::json!({"state": "updated", "id": "x", "modified": 1, "data": v}));
        let text = page.to_string();
        let full = parse_page(&text, "https://x/f");
        let model = openactive::parse_page_model(text.as_bytes(), "https://x/f");
        prop_assert_eq!(full.is_ok(), model.is_ok());
        if let (Ok(a), Ok(b)) = (full, model) {
            prop_assert_eq!(a.report.skipped.len(), b.report.skipped.len());
            prop_assert_eq!(
                (a.report.updated, a.report.parsed, a.report.skipped_updated),
                (b.report.updated, b.report.parsed, b.report.skipped_updated)
            );
            prop_assert_eq!(&a.report.flagged, &b.report.flagged);
            prop_assert_eq!(a.items.len(), b.items.len());
            for (x, y) in a.items.iter().zip(&b.items) {
                prop_assert_eq!(&x.id, &y.id);
                prop_assert_eq!(x.state, y.state);
                prop_assert_eq!(&x.opportunity, &y.opportunity);
                prop_assert!(y.data.is_none());
            }
        }
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let keys = prop::sample::select(vec![
        "@type",
        "type",
        "@id",
        "id",
        "startDate",
        "endDate",
        "duration",
        "superEvent",
        "subEvent",
        "eventSchedule",
        "byDay",
        "startTime",
        "endTime",
        "repeatFrequency",
        "offers",
        "price",
        "location",
        "geo",
        "latitude",
        "longitude",
        "activity",
        "facilityUse",
        "individualFacilityUse",
        "exceptDate",
        "repeatCount",
        "name",
        "state",
        "modified",
        "data",
    ]);
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        prop::sample::select(vec![
            "SessionSeries",
            "ScheduledSession",
            "Slot",
            "FacilityUse",
            "2026-03-29T01:30:00Z",
            "2026-10-25",
            "PT1H",
            "P1W",
            "P1D",
            "P1M",
            "MO",
            "https://schema.org/Sunday",
            "01:30",
            "https://x/1",
            "0.00",
            "",
            "P",
            "PT",
        ])
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

#[test]
fn deep_nesting_is_a_clean_error() {
    for text in [
        "[".repeat(100_000),
        "{\"a\":".repeat(100_000),
        format!("{{\"next\":\"u\",\"items\":[{}]}}", "[".repeat(100_000)),
        format!(
            "{{\"next\":\"u\",\"items\":[{{\"state\":\"updated\",\"id\":\"1\",\"modified\":1,\"data\":{}}}]}}",
            "{\"a\":".repeat(100_000)
        ),
    ] {
        assert!(parse_page(&text, "u").is_err());
    }
}

/// One generated item, written as raw JSON text (so keys can repeat).
fn arb_item_text() -> impl Strategy<Value = String> {
    let state = prop::sample::select(vec![
        Some("\"updated\""),
        Some("\"updated\""),
        Some("\"Updated\""),
        Some("\"deleted\""),
        Some("\"gone\""),
        Some("null"),
        None,
    ]);
    let id = prop::sample::select(vec![
        Some("\"a\""),
        Some("\"0042\""),
        Some("42"),
        Some("7.0"),
        Some("\"\""),
        Some("{}"),
        None,
    ]);
    let modified = prop::sample::select(vec![
        Some("1"),
        Some("1704067200000"),
        Some("1704067200.25"),
        Some("\"2024-01-01T00:00:00Z\""),
        Some("\"\""),
        Some("[]"),
        None,
    ]);
    let data = prop::sample::select(vec![
        Some(
            r#"{"@type":"SessionSeries","@id":"https://x/s","subEvent":[{"@type":"ScheduledSession","startDate":"2024-01-02T10:00:00Z"}]}"#,
        ),
        Some(
            r#"{"@type":"SessionSeries.ScheduledSession","subEvent":{"startDate":"2024-01-02T10:00:00Z"}}"#,
        ),
        Some(
            r#"{"@type":"scheduledsesion","superEvent":"https://x/s","startDate":"2024-01-02T10:00:00+05:30"}"#,
        ),
        Some(
            r#"{"type":"schema:Event","name":"a","name":"b","startDate":"2024-01-02T10:00:00Z","endDate":"2024-01-02T09:00:00Z"}"#,
        ),
        Some(r#"{"@type":"Order"}"#),
        Some(r#"{"name":"no type"}"#),
        Some(r#""text""#),
        Some("[1,2]"),
        Some("null"),
        None,
    ]);
    (state, id, modified, data, any::<bool>(), any::<bool>()).prop_map(
        |(state, id, modified, data, repeat, not_object)| {
            if not_object {
                return "\"not an item\"".to_string();
            }
            let mut parts = Vec::new();
            let mut push = |k: &str, v: Option<&str>| {
                if let Some(v) = v {
                    parts.push(format!("\"{k}\":{v}"));
                }
            };
            push("state", state);
            push("kind", Some("\"x\""));
            push("id", id);
            push("modified", modified);
            if repeat {
                push("modified", Some("2"));
            }
            push("data", data);
            format!("{{{}}}", parts.join(","))
        },
    )
}

proptest! {
    /// Nothing silently lost: every updated item is read or skipped with a reason, and every
    /// entry is updated, deleted or skipped without a readable state.
    #[test]
    fn every_updated_item_is_read_or_skipped(items in prop::collection::vec(arb_item_text(), 0..12)) {
        let text = format!(r#"{{"next":"https://x/f?n=1","items":[{}]}}"#, items.join(","));
        for page in [
            parse_page(&text, "https://x/f").unwrap(),
            openactive::parse_page_model(text.as_bytes(), "https://x/f").unwrap(),
        ] {
            let r = &page.report;
            prop_assert_eq!(r.items, items.len());
            prop_assert_eq!(r.parsed + r.skipped_updated, r.updated, "{:?}", r);
            prop_assert_eq!(r.updated + r.deleted + (r.skipped.len() - r.skipped_updated), r.items);
            prop_assert!(r.skipped.iter().all(|s| !s.reason.is_empty()));
            if items.iter().all(|i| i.contains(r#""state":"updated""#)) {
                // The plain form of the invariant, for pages of updated items only.
                prop_assert_eq!(r.parsed + r.skipped.len(), r.updated);
            }
            // The join counts as unreadable the distinct skipped ids and the id-less skips.
            let mut store = openactive::Store::new();
            let f = store.add_feed(openactive::Dataset::default());
            store.apply_page(f, &page);
            let b = store.build("2024-01-01T00:00:00Z".parse().unwrap(), 30, None);
            let ids: std::collections::HashSet<&str> =
                r.skipped.iter().filter_map(|s| s.item_id.as_deref()).collect();
            let without_id = r.skipped.iter().filter(|s| s.item_id.is_none()).count();
            prop_assert_eq!(b.hidden[0].unreadable, ids.len() + without_id);
        }
    }
}
