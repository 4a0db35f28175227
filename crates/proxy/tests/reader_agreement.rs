//! The relay reads RPDE as the browser does: for random sequences of pages (updates,
//! deletions, equal and out-of-order `modified`, mixed number/string `modified` and ids), the
//! relay's live items and their `modified` equal `openactive::rpde::FeedState`'s, after the
//! relay's documented rules: past occurrences and items outside the region are not relayed,
//! occurrences beyond the look-ahead are held back, and a stale version is ignored only when
//! the relay remembers a newer one (it remembers the items it relayed or holds, and their
//! tombstones for a week; never-relayed items are forgotten). So the ids that get any relayed
//! version start with one; a few other ids only ever get versions that are never relayed.

use std::collections::HashMap;

use activity_finder_proxy::config::{FeedConfig, Region, default_license};
use activity_finder_proxy::harvest::{Feed, apply_page, read_store};
use activity_finder_proxy::relay::Window;
use chrono::{DateTime, Utc};
use openactive::rpde::{FeedState, Modified, parse_item, parse_page};
use proptest::prelude::*;

/// What an item's data is, relative to the fixed `now`, the look-ahead and the region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// A session tomorrow, with an offset and a location inside the region.
    Soon,
    /// A session in two days, local times without an offset, no location.
    SoonLocal,
    /// A series (no dates) inside the region.
    Series,
    /// A session that ended last week.
    Past,
    /// A session that ended yesterday, local times without an offset.
    PastLocal,
    /// A session beyond the look-ahead.
    Far,
    /// A series outside the region.
    Outside,
}

use Variant::*;

const RELAYED: [Variant; 3] = [Soon, SoonLocal, Series];
const NEVER_RELAYED: [Variant; 3] = [Past, PastLocal, Outside];
const ALL: [Variant; 7] = [Soon, SoonLocal, Series, Past, PastLocal, Far, Outside];

fn now() -> DateTime<Utc> {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

fn data(v: Variant, salt: u8) -> String {
    let name = format!("{v:?}{salt}");
    let inside = r#""location":{"geo":{"latitude":51.5,"longitude":-0.1}}"#;
    match v {
        Soon => format!(
            r#"{{"@type":"ScheduledSession","name":"{name}","startDate":"2026-11-24T10:00:00Z","endDate":"2026-11-24T11:00:00Z",{inside}}}"#
        ),
        SoonLocal => format!(
            r#"{{"@type":"ScheduledSession","name":"{name}","startDate":"2026-11-25T10:00:00","endDate":"2026-11-25T11:00:00"}}"#
        ),
        Series => format!(r#"{{"@type":"SessionSeries","name":"{name}",{inside}}}"#),
        Past => format!(
            r#"{{"@type":"ScheduledSession","name":"{name}","startDate":"2026-11-16T10:00:00Z","endDate":"2026-11-16T11:00:00Z"}}"#
        ),
        PastLocal => format!(
            r#"{{"@type":"ScheduledSession","name":"{name}","startDate":"2026-11-22T10:00:00","endDate":"2026-11-22T11:00:00"}}"#
        ),
        Far => format!(
            r#"{{"@type":"ScheduledSession","name":"{name}","startDate":"2027-01-20T10:00:00Z"}}"#
        ),
        Outside => format!(
            r#"{{"@type":"SessionSeries","name":"{name}","location":{{"geo":{{"latitude":55.9,"longitude":-3.2}}}}}}"#
        ),
    }
}

fn variant_of(name: &str) -> Variant {
    *ALL.iter()
        .find(|v| {
            name.strip_prefix(&format!("{v:?}"))
                .is_some_and(|rest| rest.len() == 1)
        })
        .expect("a generated name")
}

#[derive(Debug, Clone)]
enum Op {
    Update {
        id: u8,
        id_number: bool,
        modified: String,
        variant: Variant,
        salt: u8,
    },
    Delete {
        id: u8,
        id_number: bool,
        modified: String,
    },
}

fn render(op: &Op) -> String {
    let id = |id: u8, number: bool| {
        if number {
            id.to_string()
        } else {
            format!("\"{id}\"")
        }
    };
    match op {
        Op::Update {
            id: i,
            id_number,
            modified,
            variant,
            salt,
        } => format!(
            r#"{{"state":"updated","kind":"ScheduledSession","id":{},"modified":{modified},"data":{}}}"#,
            id(*i, *id_number),
            data(*variant, *salt)
        ),
        Op::Delete {
            id: i,
            id_number,
            modified,
        } => format!(
            r#"{{"state":"deleted","kind":"ScheduledSession","id":{},"modified":{modified}}}"#,
            id(*i, *id_number)
        ),
    }
}

/// `modified` as JSON: small integers, digit strings (some with a leading zero, equal to an
/// integer) and other strings (newer than any number), so values collide and go backwards.
fn modified() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u8..6).prop_map(|n| n.to_string()),
        2 => (0u8..6).prop_map(|n| format!("\"0{n}\"")),
        1 => prop::sample::select(vec!["\"a\"", "\"b\""]).prop_map(str::to_string),
    ]
}

