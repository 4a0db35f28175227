//! Polite RPDE harvesting: follow `next` to the end, then poll the last page; parents before
//! children; body, time and per-host concurrency caps; refuses non-public targets; one bad
//! item never fails a page and one bad feed never fails the others.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, Semaphore, watch};
use url::Url;

use crate::config::{FeedConfig, Limits, is_parent_kind};
use crate::net::{GuardedResolver, Policy, Refused};
use crate::relay::{FeedStore, Window};

/// Health of a feed as shown in `/api/feeds` (the wire type).
pub use contract::Health;

/// Mutable status of a feed.
#[derive(Debug, Clone)]
pub struct FeedStatus {
    /// Health.
    pub health: Health,
    /// Short human message when failing or gone.
    pub error: Option<String>,
    /// When a page was last fetched successfully.
    pub last_harvest: Option<DateTime<Utc>>,
    /// Whether the first full pass reached the end.
    pub first_pass_done: bool,
    /// Items skipped because they were malformed.
    pub skipped_items: u64,
    /// When the next attempt is due after a failure.
    pub retry_at: Option<DateTime<Utc>>,
    /// Reached the end of the feed since this process started (a restored state may be
    /// behind; `/readyz?caught_up=1`).
    pub caught_up: bool,
    /// Failed attempts since the last success (`/metrics`).
    pub consecutive_failures: u32,
}

/// One harvested feed: its configuration, compacted state and status.
#[derive(Debug)]
pub struct Feed {
    /// Configuration.
    pub spec: FeedConfig,
    /// Compacted state.
    pub store: RwLock<FeedStore>,
    /// Status.
    pub status: Mutex<FeedStatus>,
    /// Upstream requests attempted (requests refused before connecting are not counted).
    pub fetches: AtomicU64,
    /// Restored from the state directory at start.
    pub loaded: AtomicBool,
    /// Changed since the state was last saved.
    pub dirty: AtomicBool,
    /// Change numbers from this one up are not relayed yet: they are not covered by the
    /// reservation saved on disk (`persist::reserve_ahead`). `u64::MAX` without a state dir.
    pub seq_ceiling: AtomicU64,
    /// Parent feeds of the same publisher (children follow their location).
    parents: OnceLock<Vec<Arc<Feed>>>,
    /// Child feeds of the same publisher (their parked children come back with a parent).
    children: OnceLock<Vec<Weak<Feed>>>,
    settled_tx: watch::Sender<bool>,
}

impl Feed {
    /// A feed not yet harvested; its change numbers start at `first_seq`.
    pub fn new(spec: FeedConfig, first_seq: u64) -> Self {
        let (settled_tx, _) = watch::channel(false);
        Feed {
            spec,
            store: RwLock::new(FeedStore::new(first_seq)),
            status: Mutex::new(FeedStatus {
                health: Health::Harvesting,
                error: None,
                last_harvest: None,
                first_pass_done: false,
                skipped_items: 0,
                retry_at: None,
                caught_up: false,
                consecutive_failures: 0,
            }),
            fetches: AtomicU64::new(0),
            loaded: AtomicBool::new(false),
            dirty: AtomicBool::new(false),
            seq_ceiling: AtomicU64::new(u64::MAX),
            parents: OnceLock::new(),
            children: OnceLock::new(),
            settled_tx,
        }
    }

    /// Whether this is a parent feed (harvested first).
    pub fn is_parent(&self) -> bool {
        is_parent_kind(&self.spec.kind)
    }

    /// A snapshot of the status.
    pub fn status(&self) -> FeedStatus {
        lock(&self.status).clone()
    }

    /// True once the first pass finished or failed (`/readyz`).
    pub fn settled(&self) -> bool {
        *self.settled_tx.borrow()
    }

    /// True once the state is usable: restored from disk or first pass settled (`/readyz`).
    pub fn ready(&self) -> bool {
        self.settled() || self.loaded.load(Ordering::Relaxed)
    }

    fn settle(&self) {
        self.settled_tx.send_replace(true);
    }

    /// Replaces the store and status with a saved state (at start, before harvesting).
    pub fn restore(
        &self,
        store: FeedStore,
        last_harvest: Option<DateTime<Utc>>,
        first_pass_done: bool,
    ) {
        *write_store(self) = store;
        self.set(|s| {
            s.last_harvest = last_harvest;
            s.first_pass_done = first_pass_done;
            s.health = if first_pass_done {
                Health::Ok
            } else {
                Health::Harvesting
            };
        });
        self.loaded.store(true, Ordering::Relaxed);
        if first_pass_done {
            self.settle();
        }
    }

