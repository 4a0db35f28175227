//! The parent/child join over many feeds: per-feed state, an `@id` index (including embedded
//! IndividualFacilityUses), inheritance (child wins), orphans held until their parent arrives,
//! schedule expansion for series without children, and hygiene on the way out.
//!
//! Inheritance rules: a child's own value wins; `@id`, `identifier` and `eventSchedule` are
//! never inherited; `offers` only from a SessionSeries, FacilityUse or IndividualFacilityUse
//! parent (and from a legacy undated `Event` that embeds its sessions); `url` falls back to the
//! nearest parent's page for display (the occurrence's own `url` is preferred). The chain is
//! followed through `superEvent` / `facilityUse` (URL or embedded) and `instanceOfCourse`,
//! e.g. ScheduledSession → SessionSeries → EventSeries.

//!
//! One file per concern: this file holds the types; `store.rs` the feeds, the `@id` index and
//! applying pages; `emit.rs` walking items into dated occurrences (children, own dates,
//! schedules); `details.rs` what an occurrence inherits along its chain (venue, offers,
//! details shared per chain); `build.rs` `Store::build`. Each uses only the ones listed
//! before it: `build` → `emit` → `details` → `store`.

mod build;
mod details;
mod emit;
mod store;

use foldhash::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};

use crate::model::Opportunity;
use crate::occurrence::{Dataset, Occurrence};
use crate::rpde::FeedState;

/// Longest parent chain followed (guards against reference cycles).
const MAX_DEPTH: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Loc {
    feed: usize,
    item: String,
    /// Index into the item's `individual_facility_uses` when the `@id` is an embedded IFU.
    ifu: Option<usize>,
}

#[derive(Debug)]
struct JoinedFeed {
    dataset: Dataset,
    state: FeedState<Arc<Opportunity>>,
    /// The series of this feed list their occurrences in a child feed that is still loading:
    /// do not expand their schedules yet (see [`Store::defer_schedules`]).
    defer_schedules: bool,
    /// Items whose latest version could not be read (by item id, with the reason); removed
    /// when a readable version or a deletion arrives.
    unreadable: HashMap<String, String>,
    /// Skipped items without a readable id (counted, cannot be tracked).
    unreadable_without_id: usize,
    /// What the consumer knows of when items changed ([`Store::note_item_times`]).
    times: HashMap<String, ItemTimes>,
}

/// What a consumer knows of when an item changed, beyond the feed text: used by
/// [`Store::last_changed`] when the pages it applied are not the publisher's own (a relay
/// renumbers `modified`) or say nothing usable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemTimes {
    /// The publisher's RPDE `modified` read as a timestamp, when it is one (replaces the
    /// `modified` of the pages applied).
    pub modified: Option<DateTime<Utc>>,
    /// When this version of the item was first seen.
    pub first_seen: Option<DateTime<Utc>>,
}

/// Per feed: how many items or occurrences are not shown, and why (see [`Store::build`]).
/// Each occurrence is counted under one reason, in the order of the fields below from
/// `cancelled` on (a cancelled session in a booking grid counts as cancelled).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hidden {
    /// Items whose latest version could not be read (skipped when parsed, including
    /// updated items of a type that is not an opportunity). An item skipped on a page counts
    /// until a later page brings a readable version or a deletion; skips without a readable
    /// id are counted as they come.
    pub unreadable: usize,
    /// Children whose parent never arrived (held until it does).
    pub orphaned: usize,
    /// Opportunities with no date: no `startDate`, no sessions and no readable schedule.
    pub undated: usize,
    /// Occurrences that have ended (that are still in the feed, or generated from a schedule
    /// within a day before the window).
    pub past: usize,
    /// Occurrences with an absurd date (before 2000 or more than two years ahead).
    pub absurd_date: usize,
    /// Occurrences listed twice (the same key from two items, e.g. one child id under two
    /// parents): the copies not kept.
    pub duplicate: usize,
    /// Cancelled or postponed occurrences (listed, marked; the app hides them by default).
    pub cancelled: usize,
    /// Repeats inside a booking grid (listed, marked; the app collapses them).
    pub booking_grid: usize,
    /// Occurrences whose venue has no usable coordinates.
    pub no_location: usize,
    /// Occurrences outside the region given to [`Store::build`] (0 when none was given).
    pub outside_region: usize,
}

impl Hidden {
    /// Adds another feed's counts.
    pub fn add(&mut self, o: &Hidden) {
        self.unreadable += o.unreadable;
        self.orphaned += o.orphaned;
        self.undated += o.undated;
        self.past += o.past;
        self.absurd_date += o.absurd_date;
        self.duplicate += o.duplicate;
        self.cancelled += o.cancelled;
        self.booking_grid += o.booking_grid;
        self.no_location += o.no_location;
        self.outside_region += o.outside_region;
    }
}

/// Something the join noticed (a duplicate occurrence, a schedule that disagrees with the
/// dated sessions listed beside it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JoinNote {
    /// The feed (as [`Occurrence::feed`]).
    pub feed: usize,
    /// The item id the note is about.
    pub item_id: String,
    /// What was noticed and what the join did.
    pub note: String,
}

/// The result of [`Store::build`].
#[derive(Debug, Clone, Default)]
pub struct Build {
    /// As [`Store::occurrences`] returns them.
    pub occurrences: Vec<Occurrence>,
    /// Per feed (indexed like [`Store::add_feed`]'s return values).
    pub hidden: Vec<Hidden>,
    /// What the join noticed.
    pub notes: Vec<JoinNote>,
}

/// All feeds of a deployment, joined.
#[derive(Debug, Default)]
pub struct Store {
    feeds: Vec<JoinedFeed>,
    /// Dated children known beyond what the store holds, by parent `@id`: the furthest start
    /// ([`Store::note_later_start`]).
    later: HashMap<String, DateTime<FixedOffset>>,
    index: HashMap<String, Vec<Loc>>,
    /// How many live items name each `@id` as their parent (kept as pages are applied, so a
    /// build need not scan every item to know which series have children).
    children: HashMap<String, u32>,
}

/// A resolved chain: the occurrence's own object first, then its parents.
type Chain<'a> = Vec<&'a Opportunity>;

/// What a resolved reference points at.
struct Found<'a> {
    entity: &'a Opportunity,
    /// The containing FacilityUse when the entity is an embedded IndividualFacilityUse.
    container: Option<&'a Opportunity>,
}
