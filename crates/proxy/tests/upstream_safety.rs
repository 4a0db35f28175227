//! Harvesting against hostile or broken upstreams on 127.0.0.1: private-target refusal,
//! broken feeds isolated from good ones, body cap, request deadline, redirects.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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

struct Upstream {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

async fn good(RawQuery(q): RawQuery) -> Response {
    let body = if q.as_deref() == Some("after=1") {
        r#"{"next":"/good?after=1","items":[],"license":"https://creativecommons.org/licenses/by/4.0/"}"#.to_string()
    } else {
        r#"{"next":"/good?after=1","items":[{"state":"updated","kind":"SessionSeries","id":"a","modified":1,"data":{"@type":"SessionSeries","@id":"https://x.example/a","name":"Yoga"}}]}"#.to_string()
    };
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn big() -> Response {
    let body = format!(
        r#"{{"next":"/big","items":[],"pad":"{}"}}"#,
        "x".repeat(10_000)
    );
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn big_chunked() -> Response {
    let chunks = (0..20).map(|_| Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; 1000])));
    Body::from_stream(futures_util::stream::iter(chunks)).into_response()
}

async fn upstream() -> Upstream {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new()
        .route("/good", get(good))
        .route(
            "/garbage",
            get(|| async { "<html>this is not RPDE</html>" }),
        )
        .route(
            "/error500",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route("/big", get(big))
        .route("/big-chunked", get(big_chunked))
        .route(
            "/stall",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                "late"
            }),
        )
        .route(
            "/redirect",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "http://10.0.0.1/feed")],
                )
                    .into_response()
            }),
        )
        .layer(axum::middleware::from_fn(
            move |req, next: axum::middleware::Next| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    next.run(req).await
                }
            },
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Upstream { addr, hits }
}

#[tokio::test]
async fn loopback_upstream_not_allowlisted_is_refused_with_zero_fetches() {
    let up = upstream().await;
    let mut config = test_config();
    config.feeds = vec![
        feed("literal", format!("http://{}/good", up.addr)),
        feed(
            "by-name",
            format!("http://localhost:{}/good", up.addr.port()),
        ),
    ];
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(10, || state.feeds.iter().all(|f| f.settled())).await);
    for id in ["literal", "by-name"] {
        let (health, error) = status_of(&proxy, id);
        assert_eq!(health, Health::Failing, "{id}");
        assert!(error.unwrap().starts_with("refused"), "{id}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        up.hits.load(Ordering::SeqCst),
        0,
        "nothing reached the private upstream"
    );
    let v: serde_json::Value = common::client()
        .get(proxy.url("/api/feeds"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["demo"], false);
    assert_eq!(v["feeds"][0]["status"], "failing");
}

#[tokio::test]
async fn broken_upstreams_fail_or_go_while_the_good_feed_stays_ok() {
    let up = upstream().await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.0/8".into()];
    config.feeds = vec![
        feed("good", format!("http://{}/good", up.addr)),
        feed("garbage", format!("http://{}/garbage", up.addr)),
        feed("error", format!("http://{}/error500", up.addr)),
        feed("missing", format!("http://{}/missing", up.addr)),
    ];
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(10, || state.feeds.iter().all(|f| f.settled())).await);
    assert!(wait_until(5, || status_of(&proxy, "good").0 == Health::Ok).await);
    assert_eq!(
        status_of(&proxy, "garbage"),
        (Health::Failing, Some("not a valid RPDE page".into()))
    );
    assert_eq!(
        status_of(&proxy, "error"),
        (Health::Failing, Some("HTTP 500".into()))
    );
    assert_eq!(
        status_of(&proxy, "missing"),
        (Health::Gone, Some("feed gone (HTTP 404)".into()))
    );
    let (items, _) = common::walk(&proxy, "good").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["data"]["name"], "Yoga");
    assert_eq!(
        common::ready_status(&proxy).await,
        200,
        "failed feeds count as settled"
    );
}

#[tokio::test]
async fn bodies_over_the_cap_are_cut() {
    let up = upstream().await;
    let h = harvester(
        Limits {
            max_body_bytes: 2048,
            ..Limits::default()
        },
        true,
    );
    for path in ["/big", "/big-chunked"] {
        let url = url::Url::parse(&format!("http://{}{path}", up.addr)).unwrap();
        let f = Feed::new(feed("big", url.to_string()), 1);
        let err = h.fetch(&f, &url).await.unwrap_err();
        assert_eq!(err.message, "response larger than 2048 bytes", "{path}");
    }
}

#[tokio::test]
async fn stalled_upstream_times_out_within_the_deadline_plus_one_second() {
    let up = upstream().await;
    let h = harvester(
        Limits {
            request_timeout_secs: 1,
            ..Limits::default()
        },
        true,
    );
    let url = url::Url::parse(&format!("http://{}/stall", up.addr)).unwrap();
    let f = Feed::new(feed("stall", url.to_string()), 1);
    let t0 = Instant::now();
    let err = h.fetch(&f, &url).await.unwrap_err();
    let elapsed = t0.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert!(err.message.starts_with("timed out"), "{}", err.message);
}

#[tokio::test]
async fn redirects_off_the_allowlist_are_not_followed() {
    let up = upstream().await;
    let h = harvester(Limits::default(), true);
    let url = url::Url::parse(&format!("http://{}/redirect", up.addr)).unwrap();
    let f = Feed::new(feed("redirect", url.to_string()), 1);
    let err = h.fetch(&f, &url).await.unwrap_err();
    assert_eq!(err.message, "refused: redirect off the allowlist");
    assert_eq!(up.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn example_config_parses_and_starts_with_feeds_failing_offline_cleanly() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/london.example.toml");
    let mut config =
        activity_finder_proxy::config::Config::load(&path).expect("example config is valid");
    assert!(config.feeds.len() >= 2);
    // Point every feed at an unroutable documentation address so the test stays offline.
    for f in &mut config.feeds {
        f.url = f
            .url
            .replace("https://opendata.leisurecloud.live", "http://192.0.2.1");
    }
    config.dist = std::path::PathBuf::from("/nonexistent");
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(10, || state.feeds.iter().all(|f| f.settled())).await);
    for f in &state.feeds {
        let s = f.status();
        assert_eq!(s.health, Health::Failing);
        assert!(s.error.unwrap().starts_with("refused"));
    }
}
