//! Harvesting against faulty upstreams on 127.0.0.1: a gzip bomb, a trickling body, a
//! connection closed mid-body, an upstream flipping between healthy and broken, and the
//! cache headers of error answers.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use activity_finder_proxy::config::Limits;
use activity_finder_proxy::harvest::{Feed, Health};
use axum::Router;
use axum::body::Body;
use axum::extract::RawQuery;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::{feed, harvester, start, status_of, test_config, wait_until};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower_http::compression::CompressionLayer;

const LICENSE: &str = r#""license":"https://creativecommons.org/licenses/by/4.0/""#;

fn item(id: &str, modified: u64, name: &str) -> String {
    format!(
        r#"{{"state":"updated","kind":"SessionSeries","id":"{id}","modified":{modified},"data":{{"@type":"SessionSeries","@id":"https://x.example/{id}","name":"{name}"}}}}"#
    )
}

fn page(next: &str, items: &[String]) -> Response {
    let body = format!(
        r#"{{"next":"{next}","items":[{}],{LICENSE}}}"#,
        items.join(",")
    );
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A one-item healthy feed at `/good`.
async fn good(RawQuery(q): RawQuery) -> Response {
    if q.as_deref() == Some("after=1") {
        page("/good?after=1", &[])
    } else {
        page("/good?after=1", &[item("a", 1, "Yoga")])
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// Resident set size of this process, from `/proc/self/status`.
fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS line");
    let kb: u64 = line
        .trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kb * 1024
}

static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

/// 50 MiB of zeros, streamed (never held in memory), gzip-compressed on the wire by
/// `CompressionLayer` when the client accepts gzip.
async fn zeros() -> Response {
    let chunks = (0..800).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from_static(&ZEROS)));
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response()
}

#[tokio::test]
async fn gzip_bomb_fails_larger_than_cap_with_rss_growth_under_twice_cap_plus_32mib() {
    // Records whether the harvester's request asked for gzip (so the bomb is inflated by it).
    let asked_gzip = Arc::new(AtomicBool::new(false));
    let seen = asked_gzip.clone();
    let addr = serve(
        Router::new()
            .route("/bomb", get(zeros))
            .layer(CompressionLayer::new())
            .layer(axum::middleware::from_fn(
                move |req: axum::extract::Request, next: axum::middleware::Next| {
                    let accepts = req
                        .headers()
                        .get(header::ACCEPT_ENCODING)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.contains("gzip"));
                    seen.store(accepts, Ordering::SeqCst);
                    next.run(req)
                },
            )),
    )
    .await;
    let url = url::Url::parse(&format!("http://{addr}/bomb")).unwrap();

    // Sanity: the bomb really is gzip on the wire (read one chunk, then hang up).
    let mut raw = reqwest::Client::builder()
        .no_proxy()
        .no_gzip()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
        .get(url.clone())
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(raw.content_length().is_none());
    let first = raw.chunk().await.unwrap().unwrap();
    assert!(
        first.len() < 64 * 1024,
        "compressed chunk {} bytes",
        first.len()
    );
    drop(raw);

    let cap: u64 = 64 * 1024;
    let h = harvester(
        Limits {
            max_body_bytes: cap,
            request_timeout_secs: 5,
            ..Limits::default()
        },
        true,
    );
    let f = Feed::new(feed("bomb", url.to_string()), 1);
    let before = rss_bytes();
    let err = h.fetch(&f, &url).await.unwrap_err();
    let after = rss_bytes();
    assert_eq!(err.message, format!("response larger than {cap} bytes"));
    assert!(
        asked_gzip.load(Ordering::SeqCst),
        "the harvester accepts gzip"
    );
    let growth = after.saturating_sub(before);
    assert!(
        growth < 2 * cap + 32 * 1024 * 1024,
        "RSS grew by {growth} bytes ({before} -> {after})"
    );
}

/// One byte every 200 ms, for ever.
async fn trickle() -> Response {
    let stream = futures_util::stream::unfold(0u64, |n| async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        Some((
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b" ")),
            n + 1,
        ))
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

#[tokio::test]
async fn trickling_body_is_cut_by_the_request_timeout_within_deadline_plus_one_second() {
    let addr = serve(Router::new().route("/trickle", get(trickle))).await;
    let url = url::Url::parse(&format!("http://{addr}/trickle")).unwrap();
    let h = harvester(
        Limits {
            request_timeout_secs: 1,
            ..Limits::default()
        },
        true,
    );
    let f = Feed::new(feed("trickle", url.to_string()), 1);
    let t0 = Instant::now();
    let err = h.fetch(&f, &url).await.unwrap_err();
    let elapsed = t0.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(err.message.starts_with("timed out"), "{}", err.message);

    // And through the whole proxy: the feed is reported failing.
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.0/8".into()];
    config.limits.request_timeout_secs = 1;
    config.feeds = vec![feed("trickle", url.to_string())];
    let proxy = start(config, None, 100).await;
    assert!(wait_until(3, || status_of(&proxy, "trickle").0 == Health::Failing).await);
    let (_, error) = status_of(&proxy, "trickle");
    assert!(error.unwrap().starts_with("timed out"));
}

