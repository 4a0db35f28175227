//! End-to-end: the demo publisher harvested over loopback HTTP and relayed as RPDE, plus the
//! HTTP contract of `/api/feeds`, caching, ETags, errors, the vocabulary and the static app.

mod common;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use common::{client, start, test_config, wait_until, walk};
use serde_json::Value;

async fn demo_proxy(page_size: usize) -> common::Proxy {
    let mut config = test_config();
    config.page_size = page_size;
    let proxy = start(config, Some(45), 40).await;
    let state = proxy.started.state.clone();
    assert!(
        wait_until(20, || state.feeds.iter().all(|f| f.settled())).await,
        "demo harvest settles"
    );
    proxy
}

#[tokio::test]
async fn relayed_demo_pages_equal_the_compacted_state_with_publisher_bytes() {
    let proxy = demo_proxy(60).await;
    let demo = proxy.started.demo.clone().unwrap();
    let now = Utc::now();
    for feeds in &demo.data.publishers {
        for (kind, items) in [
            ("session-series", &feeds.series),
            ("scheduled-sessions", &feeds.sessions),
        ] {
            let feed_id = format!("{}-{kind}", feeds.publisher.slug);
            // What the proxy should hold: live upstream items whose end is not past.
            let expected: HashMap<String, &str> = items
                .iter()
                .filter_map(|it| {
                    let data = it.data.as_deref()?;
                    let v: Value = serde_json::from_str(data).unwrap();
                    if let Some(end) = v["endDate"].as_str() {
                        let end: DateTime<Utc> = end.parse().unwrap();
                        if end < now {
                            return None;
                        }
                    }
                    Some((it.id_json.clone(), data))
                })
                .collect();
            let (relayed, pages) = walk(&proxy, &feed_id).await;
            assert!(pages > 1 || relayed.len() < 60, "{feed_id}: paged");
            let mut got: HashMap<String, String> = HashMap::new();
            for item in &relayed {
                assert_eq!(item["state"], "updated", "no tombstones on a fresh harvest");
                let id = item["id"].to_string();
                assert!(item["modified"].is_u64());
                let data = serde_json::to_string(&item["data"]).unwrap();
                assert!(got.insert(id, data).is_none(), "each item once");
            }
            assert_eq!(got.len(), expected.len(), "{feed_id}");
            let state = proxy
                .started
                .state
                .feeds
                .iter()
                .find(|f| f.spec.id == feed_id)
                .unwrap();
            assert_eq!(state.store.read().unwrap().live_len(), expected.len());
            // Byte-identical data: check in the raw page text too.
            for (id, data) in &expected {
                assert!(got.contains_key(id), "{feed_id}: missing {id}");
                let reparsed: Value = serde_json::from_str(data).unwrap();
                assert_eq!(serde_json::to_string(&reparsed).unwrap(), got[id]);
            }
            let raw = common::walk_raw(&proxy, &feed_id).await.concat();
            for data in expected.values() {
                assert!(
                    raw.contains(data),
                    "{feed_id}: publisher bytes relayed verbatim"
                );
            }
        }
    }
}

