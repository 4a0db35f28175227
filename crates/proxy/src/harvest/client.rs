//! The upstream HTTP client: guarded connections, per-host concurrency, body and time caps,
//! and what a failed fetch means.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, Semaphore};
use url::Url;

use crate::config::Limits;
use crate::error::ProxyError;
use crate::net::{GuardedResolver, Policy, Refused};
use crate::relay::Window;

use super::backoff::parse_retry_after;
use super::feed::{Feed, lock};

/// Why a fetch failed.
#[derive(Debug, Clone)]
pub struct UpstreamError {
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

impl UpstreamError {
    pub(super) fn new(message: impl Into<String>) -> Self {
        UpstreamError {
            message: message.into(),
            gone: false,
            overloaded: false,
            status: None,
            retry_after: None,
        }
    }
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
    pub(super) client: reqwest::Client,
    pub(super) policy: Arc<Policy>,
    pub(super) limits: Limits,
    pub(super) window: Window,
    pub(super) poll: Duration,
    pub(super) hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub(super) resync: Duration,
    pub(super) persist: Option<Arc<Notify>>,
    /// Bytes of response bodies that may be held at once (one permit per byte).
    pub(super) body_budget: Arc<Semaphore>,
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
    pub fn new(settings: HarvestSettings) -> Result<Self, ProxyError> {
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
            .map_err(|e| ProxyError::Internal(format!("cannot build HTTP client: {e}")))?;
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

    pub(super) fn changed(&self, feed: &Feed) {
        feed.dirty.store(true, Ordering::Relaxed);
        if let Some(n) = &self.persist {
            n.notify_one();
        }
    }

    pub(super) fn host_permit(&self, url: &Url) -> Arc<Semaphore> {
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
    pub async fn fetch(&self, feed: &Feed, url: &Url) -> Result<Vec<u8>, UpstreamError> {
        self.fetch_counted(url, Some(feed)).await
    }

    /// Fetches a URL that is not a feed page (discovery), with the same policy and caps.
    pub async fn fetch_url(&self, url: &Url) -> Result<Vec<u8>, UpstreamError> {
        self.fetch_counted(url, None).await
    }

    pub(super) async fn fetch_counted(
        &self,
        url: &Url,
        feed: Option<&Feed>,
    ) -> Result<Vec<u8>, UpstreamError> {
        self.policy
            .check_url(url)
            .map_err(|r| UpstreamError::new(r.0))?;
        let sem = self.host_permit(url);
        let _permit = sem
            .acquire()
            .await
            .map_err(|_| UpstreamError::new("shutting down"))?;
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
                return Err(UpstreamError {
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
                return Err(UpstreamError {
                    message: format!("publisher overloaded (HTTP {})", status.as_u16()),
                    gone: false,
                    overloaded: true,
                    status: code,
                    retry_after,
                });
            }
            if !status.is_success() {
                let mut e = UpstreamError::new(format!("HTTP {}", status.as_u16()));
                e.status = code;
                e.retry_after = retry_after;
                return Err(e);
            }
            if resp.content_length().is_some_and(|l| l > cap) {
                return Err(UpstreamError::new(format!(
                    "response larger than {cap} bytes"
                )));
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
                .map_err(|_| UpstreamError::new("shutting down"))?;
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e, deadline))? {
                let need = body.len() as u64 + chunk.len() as u64;
                if need > cap {
                    return Err(UpstreamError::new(format!(
                        "response larger than {cap} bytes"
                    )));
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
                            return Err(UpstreamError::new(
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
            Err(_) => Err(UpstreamError::new(format!(
                "timed out after {}s",
                deadline.as_secs()
            ))),
        }
    }
}

/// Room reserved for a body of unknown length before reading it, and the step it grows by.
pub(super) const BODY_FIRST_RESERVE: u64 = 4 * 1024 * 1024;

/// Longest wait for more room while already holding some.
pub(super) const BUDGET_GROW_WAIT: Duration = Duration::from_secs(5);

/// Permits of the body budget (bytes, within what a semaphore can count).
pub(super) fn budget_permits(limits: &Limits) -> usize {
    usize::try_from(limits.max_bodies_in_flight_bytes)
        .unwrap_or(usize::MAX)
        .min(Semaphore::MAX_PERMITS)
}

pub(super) fn describe(e: &reqwest::Error, deadline: Duration) -> UpstreamError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<Refused>() {
            return UpstreamError::new(r.0.clone());
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
    UpstreamError::new(msg)
}
