//! Persistence: the compacted state survives a SIGKILL mid-harvest; the restarted proxy serves
//! at once from disk and resumes from the saved `next` URL.

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
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

const SERIES_EVENTS: u64 = 120;
const SESSION_EVENTS: u64 = 60;
const PAGE: u64 = 5;

#[derive(Clone)]
struct Upstream {
    base: DateTime<Utc>,
    delay: Duration,
    log: Arc<Mutex<Vec<String>>>,
}

/// Event `m` of the series feed: mostly new items, every 7th an update of an earlier one,
/// every 10th a deletion.
fn series_event(m: u64) -> String {
    if m.is_multiple_of(10) {
        return format!(
            r#"{{"state":"deleted","kind":"SessionSeries","id":"s{}","modified":{m}}}"#,
            m - 3
        );
    }
    let id = if m.is_multiple_of(7) { m - 6 } else { m };
    format!(
        r#"{{"state":"updated","kind":"SessionSeries","id":"s{id}","modified":{m},"data":{{"@context":"https://openactive.io/","@type":"SessionSeries","@id":"https://up.example/series/s{id}","name":"Series {id} rev {m} caf\u00e9","location":{{"geo":{{"latitude":51.5,"longitude":-0.1}}}}}}}}"#
    )
}

fn session_event(m: u64, base: DateTime<Utc>) -> String {
    let start = (base + chrono::Duration::hours(m as i64)).to_rfc3339();
    let end = (base + chrono::Duration::hours(m as i64 + 1)).to_rfc3339();
    format!(
        r#"{{"state":"updated","kind":"ScheduledSession","id":"o{m}","modified":{m},"data":{{"@type":"ScheduledSession","@id":"https://up.example/sessions/o{m}","superEvent":"https://up.example/series/s{}","startDate":"{start}","endDate":"{end}"}}}}"#,
        (m % 40) + 1
    )
}

