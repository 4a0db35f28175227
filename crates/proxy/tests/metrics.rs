//! `/metrics` in the Prometheus text format, off unless enabled.

mod common;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use common::{client, feed, start, test_config, wait_until};

fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{text}"))
        .parse()
        .unwrap()
}

/// Pass criteria: with `metrics = true`, per-feed state, items, last success, consecutive
/// failures and next try are reported (a healthy demo feed and a failing one), responses are
/// counted by status, bodies in flight reported; every sample line parses as `name{labels} v`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_report_feeds_responses_and_bodies_in_flight() {
    let app = Router::new().route("/down", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let up = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut config = test_config();
    config.metrics = true;
    config.allow_private_networks = vec!["127.0.0.1/32".into()];
    config.feeds.push(feed("down", format!("http://{up}/down")));
    let proxy = start(config, Some(3), 100).await;
    let state = proxy.started.state.clone();
    assert!(
        wait_until(20, || state.feeds.iter().all(|f| f.settled())
            && state.packs.ready())
        .await
    );
    let ok_feed = state.feeds[0].spec.id.clone();
    let c = client();
    let _ = c.get(proxy.url("/api/feeds")).send().await.unwrap();
    let _ = c.get(proxy.url("/api/nothing-here")).send().await.unwrap();
    let r = c.get(proxy.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = r.text().await.unwrap();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, v) = line.rsplit_once(' ').unwrap();
        assert!(v == "NaN" || v.parse::<f64>().is_ok(), "{line}");
    }
    let f = |name: &str, feed: &str| format!("activity_finder_feed_{name}{{feed=\"{feed}\"}}");
    assert_eq!(
        value(
            &text,
            &format!("activity_finder_feed_state{{feed=\"{ok_feed}\",state=\"ok\"}}")
        ),
        1.0
    );
    assert_eq!(
        value(
            &text,
            "activity_finder_feed_state{feed=\"down\",state=\"failing\"}"
        ),
        1.0
    );
    assert!(value(&text, &f("items", &ok_feed)) > 0.0);
    assert!(value(&text, &f("last_success_timestamp_seconds", &ok_feed)) > 1.7e9);
    assert!(value(&text, &f("last_success_timestamp_seconds", "down")).is_nan());
    assert!(value(&text, &f("consecutive_failures", "down")) >= 1.0);
    assert_eq!(value(&text, &f("consecutive_failures", &ok_feed)), 0.0);
    let now = chrono::Utc::now().timestamp() as f64;
    assert!(value(&text, &f("next_try_timestamp_seconds", "down")) > now - 1.0);
    assert!(value(&text, "activity_finder_http_responses_total{code=\"200\"}") >= 1.0);
    assert!(value(&text, "activity_finder_http_responses_total{code=\"404\"}") >= 1.0);
    assert_eq!(
        value(&text, "activity_finder_upstream_bodies_in_flight_bytes"),
        0.0
    );
    // Pack compiles: the metrics are read once the proxy is ready, which needs the first one.
    assert!(value(&text, "activity_finder_pack_builds_total") >= 1.0);
    assert!(value(&text, "activity_finder_packs{what=\"occurrences\"}") > 0.0);
}

#[tokio::test]
async fn metrics_are_off_by_default() {
    let proxy = start(test_config(), Some(3), 100).await;
    let r = client().get(proxy.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
}
