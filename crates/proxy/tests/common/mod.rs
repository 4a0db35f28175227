//! Shared helpers for the proxy's integration tests: start a proxy on 127.0.0.1:0, wait for
//! conditions with a deadline, walk relayed feeds.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use activity_finder_proxy::config::{Config, FeedConfig, Limits, default_license};
use activity_finder_proxy::harvest::{HarvestSettings, Harvester, Health};
use activity_finder_proxy::http;
use activity_finder_proxy::net::Policy;
use activity_finder_proxy::relay::Window;
use activity_finder_proxy::server::{self, ServeOptions, Started};
use tokio::sync::oneshot;

pub mod fake_postcodes;

/// A proxy serving on an ephemeral loopback port.
pub struct Proxy {
    pub addr: SocketAddr,
    pub started: Started,
    _stop: oneshot::Sender<()>,
}

impl Proxy {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

/// Starts a proxy with `config` (and the demo when `demo_series` is set).
pub async fn start(config: Config, demo_series: Option<usize>, demo_page_size: usize) -> Proxy {
    let started = server::start(ServeOptions {
        config,
        demo_series,
        demo_page_size,
        state_dir: None,
    })
    .await
    .expect("proxy starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel::<()>();
    let router = started.router();
    tokio::spawn(async move {
        http::serve(listener, router, Duration::from_secs(5), async {
            let _ = rx.await;
        })
        .await;
    });
    Proxy {
        addr,
        started,
        _stop: tx,
    }
}

/// A config suitable for tests: fast polling, no feeds.
pub fn test_config() -> Config {
    Config {
        poll_interval_secs: 1,
        dist: std::path::PathBuf::from("/nonexistent-dist-for-tests"),
        ..Config::default()
    }
}

/// Polls `cond` every 50 ms until it holds or `secs` elapse.
pub async fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cond()
}

/// A plain HTTP client for talking to the proxy.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Walks a relayed feed from its first page to the end; returns every item and the number of
/// pages. Fails the test on a loop.
pub async fn walk(proxy: &Proxy, feed_id: &str) -> (Vec<serde_json::Value>, usize) {
    let c = client();
    let mut path = format!("/feeds/{feed_id}");
    let mut items = Vec::new();
    for pages in 1..=10_000 {
        let text = c
            .get(proxy.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let page: serde_json::Value = serde_json::from_str(&text).unwrap();
        let got = page["items"].as_array().unwrap().clone();
        let next = page["next"].as_str().unwrap().to_string();
        if got.is_empty() && next == path {
            return (items, pages);
        }
        assert_ne!(
            next, path,
            "next equals the page URL but the page has items"
        );
        items.extend(got);
        path = next;
    }
    panic!("feed {feed_id} did not end");
}

/// The raw text of every page of a relayed feed, first to last.
pub async fn walk_raw(proxy: &Proxy, feed_id: &str) -> Vec<String> {
    let c = client();
    let mut path = format!("/feeds/{feed_id}");
    let mut pages = Vec::new();
    for _ in 0..10_000 {
        let text = c
            .get(proxy.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let page: serde_json::Value = serde_json::from_str(&text).unwrap();
        let next = page["next"].as_str().unwrap().to_string();
        let empty = page["items"].as_array().unwrap().is_empty();
        pages.push(text);
        if empty && next == path {
            return pages;
        }
        path = next;
    }
    panic!("feed {feed_id} did not end");
}

/// A harvester with these limits, polling every second; loopback upstreams allowed or not.
pub fn harvester(limits: Limits, allow_loopback: bool) -> Harvester {
    Harvester::new(HarvestSettings {
        policy: Policy {
            allowed_networks: if allow_loopback {
                vec!["127.0.0.0/8".parse().unwrap()]
            } else {
                vec![]
            },
            allowed_sockets: vec![],
        },
        limits,
        window: Window {
            lookahead_days: 28,
            region: None,
        },
        poll: Duration::from_secs(1),
        origins: vec![],
    })
    .unwrap()
}

/// A feed's health and error as the proxy currently reports them.
pub fn status_of(proxy: &Proxy, id: &str) -> (Health, Option<String>) {
    let f = proxy
        .started
        .state
        .feeds
        .iter()
        .find(|f| f.spec.id == id)
        .unwrap();
    let s = f.status();
    (s.health, s.error)
}

/// A SessionSeries feed config with a made-up publisher named after its id.
pub fn feed(id: &str, url: String) -> FeedConfig {
    FeedConfig {
        id: id.into(),
        kind: "SessionSeries".into(),
        url,
        publisher: format!("Publisher {id}"),
        dataset_url: None,
        license: default_license(),
    }
}

/// Polls `/readyz` (every 50 ms, at most 5 s) and returns its last status: ready once the feeds
/// have settled and the first packs are compiled.
pub async fn ready_status(proxy: &Proxy) -> u16 {
    let mut status = 0;
    for _ in 0..100 {
        status = client()
            .get(proxy.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    status
}
