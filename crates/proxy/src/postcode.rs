//! Full-postcode lookups (`GET /api/postcode/{postcode}`) through one configured, allowlisted
//! postcode service (postcodes.io's answer shape), cached with coalescing so many concurrent
//! lookups of one postcode make one upstream request. The postcode is validated and normalised
//! here first and only ever percent-encoded into the configured template; it is never logged.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Semaphore;

use crate::config::{Limits, PostcodeLookup};
use crate::error::ProxyError;
use crate::net::{GuardedResolver, Policy};

/// Largest answer accepted from the postcode service.
const MAX_BODY: usize = 64 * 1024;
/// Longest a lookup may take, whatever the feed limits say.
const MAX_TIMEOUT: Duration = Duration::from_secs(10);
/// How long "postcode not found" is remembered.
const NOT_FOUND_TTL: Duration = Duration::from_secs(3600);
/// Upstream lookups in flight at once.
const CONCURRENCY: usize = 4;

/// A resolved postcode (the wire type).
pub use contract::PostcodeAnswer as Found;

/// What the service said (both are cached).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The postcode exists.
    Found(Found),
    /// The service does not know it.
    NotFound,
}

/// Why a lookup could not be answered (never cached).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Lookups are switched off (`url = ""`).
    Disabled,
    /// Connection refused, timed out, refused by policy, bad status or unreadable answer.
    Upstream(&'static str),
}

/// Normalises a full UK postcode: the one rule, shared with the app
/// ([`finder::postcode::normalise_full`]).
pub use finder::postcode::normalise_full as normalise;

/// Percent-encodes everything but ASCII letters and digits.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Keeps found postcodes for the configured time and "not found" for an hour.
struct Expiry {
    found: Duration,
}

impl moka::Expiry<String, Answer> for Expiry {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &Answer,
        _now: Instant,
    ) -> Option<Duration> {
        Some(match value {
            Answer::Found(_) => self.found,
            Answer::NotFound => NOT_FOUND_TTL.min(self.found),
        })
    }
}

/// The configured postcode service, its client and its cache.
pub struct PostcodeService {
    config: PostcodeLookup,
    client: reqwest::Client,
    policy: Arc<Policy>,
    timeout: Duration,
    cache: moka::future::Cache<String, Answer>,
    permits: Semaphore,
    upstream_requests: AtomicU64,
}

impl std::fmt::Debug for PostcodeService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostcodeService")
            .field("enabled", &!self.config.url.is_empty())
            .field("cached", &self.cache.entry_count())
            .finish()
    }
}

#[derive(Deserialize)]
struct Upstream {
    result: Option<UpstreamResult>,
}

#[derive(Deserialize)]
struct UpstreamResult {
    postcode: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    outcode: Option<String>,
}

