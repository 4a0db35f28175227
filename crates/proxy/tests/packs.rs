//! Finder packs: what the browser loads equals what the `openactive` join of the relay gives
//! (same occurrences, same results and counts for any filters); immutable, content-addressed
//! packs with a short-lived manifest; rebuilt on change and on time; written atomically; old
//! packs kept for the retention time, then dropped; a failing feed's data stays in the packs.

mod common;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use activity_finder_proxy::harvest::Health;
use activity_finder_proxy::packs::compile::BuiltPack;
use activity_finder_proxy::packs::{PackSettings, Packs, content_hash};
use axum::Router;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use common::{client, start, test_config, wait_until};
use contract::pack;
use finder::filter::{DaySet, GenderFilter, Place, Sort, TimeOfDay};
use finder::{Filters, Index};
use openactive::join::Store;
use openactive::{ActivityList, Dataset, Occurrence};
use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestRunner};

async fn get_bytes(
    proxy: &common::Proxy,
    path: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = client().get(proxy.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.bytes().await.unwrap().to_vec())
}

async fn manifest(proxy: &common::Proxy) -> contract::Manifest {
    let (s, _, b) = get_bytes(proxy, "/packs/manifest.json").await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&b));
    serde_json::from_slice(&b).unwrap()
}

async fn ready_demo(series: usize) -> common::Proxy {
    let mut config = test_config();
    config.packs.debounce_ms = 100;
    config.page_size = 500;
    let proxy = start(config, Some(series), 500).await;
    let st = proxy.started.state.clone();
    assert!(
        wait_until(60, || st.feeds.iter().all(|f| f.settled())
            && st.packs.ready())
        .await,
        "demo harvested and packed"
    );
    proxy
}

/// The occurrences an RPDE consumer gets by reading every relayed feed and joining it.
async fn joined_from_relay(proxy: &common::Proxy, feeds: &[contract::FeedInfo]) -> Vec<Occurrence> {
    let mut store = Store::new();
    for f in feeds {
        let fi = store.add_feed(Dataset {
            publisher: f.publisher.clone(),
            url: f.dataset_url.clone(),
            license: f.license.clone(),
        });
        let mut path = f.url.clone();
        for _ in 0..10_000 {
            let (_, _, body) = get_bytes(proxy, &path).await;
            let url = proxy.url(&path);
            let page = openactive::rpde::parse_page_model(&body, &url).unwrap();
            store.apply_page(fi, &page);
            if page.is_last || page.next == url {
                break;
            }
            path = page.next.trim_start_matches(&proxy.url("")).to_string();
        }
    }
    store.occurrences(chrono::Utc::now(), 28)
}

fn keys(ix: &Index, results: &[u32]) -> Vec<String> {
    results
        .iter()
        .map(|&i| ix.occurrences[i as usize].key.clone())
        .collect()
}