    /// Sets the parent feeds (once).
    pub fn set_parents(&self, parents: Vec<Arc<Feed>>) {
        let _ = self.parents.set(parents);
    }

    /// Sets the child feeds (once); held weakly, as children hold their parents.
    pub fn set_children(&self, children: &[Arc<Feed>]) {
        let _ = self
            .children
            .set(children.iter().map(Arc::downgrade).collect());
    }

    /// Places again, in the child feeds, the children parked for parents of this feed whose
    /// new version is back inside the region. Call without holding this feed's store.
    fn bring_back_children(&self, window: &Window, now: DateTime<Utc>) {
        let returned = write_store(self).take_returned();
        if returned.is_empty() {
            return;
        }
        for child in self.children.get().into_iter().flatten() {
            let Some(child) = child.upgrade() else {
                continue;
            };
            let parent_outside = |at_id: &str| child.parent_outside(at_id);
            let (placed, resync) = {
                let mut st = write_store(&child);
                let placed = st.parent_returned(&returned, window, now, &parent_outside);
                // Taken by the harvest loop at the feed's end.
                (placed, st.resync_wanted())
            };
            if placed > 0 || resync {
                child.dirty.store(true, Ordering::Relaxed);
                tracing::info!(feed = %child.spec.id, parent_feed = %self.spec.id, placed, resync, "children back with their parent");
            }
        }
    }

    fn parent_outside(&self, at_id: &str) -> bool {
        self.parents
            .get()
            .is_some_and(|ps| ps.iter().any(|p| read_store(p).is_outside(at_id)))
    }

    fn set(&self, f: impl FnOnce(&mut FeedStatus)) {
        f(&mut lock(&self.status));
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Read access to a store, surviving a poisoned lock.
pub fn read_store(feed: &Feed) -> std::sync::RwLockReadGuard<'_, FeedStore> {
    feed.store.read().unwrap_or_else(|e| e.into_inner())
}

fn write_store(feed: &Feed) -> std::sync::RwLockWriteGuard<'_, FeedStore> {
    feed.store.write().unwrap_or_else(|e| e.into_inner())
}

/// Why a fetch failed.
#[derive(Debug, Clone)]
pub struct FetchError {
    /// Short human message.
    pub message: String,
    /// 404/410: stop harvesting.
    pub gone: bool,
    /// 429/503: back off for longer.
    pub overloaded: bool,
    /// The HTTP status, when one was received.
    pub status: Option<u16>,
    /// The upstream's `Retry-After`, when given.
    pub retry_after: Option<Duration>,
}

impl FetchError {
    fn new(message: impl Into<String>) -> Self {
        FetchError {
            message: message.into(),
            gone: false,
            overloaded: false,
            status: None,
            retry_after: None,
        }
    }
}

/// Longest wait honoured from a `Retry-After` header.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Bounds on a 503's `Retry-After`: at least a minute, at most two hours.
const RETRY_AFTER_503: (Duration, Duration) =
    (Duration::from_secs(60), Duration::from_secs(2 * 3600));

/// How often a feed that answered 404/410 is checked again.
pub const GONE_RECHECK: Duration = Duration::from_secs(24 * 3600);

/// How long to wait before retrying after `e` (the `attempt`-th failure in a row, from 0):
/// 404/410 → a day; 503 with `Retry-After` → that time, bounded to 1 min – 2 h; 503 without →
/// a random 60–120 minutes (RPDE); anything else → exponential back-off from 5 s doubling to
/// 30 min, with jitter (a random 50–100 %), and at least `Retry-After` (429 waits at least a
/// minute).
pub fn retry_delay(e: &FetchError, attempt: u32, rng: &mut impl rand::Rng) -> Duration {
    if e.gone {
        return GONE_RECHECK;
    }
    let retry_after = e.retry_after.unwrap_or_default().min(MAX_RETRY_AFTER);
    if e.status == Some(503) {
        return match e.retry_after {
            Some(ra) => ra.clamp(RETRY_AFTER_503.0, RETRY_AFTER_503.1),
            None => Duration::from_secs(rng.random_range(3600..=7200)),
        };
    }
    let exp = Duration::from_secs(5)
        .saturating_mul(1u32 << attempt.min(10))
        .min(Duration::from_secs(1800));
    let ms = exp.as_millis() as u64;
    let mut wait = Duration::from_millis(rng.random_range(ms / 2..=ms)).max(retry_after);
    if e.status == Some(429) {
        wait = wait.max(Duration::from_secs(60));
    }
    wait
}

/// Parses `Retry-After`: delay seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    (at - now).to_std().ok()
}

