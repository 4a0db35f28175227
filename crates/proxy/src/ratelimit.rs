//! Per-client request rate limit on the listening side: a token bucket per client IP (IPv6 by
//! /64) in a map of bounded size.
//!
//! Requests are weighed by what they cost the proxy ([`cost_of`]): the app's own files and the
//! finder packs (bytes already in memory or on disk, compressed once, immutable or answered 304)
//! take a tenth of a token; the RPDE relay, the API (a postcode lookup goes to another service)
//! and the operational endpoints take a whole one. One page load is ~40 requests, almost all of
//! them files: weighed like API calls they emptied the default burst in two or three loads, so a
//! clinic, a library or a mobile network sharing one address (carrier NAT) was refused its
//! scripts and packs (a 429 for `leaflet.js` left the page without its map).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::config::RateLimit;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets keyed by client address.
#[derive(Debug)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    max_clients: usize,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    refused: AtomicU64,
}

pub(crate) fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(bits.into())
            }
        },
    }
}

impl RateLimiter {
    /// A limiter, or `None` when the config disables it.
    pub fn new(cfg: &RateLimit) -> Option<Self> {
        (cfg.per_second > 0.0).then(|| RateLimiter {
            rate: cfg.per_second,
            burst: f64::from(cfg.burst.max(1)),
            max_clients: cfg.max_clients.max(1),
            buckets: Mutex::new(HashMap::new()),
            refused: AtomicU64::new(0),
        })
    }

    /// Takes what a request for `path` costs ([`cost_of`]) for `ip`; `Err(wait)` when the
    /// client must wait.
    pub fn check_path(&self, ip: IpAddr, path: &str) -> Result<(), Duration> {
        self.check_cost_at(ip, cost_of(path), Instant::now())
    }

    /// A whole token for `ip` at a given instant (tests).
    pub fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        self.check_cost_at(ip, 1.0, now)
    }

    /// Takes `cost` tokens (at most 1) for `ip` at `now`; `Err(wait)` when the client must wait.
    pub fn check_cost_at(&self, ip: IpAddr, cost: f64, now: Instant) -> Result<(), Duration> {
        let cost = cost.clamp(0.0, 1.0);
        let key = client_key(ip);
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= self.max_clients && !map.contains_key(&key) {
            // Forget clients whose bucket has refilled (idle); if all are active, start over
            // rather than grow without bound.
            let (rate, burst) = (self.rate, self.burst);
            map.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * rate < burst
            });
            if map.len() >= self.max_clients {
                map.clear();
            }
        }
        let b = map.entry(key).or_insert(Bucket {
            tokens: self.burst,
            last: now,
        });
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.rate).min(self.burst);
        b.last = now;
        if b.tokens >= cost {
            b.tokens -= cost;
            Ok(())
        } else {
            self.refused.fetch_add(1, Ordering::Relaxed);
            Err(Duration::from_secs_f64((cost - b.tokens) / self.rate))
        }
    }

    /// Requests refused so far (answered 429; `/metrics`).
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Clients currently tracked.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Tokens a request for `path` takes: a whole one for the relay (`/feeds…`), the API
/// (`/api/…`) and the operational endpoints; a tenth for everything else, which is a file (the
/// app, its assets, `/vocab/…`, the packs and their manifest).
pub fn cost_of(path: &str) -> f64 {
    const WHOLE: [&str; 5] = ["/api", "/feeds", "/metrics", "/healthz", "/readyz"];
    let whole = WHOLE.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if whole { 1.0 } else { 0.1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill_and_bounded_memory() {
        let l = RateLimiter::new(&RateLimit {
            per_second: 10.0,
            burst: 5,
            max_clients: 3,
        })
        .unwrap();
        let t0 = Instant::now();
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        for _ in 0..5 {
            assert!(l.check_at(ip, t0).is_ok());
        }
        let wait = l.check_at(ip, t0).unwrap_err();
        assert!(wait <= Duration::from_millis(101), "{wait:?}");
        assert!(l.check_at(ip, t0 + Duration::from_millis(150)).is_ok());
        // Same /64 shares a bucket.
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        for _ in 0..5 {
            assert!(l.check_at(a, t0).is_ok());
        }
        assert!(l.check_at(b, t0).is_err());
        for i in 0..1000u32 {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = l.check_at(ip, t0);
            assert!(l.tracked() <= 3);
        }
    }

    #[test]
    fn files_cost_a_tenth_of_an_api_call() {
        assert_eq!(cost_of("/api/postcode/E151AA"), 1.0);
        assert_eq!(cost_of("/api"), 1.0);
        assert_eq!(cost_of("/feeds/riverside-sessions"), 1.0);
        assert_eq!(cost_of("/readyz"), 1.0);
        assert_eq!(cost_of("/packs/0123abcd.pack"), 0.1);
        assert_eq!(cost_of("/packs/manifest.json"), 0.1);
        assert_eq!(cost_of("/leaflet.js"), 0.1);
        assert_eq!(cost_of("/"), 0.1);
        // A file whose name merely starts like an endpoint is a file.
        assert_eq!(cost_of("/apium.png"), 0.1);
        assert_eq!(cost_of("/feedsx"), 0.1);
        let l = RateLimiter::new(&RateLimit {
            per_second: 1.0,
            burst: 10,
            max_clients: 10,
        })
        .unwrap();
        let t0 = Instant::now();
        let ip: IpAddr = "198.51.100.7".parse().unwrap();
        // Ten page loads' worth of files fit in a burst of ten API calls…
        for _ in 0..95 {
            assert!(l.check_cost_at(ip, cost_of("/packs/a.pack"), t0).is_ok());
        }
        // …and then an API call waits for its token.
        let wait = l.check_cost_at(ip, cost_of("/api/feeds"), t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(501),
            "{wait:?}"
        );
        assert!(l.check_cost_at(ip, 0.1, t0).is_ok());
    }
}
