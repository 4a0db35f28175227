//! Polite harvesting (status handling, back-off, User-Agent, weekly resync), the region rule
//! for children, and the per-client rate limit of our own server, all on 127.0.0.1.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use activity_finder_proxy::config::{FeedConfig, Region, default_license};
use activity_finder_proxy::harvest::{Health, USER_AGENT, read_store};
use activity_finder_proxy::http;
use activity_finder_proxy::ratelimit::RateLimiter;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use common::{start, test_config, wait_until};

#[derive(Clone, Default)]
struct Seen {
    hits: Arc<Mutex<HashMap<String, usize>>>,
    agents: Arc<Mutex<Vec<String>>>,
    flipped: Arc<AtomicBool>,
    /// The series p2 moved from Manchester to London (a new version on the last page).
    moved: Arc<AtomicBool>,
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn rpde(next: &str, items: &[String]) -> Response {
    json(format!(
        r#"{{"next":"{next}","items":[{}],"license":"https://creativecommons.org/licenses/by/4.0/"}}"#,
        items.join(",")
    ))
}

fn item(kind: &str, id: &str, modified: u64, data: &str) -> String {
    format!(
        r#"{{"state":"updated","kind":"{kind}","id":"{id}","modified":{modified},"data":{data}}}"#
    )
}

async fn handler(State(seen): State<Seen>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    *seen.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
    if let Some(ua) = req.headers().get(header::USER_AGENT) {
        seen.agents
            .lock()
            .unwrap()
            .push(ua.to_str().unwrap_or("").to_string());
    }
    let soon = (Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    match path.as_str() {
        "/busy" => StatusCode::SERVICE_UNAVAILABLE.into_response(),
        "/busy-short" => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
        )
            .into_response(),
        "/busy-mid" => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "600")],
        )
            .into_response(),
        "/busy-long" => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "10800")],
        )
            .into_response(),
        "/gone" => StatusCode::GONE.into_response(),
        "/error" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "/flip" => {
            if query == "page=2" {
                return rpde("/flip?page=2", &[]);
            }
            let ids: &[&str] = if seen.flipped.load(Ordering::SeqCst) {
                &["a", "c"]
            } else {
                &["a", "b", "c"]
            };
            let items: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    item(
                        "SessionSeries",
                        id,
                        i as u64 + 1,
                        r#"{"@type":"SessionSeries","name":"x"}"#,
                    )
                })
                .collect();
            rpde("/flip?page=2", &items)
        }
        "/parents" => {
            let geo = |lat: f64, lon: f64| {
                format!(r#""location":{{"geo":{{"latitude":{lat},"longitude":{lon}}}}}"#)
            };
            if query == "end" {
                if seen.moved.load(Ordering::SeqCst) {
                    let p2 = format!(
                        r#"{{"@type":"SessionSeries","@id":"https://up.example/p2",{}}}"#,
                        geo(51.52, -0.08)
                    );
                    return rpde("/parents?end", &[item("SessionSeries", "p2", 3, &p2)]);
                }
                return rpde("/parents?end", &[]);
            }
            rpde(
                "/parents?end",
                &[
                    item(
                        "SessionSeries",
                        "p1",
                        1,
                        &format!(
                            r#"{{"@type":"SessionSeries","@id":"https://up.example/p1",{}}}"#,
                            geo(51.51, -0.12)
                        ),
                    ),
                    item(
                        "SessionSeries",
                        "p2",
                        2,
                        &format!(
                            r#"{{"@type":"SessionSeries","@id":"https://up.example/p2",{}}}"#,
                            geo(53.48, -2.24)
                        ),
                    ),
                ],
            )
        }
        "/children" => {
            if query == "end" {
                return rpde("/children?end", &[]);
            }
            let s = |extra: &str| {
                format!(r#"{{"@type":"ScheduledSession","startDate":"{soon}",{extra}}}"#)
            };
            rpde(
                "/children?end",
                &[
                    item(
                        "ScheduledSession",
                        "c1",
                        1,
                        &s(r#""superEvent":"https://up.example/p1""#),
                    ),
                    item(
                        "ScheduledSession",
                        "c2",
                        2,
                        &s(r#""superEvent":"https://up.example/p2""#),
                    ),
                    item(
                        "ScheduledSession",
                        "c3",
                        3,
                        &s(
                            r#""superEvent":"https://up.example/p2","location":{"geo":{"latitude":51.5,"longitude":-0.1}}"#,
                        ),
                    ),
                    item(
                        "ScheduledSession",
                        "c4",
                        4,
                        &s(
                            r#""superEvent":{"@id":"https://up.example/p9","location":{"geo":{"latitude":53.4,"longitude":-2.2}}}"#,
                        ),
                    ),
                    item(
                        "ScheduledSession",
                        "c5",
                        5,
                        &s(r#""superEvent":"https://up.example/unknown""#),
                    ),
                ],
            )
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn upstream() -> (SocketAddr, Seen) {
    let seen = Seen::default();
    let app = Router::new()
        .fallback(get(handler))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, seen)
}

fn feed(id: &str, kind: &str, url: String) -> FeedConfig {
    FeedConfig {
        id: id.into(),
        kind: kind.into(),
        url,
        publisher: "Test".into(),
        dataset_url: None,
        license: default_license(),
    }
}

fn find<'a>(p: &'a common::Proxy, id: &str) -> &'a activity_finder_proxy::harvest::Feed {
    p.started
        .state
        .feeds
        .iter()
        .find(|f| f.spec.id == id)
        .unwrap()
}

/// Pass criteria: 503 → exactly 1 request and the next attempt scheduled 60–120 min later;
/// 503 with `Retry-After` → that time bounded to 1 min – 2 h (5 s → 1 min, 600 s → 10 min,
/// 10800 s → 2 h); 410 → `gone`, 1 request, checked again in a day (the task keeps running);
/// 500 → retried after 2.5–5 s (first back-off step, jittered); `/api/feeds` shows each
/// feed's next try; every request carries the project's User-Agent.
#[tokio::test]
async fn status_codes_drive_back_off_and_the_user_agent_names_the_project() {
    let (addr, seen) = upstream().await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.1/32".into()];
    for (id, path) in [
        ("busy", "/busy"),
        ("busy-short", "/busy-short"),
        ("busy-mid", "/busy-mid"),
        ("busy-long", "/busy-long"),
        ("gone", "/gone"),
        ("error", "/error"),
    ] {
        config
            .feeds
            .push(feed(id, "SessionSeries", format!("http://{addr}{path}")));
    }
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(10, || state.feeds.iter().all(|f| f.settled())).await);
    let t = Utc::now();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let hits = seen.hits.lock().unwrap().clone();
    for path in [
        "/busy",
        "/busy-short",
        "/busy-mid",
        "/busy-long",
        "/gone",
        "/error",
    ] {
        assert_eq!(hits.get(path), Some(&1), "{path}: one request so far");
    }
    let retry_in = |id: &str| {
        let s = find(&proxy, id).status();
        (s.retry_at.map(|r| (r - t).num_seconds()), s.health)
    };
    let (busy, h) = retry_in("busy");
    assert_eq!(h, Health::Failing);
    let busy = busy.unwrap();
    assert!(
        (3540..=7200).contains(&busy),
        "503 waits 60-120 min, got {busy} s"
    );
    for (id, secs) in [("busy-short", 60), ("busy-mid", 600), ("busy-long", 7200)] {
        let (wait, h) = retry_in(id);
        assert_eq!(h, Health::Failing);
        let wait = wait.unwrap();
        assert!(
            (secs - 5..=secs).contains(&wait),
            "{id}: Retry-After honoured within 1 min - 2 h: expected {secs} s, got {wait} s"
        );
    }
    let (gone, h) = retry_in("gone");
    assert_eq!(h, Health::Gone);
    let gone = gone.expect("a gone feed is checked again");
    assert!(
        (86_300..=86_400).contains(&gone),
        "gone feeds are re-checked daily, got {gone} s"
    );
    let gone_index = state
        .feeds
        .iter()
        .position(|f| f.spec.id == "gone")
        .unwrap();
    assert!(
        !proxy.started.tasks[gone_index].is_finished(),
        "the gone feed's harvester keeps running"
    );
    let api: serde_json::Value = common::client()
        .get(proxy.url("/api/feeds"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for f in api["feeds"].as_array().unwrap() {
        let at = f["retry_at"]
            .as_str()
            .unwrap_or_else(|| panic!("{f}: next try shown"));
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }
    let (err, _) = retry_in("error");
    let err = err.unwrap();
    assert!(
        (1..=5).contains(&err),
        "500 retried after a short jittered back-off: {err} s"
    );
    let agents = seen.agents.lock().unwrap().clone();
    assert!(!agents.is_empty());
    assert!(agents.iter().all(|a| a == USER_AGENT));
    assert_eq!(USER_AGENT, "ActivityFinder/0.1 (OpenActive consumer)");
}

/// Pass criterion: after a full resync (interval set to 2 s), the item the publisher stopped
/// sending (without a deletion) is relayed as deleted, the others stay live throughout.
#[tokio::test]
async fn full_resync_removes_items_not_seen_again_and_keeps_serving() {
    let (addr, seen) = upstream().await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.1/32".into()];
    config.resync_interval_secs = 2;
    config
        .feeds
        .push(feed("flip", "SessionSeries", format!("http://{addr}/flip")));
    let proxy = start(config, None, 100).await;
    let f = proxy.started.state.feeds[0].clone();
    assert!(wait_until(10, || read_store(&f).live_len() == 3).await);
    seen.flipped.store(true, Ordering::SeqCst);
    let ok = wait_until(10, || {
        let st = read_store(&f);
        assert!(
            st.contains_live("\"a\"") && st.contains_live("\"c\""),
            "kept serving"
        );
        !st.contains_live("\"b\"")
    })
    .await;
    assert!(ok, "b removed by the resync");
    let (items, _) = common::walk(&proxy, "flip").await;
    assert!(
        items
            .iter()
            .any(|i| i["id"] == "b" && i["state"] == "deleted")
    );
    assert_eq!(items.iter().filter(|i| i["state"] == "updated").count(), 2);
}

/// Pass criterion: with a London region, a child without coordinates is dropped when its
/// parent lies outside (by reference or embedded), kept when its parent is inside, kept when it
/// has its own coordinates inside, and kept when the parent is unknown: live = {c1, c3, c5}.
#[tokio::test]
async fn children_follow_their_parents_location() {
    let (addr, _) = upstream().await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.1/32".into()];
    config.region = Some(Region::Circle {
        lat: 51.5072,
        lon: -0.1276,
        radius_km: 40.0,
    });
    config.feeds.push(feed(
        "children",
        "ScheduledSession",
        format!("http://{addr}/children"),
    ));
    config.feeds.push(feed(
        "parents",
        "SessionSeries",
        format!("http://{addr}/parents"),
    ));
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(10, || state.feeds.iter().all(|f| f.settled())).await);
    let parents = read_store(find(&proxy, "parents")).live_keys().len();
    assert_eq!(parents, 1, "p2 (Manchester) dropped");
    let children = find(&proxy, "children");
    let mut live: Vec<String> = read_store(children).live_keys();
    live.sort();
    assert_eq!(live, ["\"c1\"", "\"c3\"", "\"c5\""]);
}

/// Pass criterion: when the series p2 moves back into the region (a new version on the
/// parents feed's last page), its child c2, dropped with it, is relayed again at once: no
/// resync (weekly here) and no new version of the child needed.
#[tokio::test]
async fn children_come_back_when_their_parent_moves_back_into_the_region() {
    let (addr, seen) = upstream().await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.1/32".into()];
    config.region = Some(Region::Circle {
        lat: 51.5072,
        lon: -0.1276,
        radius_km: 40.0,
    });
    config.feeds.push(feed(
        "children",
        "ScheduledSession",
        format!("http://{addr}/children"),
    ));
    config.feeds.push(feed(
        "parents",
        "SessionSeries",
        format!("http://{addr}/parents"),
    ));
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(10, || state.feeds.iter().all(|f| f.settled())).await);
    let children = find(&proxy, "children");
    assert!(!read_store(children).contains_live("\"c2\""));
    assert_eq!(read_store(children).parked_len(), 1, "c2 parked for p2");
    seen.moved.store(true, Ordering::SeqCst);
    let parents = find(&proxy, "parents");
    assert!(
        wait_until(10, || read_store(parents).contains_live("\"p2\"")).await,
        "p2's new version is read"
    );
    assert!(
        wait_until(5, || read_store(children).contains_live("\"c2\"")).await,
        "c2 is back"
    );
    assert!(!read_store(children).resyncing(), "without a resync");
    assert_eq!(read_store(children).parked_len(), 0);
    let (items, _) = common::walk(&proxy, "children").await;
    assert!(
        items
            .iter()
            .any(|i| i["id"] == "c2" && i["state"] == "updated")
    );
}

/// Pass criteria: at 5 req/s with a burst of 10, of 30 back-to-back requests from 127.0.0.1
/// at most 11 succeed and the rest are 429 JSON errors with `Retry-After`; a second client
/// (127.0.0.2) is unaffected.
#[tokio::test]
async fn rate_limit_per_client_ip_answers_429_with_retry_after() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limiter = RateLimiter::new(&activity_finder_proxy::config::RateLimit {
        per_second: 5.0,
        burst: 10,
        max_clients: 100,
    })
    .map(Arc::new);
    // An API route: a whole token a request (files take a tenth: http_surface.rs).
    let app = Router::new().route("/api/feeds", get(|| async { "ok" }));
    tokio::spawn(http::serve_with(
        listener,
        app,
        Duration::from_secs(5),
        limiter,
        std::future::pending(),
    ));
    let c = common::client();
    let mut ok = 0;
    let mut limited = 0;
    for _ in 0..30 {
        let r = c
            .get(format!("http://{addr}/api/feeds"))
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            200 => ok += 1,
            429 => {
                limited += 1;
                let ra: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=2).contains(&ra));
                assert_eq!(r.headers()["content-type"], "application/json");
                assert_eq!(r.text().await.unwrap(), "{\"error\":\"too many requests\"}");
            }
            s => panic!("unexpected status {s}"),
        }
    }
    assert!((10..=11).contains(&ok), "ok = {ok}");
    assert_eq!(ok + limited, 30);
    let other = reqwest::Client::builder()
        .no_proxy()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let r = other
        .get(format!("http://{addr}/api/feeds"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "another client has its own bucket");
}