/// The User-Agent sent upstream: names the project.
pub const USER_AGENT: &str = concat!(
    "ActivityFinder/",
    env!("CARGO_PKG_VERSION_MAJOR"),
    ".",
    env!("CARGO_PKG_VERSION_MINOR"),
    " (OpenActive consumer)"
);

/// Shared harvesting machinery.
#[derive(Debug)]
pub struct Harvester {
    client: reqwest::Client,
    policy: Arc<Policy>,
    limits: Limits,
    window: Window,
    poll: Duration,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    resync: Duration,
    persist: Option<Arc<Notify>>,
    /// Bytes of response bodies that may be held at once (one permit per byte).
    body_budget: Arc<Semaphore>,
}

/// Settings of a harvester.
#[derive(Debug, Clone)]
pub struct HarvestSettings {
    /// Target policy.
    pub policy: Policy,
    /// Limits.
    pub limits: Limits,
    /// Occurrence window.
    pub window: Window,
    /// Last-page poll interval.
    pub poll: Duration,
    /// Origins redirects may go to (those of the configured feeds).
    pub origins: Vec<url::Origin>,
}

impl Harvester {
    /// Builds the HTTP client (guarded resolver, no system proxy, allowlisted redirects).
    pub fn new(settings: HarvestSettings) -> Result<Self, String> {
        let policy = Arc::new(settings.policy);
        let redirect_policy = policy.clone();
        let origins = settings.origins;
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .no_proxy()
            .dns_resolver(GuardedResolver::new(policy.clone()))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                // At most 3 redirects (`previous` holds the original URL too).
                if attempt.previous().len() > 3 {
                    return attempt.error(Refused("too many redirects".into()));
                }
                let same_origin = attempt
                    .previous()
                    .first()
                    .is_some_and(|u| u.origin() == attempt.url().origin());
                let ok = (same_origin || origins.contains(&attempt.url().origin()))
                    && redirect_policy.check_url(attempt.url()).is_ok();
                if ok {
                    attempt.follow()
                } else {
                    attempt.error(Refused("refused: redirect off the allowlist".into()))
                }
            }))
            .connect_timeout(Duration::from_secs(settings.limits.connect_timeout_secs))
            .timeout(settings.limits.request_timeout())
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        let body_budget = Arc::new(Semaphore::new(budget_permits(&settings.limits)));
        Ok(Harvester {
            client,
            policy,
            limits: settings.limits,
            window: settings.window,
            poll: settings.poll,
            hosts: Mutex::new(HashMap::new()),
            resync: Duration::from_secs(7 * 24 * 3600),
            persist: None,
            body_budget,
        })
    }

    /// Sets how often a full resync from the first page happens (default weekly).
    pub fn with_resync(mut self, every: Duration) -> Self {
        self.resync = every.max(Duration::from_secs(1));
        self
    }

    /// Notifies `persist` whenever a feed's state changed.
    pub fn with_persist(mut self, persist: Arc<Notify>) -> Self {
        self.persist = Some(persist);
        self
    }

    /// Bytes of upstream response bodies held right now (`/metrics`).
    pub fn bodies_in_flight(&self) -> u64 {
        (budget_permits(&self.limits) - self.body_budget.available_permits()) as u64
    }

    fn changed(&self, feed: &Feed) {
        feed.dirty.store(true, Ordering::Relaxed);
        if let Some(n) = &self.persist {
            n.notify_one();
        }
    }

    fn host_permit(&self, url: &Url) -> Arc<Semaphore> {
        let key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        lock(&self.hosts)
            .entry(key)
            .or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_host_concurrency)))
            .clone()
    }

    /// Fetches one page body, enforcing the target policy and the caps.
    pub async fn fetch(&self, feed: &Feed, url: &Url) -> Result<Vec<u8>, FetchError> {
        self.fetch_counted(url, Some(feed)).await
    }

    /// Fetches a URL that is not a feed page (discovery), with the same policy and caps.
    pub async fn fetch_url(&self, url: &Url) -> Result<Vec<u8>, FetchError> {
        self.fetch_counted(url, None).await
    }

    async fn fetch_counted(&self, url: &Url, feed: Option<&Feed>) -> Result<Vec<u8>, FetchError> {
        self.policy
            .check_url(url)
            .map_err(|r| FetchError::new(r.0))?;
        let sem = self.host_permit(url);
        let _permit = sem
            .acquire()
            .await
            .map_err(|_| FetchError::new("shutting down"))?;
        if let Some(feed) = feed {
            feed.fetches.fetch_add(1, Ordering::Relaxed);
        }
        let cap = self.limits.max_body_bytes;
        let deadline = self.limits.request_timeout();
        let work = async {
            let mut resp = self
                .client
                .get(url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| describe(&e, deadline))?;
            let status = resp.status();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, Utc::now()));
            let code = Some(status.as_u16());
            if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
                return Err(FetchError {
                    message: format!("feed gone (HTTP {})", status.as_u16()),
                    gone: true,
                    overloaded: false,
                    status: code,
                    retry_after,
                });
            }
            if status == reqwest::StatusCode::SERVICE_UNAVAILABLE
                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            {
                return Err(FetchError {
                    message: format!("publisher overloaded (HTTP {})", status.as_u16()),
                    gone: false,
                    overloaded: true,
                    status: code,
                    retry_after,
                });
            }
            if !status.is_success() {
                let mut e = FetchError::new(format!("HTTP {}", status.as_u16()));
                e.status = code;
                e.retry_after = retry_after;
                return Err(e);
            }
            if resp.content_length().is_some_and(|l| l > cap) {
                return Err(FetchError::new(format!("response larger than {cap} bytes")));
            }
            // Room in the global budget for the bytes held, released when the fetch ends.
            // Reserved up front (the announced length, else a first block) while holding
            // nothing, so fetches queue fairly; growing beyond that waits at most
            // BUDGET_GROW_WAIT, so fetches holding room can never wait on each other for ever.
            let total = budget_permits(&self.limits) as u64;
            let mut reserved = resp
                .content_length()
                .unwrap_or(BODY_FIRST_RESERVE)
                .min(cap)
                .min(total);
            let mut held = self
                .body_budget
                .acquire_many(u32::try_from(reserved).unwrap_or(u32::MAX))
                .await
                .map_err(|_| FetchError::new("shutting down"))?;
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e, deadline))? {
                let need = body.len() as u64 + chunk.len() as u64;
                if need > cap {
                    return Err(FetchError::new(format!("response larger than {cap} bytes")));
                }
                if need > reserved {
                    let extra = (need - reserved)
                        .max(BODY_FIRST_RESERVE)
                        .min(total.saturating_sub(reserved))
                        .max(need - reserved);
                    let more = tokio::time::timeout(
                        BUDGET_GROW_WAIT,
                        self.body_budget
                            .acquire_many(u32::try_from(extra).unwrap_or(u32::MAX)),
                    )
                    .await;
                    match more {
                        Ok(Ok(p)) => held.merge(p),
                        _ => {
                            return Err(FetchError::new(
                                "memory budget for response bodies in flight exhausted",
                            ));
                        }
                    }
                    reserved += extra;
                }
                body.extend_from_slice(&chunk);
            }
            drop(held);
            Ok(body)
        };
        // reqwest's own timeout covers the whole exchange; this guards it anyway.
        match tokio::time::timeout(deadline + Duration::from_millis(250), work).await {
            Ok(r) => r,
            Err(_) => Err(FetchError::new(format!(
                "timed out after {}s",
                deadline.as_secs()
            ))),
        }
    }
}

