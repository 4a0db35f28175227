//! Relay change numbers never go backwards across a crash: a reader holding a cursor from
//! before a SIGKILL sees every change made after it, even changes the dead proxy had relayed
//! but not yet saved.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The upstream feed: the current version of each item as (id, modified, revision).
type Items = Arc<Mutex<Vec<(u64, u64, u64)>>>;

fn item_json(id: u64, modified: u64, rev: u64) -> String {
    format!(
        r#"{{"state":"updated","kind":"SessionSeries","id":"s{id}","modified":{modified},"data":{{"@context":"https://openactive.io/","@type":"SessionSeries","@id":"https://up.example/series/s{id}","name":"Series {id} rev {rev}","location":{{"geo":{{"latitude":51.5,"longitude":-0.1}}}}}}}}"#
    )
}

async fn page(State(items): State<Items>, RawQuery(q): RawQuery) -> Response {
    let after: u64 = q
        .as_deref()
        .and_then(|q| q.strip_prefix("afterChangeNumber="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut list: Vec<(u64, u64, u64)> = items
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, m, _)| *m > after)
        .copied()
        .collect();
    list.sort_by_key(|(_, m, _)| *m);
    list.truncate(5);
    let next = match list.last() {
        Some((_, m, _)) => format!("/series?afterChangeNumber={m}"),
        None => match &q {
            Some(q) => format!("/series?{q}"),
            None => "/series".to_string(),
        },
    };
    let body = format!(
        r#"{{"next":"{next}","items":[{}],"license":"https://creativecommons.org/licenses/by/4.0/"}}"#,
        list.iter()
            .map(|(id, m, rev)| item_json(*id, *m, *rev))
            .collect::<Vec<_>>()
            .join(",")
    );
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn upstream(items: Items) -> SocketAddr {
    let app = Router::new().route("/series", get(page)).with_state(items);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

/// A child process of the built binary, killed (SIGKILL) when dropped.
struct Proc {
    child: Child,
    addr: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_proxy(config: &Path) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_activity-finder-proxy"))
        .args(["serve", "--config"])
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("proxy binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Proc { child, addr }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Reads the relayed feed from `path` to its current end; returns the item names seen and
/// the cursor (the last `next`).
async fn read_on(addr: &str, mut path: String) -> (Vec<String>, String) {
    let c = client();
    let mut names = Vec::new();
    for _ in 0..100 {
        let page: serde_json::Value = c
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = page["items"].as_array().unwrap();
        for it in items {
            names.push(it["data"]["name"].as_str().unwrap_or("").to_string());
        }
        let next = page["next"].as_str().unwrap().to_string();
        if items.is_empty() {
            return (names, next);
        }
        path = next;
    }
    panic!("relayed feed did not end");
}

fn saved_names(state: &Path) -> String {
    std::fs::read_to_string(state.join("t-series.state.jsonl")).unwrap_or_default()
}

/// Pass criterion: a reader that read changes the proxy relayed but had not saved, then a
/// SIGKILL, an upstream update of one of those items while the proxy is down, and a restart:
/// the reader, continuing from its cursor, sees the update within 15 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_cursor_from_before_a_crash_sees_every_later_change() {
    let items: Items = Arc::new(Mutex::new((1..=10).map(|i| (i, i, 1)).collect()));
    let up = upstream(items.clone()).await;
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let cfg = tmp.path().join("proxy.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"listen = "127.0.0.1:0"
dist = "/nonexistent-dist-for-tests"
poll_interval_secs = 1
page_size = 50
state_dir = "{}"
state_save_interval_ms = 6000
allow_private_networks = ["127.0.0.1/32"]
[rate_limit]
per_second = 0
[[feeds]]
id = "t-series"
kind = "SessionSeries"
url = "http://{up}/series"
publisher = "Test"
"#,
            state.display()
        ),
    )
    .unwrap();

    let proc_a = spawn_proxy(&cfg);
    // Wait for the first save of all ten items.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !saved_names(&state).contains("Series 10 rev 1") {
        assert!(Instant::now() < deadline, "first state not saved");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let saved_at = Instant::now();
    // Two new items upstream; the reader reads them (relayed, not yet saved).
    items.lock().unwrap().extend([(11, 11, 1), (12, 12, 1)]);
    let mut names = Vec::new();
    let mut cursor = "/feeds/t-series".to_string();
    let deadline = Instant::now() + Duration::from_secs(4);
    while !names.iter().any(|n| n == "Series 12 rev 1") {
        assert!(Instant::now() < deadline, "new items not relayed");
        let (got, next) = read_on(&proc_a.addr, cursor).await;
        names.extend(got);
        cursor = next;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(proc_a); // SIGKILL
    assert!(
        !saved_names(&state).contains("Series 12"),
        "the test needs the kill before the next save ({:?} after the first)",
        saved_at.elapsed()
    );

    // While the proxy is down, item 11 is updated (it moves to the end of the feed).
    {
        let mut list = items.lock().unwrap();
        let it = list.iter_mut().find(|(id, _, _)| *id == 11).unwrap();
        *it = (11, 13, 2);
    }
    let proc_b = spawn_proxy(&cfg);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut after = Vec::new();
    while !after.iter().any(|n| n == "Series 11 rev 2") {
        assert!(
            Instant::now() < deadline,
            "the reader at {cursor} never saw the update made while the proxy was down (saw {after:?})"
        );
        let (got, next) = read_on(&proc_b.addr, cursor).await;
        after.extend(got);
        cursor = next;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
