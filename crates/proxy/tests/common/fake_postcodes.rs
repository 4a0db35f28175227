//! A fake postcodes.io on 127.0.0.1 for the postcode lookup tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use activity_finder_proxy::config::Config;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{Proxy, client, start, test_config};

/// A fake postcodes.io that knows one postcode.
#[derive(Default)]
pub struct Fake {
    pub hits: AtomicUsize,
    pub down: AtomicBool,
    pub paths: Mutex<Vec<String>>,
}

async fn fake_lookup(
    State(fake): State<Arc<Fake>>,
    Path(pc): Path<String>,
    uri: axum::http::Uri,
) -> Response {
    fake.hits.fetch_add(1, Ordering::SeqCst);
    fake.paths.lock().unwrap().push(uri.path().to_string());
    // Slow enough that concurrent misses overlap.
    tokio::time::sleep(Duration::from_millis(150)).await;
    if fake.down.load(Ordering::SeqCst) {
        return (StatusCode::BAD_GATEWAY, "upstream trouble").into_response();
    }
    let json = [(header::CONTENT_TYPE, "application/json")];
    if pc.replace(' ', "").eq_ignore_ascii_case("E154HT") {
        (
            json,
            r#"{"status":200,"result":{"postcode":"E15 4HT","quality":1,"outcode":"E15","incode":"4HT","latitude":51.541832,"longitude":0.003125,"admin_district":"Newham"}}"#,
        )
            .into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            json,
            r#"{"status":404,"error":"Postcode not found"}"#,
        )
            .into_response()
    }
}

pub async fn fake_service() -> (SocketAddr, Arc<Fake>) {
    let fake = Arc::new(Fake::default());
    let app = Router::new()
        .route("/postcodes/{pc}", get(fake_lookup))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, fake)
}

pub fn config_for(url: String, allow_loopback: bool) -> Config {
    let mut c = test_config();
    c.postcode_lookup.url = url;
    if allow_loopback {
        c.allow_private_networks = vec!["127.0.0.0/8".into()];
    }
    c
}

pub async fn proxy_with_fake() -> (Proxy, Arc<Fake>) {
    let (addr, fake) = fake_service().await;
    let proxy = start(
        config_for(format!("http://{addr}/postcodes/{{postcode}}"), true),
        None,
        100,
    )
    .await;
    (proxy, fake)
}

pub async fn get_json(proxy: &Proxy, path: &str) -> (StatusCode, serde_json::Value, String) {
    let resp = client().get(proxy.url(path)).send().await.unwrap();
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap();
    let cache = resp
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body: serde_json::Value = resp.json().await.unwrap();
    (status, body, cache)
}