impl PostcodeService {
    /// Builds the client (guarded resolver as for feeds, no proxy, no redirects).
    pub fn new(
        config: PostcodeLookup,
        policy: Policy,
        limits: &Limits,
    ) -> Result<Self, ProxyError> {
        let policy = Arc::new(policy);
        let timeout = limits.request_timeout().min(MAX_TIMEOUT);
        let client = reqwest::Client::builder()
            .user_agent(crate::harvest::USER_AGENT)
            .no_proxy()
            .dns_resolver(GuardedResolver::new(policy.clone()))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(limits.connect_timeout_secs).min(timeout))
            .timeout(timeout)
            .build()
            .map_err(|e| {
                ProxyError::Internal(format!("cannot build the postcode lookup client: {e}"))
            })?;
        let cache = moka::future::Cache::builder()
            .max_capacity(config.cache_size)
            .expire_after(Expiry {
                found: Duration::from_secs(config.cache_ttl_secs),
            })
            .build();
        Ok(PostcodeService {
            config,
            client,
            policy,
            timeout,
            cache,
            permits: Semaphore::new(CONCURRENCY),
            upstream_requests: AtomicU64::new(0),
        })
    }

    /// Upstream requests made so far.
    pub fn upstream_requests(&self) -> u64 {
        self.upstream_requests.load(Ordering::Relaxed)
    }

    /// Looks up a normalised postcode, from the cache when possible; concurrent lookups of
    /// the same postcode share one upstream request. Failures are not cached.
    pub async fn lookup(&self, postcode: &str) -> Result<Answer, Unavailable> {
        if self.config.url.is_empty() {
            return Err(Unavailable::Disabled);
        }
        self.cache
            .try_get_with(postcode.to_string(), self.fetch(postcode))
            .await
            .map_err(|e| *e)
    }

    async fn fetch(&self, postcode: &str) -> Result<Answer, Unavailable> {
        let url = self
            .config
            .fill(&encode(postcode))
            .ok_or(Unavailable::Upstream("bad url"))?;
        self.policy
            .check_url(&url)
            .map_err(|_| Unavailable::Upstream("refused"))?;
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Unavailable::Upstream("shutting down"))?;
        self.upstream_requests.fetch_add(1, Ordering::Relaxed);
        let work = async {
            // Errors are reduced to a kind: reqwest's messages carry the URL (the postcode).
            let mut resp = self
                .client
                .get(url)
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| Unavailable::Upstream(kind(&e)))?;
            let status = resp.status();
            if !status.is_success() && status != reqwest::StatusCode::NOT_FOUND {
                return Err(Unavailable::Upstream("bad status"));
            }
            if resp.content_length().is_some_and(|l| l > MAX_BODY as u64) {
                return Err(Unavailable::Upstream("too large"));
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| Unavailable::Upstream(kind(&e)))?
            {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(Unavailable::Upstream("too large"));
                }
                body.extend_from_slice(&chunk);
            }
            if status == reqwest::StatusCode::NOT_FOUND {
                return Ok(Answer::NotFound);
            }
            parse(&body, postcode).ok_or(Unavailable::Upstream("unreadable"))
        };
        tokio::time::timeout(self.timeout + Duration::from_millis(250), work)
            .await
            .unwrap_or(Err(Unavailable::Upstream("timeout")))
    }
}

fn kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else {
        "request"
    }
}

/// Reads postcodes.io's `{"status":200,"result":{"postcode","latitude","longitude","outcode"}}`.
/// A result without coordinates (some postcodes have none) counts as not found.
fn parse(body: &[u8], asked: &str) -> Option<Answer> {
    let up: Upstream = serde_json::from_slice(body).ok()?;
    let Some(r) = up.result else {
        return Some(Answer::NotFound);
    };
    let (Some(lat), Some(lon)) = (r.latitude, r.longitude) else {
        return Some(Answer::NotFound);
    };
    if !(lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0) {
        return None;
    }
    let postcode = r
        .postcode
        .as_deref()
        .and_then(normalise)
        .unwrap_or_else(|| asked.to_string());
    let outward = r
        .outcode
        .filter(|o| o.len() <= 4 && o.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|o| o.to_ascii_uppercase())
        .unwrap_or_else(|| postcode.split(' ').next().unwrap_or_default().to_string());
    Some(Answer::Found(Found {
        postcode,
        outward,
        lat,
        lon,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_postcodes_are_normalised_and_anything_else_refused() {
        assert_eq!(normalise("e15 4ht").as_deref(), Some("E15 4HT"));
        assert_eq!(normalise("SW1A1AA").as_deref(), Some("SW1A 1AA"));
        assert_eq!(normalise(" m1  1ae ").as_deref(), Some("M1 1AE"));
        assert_eq!(normalise("CR0 2AB").as_deref(), Some("CR0 2AB"));
        for bad in [
            "E15",
            "..%2F",
            "../E15 4HT",
            "https://evil.example/E154HT",
            "E15-4HT",
            "1E5 4HT",
            "E15 HT4",
            "ABC1 4HT",
            "E15\t4HT",
            "E15 4HT?x=1",
            "",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }

    #[test]
    fn postcodes_io_answers_are_read() {
        let body = br#"{"status":200,"result":{"postcode":"E15 4HT","outcode":"E15","latitude":51.541,"longitude":0.0031}}"#;
        assert_eq!(
            parse(body, "E15 4HT"),
            Some(Answer::Found(Found {
                postcode: "E15 4HT".into(),
                outward: "E15".into(),
                lat: 51.541,
                lon: 0.0031
            }))
        );
        let no_geo =
            br#"{"status":200,"result":{"postcode":"E15 4HT","latitude":null,"longitude":null}}"#;
        assert_eq!(parse(no_geo, "E15 4HT"), Some(Answer::NotFound));
        assert_eq!(parse(b"<html>", "E15 4HT"), None);
    }

    #[test]
    fn encoding_leaves_only_letters_and_digits() {
        assert_eq!(encode("E15 4HT"), "E15%204HT");
    }
}
