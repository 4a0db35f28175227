//! The polling loop of one feed and the application of each page to its store.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::error::ProxyError;
use crate::relay::Window;

use super::feed::write_store;
use super::{Feed, Harvester, Health, UpstreamError, read_store, retry_delay};

/// Result of applying one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSummary {
    /// Items on the page.
    pub items: usize,
    /// Items skipped as malformed.
    pub skipped: usize,
    /// The resolved `next` URL.
    pub next: Url,
}

/// Reads an RPDE page with `openactive::rpde::parse_page` and applies its items to the
/// feed's store (each item's `data` relayed as the publisher's exact bytes).
pub fn apply_page(
    feed: &Feed,
    page_url: &Url,
    body: &[u8],
    window: &Window,
    now: DateTime<Utc>,
) -> Result<PageSummary, ProxyError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ProxyError::Upstream("not a valid RPDE page".to_string()))?;
    // The reason is not shown: serde's messages may quote the publisher's text.
    let page = openactive::rpde::parse_page(text, page_url.as_str())
        .map_err(|_| ProxyError::Upstream("not a valid RPDE page".to_string()))?;
    let next = Url::parse(&page.next)
        .map_err(|_| ProxyError::Upstream("RPDE page has an invalid next URL".to_string()))?;
    let skipped = page.report.skipped.len();
    {
        let parent_outside = |at_id: &str| feed.parent_outside(at_id);
        let mut store = write_store(feed);
        for item in &page.items {
            store.saw(&item.id);
            store.apply(item, &feed.spec.kind, window, now, &parent_outside);
        }
        // Saved under the same lock as the items, so a snapshot never has a cursor ahead of
        // the state (re-applying a page is harmless; skipping one is not).
        store.set_cursor(next.as_str());
    }
    feed.bring_back_children(window, now);
    if skipped > 0 {
        feed.set(|s| s.skipped_items += skipped as u64);
    }
    Ok(PageSummary {
        items: page.report.items,
        skipped,
        next,
    })
}

/// The directory part of a feed URL's path (up to and including the last `/`): its `next`
/// URLs must stay under it.
pub fn path_prefix(url: &Url) -> String {
    let path = url.path();
    match path.rfind('/') {
        Some(i) => path[..=i].to_string(),
        None => "/".to_string(),
    }
}

pub(super) fn same_url(a: &Url, b: &Url) -> bool {
    a.as_str() == b.as_str()
}

