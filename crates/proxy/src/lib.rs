//! Activity Finder proxy: harvests OpenActive RPDE feeds politely, keeps their compacted current
//! state in memory, relays it as standard RPDE pages with CORS, compression and cache headers,
//! and serves the browser app. The demo publisher stands in for real feeds offline.

pub mod check;
pub mod cli;
pub mod config;
pub mod demo;
pub mod discover;
pub mod error;
pub mod harvest;
pub mod http;
pub mod metrics;
pub mod net;
pub mod packs;
pub mod persist;
pub mod postcode;
pub mod publish;
pub mod ratelimit;
pub mod relay;
pub mod server;

pub use http::{AppState, app};