/// Room reserved for a body of unknown length before reading it, and the step it grows by.
const BODY_FIRST_RESERVE: u64 = 4 * 1024 * 1024;

/// Longest wait for more room while already holding some.
const BUDGET_GROW_WAIT: Duration = Duration::from_secs(5);

/// Permits of the body budget (bytes, within what a semaphore can count).
fn budget_permits(limits: &Limits) -> usize {
    usize::try_from(limits.max_bodies_in_flight_bytes)
        .unwrap_or(usize::MAX)
        .min(Semaphore::MAX_PERMITS)
}

fn describe(e: &reqwest::Error, deadline: Duration) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return FetchError::new(r.0.clone());
        }
        source = s.source();
    }
    let msg = if e.is_timeout() {
        format!("timed out after {}s", deadline.as_secs())
    } else if e.is_connect() {
        "could not connect".to_string()
    } else if e.is_redirect() {
        "redirect refused".to_string()
    } else if e.is_decode() || e.is_body() {
        "response body could not be read".to_string()
    } else {
        "request failed".to_string()
    };
    tracing::debug!(error = ?e, "fetch error");
    FetchError::new(msg)
}

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
) -> Result<PageSummary, String> {
    let text = std::str::from_utf8(body).map_err(|_| "not a valid RPDE page".to_string())?;
    // The reason is not shown: serde's messages may quote the publisher's text.
    let page = openactive::rpde::parse_page(text, page_url.as_str())
        .map_err(|_| "not a valid RPDE page".to_string())?;
    let next =
        Url::parse(&page.next).map_err(|_| "RPDE page has an invalid next URL".to_string())?;
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

fn same_url(a: &Url, b: &Url) -> bool {
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
            Ok(body) => {
                apply_page(&feed, &url, &body, &h.window, Utc::now()).map_err(FetchError::new)
            }
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
