//! `/api/postcode/{postcode}` against a fake postcodes.io on 127.0.0.1: answers, validation,
//! failures that are not cached, request coalescing and caching (logs: `postcode_logs.rs`).

mod common;

use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use common::client;
use common::fake_postcodes::{config_for, fake_service, get_json, proxy_with_fake};
use common::start;

#[tokio::test]
async fn found_postcode_answers_point_and_outward_with_private_caching() {
    let (proxy, fake) = proxy_with_fake().await;
    let (status, body, cache) = get_json(&proxy, "/api/postcode/e15%204ht").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["postcode"], "E15 4HT");
    assert_eq!(body["outward"], "E15");
    assert!((body["lat"].as_f64().unwrap() - 51.541832).abs() < 1e-9);
    assert!((body["lon"].as_f64().unwrap() - 0.003125).abs() < 1e-9);
    assert_eq!(cache, "private, max-age=86400");
    // The normalised postcode went upstream percent-encoded, on the configured path only.
    assert_eq!(*fake.paths.lock().unwrap(), vec!["/postcodes/E15%204HT"]);
}

#[tokio::test]
async fn unknown_postcode_is_404_and_the_answer_is_cached() {
    let (proxy, fake) = proxy_with_fake().await;
    for _ in 0..2 {
        let (status, body, _) = get_json(&proxy, "/api/postcode/ZZ99%209ZZ").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body, serde_json::json!({ "error": "postcode not found" }));
    }
    assert_eq!(fake.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn invalid_input_is_400_and_never_reaches_upstream() {
    let (proxy, fake) = proxy_with_fake().await;
    for path in [
        "/api/postcode/hello",
        "/api/postcode/E15",
        "/api/postcode/..%2F..%2Fadmin",
        "/api/postcode/..%2FE15%204HT",
        "/api/postcode/E15%204HT%3Fx%3D1",
        "/api/postcode/E15%204HT%23frag",
        "/api/postcode/https%3A%2F%2Fevil.example%2FE154HT",
        "/api/postcode/http:%2F%2F127.0.0.1:1%2F",
        "/api/postcode/%00E154HT",
        "/api/postcode/E15%0A4HT",
    ] {
        let (status, body, _) = get_json(&proxy, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(
            body,
            serde_json::json!({ "error": "not a postcode" }),
            "{path}"
        );
    }
    // A raw URL with slashes never matches the route at all.
    let resp = client()
        .get(proxy.url("/api/postcode/http://evil.example/E154HT"))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error());
    assert_eq!(fake.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn upstream_failure_is_503_not_cached_and_a_later_success_works() {
    let (proxy, fake) = proxy_with_fake().await;
    fake.down.store(true, Ordering::SeqCst);
    let (status, body, cache) = get_json(&proxy, "/api/postcode/E154HT").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        serde_json::json!({ "error": "postcode lookup unavailable" })
    );
    assert_eq!(cache, "no-store");
    fake.down.store(false, Ordering::SeqCst);
    let (status, body, _) = get_json(&proxy, "/api/postcode/E154HT").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["outward"], "E15");
    assert_eq!(fake.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn unreachable_service_is_503() {
    // A port nobody listens on.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let proxy = start(
        config_for(format!("http://{addr}/postcodes/{{postcode}}"), true),
        None,
        100,
    )
    .await;
    let (status, _, _) = get_json(&proxy, "/api/postcode/E154HT").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn loopback_service_is_refused_without_allowlist() {
    let (addr, fake) = fake_service().await;
    let proxy = start(
        config_for(format!("http://{addr}/postcodes/{{postcode}}"), false),
        None,
        100,
    )
    .await;
    let (status, _, _) = get_json(&proxy, "/api/postcode/E154HT").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(fake.hits.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_misses_make_one_upstream_fetch() {
    let (proxy, fake) = proxy_with_fake().await;
    let c = client();
    let url = proxy.url("/api/postcode/E15%204HT");
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let c = c.clone();
            let url = url.clone();
            tokio::spawn(async move { c.get(url).send().await.unwrap().status().as_u16() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(fake.hits.load(Ordering::SeqCst), 1);
    let lookup = proxy.started.state.postcodes.as_ref().unwrap();
    assert_eq!(lookup.upstream_requests(), 1);
}

#[tokio::test]
async fn second_request_is_served_from_cache_without_upstream_call() {
    let (proxy, fake) = proxy_with_fake().await;
    let (status, first, _) = get_json(&proxy, "/api/postcode/E154HT").await;
    assert_eq!(status, StatusCode::OK);
    // A different spelling of the same postcode is the same cache entry.
    let (status, second, _) = get_json(&proxy, "/api/postcode/e15%20%204ht").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first, second);
    assert_eq!(fake.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn disabled_lookup_is_503() {
    let proxy = start(config_for(String::new(), true), None, 100).await;
    assert!(proxy.started.state.postcodes.is_none());
    let (status, body, _) = get_json(&proxy, "/api/postcode/E154HT").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        serde_json::json!({ "error": "postcode lookup unavailable" })
    );
}