async fn page(
    up: &Upstream,
    path: &str,
    q: Option<String>,
    total: u64,
    event: impl Fn(u64) -> String,
) -> Response {
    up.log
        .lock()
        .unwrap()
        .push(format!("{path}?{}", q.clone().unwrap_or_default()));
    tokio::time::sleep(up.delay).await;
    let after: u64 = q
        .as_deref()
        .and_then(|q| q.strip_prefix("afterChangeNumber="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let items: Vec<String> = (after + 1..=(after + PAGE).min(total)).map(event).collect();
    let next = match (items.is_empty(), &q) {
        (true, Some(q)) => format!("{path}?{q}"),
        (true, None) => path.to_string(),
        (false, _) => format!("{path}?afterChangeNumber={}", after + items.len() as u64),
    };
    let body = format!(
        r#"{{"next":"{next}","items":[{}],"license":"https://creativecommons.org/licenses/by/4.0/"}}"#,
        items.join(",")
    );
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn upstream(base: DateTime<Utc>, delay: Duration) -> (SocketAddr, Upstream) {
    let up = Upstream {
        base,
        delay,
        log: Arc::new(Mutex::new(Vec::new())),
    };
    let app = Router::new()
        .route(
            "/series",
            get(
                |State(up): State<Upstream>, RawQuery(q): RawQuery| async move {
                    page(&up, "/series", q, SERIES_EVENTS, series_event).await
                },
            ),
        )
        .route(
            "/sessions",
            get(
                |State(up): State<Upstream>, RawQuery(q): RawQuery| async move {
                    let base = up.base;
                    page(&up, "/sessions", q, SESSION_EVENTS, |m| {
                        session_event(m, base)
                    })
                    .await
                },
            ),
        )
        .with_state(up.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, up)
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

fn write_config(dir: &Path, upstream: SocketAddr, state: &Path) -> std::path::PathBuf {
    let cfg = format!(
        r#"listen = "127.0.0.1:0"
dist = "/nonexistent-dist-for-tests"
poll_interval_secs = 1
page_size = 50
state_dir = "{}"
state_save_interval_ms = 100
allow_private_networks = ["127.0.0.1/32"]
[rate_limit]
per_second = 0
[[feeds]]
id = "t-series"
kind = "SessionSeries"
url = "http://{upstream}/series"
publisher = "Test"
[[feeds]]
id = "t-sessions"
kind = "ScheduledSession"
url = "http://{upstream}/sessions"
publisher = "Test"
"#,
        state.display()
    );
    let path = dir.join("proxy.toml");
    std::fs::write(&path, cfg).unwrap();
    path
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

#[derive(Deserialize)]
struct RawPage {
    next: String,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
struct RawItem {
    state: String,
    id: Box<RawValue>,
    data: Option<Box<RawValue>>,
}

/// Every relayed item of a feed as (state, id, data bytes), sorted.
async fn relayed(addr: &str, feed: &str) -> Vec<(String, String, String)> {
    let c = client();
    let mut path = format!("/feeds/{feed}");
    let mut out = Vec::new();
    for _ in 0..1000 {
        let text = c
            .get(format!("http://{addr}{path}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let page: RawPage = serde_json::from_str(&text).unwrap();
        let end = page.items.is_empty() && page.next == path;
        for it in page.items {
            out.push((
                it.state,
                it.id.get().to_string(),
                it.data.map(|d| d.get().to_string()).unwrap_or_default(),
            ));
        }
        if end {
            out.sort();
            return out;
        }
        path = page.next;
    }
    panic!("relayed feed {feed} did not end");
}

async fn feeds_ok(addr: &str) -> bool {
    let Ok(r) = client()
        .get(format!("http://{addr}/api/feeds"))
        .send()
        .await
    else {
        return false;
    };
    let v: serde_json::Value = r.json().await.unwrap_or_default();
    v["feeds"]
        .as_array()
        .is_some_and(|fs| fs.len() == 2 && fs.iter().all(|f| f["status"] == "ok"))
}

async fn wait_harvested(addr: &str, secs: u64) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if feeds_ok(addr).await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("harvest did not finish within {secs} s");
}

fn saved_cursor(state: &Path) -> Option<String> {
    let text = std::fs::read_to_string(state.join("t-series.state.jsonl")).ok()?;
    let header: serde_json::Value = serde_json::from_str(text.lines().nth(1)?).ok()?;
    header["cursor"].as_str().map(str::to_string)
}

/// Pass criterion: after a SIGKILL mid-harvest and a restart from the state directory, the
/// relayed items (state, id and data bytes of every item of both feeds) equal an
/// uninterrupted run's; the restart is ready at once, serves the saved items before
/// fetching anything, and resumes from the saved `next` URL (the first page is fetched once).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_mid_harvest_and_restart_relays_the_same_state_as_an_uninterrupted_run() {
    let base = Utc::now() + chrono::Duration::hours(1);
    let delay = Duration::from_millis(60);
    let tmp = tempfile::tempdir().unwrap();

    // Uninterrupted run.
    let (up_a, _) = upstream(base, delay).await;
    let dir_a = tmp.path().join("a");
    std::fs::create_dir_all(&dir_a).unwrap();
    let cfg_a = write_config(&dir_a, up_a, &dir_a.join("state"));
    let proc_a = spawn_proxy(&cfg_a);

    // Interrupted run: SIGKILL once about a third of the series pages are in and saved.
    let (up_b, log_b) = upstream(base, delay).await;
    let dir_b = tmp.path().join("b");
    std::fs::create_dir_all(&dir_b).unwrap();
    let state_b = dir_b.join("state");
    let cfg_b = write_config(&dir_b, up_b, &state_b);
    let proc_b = spawn_proxy(&cfg_b);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let served = log_b.log.lock().unwrap().len();
        let cursor = saved_cursor(&state_b);
        if served >= 8
            && cursor
                .as_deref()
                .is_some_and(|c| c.contains("afterChangeNumber"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "no state saved mid-harvest");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(proc_b); // SIGKILL
    let served_before = log_b.log.lock().unwrap().len();
    let series_pages = (SERIES_EVENTS / PAGE) as usize + 1;
    assert!(
        served_before < series_pages,
        "killed mid-harvest ({served_before} of {series_pages} series pages)"
    );
    assert!(
        !log_b
            .log
            .lock()
            .unwrap()
            .iter()
            .any(|u| u.starts_with("/sessions")),
        "children wait for the parent"
    );

    // Restart from the saved state.
    let proc_b = spawn_proxy(&cfg_b);
    let ready = client()
        .get(format!("http://{}/readyz", proc_b.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "ready as soon as the state is loaded");
    let early = client()
        .get(format!("http://{}/feeds/t-series", proc_b.addr))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert!(
        !early["items"].as_array().unwrap().is_empty(),
        "saved items served at once"
    );

    wait_harvested(&proc_a.addr, 30).await;
    wait_harvested(&proc_b.addr, 30).await;

    let log = log_b.log.lock().unwrap().clone();
    assert_eq!(
        log.iter().filter(|u| *u == "/series?").count(),
        1,
        "the first page is fetched once: the restart resumed from the saved next URL ({log:?})"
    );
    assert!(log[served_before].starts_with("/series?afterChangeNumber="));

    for feed in ["t-series", "t-sessions"] {
        let a = relayed(&proc_a.addr, feed).await;
        let b = relayed(&proc_b.addr, feed).await;
        assert!(!a.is_empty());
        assert_eq!(
            a, b,
            "{feed}: relayed state after kill+restart equals uninterrupted"
        );
    }
    // Sanity: compaction applied (deletions relayed as tombstones, one entry per id).
    let a = relayed(&proc_a.addr, "t-series").await;
    assert!(a.iter().any(|(s, _, _)| s == "deleted"));
    let mut ids: Vec<&String> = a.iter().map(|(_, id, _)| id).collect();
    ids.dedup();
    assert_eq!(ids.len(), a.len());
}
