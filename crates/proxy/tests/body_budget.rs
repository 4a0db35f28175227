//! The global budget for upstream bodies in flight: concurrent fetches together never hold
//! more than `limits.max_bodies_in_flight_bytes`, and all of them still complete.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use activity_finder_proxy::config::Limits;
use axum::Router;
use axum::routing::get;

const BODY: usize = 60 * 1024;
const CHUNK: usize = 4 * 1024;

/// Pass criteria: three concurrent 60 KiB bodies under a 64 KiB budget all arrive whole,
/// and the bytes held at once (sampled every 2 ms) never exceed the budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_bodies_stay_within_the_budget() {
    let app = Router::new().route(
        "/big/{n}",
        get(|| async {
            let chunks = futures_util::stream::unfold(0usize, |sent| async move {
                if sent >= BODY {
                    return None;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
                Some((
                    Ok::<_, std::io::Error>(bytes::Bytes::from(vec![b' '; CHUNK])),
                    sent + CHUNK,
                ))
            });
            axum::body::Body::from_stream(chunks)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let budget = 64 * 1024u64;
    let h = Arc::new(common::harvester(
        Limits {
            max_body_bytes: budget,
            max_bodies_in_flight_bytes: budget,
            per_host_concurrency: 4,
            ..Limits::default()
        },
        true,
    ));
    let peak = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (h, peak, done) = (h.clone(), peak.clone(), done.clone());
        tokio::spawn(async move {
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(h.bodies_in_flight(), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let fetches = (0..3).map(|n| {
        let h = h.clone();
        async move {
            let url = url::Url::parse(&format!("http://{addr}/big/{n}")).unwrap();
            h.fetch_url(&url).await
        }
    });
    let results = tokio::time::timeout(
        Duration::from_secs(20),
        futures_util::future::join_all(fetches),
    )
    .await
    .expect("all fetches finish");
    done.store(true, Ordering::SeqCst);
    sampler.await.unwrap();
    for r in results {
        assert_eq!(r.expect("fetch succeeds").len(), BODY);
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak > 0, "bodies in flight are counted");
    assert!(peak <= budget, "peak {peak} > budget {budget}");
    assert_eq!(h.bodies_in_flight(), 0, "released when the fetches end");
}
