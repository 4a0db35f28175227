//! RPDE 1.0 pages and items: lenient page parsing (one bad item never fails a page), the
//! `modified` ordering, and per-feed state (upsert when not older, delete by item id).

//!
//! One file per concern: `modified.rs` (the `modified` ordering), `envelope.rs` (reading a
//! page's and an item's envelope by hand), `page.rs` (page parsing and its report),
//! `item.rs` (one item and its `data`), `feed.rs` (per-feed state), `notes.rs` (what the
//! reader noticed, counted by kind).

mod envelope;
mod feed;
mod item;
mod modified;
mod notes;
mod page;

pub use feed::{Changes, FeedState};
pub use item::{DataError, is_parent_kind, parse_data, parse_item};
pub use modified::Modified;
pub use notes::note_kind;
pub use page::{MAX_ITEM_DEPTH, nesting_depth, parse_page, parse_page_model};

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::model::Opportunity;

/// `state` of an RPDE item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    /// The item exists with this `data`.
    Updated,
    /// The item was removed.
    Deleted,
}

/// One RPDE item.
#[derive(Debug, Clone)]
pub struct Item {
    /// `item.id` as a string (integers are rendered in full).
    pub id: String,
    /// `item.id` was published as a JSON number (a relay renders it back as one).
    pub id_is_number: bool,
    /// `kind` as published (empty when missing).
    pub kind: String,
    /// `modified`.
    pub modified: Modified,
    /// `state`.
    pub state: ItemState,
    /// The exact bytes of `data` (for relays); `None` for deleted items.
    pub data: Option<Box<RawValue>>,
    /// `data` parsed into the opportunity model (updated items only).
    pub opportunity: Option<Arc<Opportunity>>,
}

/// Why an item was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// `item.id` when it could be read.
    pub item_id: Option<String>,
    /// Human-readable reason.
    pub reason: String,
}

/// Something the reader noticed about an item it read (the item is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// `item.id`.
    pub item_id: String,
    /// What was noticed and how it was read.
    pub note: String,
}

/// Counts from parsing one or more pages.
///
/// Nothing is lost silently: every entry of `items` whose `state` is `updated` is either
/// `parsed` or in `skipped` (so `parsed + skipped_updated == updated`), and every entry is
/// `updated`, `deleted` or skipped without a readable state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseReport {
    /// Entries in `items`.
    pub items: usize,
    /// Entries whose `state` is `updated` (read or skipped).
    pub updated: usize,
    /// Valid `deleted` items.
    pub deleted: usize,
    /// Updated items read as a recognised opportunity type.
    pub parsed: usize,
    /// Items skipped, with reasons. An updated item of a type that is not an opportunity is
    /// skipped here and still kept in [`Page::items`] (relays pass it on).
    pub skipped: Vec<Skip>,
    /// How many of `skipped` had `state` `updated`.
    #[serde(default)]
    pub skipped_updated: usize,
    /// Items read, with what the reader noticed (see [`Flag`]).
    #[serde(default)]
    pub flagged: Vec<Flag>,
}

impl ParseReport {
    /// Adds another report's counts and skips to this one.
    pub fn merge(&mut self, other: &ParseReport) {
        self.items += other.items;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.parsed += other.parsed;
        self.skipped.extend(other.skipped.iter().cloned());
        self.skipped_updated += other.skipped_updated;
        self.flagged.extend(other.flagged.iter().cloned());
    }

    fn flag(&mut self, item_id: &str, note: String) {
        self.flagged.push(Flag {
            item_id: item_id.to_string(),
            note,
        });
    }
}

/// One parsed RPDE page.
#[derive(Debug, Clone)]
pub struct Page {
    /// `next`, resolved to an absolute URL against the page URL when possible.
    pub next: String,
    /// Valid items, in page order.
    pub items: Vec<Item>,
    /// `license`.
    pub license: Option<String>,
    /// Last page: no items and `next` equals the page URL.
    pub is_last: bool,
    /// What was read and skipped.
    pub report: ParseReport,
}

/// Why a page as a whole could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// Not valid JSON (includes nesting deeper than the parser's limit).
    Json(String),
    /// JSON, but not an RPDE page (with what was wrong).
    NotAPage(String),
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::Json(e) => write!(f, "not valid JSON: {e}"),
            PageError::NotAPage(e) => write!(f, "not an RPDE page: {e}"),
        }
    }
}

impl std::error::Error for PageError {}