#[test]
fn packs_equal_the_join_of_the_relay_for_any_filters() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (from_packs, vocab, from_join) = rt.block_on(async {
        let proxy = ready_demo(activity_finder_proxy::demo::DEFAULT_SERIES).await;
        let m = manifest(&proxy).await;
        assert_eq!(m.format, pack::VERSION);
        assert!(m.demo);
        // What each feed has that is not shown, and why, from the compile.
        assert!(m.feeds.iter().all(|f| f.hidden.is_some()));
        let cancelled: usize = m
            .feeds
            .iter()
            .filter_map(|f| f.hidden.as_ref())
            .map(|h| h.cancelled)
            .sum();
        assert!(cancelled > 0, "the demo has cancelled sessions, counted");
        assert!(
            m.packs.iter().any(|p| p.slots),
            "facility slots in their own packs"
        );
        assert!(
            m.packs.iter().filter(|p| !p.slots).count() > 1,
            "split by area"
        );
        let mut occ = Vec::new();
        let mut vocab = pack::PackVocab::default();
        for p in &m.packs {
            let (s, h, b) = get_bytes(&proxy, &p.url).await;
            assert_eq!(s, 200);
            assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
            assert_eq!(b.len() as u64, p.bytes);
            assert_eq!(content_hash(&b), p.hash);
            let d = pack::decode(&b).unwrap();
            assert_eq!(d.occurrences.len() as u32, p.occurrences);
            let (s, h, c) = get_bytes(&proxy, p.details.as_deref().unwrap()).await;
            assert_eq!(s, 200);
            assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
            assert_eq!(pack::decode_details(&c).unwrap().len(), d.details.len());
            occ.extend(d.occurrences);
            vocab.merge(d.vocab);
        }
        let joined = joined_from_relay(&proxy, &m.feeds).await;
        (occ, vocab, joined)
    });
    // Same occurrences (the compile ran a moment before the relay was read: allow none to
    // differ except by time passing, which the demo's minute-aligned times make impossible).
    let a: HashSet<&str> = from_packs.iter().map(|o| o.key.as_str()).collect();
    let b: HashSet<&str> = from_join.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(a, b, "same occurrences");
    assert!(a.len() > 500, "a real amount of data: {}", a.len());
    let list = ActivityList::from_jsonld(openactive::vocab::ACTIVITY_LIST_JSONLD).unwrap();
    let ix_packs = Index::build(from_packs, &vocab);
    let ix_join = Index::build(from_join, &list);
    let act_ids = ix_join.activity_ids.clone();
    let acc_ids = ix_join.accessibility_ids.clone();
    let words: Vec<String> = ix_join
        .occurrences
        .iter()
        .take(200)
        .flat_map(|o| {
            o.name
                .split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.len() > 3)
        .collect();
    let outward: Vec<String> = ix_join
        .venues
        .iter()
        .filter_map(|v| v.postcode.as_deref())
        .filter_map(finder::url::postcode_to_outward)
        .take(20)
        .collect();
    let strategy = (
        prop::collection::vec(prop::sample::select(act_ids), 0..2),
        prop_oneof![
            Just(Place::Anywhere),
            prop::sample::select(outward).prop_map(Place::Outward),
            (51.3f64..51.7, -0.4f64..0.2).prop_map(|(a, b)| Place::Point(
                (a * 1000.0).round() / 1000.0,
                (b * 1000.0).round() / 1000.0
            )),
        ],
        prop::option::of(prop::sample::select(vec![1.0, 2.0, 5.0, 10.0])),
        0u8..128,
        prop::option::of((0u16..1200).prop_map(|a| (a, a + 180))),
        any::<(bool, bool, bool, bool, bool)>(),
        prop::option::of(prop::sample::select(vec![0.0, 3.0, 5.5, 10.0])),
        prop::option::of(5u32..90),
        prop::sample::select(GenderFilter::ALL.to_vec()),
        prop::collection::vec(prop::sample::select(acc_ids), 0..2),
        prop::option::of(prop::sample::select(words)),
    );
    let mut runner = TestRunner::new(PropConfig {
        cases: 200,
        ..PropConfig::default()
    });
    runner
        .run(
            &strategy,
            |(acts, place, radius, days, time, flags, max, age, gender, acc, word)| {
                let f = Filters {
                    activities: acts,
                    place,
                    radius_km: radius,
                    days: DaySet(days),
                    time: time.map_or(TimeOfDay::Any, |(a, b)| TimeOfDay::Range(a, b)),
                    free: flags.0,
                    wheelchair: flags.1,
                    beginner: flags.2,
                    slots: flags.3,
                    sort: if flags.4 {
                        Sort::Nearest
                    } else {
                        Sort::Soonest
                    },
                    max_price: max,
                    age,
                    gender,
                    accessibility: acc,
                    keyword: word.unwrap_or_default(),
                    ..Filters::default()
                };
                let (p, j) = (ix_packs.query(&f), ix_join.query(&f));
                prop_assert_eq!(keys(&ix_packs, &p.results), keys(&ix_join, &j.results));
                prop_assert_eq!(&p.facets, &j.facets);
                prop_assert_eq!(p.venues.len(), j.venues.len());
                Ok(())
            },
        )
        .unwrap();
}

