//! Polite RPDE harvesting: follow `next` to the end, then poll the last page; parents before
//! children; body, time and per-host concurrency caps; refuses non-public targets; one bad
//! item never fails a page and one bad feed never fails the others.

mod backoff;
mod client;
mod feed;
mod run;

pub use backoff::{GONE_RECHECK, parse_retry_after, retry_delay};
pub use client::{HarvestSettings, Harvester, USER_AGENT, UpstreamError};
/// Health of a feed as shown in `/api/feeds` (the wire type).
pub use contract::Health;
pub use feed::{Feed, FeedStatus, read_store};
pub use run::{PageSummary, apply_page, path_prefix, run_feed, spawn_all};
