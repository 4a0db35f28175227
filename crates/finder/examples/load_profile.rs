//! Native profile of the browser's load path: parse RPDE pages saved on disk, apply them to the
//! join store, rebuild occurrences + index with the app's doubling policy, and report time and
//! heap per stage. `cargo run --release -p finder --example load_profile -- DIR`, where DIR holds
//! `manifest.json` (written by `node bench/dump-pages.mjs`) and the pages.

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes live now, relative to a region's start.
fn live(r: &Region<'_, System>) -> usize {
    let c = r.change();
    (c.bytes_allocated as isize + c.bytes_reallocated - c.bytes_deallocated as isize).max(0)
        as usize
}

/// The app's rebuild rule (`src/app.rs` `GROWTH`): rebuild when the store has grown this many
/// times over since the last build.
const GROWTH: usize = 4;

fn mb(n: usize) -> f64 {
    n as f64 / 1_048_576.0
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: load_profile DIR");
    let dir = std::path::Path::new(&dir);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let vocab_text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openactive/vocab/activity-list.jsonld"
    ))
    .unwrap();
    let vocab = openactive::vocab::ActivityList::from_jsonld(&vocab_text).unwrap();
    // Pages in the order the browser would see them: round-robin over feeds, 4 at a time is
    // close enough to interleaving every feed page by page.
    let feeds: Vec<Vec<(String, String)>> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["pages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let text =
                        std::fs::read_to_string(dir.join(p["file"].as_str().unwrap())).unwrap();
                    (text, p["url"].as_str().unwrap().to_string())
                })
                .collect()
        })
        .collect();
    // The app's read order: publisher by publisher, series feed before sessions feed, four
    // feeds at a time, one page from each in turn.
    let is_child = |fi: usize| {
        manifest[fi]["pages"][0]["url"]
            .as_str()
            .unwrap()
            .contains("scheduled-sessions")
    };
    let publisher = |fi: usize| manifest[fi]["publisher"].as_str().unwrap().to_string();
    let mut queue: Vec<usize> = (0..feeds.len()).collect();
    let publishers: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for fi in 0..feeds.len() {
            if !v.contains(&publisher(fi)) {
                v.push(publisher(fi));
            }
        }
        v
    };
    queue.sort_by_key(|&fi| {
        (
            publishers.iter().position(|p| *p == publisher(fi)),
            is_child(fi),
        )
    });
    let mut queue: std::collections::VecDeque<usize> = queue.into();
    let mut active: Vec<(usize, usize)> = Vec::new();
    let mut order = Vec::new();
    loop {
        while active.len() < 4 {
            match queue.pop_front() {
                Some(fi) => active.push((fi, 0)),
                None => break,
            }
        }
        if active.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for (fi, n) in active {
            order.push((fi, n, n + 1 == feeds[fi].len()));
            if n + 1 < feeds[fi].len() {
                next.push((fi, n + 1));
            }
        }
        active = next;
    }
    let region = Region::new(GLOBAL);
    let mut store = openactive::join::Store::new();
    let defer = std::env::var_os("NO_DEFER").is_none();
    for fi in 0..feeds.len() {
        store.add_feed(openactive::Dataset::default());
        if defer && !is_child(fi) {
            store.defer_schedules(fi, true);
        }
    }
    let now: chrono::DateTime<chrono::Utc> = std::time::SystemTime::now().into();
    let (mut t_parse, mut t_apply, mut t_occ, mut t_index, mut t_drop) = (
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
        Duration::ZERO,
    );
    let mut built = 0usize;
    let mut builds = 0;
    let mut index = std::sync::Arc::new(finder::Index::default());
    let t0 = Instant::now();
    let rebuild = |store: &openactive::join::Store,
                   index: &mut std::sync::Arc<finder::Index>,
                   t_occ: &mut Duration,
                   t_index: &mut Duration,
                   t_drop: &mut Duration| {
        let t = Instant::now();
        let occ = store.occurrences(now, 28);
        *t_occ += t.elapsed();
        let t = Instant::now();
        let ix = finder::Index::build(occ, &vocab);
        *t_index += t.elapsed();
        let (t1, n) = (t.elapsed(), ix.len());
        let t = Instant::now();
        *index = std::sync::Arc::new(ix);
        *t_drop += t.elapsed();
        if std::env::var_os("VERBOSE").is_some() {
            println!(
                "build: {} items -> {n} occurrences, index {t1:?}, drop {:?}",
                store.len(),
                t.elapsed()
            );
        }
    };
    for (fi, n, last) in order {
        let (text, url) = &feeds[fi][n];
        let t = Instant::now();
        let page = openactive::rpde::parse_page_model(text.as_bytes(), url).unwrap();
        t_parse += t.elapsed();
        let t = Instant::now();
        store.apply_page(fi, &page);
        drop(page);
        if last && is_child(fi) {
            for p in 0..feeds.len() {
                if !is_child(p) && publisher(p) == publisher(fi) {
                    store.defer_schedules(p, false);
                }
            }
        }
        t_apply += t.elapsed();
        if std::env::var_os("NO_REBUILDS").is_none() && store.len() >= GROWTH * built.max(1) {
            built = store.len();
            builds += 1;
            rebuild(&store, &mut index, &mut t_occ, &mut t_index, &mut t_drop);
        }
    }
    let after_pages = live(&region);
    builds += 1;
    rebuild(&store, &mut index, &mut t_occ, &mut t_index, &mut t_drop);
    let total = t0.elapsed();
    let t = Instant::now();
    let occ = store.occurrences(now, 28);
    let last_occ = t.elapsed();
    let occ_bytes = live(&region);
    let n = occ.len();
    drop(occ);
    let occ_bytes = occ_bytes - live(&region);
    println!(
        "items {} occurrences {} shown {} builds {}",
        store.len(),
        index.len(),
        index.visible_len(),
        builds
    );
    println!(
        "parse {t_parse:?} apply {t_apply:?} occurrences {t_occ:?} (last {last_occ:?}) index {t_index:?} drop {t_drop:?} total {total:?}"
    );
    println!(
        "heap: store+index {:.1} MB (before the final build {:.1} MB), one occurrences Vec {:.1} MB = {:.0} B/occ, allocations {}",
        mb(live(&region)),
        mb(after_pages),
        mb(occ_bytes),
        occ_bytes as f64 / n.max(1) as f64,
        region.change().allocations
    );
}
