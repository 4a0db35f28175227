//! How long to wait after a failed fetch (`Retry-After`, exponential back-off with jitter).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::UpstreamError;

/// Longest wait honoured from a `Retry-After` header.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Bounds on a 503's `Retry-After`: at least a minute, at most two hours.
pub(super) const RETRY_AFTER_503: (Duration, Duration) =
    (Duration::from_secs(60), Duration::from_secs(2 * 3600));

/// How often a feed that answered 404/410 is checked again.
pub const GONE_RECHECK: Duration = Duration::from_secs(24 * 3600);

/// How long to wait before retrying after `e` (the `attempt`-th failure in a row, from 0):
/// 404/410 → a day; 503 with `Retry-After` → that time, bounded to 1 min – 2 h; 503 without →
/// a random 60–120 minutes (RPDE); anything else → exponential back-off from 5 s doubling to
/// 30 min, with jitter (a random 50–100 %), and at least `Retry-After` (429 waits at least a
/// minute).
pub fn retry_delay(e: &UpstreamError, attempt: u32, rng: &mut impl rand::Rng) -> Duration {
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
