//! The rebuild loop: compile the feeds' relays into packs when they change (debounced) and
//! on a timer, and install the result.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::Packs;
use super::compile;
use super::compile::FeedInput;
use crate::harvest::{Feed, read_store};

/// A change counter over the feeds: moves whenever any feed's relay changes or a feed settles.
fn generation(feeds: &[Arc<Feed>]) -> (u64, usize) {
    let seq = feeds
        .iter()
        .map(|f| read_store(f).last_seq())
        .fold(0u64, u64::wrapping_add);
    (seq, feeds.iter().filter(|f| f.ready()).count())
}

/// Copies every feed's relayed items (short read locks, one feed at a time).
fn inputs(feeds: &[Arc<Feed>]) -> Vec<FeedInput> {
    feeds
        .iter()
        .map(|f| {
            let store = read_store(f);
            let items = store
                .page(0, usize::MAX)
                .into_iter()
                .map(|(_, j)| j.to_string())
                .collect();
            let times = store
                .live_times()
                .into_iter()
                .map(|(id, modified, seen)| {
                    let t = openactive::join::ItemTimes {
                        modified: modified.as_timestamp(),
                        first_seen: seen,
                    };
                    (id.to_string(), t)
                })
                .collect();
            let london = openactive::lenient::timezone(None);
            let later = store
                .held_parent_starts()
                .into_iter()
                .map(|(parent, start)| (parent, start.with_timezone(&london).fixed_offset()))
                .collect();
            drop(store);
            FeedInput {
                dataset: openactive::Dataset {
                    publisher: f.spec.publisher.clone(),
                    url: f.spec.dataset_url.clone(),
                    license: Some(f.spec.license.clone()),
                },
                items,
                times,
                later,
            }
        })
        .collect()
}

/// Compiles now and installs the result.
pub async fn build_once(
    packs: &Arc<Packs>,
    feeds: &[Arc<Feed>],
    vocab: &Arc<openactive::ActivityList>,
    lookahead_days: u32,
) {
    let complete = feeds.iter().all(|f| f.ready());
    let input = inputs(feeds);
    let (vocab, now) = (vocab.clone(), Utc::now());
    let started = Instant::now();
    let result = tokio::task::spawn_blocking(move || {
        compile::compile(&input, vocab.as_ref(), now, lookahead_days)
    })
    .await;
    let Ok(compiled) = result else {
        tracing::error!("pack compile failed");
        return;
    };
    let n: u32 = compiled.packs.iter().map(|p| p.occurrences).sum();
    let bytes: usize = compiled.packs.iter().map(|p| p.bytes.len()).sum();
    let count = compiled.packs.len();
    let p = packs.clone();
    let _ = tokio::task::spawn_blocking(move || {
        p.install_with(compiled.packs, compiled.hidden, now, complete);
    })
    .await;
    tracing::info!(
        packs = count,
        occurrences = n,
        bytes,
        ms = started.elapsed().as_millis() as u64,
        complete,
        "packs compiled"
    );
}

/// Rebuilds the packs whenever the harvested state changes (debounced) and at least every
/// `refresh_secs`.
pub async fn run(
    packs: Arc<Packs>,
    feeds: Vec<Arc<Feed>>,
    vocab: Arc<openactive::ActivityList>,
    lookahead_days: u32,
) {
    let s = packs.settings.clone();
    let (debounce, max_delay, refresh) = (
        Duration::from_millis(s.debounce_ms),
        Duration::from_millis(s.max_delay_ms),
        Duration::from_secs(s.refresh_secs.max(1)),
    );
    let mut seen = None;
    let mut first_change: Option<Instant> = None;
    let mut last_change = Instant::now();
    // A compile at start (restored state) counts as the first build.
    let mut last_build: Option<Instant> = (packs.builds() > 0).then(Instant::now);
    loop {
        let now = Instant::now();
        let g = generation(&feeds);
        if seen != Some(g) {
            seen = Some(g);
            last_change = now;
            first_change.get_or_insert(now);
        }
        let changed_due = first_change.is_some_and(|first| {
            now.duration_since(last_change) >= debounce || now.duration_since(first) >= max_delay
        });
        let time_due = last_build.is_none_or(|t| now.duration_since(t) >= refresh);
        // The first compile that can be complete runs at once: `/readyz` waits for it.
        let first_complete = !packs.ready() && feeds.iter().all(|f| f.ready());
        if changed_due || first_complete || (time_due && last_build.is_some()) {
            first_change = None;
            last_build = Some(now);
            build_once(&packs, &feeds, &vocab, lookahead_days).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