/// Ids 0..6 start with a relayed version; ids 10..12 only ever get never-relayed ones.
fn op() -> impl Strategy<Value = Op> {
    let main = (
        0u8..6,
        any::<bool>(),
        modified(),
        prop::sample::select(ALL.to_vec()),
        0u8..2,
    )
        .prop_map(|(id, id_number, modified, variant, salt)| Op::Update {
            id,
            id_number,
            modified,
            variant,
            salt,
        });
    let other = (
        10u8..12,
        any::<bool>(),
        modified(),
        prop::sample::select(NEVER_RELAYED.to_vec()),
    )
        .prop_map(|(id, id_number, modified, variant)| Op::Update {
            id,
            id_number,
            modified,
            variant,
            salt: 0,
        });
    let delete = (prop_oneof![0u8..6, 10u8..12], any::<bool>(), modified()).prop_map(
        |(id, id_number, modified)| Op::Delete {
            id,
            id_number,
            modified,
        },
    );
    prop_oneof![5 => main, 1 => other, 2 => delete]
}

fn seed() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        (
            any::<bool>(),
            modified(),
            prop::sample::select(RELAYED.to_vec()),
        ),
        6,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (id_number, modified, variant))| Op::Update {
                id: i as u8,
                id_number,
                modified,
                variant,
                salt: 0,
            })
            .collect()
    })
}

fn feed() -> Feed {
    Feed::new(
        FeedConfig {
            id: "f".into(),
            kind: "ScheduledSession".into(),
            url: "https://x.example/feed".into(),
            publisher: "P".into(),
            dataset_url: None,
            license: default_license(),
        },
        1,
    )
}

fn window() -> Window {
    Window {
        lookahead_days: 28,
        region: Some(Region::Bbox {
            min_lat: 51.0,
            min_lon: -1.0,
            max_lat: 52.0,
            max_lon: 1.0,
        }),
    }
}

fn body(ops: &[Op], n: usize) -> String {
    let items: Vec<String> = ops.iter().map(render).collect();
    format!(
        r#"{{"next":"https://x.example/feed?page={}","items":[{}]}}"#,
        n + 1,
        items.join(",")
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn relay_state_equals_openactive_feed_state_after_the_window_rules(
        seed in seed(),
        pages in prop::collection::vec(prop::collection::vec(op(), 0..8), 1..6),
    ) {
        let feed = feed();
        let mut state = FeedState::new();
        let mut url = url::Url::parse("https://x.example/feed").unwrap();
        for (n, ops) in std::iter::once(&seed).chain(&pages).enumerate() {
            let text = body(ops, n);
            let page = parse_page(&text, url.as_str()).unwrap();
            state.apply(&page);
            let summary = apply_page(&feed, &url, text.as_bytes(), &window(), now()).unwrap();
            prop_assert_eq!(summary.skipped, 0);
            url = summary.next;
        }

        // What openactive holds, sorted by where the relay's rules put it.
        let mut live: HashMap<String, Modified> = HashMap::new();
        let mut held: HashMap<String, Modified> = HashMap::new();
        for (id, item) in state.iter() {
            let opp = item.opportunity.as_ref().unwrap();
            let variant = variant_of(opp.name.as_deref().unwrap());
            let modified = state.modified(id).unwrap().clone();
            if RELAYED.contains(&variant) {
                live.insert(id.to_string(), modified);
            } else if variant == Far {
                held.insert(id.to_string(), modified);
            }
        }

        let store = read_store(&feed);
        let relay_live: HashMap<String, Modified> = store
            .live_modified()
            .into_iter()
            .map(|(k, m)| (k.to_string(), m.clone()))
            .collect();
        let relay_held: HashMap<String, Modified> = store
            .held_modified()
            .into_iter()
            .map(|(k, m)| (k.to_string(), m.clone()))
            .collect();
        prop_assert_eq!(&relay_live, &live);
        prop_assert_eq!(&relay_held, &held);
        prop_assert_eq!(store.live_len(), live.len());

        // The relayed feed: each live item once, with the publisher's exact data bytes and
        // its id in the form last published; tombstones only for items not live.
        let mut seen = HashMap::new();
        for (_, json) in store.page(0, usize::MAX) {
            let relayed = parse_item(json).unwrap();
            prop_assert!(seen.insert(relayed.id.clone(), ()).is_none(), "each id once");
            match &relayed.data {
                Some(data) => {
                    let upstream = state.get(&relayed.id).unwrap();
                    prop_assert!(live.contains_key(&relayed.id));
                    prop_assert_eq!(data.get(), upstream.data.as_ref().unwrap().get());
                    prop_assert_eq!(relayed.id_is_number, upstream.id_is_number);
                }
                None => prop_assert!(!live.contains_key(&relayed.id)),
            }
        }
        prop_assert!(live.keys().all(|k| seen.contains_key(k)));
    }
}