/// Harvests one feed for ever (or until it is gone). Waits for `parents` to settle first.
pub async fn run_feed(h: Arc<Harvester>, feed: Arc<Feed>, parents: Vec<Arc<Feed>>) {
    for parent in &parents {
        let mut rx = parent.settled_tx.subscribe();
        let _ = rx.wait_for(|s| *s).await;
    }
    let Ok(start) = Url::parse(&feed.spec.url) else {
        feed.set(|s| {
            s.health = Health::Failing;
            s.error = Some("invalid feed URL".into());
        });
        feed.settle();
        return;
    };
    let origin = start.origin();
    let prefix = path_prefix(&start);
    let mut url = {
        let mut st = write_store(&feed);
        st.begin_pass(Utc::now());
        st.cursor()
            .and_then(|c| Url::parse(c).ok())
            .filter(|u| u.origin() == origin)
            .unwrap_or_else(|| start.clone())
    };
    if url != start {
        tracing::info!(feed = %feed.spec.id, url = %url, "resuming from the saved next URL");
    }
    let mut attempt: u32 = 0;
    loop {
        let result = match h.fetch(&feed, &url).await {
            Ok(body) => apply_page(&feed, &url, &body, &h.window, Utc::now())
                .map_err(|e| UpstreamError::new(e.to_string())),
            Err(e) => Err(e),
        };
        match result {
            Err(e) => {
                tracing::warn!(feed = %feed.spec.id, url = %url, error = %e.message, "harvest failed");
                let gone = e.gone;
                let wait = retry_delay(&e, attempt, &mut rand::rng());
                attempt = attempt.saturating_add(1);
                let retry_at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                feed.set(|s| {
                    s.health = if gone { Health::Gone } else { Health::Failing };
                    s.error = Some(e.message.clone());
                    s.retry_at = Some(retry_at);
                    s.consecutive_failures = attempt;
                });
                feed.settle();
                // A gone feed is checked again daily (`retry_delay`), not given up on.
                tokio::time::sleep(wait).await;
            }
            Ok(page) => {
                attempt = 0;
                h.changed(&feed);
                let now = Utc::now();
                let at_end = same_url(&page.next, &url);
                feed.set(|s| {
                    s.last_harvest = Some(now);
                    s.retry_at = None;
                    s.consecutive_failures = 0;
                    if matches!(s.health, Health::Failing | Health::Gone) {
                        s.health = if s.first_pass_done {
                            Health::Ok
                        } else {
                            Health::Harvesting
                        };
                        s.error = None;
                    }
                });
                if page.next.origin() != origin || !page.next.path().starts_with(&prefix) {
                    feed.set(|s| {
                        s.health = Health::Failing;
                        s.error = Some("next URL leaves the feed's origin or path".into());
                    });
                    feed.settle();
                    tokio::time::sleep(h.poll.max(Duration::from_secs(60))).await;
                    continue;
                }
                if at_end {
                    if page.items > 0 {
                        tracing::warn!(feed = %feed.spec.id, "next equals the page URL but items were returned");
                    }
                    let first = !feed.status().first_pass_done;
                    feed.set(|s| {
                        s.first_pass_done = true;
                        s.caught_up = true;
                        s.health = Health::Ok;
                        s.error = None;
                    });
                    feed.settle();
                    let resync_due = {
                        let mut st = write_store(&feed);
                        if st.resyncing() {
                            let removed = st.finish_resync(now);
                            tracing::info!(feed = %feed.spec.id, removed, items = st.live_len(), "full resync complete");
                        }
                        st.sweep(&h.window, now);
                        // A parent came back whose children could not all be parked.
                        st.take_resync_wanted()
                            || st
                                .pass_started()
                                .is_some_and(|t| (now - t).to_std().unwrap_or_default() >= h.resync)
                    };
                    h.changed(&feed);
                    if first {
                        let st = read_store(&feed);
                        tracing::info!(feed = %feed.spec.id, items = st.live_len(), held = st.held_len(), "first pass complete");
                    }
                    if resync_due {
                        // Restart from the first page; keep serving what we hold meanwhile.
                        write_store(&feed).begin_resync(now);
                        tracing::info!(feed = %feed.spec.id, "full resync from the first page");
                        url = start.clone();
                        continue;
                    }
                    tokio::time::sleep(h.poll).await;
                } else {
                    url = page.next;
                }
            }
        }
    }
}

/// Starts one task per feed; child feeds wait for the parent feeds of the same publisher.
/// Returns the tasks' abort handles.
pub fn spawn_all(h: Arc<Harvester>, feeds: &[Arc<Feed>]) -> Vec<tokio::task::AbortHandle> {
    let mut tasks = Vec::new();
    for feed in feeds {
        let parents: Vec<Arc<Feed>> = if feed.is_parent() {
            Vec::new()
        } else {
            feeds
                .iter()
                .filter(|p| {
                    p.is_parent()
                        && p.spec.publisher == feed.spec.publisher
                        && p.spec.dataset_url == feed.spec.dataset_url
                })
                .cloned()
                .collect()
        };
        feed.set_parents(parents.clone());
        if feed.is_parent() {
            let children: Vec<Arc<Feed>> = feeds
                .iter()
                .filter(|c| {
                    !c.is_parent()
                        && c.spec.publisher == feed.spec.publisher
                        && c.spec.dataset_url == feed.spec.dataset_url
                })
                .cloned()
                .collect();
            feed.set_children(&children);
        }
        tasks.push(tokio::spawn(run_feed(h.clone(), feed.clone(), parents)).abort_handle());
    }
    tasks
}
