//! The wire contract between the proxy and the browser app: every type that crosses the HTTP
//! boundary is defined here once and serialised with serde on both sides.
//!
//! - [`feeds`]: `/api/feeds` (the feed list, each feed's [`Health`], the map tiles, the
//!   look-ahead the proxy compiles to);
//! - [`manifest`]: `/packs/manifest.json`, what the app reads first: the feeds and the packs;
//! - [`pack`]: the finder-pack binary format (encode in the proxy, decode in the app);
//! - [`postcode`]: the answer of `/api/postcode/{postcode}`.

pub mod feeds;
pub mod manifest;
pub mod pack;
pub mod postcode;

pub use feeds::{FeedInfo, FeedList, Health, Tiles};
pub use manifest::{Cell, Manifest, PackRef};
pub use postcode::PostcodeAnswer;