#[tokio::test]
async fn manifest_is_short_lived_with_an_etag_and_packs_are_brotli_when_accepted() {
    let proxy = ready_demo(20).await;
    // A client that leaves the encoding to the test.
    let c = reqwest::Client::builder()
        .no_proxy()
        .no_brotli()
        .no_gzip()
        .build()
        .unwrap();
    let r = c
        .get(proxy.url("/packs/manifest.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-cache");
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let m: contract::Manifest = r.json().await.unwrap();
    let again = c
        .get(proxy.url("/packs/manifest.json"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    // The feeds' status moves with every poll; either it is unchanged (304) or a new ETag.
    assert!(again.status() == 304 || again.headers()["etag"] != etag.as_str());
    let p = &m.packs[0];
    let raw = c
        .get(proxy.url(&p.url))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.headers()["content-encoding"], "br");
    let compressed = raw.bytes().await.unwrap();
    let mut plain = Vec::new();
    brotli::BrotliDecompress(&mut &compressed[..], &mut plain).unwrap();
    assert_eq!(content_hash(&plain), p.hash);
    // Unknown and malformed names are a short JSON 404.
    for bad in [
        "/packs/0123456789abcdef0123456789abcdef.pack",
        "/packs/..%2fetc.pack",
        "/packs/x",
    ] {
        let r = c.get(proxy.url(bad)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{bad}");
        assert!(r.text().await.unwrap().contains("error"));
    }
}

fn built(tag: u8) -> BuiltPack {
    BuiltPack {
        slots: false,
        cell: None,
        occurrences: 0,
        bytes: vec![b'A', b'F', b'P', b'K', 1, tag],
        details: vec![b'A', b'F', b'P', b'K', 1, 100 + tag],
    }
}

#[test]
fn install_writes_atomically_names_by_content_and_keeps_old_packs_for_the_retention_time() {
    let dir = tempfile::tempdir().unwrap();
    let settings = PackSettings {
        retention_secs: 1,
        ..PackSettings::default()
    };
    let packs = Packs::new(settings, Some(dir.path().to_path_buf()));
    assert!(!packs.ready());
    packs.install(vec![built(1), built(2)], chrono::Utc::now(), false);
    assert!(!packs.ready(), "not ready before every feed has settled");
    let first: Vec<String> = packs.current().iter().map(|p| p.hash.clone()).collect();
    assert_eq!(first.len(), 2);
    for h in &first {
        let on_disk = std::fs::read(dir.path().join(format!("{h}.pack"))).unwrap();
        assert_eq!(content_hash(&on_disk), *h);
    }
    // No temporary files left behind.
    assert!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .all(|e| e.file_name().to_string_lossy().ends_with(".pack"))
    );
    // A new compile: pack 2 unchanged (same name), pack 1 replaced by 3 but still held.
    packs.install(vec![built(2), built(3)], chrono::Utc::now(), true);
    assert!(packs.ready());
    let held: HashSet<String> = packs.held().into_iter().collect();
    assert!(
        first.iter().all(|h| held.contains(h)),
        "old packs outlive their manifest"
    );
    assert_eq!(held.len(), 6, "three packs and their detail chunks");
    std::thread::sleep(Duration::from_millis(1100));
    packs.install(vec![built(2), built(3)], chrono::Utc::now(), true);
    let held: HashSet<String> = packs.held().into_iter().collect();
    assert_eq!(
        held.len(),
        4,
        "pack 1 and its chunk dropped after the retention time"
    );
    assert!(!held.contains(&first[0]));
    assert!(!dir.path().join(format!("{}.pack", first[0])).exists());
}

#[derive(Clone, Default)]
struct Flip {
    broken: Arc<AtomicBool>,
    extra: Arc<AtomicBool>,
}

fn session(id: &str, modified: i64, name: &str, start: &str) -> String {
    format!(
        r#"{{"state":"updated","kind":"Event","id":"{id}","modified":{modified},"data":{{
        "@context":"https://openactive.io/","@type":"Event","@id":"https://up.example/e/{id}",
        "name":"{name}","startDate":"{start}","duration":"PT1H",
        "location":{{"@type":"Place","name":"Hall","geo":{{"latitude":51.54,"longitude":-0.01}}}}}}}}"#
    )
}

