//! Our own server's limits and the harvester's item-level leniency.

use std::time::{Duration, Instant};

use activity_finder_proxy::config::{FeedConfig, default_license};
use activity_finder_proxy::harvest::{Feed, apply_page};
use activity_finder_proxy::http;
use activity_finder_proxy::relay::Window;
use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn slow_request_headers_are_cut_off_by_the_header_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/", get(|| async { "hi" }));
    tokio::spawn(http::serve(
        listener,
        app,
        Duration::from_secs(1),
        std::future::pending(),
    ));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let t0 = Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "connection closed by the server");
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    let text = String::from_utf8_lossy(&buf);
    assert!(!text.contains("hi"), "no response to an incomplete request");
}

#[tokio::test]
async fn malformed_items_are_skipped_without_failing_the_page() {
    let feed = Feed::new(
        FeedConfig {
            id: "f".into(),
            kind: "SessionSeries".into(),
            url: "https://x.example/feed".into(),
            publisher: "P".into(),
            dataset_url: None,
            license: default_license(),
        },
        1,
    );
    let body = br#"{"next":"feed?afterTimestamp=3&afterId=c","items":[
        {"state":"updated","kind":"SessionSeries","id":"a","modified":1,"data":{"@type":"SessionSeries","name":"ok"}},
        {"state":"updated","kind":"SessionSeries","modified":2,"data":{}},
        {"state":"updated","kind":"SessionSeries","id":{"x":1},"modified":3,"data":{}},
        {"state":"updated","kind":"SessionSeries","id":"d","modified":4,"data":null},
        {"state":"deleted","kind":"SessionSeries","id":"never-seen","modified":5}
    ]}"#;
    let page_url = url::Url::parse("https://x.example/feed").unwrap();
    let window = Window {
        lookahead_days: 28,
        region: None,
    };
    let summary = apply_page(&feed, &page_url, body, &window, chrono::Utc::now()).unwrap();
    assert_eq!(summary.items, 5);
    assert_eq!(summary.skipped, 3);
    assert_eq!(
        summary.next.as_str(),
        "https://x.example/feed?afterTimestamp=3&afterId=c",
        "relative next resolved"
    );
    assert_eq!(feed.status().skipped_items, 3);
    let store = feed.store.read().unwrap();
    assert_eq!(store.live_len(), 1);
    assert!(store.contains_live("\"a\""));
    assert!(apply_page(&feed, &page_url, b"[1,2]", &window, chrono::Utc::now()).is_err());
}

/// Pass criterion: an item nested 5,000 levels deep is skipped and counted; the rest of the
/// page is relayed, and the relayed page parses with a standard JSON parser.
#[tokio::test]
async fn an_item_nested_too_deeply_is_skipped_and_counted() {
    let feed = Feed::new(
        FeedConfig {
            id: "f".into(),
            kind: "SessionSeries".into(),
            url: "https://x.example/feed".into(),
            publisher: "P".into(),
            dataset_url: None,
            license: default_license(),
        },
        1,
    );
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let body = format!(
        r#"{{"next":"feed?page=2","items":[
        {{"state":"updated","kind":"SessionSeries","id":"deep","modified":1,"data":{{"@type":"SessionSeries","x":{deep}}}}},
        {{"state":"updated","kind":"SessionSeries","id":"ok","modified":2,"data":{{"@type":"SessionSeries","name":"ok"}}}}
    ]}}"#
    );
    let page_url = url::Url::parse("https://x.example/feed").unwrap();
    let window = Window {
        lookahead_days: 28,
        region: None,
    };
    let summary = apply_page(
        &feed,
        &page_url,
        body.as_bytes(),
        &window,
        chrono::Utc::now(),
    )
    .unwrap();
    assert_eq!((summary.items, summary.skipped), (2, 1));
    assert_eq!(feed.status().skipped_items, 1);
    let store = feed.store.read().unwrap();
    assert!(store.contains_live("\"ok\""));
    assert!(!store.contains_live("\"deep\""));
    for (_, json) in store.page(0, 10) {
        serde_json::from_str::<serde_json::Value>(json).expect("relayed items parse");
    }
}