#[tokio::test]
async fn api_feeds_lists_parents_first_with_the_contract_fields() {
    let proxy = demo_proxy(2000).await;
    let v: Value = client()
        .get(proxy.url("/api/feeds"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["demo"], true);
    // The tile server the app should use (configurable, default OpenStreetMap).
    assert_eq!(
        v["tiles"]["url"],
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    );
    assert!(
        v["tiles"]["attribution"]
            .as_str()
            .unwrap()
            .contains("OpenStreetMap")
    );
    let feeds = v["feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), 6);
    let kinds: Vec<&str> = feeds.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(&kinds[..3], ["SessionSeries"; 3]);
    assert_eq!(&kinds[3..], ["ScheduledSession"; 3]);
    for f in feeds {
        let obj = f.as_object().unwrap();
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "caught_up",
                "dataset_url",
                "error",
                "hidden",
                "id",
                "items",
                "kind",
                "last_harvest",
                "license",
                "publisher",
                "retry_at",
                "status",
                "url"
            ]
        );
        assert_eq!(f["url"], format!("/feeds/{}", f["id"].as_str().unwrap()));
        assert!(f["publisher"].as_str().unwrap().starts_with("Demo: "));
        assert!(
            f["dataset_url"]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
        assert_eq!(f["license"], "https://creativecommons.org/licenses/by/4.0/");
        assert_eq!(f["status"], "ok");
        assert!(f["error"].is_null());
        assert!(f["items"].as_u64().unwrap() > 0);
        assert!(f["last_harvest"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(common::ready_status(&proxy).await, 200);
    let health = client().get(proxy.url("/healthz")).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "{\"status\":\"ok\"}");
}

#[tokio::test]
async fn relay_page_with_matching_if_none_match_is_304() {
    let proxy = demo_proxy(50).await;
    let c = client();
    let url = proxy.url("/feeds/riverside-scheduled-sessions");
    let first = c.get(&url).send().await.unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["access-control-allow-origin"], "*");
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "strong ETag");
    let again = c
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    let other = c
        .get(&url)
        .header("if-none-match", "\"nope\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

#[tokio::test]
async fn full_pages_cache_for_an_hour_and_the_last_page_for_8_seconds() {
    let proxy = demo_proxy(20).await;
    let c = client();
    let mut path = "/feeds/parkside-scheduled-sessions".to_string();
    let mut saw_full = false;
    loop {
        let resp = c.get(proxy.url(&path)).send().await.unwrap();
        let cache = resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_string();
        let page: Value = resp.json().await.unwrap();
        let n = page["items"].as_array().unwrap().len();
        let next = page["next"].as_str().unwrap().to_string();
        if n == 20 {
            assert_eq!(cache, "public, max-age=3600");
            saw_full = true;
        } else {
            assert_eq!(cache, "public, max-age=8");
        }
        if n == 0 {
            assert_eq!(next, path, "last page points at itself");
            break;
        }
        path = next;
    }
    assert!(saw_full);
}

#[tokio::test]
async fn relay_errors_are_short_json() {
    let proxy = demo_proxy(100).await;
    let c = client();
    let bad = c
        .get(proxy.url("/feeds/riverside-session-series?afterChangeNumber=12x"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<Value>().await.unwrap()["error"],
        "invalid afterChangeNumber"
    );
    let unknown = c
        .get(proxy.url("/feeds/no-such-feed"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.text().await.unwrap(),
        "{\"error\":\"unknown feed\"}"
    );
    let api = c.get(proxy.url("/api/nothing")).send().await.unwrap();
    assert_eq!(api.status(), 404);
    assert!(
        api.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
}

#[tokio::test]
async fn relay_and_vocab_are_compressed_and_vocab_is_cached_for_a_day() {
    let proxy = demo_proxy(2000).await;
    // A client that does not decompress, so the encoding header is visible.
    let raw = reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    for path in [
        "/feeds/riverside-scheduled-sessions",
        "/vocab/activity-list.jsonld",
    ] {
        for enc in ["gzip", "br"] {
            let r = raw
                .get(proxy.url(path))
                .header("accept-encoding", enc)
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["content-encoding"], enc, "{path}");
        }
    }
    let v = client()
        .get(proxy.url("/vocab/activity-list.jsonld"))
        .send()
        .await
        .unwrap();
    assert_eq!(v.headers()["cache-control"], "public, max-age=86400");
    let body: Value = v.json().await.unwrap();
    assert!(body["concept"].as_array().unwrap().len() > 500);
}

#[tokio::test]
async fn app_is_served_with_csp_nosniff_and_spa_fallback() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>app</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.js"), "console.log(1)").unwrap();
    let mut config = test_config();
    config.dist = dir.path().to_path_buf();
    config.frame_ancestors = vec!["https://agency.example".into()];
    config.tiles.url = "https://{s}.tiles.agency.example/{z}/{x}/{y}.png".into();
    let proxy = start(config, Some(3), 100).await;
    let c = client();
    for path in ["/", "/session/abc?x=1", "/app.js"] {
        let r = c.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("default-src 'self'"));
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
        // Only the configured tile host may serve images besides the app itself.
        assert!(
            csp.contains("img-src 'self' data: https://*.tiles.agency.example;"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors https://agency.example"));
        assert!(csp.contains("base-uri 'none'"));
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert!(r.headers().contains_key("referrer-policy"));
        let body = r.text().await.unwrap();
        if path == "/app.js" {
            assert_eq!(body, "console.log(1)");
        } else {
            assert!(
                body.contains("<title>app</title>"),
                "{path}: index fallback"
            );
        }
    }
}

#[tokio::test]
async fn missing_dist_serves_a_build_hint_instead_of_crashing() {
    let proxy = start(test_config(), Some(3), 100).await;
    let r = client().get(proxy.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.text().await.unwrap().contains("scripts/run.sh"));
}

#[tokio::test]
async fn default_size_demo_relays_facility_uses_and_their_slots() {
    let mut config = test_config();
    config.page_size = 500;
    let proxy = start(
        config,
        Some(activity_finder_proxy::demo::DEFAULT_SERIES),
        500,
    )
    .await;
    let state = proxy.started.state.clone();
    assert!(
        wait_until(60, || state.feeds.iter().all(|f| f.settled())).await,
        "demo harvest settles"
    );
    let v: Value = client()
        .get(proxy.url("/api/feeds"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let feeds = v["feeds"].as_array().unwrap();
    let ids: Vec<&str> = feeds.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(feeds.len(), 10, "{ids:?}");
    // Parents (series and facility uses) come before children (sessions and slots).
    let kinds: Vec<&str> = feeds.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    let first_child = kinds
        .iter()
        .position(|k| *k == "ScheduledSession" || *k == "Slot")
        .unwrap();
    assert!(
        kinds[first_child..]
            .iter()
            .all(|k| *k == "ScheduledSession" || *k == "Slot"),
        "{kinds:?}"
    );
    for slug in ["riverside", "parkside"] {
        let (uses, _) = walk(&proxy, &format!("{slug}-facility-uses")).await;
        let (slots, _) = walk(&proxy, &format!("{slug}-facility-use-slots")).await;
        assert!(!uses.is_empty() && !slots.is_empty(), "{slug}");
        let use_ids: std::collections::HashSet<&str> = uses
            .iter()
            .map(|i| i["data"]["@id"].as_str().unwrap())
            .collect();
        for s in &slots {
            assert_eq!(s["kind"], "FacilityUse/Slot");
            assert!(use_ids.contains(s["data"]["facilityUse"].as_str().unwrap()));
        }
    }
    assert!(!ids.contains(&"northgate-facility-uses"));
}
