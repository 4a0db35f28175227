//! `/readyz` says "serving" as soon as data can be served; `/readyz?caught_up=1` and the
//! per-feed `caught_up` of `/api/feeds` say whether every feed has reached its end since start.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use activity_finder_proxy::http;
use activity_finder_proxy::server::{self, ServeOptions};
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use common::{client, feed, test_config, wait_until};
use tokio::sync::oneshot;

/// A three-page feed; each page takes `delay_ms` (shared, changeable) to answer.
async fn upstream(delay_ms: Arc<AtomicU64>) -> std::net::SocketAddr {
    let app = Router::new()
        .route(
            "/feed",
            get(
                |State(delay): State<Arc<AtomicU64>>, RawQuery(q): RawQuery| async move {
                    tokio::time::sleep(Duration::from_millis(delay.load(Ordering::SeqCst))).await;
                    let page: u64 = q
                        .as_deref()
                        .and_then(|q| q.strip_prefix("page="))
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(1);
                    let items = if page <= 3 {
                        format!(
                            r#"{{"state":"updated","kind":"SessionSeries","id":"s{page}","modified":{page},"data":{{"@type":"SessionSeries","name":"S{page}"}}}}"#
                        )
                    } else {
                        String::new()
                    };
                    let next = (page + 1).min(4);
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        format!(r#"{{"next":"/feed?page={next}","items":[{items}]}}"#),
                    )
                        .into_response()
                },
            ),
        )
        .with_state(delay_ms);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

async fn get_json(url: &str) -> (u16, serde_json::Value) {
    let r = client().get(url).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Pass criteria: after a restart from a saved state, `/readyz` is 200 at once while
/// `/readyz?caught_up=1` is 503 and the feed shows `caught_up: false`; once the restarted
/// harvest reaches the end of the feed both are 200 / `true`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caught_up_waits_for_the_end_of_every_feed_after_a_restore() {
    let delay = Arc::new(AtomicU64::new(0));
    let up = upstream(delay.clone()).await;
    let tmp = tempfile::tempdir().unwrap();
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.1/32".into()];
    config.feeds.push(feed("f", format!("http://{up}/feed")));
    let opts = ServeOptions {
        config,
        demo_series: None,
        demo_page_size: 100,
        state_dir: Some(tmp.path().to_path_buf()),
    };

    // First run: harvest to the end, save, stop.
    let first = server::start(opts.clone()).await.unwrap();
    let f = first.state.feeds[0].clone();
    assert!(wait_until(10, || f.status().caught_up).await);
    first.abort_harvest();
    first.flush().await;

    // Second run from the saved state, with a slow upstream.
    delay.store(700, Ordering::SeqCst);
    let second = server::start(opts).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (_stop, rx) = oneshot::channel::<()>();
    let router = second.router();
    tokio::spawn(http::serve(
        listener,
        router,
        Duration::from_secs(5),
        async {
            let _ = rx.await;
        },
    ));
    let (status, body) = get_json(&format!("http://{addr}/readyz")).await;
    assert_eq!(status, 200, "serving the restored state: {body}");
    let (status, body) = get_json(&format!("http://{addr}/readyz?caught_up=1")).await;
    assert_eq!(status, 503, "not caught up yet: {body}");
    assert_eq!(body["behind"], 1);
    let (_, feeds) = get_json(&format!("http://{addr}/api/feeds")).await;
    assert_eq!(feeds["feeds"][0]["caught_up"], false, "{feeds}");

    let f = second.state.feeds[0].clone();
    assert!(wait_until(10, || f.status().caught_up).await, "caught up");
    let (status, body) = get_json(&format!("http://{addr}/readyz?caught_up=1")).await;
    assert_eq!(status, 200, "{body}");
    let (_, feeds) = get_json(&format!("http://{addr}/api/feeds")).await;
    assert_eq!(feeds["feeds"][0]["caught_up"], true, "{feeds}");
    second.abort_harvest();
}
