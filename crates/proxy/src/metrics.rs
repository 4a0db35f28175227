//! `/metrics`: the proxy's state in the Prometheus text format (version 0.0.4), when enabled
//! by `metrics = true` in the config: per feed its state, items, last success, consecutive
//! failures and next try; responses by status; upstream bodies in flight.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;

use crate::harvest::Feed;
use crate::harvest::{Harvester, Health, read_store};
use crate::packs::Packs;
use crate::ratelimit::RateLimiter;

/// Counters kept while serving.
#[derive(Debug)]
pub struct Metrics {
    harvester: Arc<Harvester>,
    responses: Mutex<BTreeMap<u16, u64>>,
    limiter: Option<Arc<RateLimiter>>,
}

impl Metrics {
    /// Counters reading the bodies in flight from `harvester` and the 429s of `limiter`
    /// (answered before the router).
    pub fn new(harvester: Arc<Harvester>, limiter: Option<Arc<RateLimiter>>) -> Self {
        Metrics {
            harvester,
            responses: Mutex::new(BTreeMap::new()),
            limiter,
        }
    }

    /// Counts one response of the router.
    pub fn count_response(&self, status: StatusCode) {
        *self
            .responses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(status.as_u16())
            .or_default() += 1;
    }
}

/// A label value escaped for the text format.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn seconds(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| format!("{:.3}", t.timestamp_millis() as f64 / 1000.0))
        .unwrap_or_else(|| "NaN".to_string())
}

/// The metrics text for `st`.
pub fn render(feeds: &[Arc<Feed>], packs: &Packs, m: &Metrics) -> String {
    let mut out = String::new();
    let feeds: Vec<_> = feeds.iter().map(|f| (f, f.status())).collect();
    let mut family =
        |name: &str, kind: &str, help: &str, rows: &mut dyn Iterator<Item = String>| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for r in rows {
                let _ = writeln!(out, "{name}{r}");
            }
        };
    let states = [
        (Health::Harvesting, "harvesting"),
        (Health::Ok, "ok"),
        (Health::Failing, "failing"),
        (Health::Gone, "gone"),
    ];
    family(
        "activity_finder_feed_state",
        "gauge",
        "1 for the feed's current state (harvesting, ok, failing, gone).",
        &mut feeds.iter().flat_map(|(f, s)| {
            states.iter().map(move |(h, name)| {
                format!(
                    "{{feed=\"{}\",state=\"{name}\"}} {}",
                    label(&f.spec.id),
                    u8::from(s.health == *h)
                )
            })
        }),
    );
    family(
        "activity_finder_feed_items",
        "gauge",
        "Live items relayed.",
        &mut feeds.iter().map(|(f, _)| {
            format!(
                "{{feed=\"{}\"}} {}",
                label(&f.spec.id),
                read_store(f).live_len()
            )
        }),
    );
    family(
        "activity_finder_feed_skipped_items_total",
        "counter",
        "Items skipped as malformed or too deep.",
        &mut feeds
            .iter()
            .map(|(f, s)| format!("{{feed=\"{}\"}} {}", label(&f.spec.id), s.skipped_items)),
    );
    family(
        "activity_finder_feed_last_success_timestamp_seconds",
        "gauge",
        "When a page was last fetched successfully (NaN: never).",
        &mut feeds.iter().map(|(f, s)| {
            format!(
                "{{feed=\"{}\"}} {}",
                label(&f.spec.id),
                seconds(s.last_harvest)
            )
        }),
    );
    family(
        "activity_finder_feed_consecutive_failures",
        "gauge",
        "Failed attempts since the last success.",
        &mut feeds.iter().map(|(f, s)| {
            format!(
                "{{feed=\"{}\"}} {}",
                label(&f.spec.id),
                s.consecutive_failures
            )
        }),
    );
    family(
        "activity_finder_feed_next_try_timestamp_seconds",
        "gauge",
        "When the next attempt after a failure is due (NaN: not waiting on a failure).",
        &mut feeds
            .iter()
            .map(|(f, s)| format!("{{feed=\"{}\"}} {}", label(&f.spec.id), seconds(s.retry_at))),
    );
    family(
        "activity_finder_feed_caught_up",
        "gauge",
        "1 once the feed reached its end since the proxy started.",
        &mut feeds.iter().map(|(f, s)| {
            format!(
                "{{feed=\"{}\"}} {}",
                label(&f.spec.id),
                u8::from(s.caught_up)
            )
        }),
    );
    family(
        "activity_finder_upstream_requests_total",
        "counter",
        "Upstream requests attempted.",
        &mut feeds.iter().map(|(f, _)| {
            format!(
                "{{feed=\"{}\"}} {}",
                label(&f.spec.id),
                f.fetches.load(Ordering::Relaxed)
            )
        }),
    );
    family(
        "activity_finder_upstream_bodies_in_flight_bytes",
        "gauge",
        "Bytes of upstream response bodies held right now.",
        &mut std::iter::once(format!(" {}", m.harvester.bodies_in_flight())),
    );
    let mut responses = m
        .responses
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let limited = m.limiter.as_ref().map_or(0, |l| l.refused());
    if limited > 0 {
        *responses.entry(429).or_default() += limited;
    }
    family(
        "activity_finder_http_responses_total",
        "counter",
        "Responses served, by status code.",
        &mut responses
            .iter()
            .map(|(code, n)| format!("{{code=\"{code}\"}} {n}")),
    );
    family(
        "activity_finder_pack_builds_total",
        "counter",
        "Finder-pack compiles installed since start.",
        &mut std::iter::once(format!(" {}", packs.builds())),
    );
    let current = packs.current();
    family(
        "activity_finder_packs",
        "gauge",
        "Packs named by the current manifest, and their occurrences and bytes.",
        &mut [
            format!("{{what=\"packs\"}} {}", current.len()),
            format!(
                "{{what=\"occurrences\"}} {}",
                current
                    .iter()
                    .map(|p| u64::from(p.occurrences))
                    .sum::<u64>()
            ),
            format!(
                "{{what=\"bytes\"}} {}",
                current.iter().map(|p| p.bytes).sum::<u64>()
            ),
        ]
        .into_iter(),
    );
    out
}