/// An upstream whose first page has one event; its last page errors while `broken`, and
/// publishes a second event once `extra`.
async fn flip_upstream(flip: Flip) -> SocketAddr {
    let start = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%dT10:00:00Z")
        .to_string();
    let app = Router::new().route(
        "/feed",
        get(move |RawQuery(q): RawQuery| {
            let (flip, start) = (flip.clone(), start.clone());
            async move {
                let page = |next: &str, items: &[String]| {
                    format!(r#"{{"next":"{next}","items":[{}]}}"#, items.join(","))
                };
                let body = match q.as_deref() {
                    None => page("/feed?after=1", &[session("a", 1, "Yoga", &start)]),
                    Some(_) if flip.broken.load(Ordering::SeqCst) => {
                        return (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response();
                    }
                    Some("after=1") if flip.extra.load(Ordering::SeqCst) => {
                        page("/feed?after=2", &[session("b", 2, "Pilates", &start)])
                    }
                    Some("after=1") => page("/feed?after=1", &[]),
                    _ => page("/feed?after=2", &[]),
                };
                ([("content-type", "application/json")], body).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

async fn names_in_packs(proxy: &common::Proxy) -> Vec<String> {
    let m = manifest(proxy).await;
    let mut names = Vec::new();
    for p in &m.packs {
        let (_, _, b) = get_bytes(proxy, &p.url).await;
        names.extend(
            pack::decode(&b)
                .unwrap()
                .occurrences
                .into_iter()
                .map(|o| o.name.clone()),
        );
    }
    names.sort();
    names
}

#[tokio::test]
async fn packs_rebuild_on_change_and_on_time_and_keep_a_failing_feeds_data() {
    let flip = Flip::default();
    let addr = flip_upstream(flip.clone()).await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.0/8".into()];
    config.feeds = vec![common::feed("flip", format!("http://{addr}/feed"))];
    config.packs.debounce_ms = 100;
    config.packs.refresh_secs = 1;
    let proxy = start(config, None, 100).await;
    let st = proxy.started.state.clone();
    assert!(wait_until(10, || st.packs.ready()).await, "packed");
    assert_eq!(names_in_packs(&proxy).await, ["Yoga"]);

    // On time: rebuilt about every second with no change.
    let b = st.packs.builds();
    assert!(
        wait_until(5, || st.packs.builds() >= b + 2).await,
        "rebuilt on time"
    );

    // On change: the new event appears in the packs.
    flip.extra.store(true, Ordering::SeqCst);
    assert!(
        wait_until(10, || st.feeds[0].store.read().unwrap().live_len() == 2).await,
        "harvested"
    );
    let mut seen = false;
    for _ in 0..50 {
        if names_in_packs(&proxy).await == ["Pilates", "Yoga"] {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(seen, "rebuilt on change");

    // Failing: the manifest says so, and the feed's sessions stay in the packs.
    flip.broken.store(true, Ordering::SeqCst);
    assert!(
        wait_until(10, || common::status_of(&proxy, "flip").0
            == Health::Failing)
        .await
    );
    let b = st.packs.builds();
    assert!(wait_until(5, || st.packs.builds() > b).await);
    let m = manifest(&proxy).await;
    assert_eq!(m.feeds[0].status, Health::Failing);
    assert!(m.feeds[0].last_harvest.is_some());
    assert_eq!(names_in_packs(&proxy).await, ["Pilates", "Yoga"]);
}

#[tokio::test]
async fn the_page_preloads_the_packs_its_link_needs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><html><head><title>app</title></head><body><header><div id=\"demo-banner-slot\"></div></header></body></html>",
    )
    .unwrap();
    let mut config = test_config();
    config.dist = dir.path().to_path_buf();
    config.packs.debounce_ms = 100;
    config.page_size = 500;
    let proxy = start(
        config,
        Some(activity_finder_proxy::demo::DEFAULT_SERIES),
        500,
    )
    .await;
    let st = proxy.started.state.clone();
    assert!(wait_until(60, || st.packs.ready()).await);
    let m = manifest(&proxy).await;
    let preloads = |html: &str| -> Vec<String> {
        html.split("<link rel=\"preload\" href=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    };
    let page = |q: &'static str| {
        let url = proxy.url(q);
        async move {
            client()
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    // The static shell says it is demo data from the first paint.
    let home = page("/").await;
    assert!(
        home.contains("<header><p class=\"demo-banner\" role=\"note\"><strong>Demo data — not real sessions.</strong>"),
        "{home}"
    );
    // No place: every pack, sessions first.
    let all = preloads(&home);
    assert_eq!(all.len(), m.packs.len().min(40));
    let slot_urls: Vec<&str> = m
        .packs
        .iter()
        .filter(|p| p.slots)
        .map(|p| p.url.as_str())
        .collect();
    let first_slot = all.iter().position(|u| slot_urls.contains(&u.as_str()));
    assert!(first_slot.is_none_or(|i| all[i..].iter().all(|u| slot_urls.contains(&u.as_str()))));
    // A 2 km circle: only the session packs it touches, each one exactly as the manifest names it.
    let local = preloads(&page("/?v=1&at=51.541,-0.003&r=2").await);
    let (f, _) = finder::url::decode("v=1&at=51.541,-0.003&r=2");
    let (circle, slots) = contract::manifest::link_needs(&f);
    let needed = contract::manifest::needed_for(&m.packs, circle, slots);
    let mut want: Vec<String> = m
        .packs
        .iter()
        .zip(&needed)
        .filter(|(_, n)| **n)
        .map(|(p, _)| p.url.clone())
        .collect();
    let mut got = local.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(
        !local.is_empty() && local.len() < all.len(),
        "{} of {}",
        local.len(),
        all.len()
    );
    // An outward code: the manifest's gazetteer gives its centroid (that of its venues), so
    // `near=E15` preloads only the packs around it too.
    let e15 = *m.outward.get("E15").expect("the demo has venues in E15");
    let ix = Index::build(
        m.packs
            .iter()
            .flat_map(|p| {
                let bytes = st.packs.get(&p.hash).unwrap();
                pack::decode(&bytes).unwrap().occurrences
            })
            .collect(),
        &pack::PackVocab::default(),
    );
    let venues = ix.gazetteer.lookup("E15").unwrap();
    assert!((venues.0 - e15.0).abs() < 1e-3 && (venues.1 - e15.1).abs() < 1e-3);
    let near = preloads(&page("/?v=1&near=E15&r=2").await);
    let (f, _) = finder::url::decode("v=1&near=E15&r=2");
    let (circle, slots) = contract::manifest::link_needs_in(&f, &m.outward);
    assert_eq!(circle, Some((e15, 2.0)));
    let needed = contract::manifest::needed_for(&m.packs, circle, slots);
    let mut want: Vec<String> = m
        .packs
        .iter()
        .zip(&needed)
        .filter(|(_, n)| **n)
        .map(|(p, _)| p.url.clone())
        .collect();
    let mut got = near.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    assert!(!near.is_empty() && near.len() < all.len());
}

/// An upstream with a series, two of its sessions in the look-ahead (one whose `modified` is a
/// Unix timestamp, one a counter) and one far beyond it (held back by the relay).
async fn dated_upstream() -> SocketAddr {
    let day = |d: i64| {
        (chrono::Utc::now() + chrono::Duration::days(d))
            .format("%Y-%m-%dT10:00:00Z")
            .to_string()
    };
    let (near, nearer, far) = (day(2), day(3), day(60));
    let series = r#"{"state":"updated","kind":"SessionSeries","id":"S","modified":3,"data":{
        "@type":"SessionSeries","@id":"https://up.example/series/S","name":"Chair yoga",
        "emduk:specialRequirements":[{"type":"Concept","id":"https://data.emduk.org/special-requirements#c","prefLabel":"Chair Based"}],
        "location":{"@type":"Place","name":"Hall","geo":{"latitude":51.54,"longitude":-0.01}}}}"#;
    let child = |id: &str, modified: &str, start: &str| {
        format!(
            r#"{{"state":"updated","kind":"ScheduledSession","id":"{id}","modified":{modified},"data":{{
            "@type":"ScheduledSession","@id":"https://up.example/s/{id}",
            "superEvent":"https://up.example/series/S","startDate":"{start}","duration":"PT1H"}}}}"#
        )
    };
    let body = format!(
        r#"{{"next":"/feed?after=9","items":[{series},{},{},{}]}}"#,
        child("counter", "7", &near),
        child("stamped", "1790000000", &nearer),
        child("far", "8", &far)
    );
    let app = Router::new().route(
        "/feed",
        get(move |RawQuery(q): RawQuery| {
            let body = body.clone();
            async move {
                let body = match q {
                    None => body,
                    Some(_) => r#"{"next":"/feed?after=9","items":[]}"#.to_string(),
                };
                ([("content-type", "application/json")], body).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

#[tokio::test]
async fn packs_carry_when_each_item_changed_how_far_ahead_dates_are_listed_and_special_requirements()
 {
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let addr = dated_upstream().await;
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.0/8".into()];
    config.feeds = vec![common::feed("dated", format!("http://{addr}/feed"))];
    config.packs.debounce_ms = 100;
    let proxy = start(config, None, 100).await;
    let st = proxy.started.state.clone();
    assert!(
        wait_until(10, || st.packs.ready() && st.feeds[0].settled()).await,
        "packed"
    );
    let m = manifest(&proxy).await;
    let mut occ = Vec::new();
    for p in &m.packs {
        let (_, _, b) = get_bytes(&proxy, &p.url).await;
        occ.extend(pack::decode(&b).unwrap().occurrences);
    }
    assert_eq!(occ.len(), 2, "the far session is held back, not listed");
    let by = |id: &str| occ.iter().find(|o| o.key.ends_with(id)).unwrap();
    // The publisher's timestamp, not the relay's renumbered `modified`.
    assert_eq!(by("/stamped").updated.unwrap().timestamp(), 1_790_000_000);
    // A counter: when the proxy first saw this version.
    let seen = by("/counter").updated.expect("first seen");
    assert!(seen >= before && seen <= chrono::Utc::now(), "{seen}");
    // Dates listed until the held-back session, beyond the look-ahead.
    let until = by("/counter").listed_until.expect("listed until");
    assert!(until > chrono::Utc::now() + chrono::Duration::days(59));
    assert_eq!(
        by("/stamped").special_requirements[0].label.as_deref(),
        Some("Chair Based")
    );
}
