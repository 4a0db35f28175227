//! Limits on upstream fetches and on our own server, the rate limit, pack settings.

use std::time::Duration;

use serde::Deserialize;

/// A token bucket per client IP address (IPv6 by /64).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimit {
    /// Sustained requests per second per client; 0 disables the limit.
    pub per_second: f64,
    /// Requests a client may make in a burst.
    pub burst: u32,
    /// Most clients tracked at once (bounded memory); idle ones are forgotten first.
    pub max_clients: usize,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 20.0,
            burst: 100,
            max_clients: 100_000,
        }
    }
}

/// Limits applied to upstream fetches and to our own server.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest upstream response body (after decompression), in bytes.
    pub max_body_bytes: u64,
    /// Total time allowed for one upstream request, body included, in seconds.
    pub request_timeout_secs: u64,
    /// Time allowed to connect to an upstream, in seconds.
    pub connect_timeout_secs: u64,
    /// Time a client has to send its request headers to us, in seconds.
    pub header_timeout_secs: u64,
    /// Concurrent requests per upstream host.
    pub per_host_concurrency: usize,
    /// Most open connections to us per client IP address (IPv6 by /64); 0 means no cap.
    pub max_connections_per_ip: usize,
    /// Most bytes of upstream response bodies held in memory at once, across all concurrent
    /// fetches (at least `max_body_bytes`); a fetch waits for room.
    pub max_bodies_in_flight_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 64 * 1024 * 1024,
            request_timeout_secs: 30,
            connect_timeout_secs: 10,
            header_timeout_secs: 10,
            per_host_concurrency: 2,
            max_connections_per_ip: 256,
            max_bodies_in_flight_bytes: 256 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// Request timeout as a duration.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

/// When packs are rebuilt and how long they are kept.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PackSettings {
    /// Rebuild once the harvested state has not changed for this long (ms).
    pub debounce_ms: u64,
    /// ...but at least this often while it keeps changing (ms).
    pub max_delay_ms: u64,
    /// Rebuild at least this often even without changes, as time moves occurrences out of
    /// (past) and into (look-ahead) the window (seconds).
    pub refresh_secs: u64,
    /// A pack is kept this long after the last manifest that named it (seconds).
    pub retention_secs: u64,
    /// Brotli quality for the precompressed copies (0–11).
    pub brotli_quality: u32,
}

impl Default for PackSettings {
    fn default() -> Self {
        PackSettings {
            debounce_ms: 2_000,
            max_delay_ms: 30_000,
            refresh_secs: 600,
            retention_secs: 3_600,
            brotli_quality: 9,
        }
    }
}