/// A raw upstream that declares `Content-Length: 10000`, sends 100 bytes and closes.
async fn truncating_upstream() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                            Content-Length: 10000\r\n\r\n";
                let mut body = br#"{"next":"/x","items":["#.to_vec();
                body.resize(100, b' ');
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
                let _ = sock.flush().await;
                let _ = sock.shutdown().await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn close_mid_body_fails_the_feed_with_a_clear_error_and_other_feeds_stay_ok() {
    let bad = truncating_upstream().await;
    let url = url::Url::parse(&format!("http://{bad}/feed")).unwrap();
    let h = harvester(
        Limits {
            request_timeout_secs: 5,
            ..Limits::default()
        },
        true,
    );
    let f = Feed::new(feed("truncated", url.to_string()), 1);
    let t0 = Instant::now();
    let err = h.fetch(&f, &url).await.unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    assert_eq!(err.message, "response body could not be read");

    let good_addr = serve(Router::new().route("/good", get(good))).await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.0/8".into()];
    config.feeds = vec![
        feed("truncated", url.to_string()),
        feed("good", format!("http://{good_addr}/good")),
    ];
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(5, || state.feeds.iter().all(|f| f.settled())).await);
    assert!(wait_until(5, || status_of(&proxy, "good").0 == Health::Ok).await);
    assert_eq!(
        status_of(&proxy, "truncated"),
        (
            Health::Failing,
            Some("response body could not be read".into())
        )
    );
    let (items, _) = common::walk(&proxy, "good").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["data"]["name"], "Yoga");
    let (items, _) = common::walk(&proxy, "truncated").await;
    assert!(items.is_empty());
    let health = common::client()
        .get(proxy.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[derive(Clone, Default)]
struct Flip {
    broken: Arc<AtomicBool>,
    published: Arc<AtomicBool>,
}

/// `/flip` → item a; `/flip?after=1` → the last page (500 while broken; item b once
/// published); `/flip?after=2` → the last page after b.
async fn flip_upstream(flip: Flip) -> SocketAddr {
    let app = Router::new().route(
        "/flip",
        get(move |RawQuery(q): RawQuery| {
            let flip = flip.clone();
            async move {
                match q.as_deref() {
                    None => page("/flip?after=1", &[item("a", 1, "Yoga")]),
                    Some("after=1") if flip.broken.load(Ordering::SeqCst) => (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "<html>upstream on fire</html>",
                    )
                        .into_response(),
                    Some("after=1") if flip.published.load(Ordering::SeqCst) => {
                        page("/flip?after=2", &[item("b", 2, "Pilates")])
                    }
                    Some("after=1") => page("/flip?after=1", &[]),
                    _ => page("/flip?after=2", &[]),
                }
            }
        }),
    );
    serve(app).await
}

fn names(items: &[serde_json::Value]) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .map(|i| i["data"]["name"].as_str().unwrap_or_default().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn flip_healthy_broken_healthy_keeps_items_while_failing_then_recovers_with_new_items() {
    let flip = Flip::default();
    let addr = flip_upstream(flip.clone()).await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.0/8".into()];
    config.feeds = vec![feed("flip", format!("http://{addr}/flip"))];
    let proxy = start(config, None, 100).await;

    // Healthy: harvested and relayed.
    assert!(wait_until(3, || status_of(&proxy, "flip").0 == Health::Ok).await);
    let (items, _) = common::walk(&proxy, "flip").await;
    assert_eq!(names(&items), ["Yoga"]);

    // Broken: failing (the last page is polled every second), items still relayed.
    flip.broken.store(true, Ordering::SeqCst);
    assert!(wait_until(3, || status_of(&proxy, "flip").0 == Health::Failing).await);
    assert_eq!(status_of(&proxy, "flip").1.as_deref(), Some("HTTP 500"));
    let (items, _) = common::walk(&proxy, "flip").await;
    assert_eq!(names(&items), ["Yoga"], "harvested items survive a failure");
    let v: serde_json::Value = common::client()
        .get(proxy.url("/api/feeds"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["feeds"][0]["status"], "failing");
    assert_eq!(v["feeds"][0]["items"], 1);

    // Healthy again, with a new item: the first retry (back-off ≤ 5 s) recovers.
    flip.published.store(true, Ordering::SeqCst);
    flip.broken.store(false, Ordering::SeqCst);
    assert!(
        wait_until(6, || status_of(&proxy, "flip") == (Health::Ok, None)).await,
        "{:?}",
        status_of(&proxy, "flip")
    );
    let (items, _) = common::walk(&proxy, "flip").await;
    assert_eq!(names(&items), ["Pilates", "Yoga"]);
}

#[tokio::test]
async fn errors_are_never_cached_while_healthy_relay_pages_are_public() {
    let addr = serve(Router::new().route("/good", get(good)).route(
        "/error500",
        get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
    ))
    .await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.0/8".into()];
    config.feeds = vec![
        feed("good", format!("http://{addr}/good")),
        feed("error", format!("http://{addr}/error500")),
    ];
    let proxy = start(config, None, 100).await;
    assert!(wait_until(5, || status_of(&proxy, "error").0 == Health::Failing).await);
    assert!(wait_until(5, || status_of(&proxy, "good").0 == Health::Ok).await);
    let c = common::client();

    let feeds = c.get(proxy.url("/api/feeds")).send().await.unwrap();
    assert_eq!(feeds.status(), 200);
    let cc = feeds.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cc.contains("no-cache") || cc.contains("no-store"),
        "/api/feeds Cache-Control: {cc}"
    );
    assert!(!cc.contains("public"), "/api/feeds Cache-Control: {cc}");
    let v: serde_json::Value = feeds.json().await.unwrap();
    let error = v["feeds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "error")
        .unwrap();
    assert_eq!(error["status"], "failing");

    let missing = c
        .get(proxy.url("/feeds/no-such-feed"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()[header::CACHE_CONTROL], "no-store");
    assert_eq!(missing.headers()[header::CONTENT_TYPE], "application/json");
    let v: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(v["error"], "unknown feed");

    let relay = c.get(proxy.url("/feeds/good")).send().await.unwrap();
    assert_eq!(relay.status(), 200);
    let cc = relay.headers()[header::CACHE_CONTROL].to_str().unwrap();
    assert!(cc.starts_with("public"), "relay Cache-Control: {cc}");
}
