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

use foldhash::{HashMap, HashSet};
use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};

use crate::hygiene;
use crate::model::{Opportunity, OpportunityType, Place, Ref};
use crate::occurrence::{
    AgeRange, Dataset, Details, Gender, Occurrence, Offer, OpportunityKind, Venue,
};
use crate::rpde::{Changes, FeedState, Page};
use crate::schedule;

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
struct Feed {
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
    feeds: Vec<Feed>,
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

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a feed and returns its index (used as [`Occurrence::feed`]).
    pub fn add_feed(&mut self, dataset: Dataset) -> usize {
        self.feeds.push(Feed {
            dataset,
            state: FeedState::new(),
            defer_schedules: false,
            unreadable: HashMap::default(),
            unreadable_without_id: 0,
            times: HashMap::default(),
        });
        self.feeds.len() - 1
    }

    /// The dataset a feed was registered with.
    ///
    /// # Panics
    /// When `feed` was not returned by [`Store::add_feed`].
    pub fn dataset(&self, feed: usize) -> &Dataset {
        &self.feeds[feed].dataset
    }

    /// While `defer` is true, the series (and courses) of `feed` are not expanded from their
    /// `eventSchedule`: their occurrences are listed in a child feed (e.g. the publisher's
    /// ScheduledSession feed) that is still being read. Without this, every series would be
    /// listed from its timetable until its first session arrived, and those guesses replaced
    /// page by page. Turn it off when the child feed has been read (series that still have no
    /// children are then expanded) or has failed (the timetable is then the best there is).
    ///
    /// # Panics
    /// When `feed` was not returned by [`Store::add_feed`].
    pub fn defer_schedules(&mut self, feed: usize, defer: bool) {
        self.feeds[feed].defer_schedules = defer;
    }

    /// Number of feeds.
    pub fn feed_count(&self) -> usize {
        self.feeds.len()
    }

    /// The current state of one feed.
    ///
    /// # Panics
    /// When `feed` was not returned by [`Store::add_feed`].
    pub fn feed_state(&self, feed: usize) -> &FeedState<Arc<Opportunity>> {
        &self.feeds[feed].state
    }

    /// Live items across all feeds.
    pub fn len(&self) -> usize {
        self.feeds.iter().map(|f| f.state.len()).sum()
    }

    /// Whether no feed has live items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Applies a page to a feed and updates the join index incrementally.
    ///
    /// # Panics
    /// When `feed` was not returned by [`Store::add_feed`].
    pub fn apply_page(&mut self, feed: usize, page: &Page) -> Changes {
        let before: HashMap<&str, Arc<Opportunity>> = page
            .items
            .iter()
            .filter_map(|i| {
                self.feeds[feed]
                    .state
                    .get(&i.id)
                    .map(|o| (i.id.as_str(), Arc::clone(o)))
            })
            .collect();
        let changes = self.feeds[feed].state.apply_with(page, |item| {
            item.opportunity
                .clone()
                .unwrap_or_else(|| Arc::new(Opportunity::default()))
        });
        let f = &mut self.feeds[feed];
        for id in changes.upserted.iter().chain(&changes.deleted) {
            f.unreadable.remove(id);
        }
        for sk in &page.report.skipped {
            match &sk.item_id {
                Some(id) => {
                    f.unreadable.insert(id.clone(), sk.reason.clone());
                }
                None => f.unreadable_without_id += 1,
            }
        }
        let touched: HashSet<&str> = changes
            .upserted
            .iter()
            .chain(&changes.deleted)
            .map(String::as_str)
            .collect();
        for id in touched {
            if let Some(pid) = before.get(id).and_then(|o| parent_id(o))
                && let Some(n) = self.children.get_mut(pid)
            {
                *n -= 1;
                if *n == 0 {
                    self.children.remove(pid);
                }
            }
            if let Some(pid) = self.feeds[feed].state.get(id).and_then(|o| parent_id(o)) {
                *self.children.entry(pid.to_string()).or_default() += 1;
            }
            if let Some(old) = before.get(id) {
                for (key, _) in index_keys(old) {
                    if let Some(v) = self.index.get_mut(key) {
                        v.retain(|l| !(l.feed == feed && l.item == id));
                        if v.is_empty() {
                            self.index.remove(key);
                        }
                    }
                }
            }
            if let Some(new) = self.feeds[feed].state.get(id) {
                for (key, ifu) in index_keys(new) {
                    let loc = Loc {
                        feed,
                        item: id.to_string(),
                        ifu,
                    };
                    let v = self.index.entry(key.to_string()).or_default();
                    if !v.contains(&loc) {
                        v.push(loc);
                    }
                }
            }
        }
        changes
    }

    /// Looks up an entity by `@id` (top-level items and embedded IndividualFacilityUses).
    pub fn lookup(&self, id: &str) -> Option<&Opportunity> {
        self.find(id).map(|f| f.entity)
    }

    fn find(&self, id: &str) -> Option<Found<'_>> {
        let loc = self.index.get(id)?.last()?;
        let top = self.feeds.get(loc.feed)?.state.get(&loc.item)?.as_ref();
        Some(match loc.ifu {
            Some(i) => Found {
                entity: top.individual_facility_uses.get(i)?,
                container: Some(top),
            },
            None => Found {
                entity: top,
                container: None,
            },
        })
    }

    /// Parents of `o`, nearest first. `None` when the immediate parent is a reference that
    /// cannot be resolved (an orphan).
    fn parents<'a>(
        &'a self,
        o: &'a Opportunity,
        container: Option<&'a Opportunity>,
    ) -> Option<Chain<'a>> {
        let mut out: Chain<'a> = Vec::new();
        let mut cur = o;
        let mut pending_container = container;
        for depth in 0..MAX_DEPTH {
            let next = if let Some(c) = pending_container.take() {
                Some(c)
            } else if let Some(r) = cur.parent_ref() {
                match r {
                    Ref::Embedded(b) => Some(b.as_ref()),
                    Ref::Id(id) => match self.find(id) {
                        Some(f) => {
                            pending_container = f.container;
                            Some(f.entity)
                        }
                        None if depth == 0 => return None,
                        None => None,
                    },
                }
            } else {
                None
            };
            if let Some(course) = cur.course.as_deref() {
                out.push(course);
            }
            match next {
                Some(n) if !std::ptr::eq(n, o) && !out.iter().any(|x| std::ptr::eq(*x, n)) => {
                    out.push(n);
                    cur = n;
                }
                _ => break,
            }
        }
        Some(out)
    }

    /// Top-level children whose parent reference cannot be resolved yet.
    pub fn orphan_count(&self) -> usize {
        self.feeds
            .iter()
            .flat_map(|f| f.state.iter())
            .filter(|(_, o)| matches!(o.parent_ref(), Some(Ref::Id(id)) if self.find(id).is_none()))
            .count()
    }

    /// Joined, cleaned occurrences from `now` to `now + horizon_days`, sorted by start.
    ///
    /// Cancelled/postponed ones are included with `cancelled = true`; past ones (ended, or
    /// started when there is no end) and absurd dates are excluded; booking grids are marked.
    pub fn occurrences(&self, now: DateTime<Utc>, horizon_days: u32) -> Vec<Occurrence> {
        self.build(now, horizon_days, None).occurrences
    }

    /// [`Store::occurrences`], plus per feed how many items and occurrences are not shown and
    /// why ([`Hidden`]), and what the join noticed ([`JoinNote`]). `in_region` (latitude,
    /// longitude) counts occurrences outside the deployment's region, when there is one.
    pub fn build(
        &self,
        now: DateTime<Utc>,
        horizon_days: u32,
        in_region: Option<&dyn Fn(f64, f64) -> bool>,
    ) -> Build {
        let until = now + TimeDelta::days(i64::from(horizon_days));
        let (mut out, mut hidden, notes) = self.emit(now, until);
        out.retain(|o| {
            let absurd = hygiene::is_absurd(o.start.with_timezone(&Utc), now);
            if absurd && let Some(h) = hidden.get_mut(o.feed) {
                h.absurd_date += 1;
            }
            !absurd
        });
        for o in &out {
            let Some(h) = hidden.get_mut(o.feed) else {
                continue;
            };
            if o.cancelled {
                h.cancelled += 1;
            } else if o.booking_grid {
                h.booking_grid += 1;
            } else if let Some((lat, lon)) = o.venue.geo {
                if in_region.is_some_and(|f| !f(lat, lon)) {
                    h.outside_region += 1;
                }
            } else {
                h.no_location += 1;
            }
        }
        for (h, f) in hidden.iter_mut().zip(&self.feeds) {
            h.unreadable = f.unreadable.len() + f.unreadable_without_id;
        }
        Build {
            occurrences: out,
            hidden,
            notes,
        }
    }

    /// Joined, cleaned occurrences that have not ended by `from` and start by `until`,
    /// sorted by start (then key), with booking grids marked.
    pub fn occurrences_between(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<Occurrence> {
        self.emit(from, until).0
    }

    fn emit(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> (Vec<Occurrence>, Vec<Hidden>, Vec<JoinNote>) {
        let mut cx = Emit {
            store: self,
            from,
            until,
            seen: HashMap::default(),
            out: Vec::new(),
            origin: Vec::new(),
            details: HashMap::default(),
            furthest: HashMap::default(),
            updated: None,
            current: (0, ""),
            hidden: vec![Hidden::default(); self.feeds.len()],
            notes: Vec::new(),
        };
        for (fi, f) in self.feeds.iter().enumerate() {
            for (item_id, o) in f.state.iter() {
                cx.current = (fi, item_id);
                cx.updated = None;
                cx.item(fi, item_id, o);
            }
        }
        let listed_until = cx.listed_until();
        let mut out = cx.out;
        if !listed_until.is_empty() {
            for o in &mut out {
                if let Some(d) = listed_until.get(&(Arc::as_ptr(&o.details) as usize)) {
                    o.details = Arc::clone(d);
                }
            }
        }
        out.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.key.cmp(&b.key)));
        hygiene::mark_booking_grids(&mut out);
        let mut notes = cx.notes;
        notes.sort_by(|a, b| (a.feed, &a.item_id, &a.note).cmp(&(b.feed, &b.item_id, &b.note)));
        (out, cx.hidden, notes)
    }

    /// When an item last changed: its RPDE `modified` when that is a timestamp
    /// ([`crate::rpde::Modified::as_timestamp`]; the publisher's, from
    /// [`Store::note_item_times`], when noted), else its `data.dateModified`, else when it was
    /// first seen (noted). `None` when none of these is known.
    ///
    /// # Panics
    /// When `feed` was not returned by [`Store::add_feed`].
    pub fn last_changed(&self, feed: usize, item_id: &str) -> Option<DateTime<Utc>> {
        let f = &self.feeds[feed];
        let st = &f.state;
        let noted = f.times.get(item_id);
        let modified = match noted {
            Some(t) => t.modified,
            None => st
                .modified(item_id)
                .and_then(crate::rpde::Modified::as_timestamp),
        };
        modified
            .or_else(|| {
                st.get(item_id)?
                    .extra
                    .get("dateModified")
                    .and_then(serde_json::Value::as_str)
                    .and_then(crate::lenient::datetime)
                    .map(|t| t.with_timezone(&Utc))
            })
            .or_else(|| noted.and_then(|t| t.first_seen))
    }

    /// Notes what the consumer knows of when an item changed (see [`ItemTimes`]); kept until
    /// noted again.
    ///
    /// # Panics
    /// When `feed` was not returned by [`Store::add_feed`].
    pub fn note_item_times(&mut self, feed: usize, item_id: &str, times: ItemTimes) {
        self.feeds[feed].times.insert(item_id.to_string(), times);
    }

    /// Notes a dated child of the parent `parent_id` that the store does not hold (e.g. held
    /// back by a relay because it lies beyond the look-ahead): it counts towards the parent's
    /// [`Details::listed_until`].
    pub fn note_later_start(&mut self, parent_id: &str, start: DateTime<FixedOffset>) {
        let e = self.later.entry(parent_id.to_string()).or_insert(start);
        if start > *e {
            *e = start;
        }
    }

    /// Whether item `a`'s copy of an occurrence wins over item `b`'s: the later `modified`,
    /// then (same feed) the later applied, i.e. the later page or later on the same page, then
    /// (different feeds, equal `modified`) the feed registered later.
    fn newer(&self, a: (usize, &str), b: (usize, &str)) -> bool {
        let (sa, sb) = (&self.feeds[a.0].state, &self.feeds[b.0].state);
        match sa.modified(a.1).cmp(&sb.modified(b.1)) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal if a.0 == b.0 => {
                sa.applied_order(a.1) > sb.applied_order(b.1)
            }
            std::cmp::Ordering::Equal => a.0 > b.0,
        }
    }

    /// Venue for a chain: the first `location`, resolving a Place reference through the index.
    fn venue(&self, chain: &[&Opportunity]) -> Venue {
        let Some(loc) = chain.iter().find_map(|o| o.location.as_ref()) else {
            return Venue::default();
        };
        let place: Option<Place> = match loc {
            // Only an `@id`: the Place may be a feed item of its own.
            Ref::Embedded(p) if !p.has_content() && p.id.is_some() => Some(
                p.id.as_deref()
                    .and_then(|id| self.lookup(id))
                    .map(place_from_entity)
                    .filter(Place::has_content)
                    .unwrap_or_else(|| p.clone()),
            ),
            Ref::Embedded(p) => Some(p.clone()),
            Ref::Id(id) => Some(
                self.lookup(id)
                    .map(place_from_entity)
                    .unwrap_or_else(|| Place {
                        id: Some(id.clone()),
                        ..Place::default()
                    }),
            ),
        };
        let p = place.unwrap_or_default();
        Venue {
            id: p.id,
            name: p.name,
            address: p.address,
            postcode: p.postcode,
            geo: p.geo.and_then(|(lat, lon)| hygiene::clean_geo(lat, lon)),
        }
    }
}

/// A Place published as a feed item: its own fields carry the address and geo.
fn place_from_entity(o: &Opportunity) -> Place {
    if let Some(Ref::Embedded(p)) = &o.location {
        return p.clone();
    }
    let mut m = serde_json::Map::new();
    m.insert("@type".into(), "Place".into());
    if let Some(id) = &o.id {
        m.insert("@id".into(), id.clone().into());
    }
    if let Some(n) = &o.name {
        m.insert("name".into(), n.clone().into());
    }
    for k in ["address", "geo", "latitude", "longitude"] {
        if let Some(v) = o.extra.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    let wrapped = Opportunity::from_map(
        [("location".to_string(), serde_json::Value::Object(m))]
            .into_iter()
            .collect(),
    );
    match wrapped.location {
        Some(Ref::Embedded(p)) => p,
        _ => Place::default(),
    }
}

/// The `@id` an item names as its parent (`superEvent`, `facilityUse`), by reference or embedded.
fn parent_id(o: &Opportunity) -> Option<&str> {
    o.parent_ref().and_then(|r| match r {
        Ref::Id(id) => Some(id.as_str()),
        Ref::Embedded(e) => e.id.as_deref(),
    })
}

/// The `@id`s an item makes resolvable: its own and its embedded IndividualFacilityUses'.
fn index_keys(o: &Opportunity) -> impl Iterator<Item = (&str, Option<usize>)> {
    o.id.as_deref().map(|id| (id, None)).into_iter().chain(
        o.individual_facility_uses
            .iter()
            .enumerate()
            .filter_map(|(i, ifu)| ifu.id.as_deref().map(|id| (id, Some(i)))),
    )
}

struct Emit<'a> {
    store: &'a Store,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    /// Occurrence key -> index in `out`.
    seen: HashMap<Cow<'a, str>, usize>,
    out: Vec<Occurrence>,
    /// The top-level item (feed, item id) each of `out` came from.
    origin: Vec<(usize, &'a str)>,
    /// The top-level item being emitted.
    current: (usize, &'a str),
    hidden: Vec<Hidden>,
    notes: Vec<JoinNote>,
    /// Details shared by the occurrences of one chain (see [`details_key`]).
    details: HashMap<Vec<usize>, Arc<Details>>,
    /// The furthest start seen per details (by [`details_key`]), also beyond the window.
    furthest: HashMap<Vec<usize>, DateTime<FixedOffset>>,
    /// [`Store::last_changed`] of the top-level item being emitted (computed once per item).
    updated: Option<Option<DateTime<Utc>>>,
}

struct Dated<'a> {
    start: DateTime<FixedOffset>,
    end: Option<DateTime<FixedOffset>>,
    /// Borrowed from the store when the occurrence has an `@id` (no copy until it is emitted).
    key: Cow<'a, str>,
    url: Option<String>,
    from_schedule: bool,
    provisional: bool,
}

fn first<'a, T: ?Sized>(
    chain: &[&'a Opportunity],
    f: impl Fn(&'a Opportunity) -> Option<&'a T>,
) -> Option<&'a T> {
    chain.iter().find_map(|o| f(o))
}

fn offers_may_come_from(o: &Opportunity) -> bool {
    matches!(
        o.kind,
        OpportunityType::SessionSeries
            | OpportunityType::FacilityUse
            | OpportunityType::IndividualFacilityUse
    ) || (o.kind == OpportunityType::Event && o.start.is_none())
}

impl<'a> Emit<'a> {
    fn item(&mut self, feed: usize, item_id: &str, o: &'a Opportunity) {
        use OpportunityType as T;
        match o.kind {
            T::SessionSeries | T::EventSeries | T::FacilityUse | T::IndividualFacilityUse => {
                // A series whose own parent is missing is still listed (it has its own data).
                let parents = self.store.parents(o, None).unwrap_or_default();
                let mut base: Chain<'a> = vec![o];
                base.extend(parents);
                let base_key = o.id.clone().unwrap_or_else(|| format!("item:{item_id}"));
                self.children(feed, &base, &base_key);
                for ifu in &o.individual_facility_uses {
                    let mut chain = vec![ifu];
                    chain.extend(base.iter().copied());
                    self.children(feed, &chain, ifu.id.as_deref().unwrap_or(&base_key));
                }
                if o.sub_events.is_empty() {
                    let has_children =
                        o.id.as_deref()
                            .is_some_and(|id| self.store.children.contains_key(id));
                    if o.schedules.is_empty()
                        && !has_children
                        && o.individual_facility_uses.is_empty()
                        && !self.store.feeds[feed].defer_schedules
                    {
                        self.hidden[feed].undated += 1;
                    }
                    self.schedules(feed, &base);
                } else {
                    self.compare_schedule(feed, item_id, o);
                }
            }
            T::ScheduledSession | T::Event | T::HeadlineEvent | T::CourseInstance | T::Slot => {
                let Some(parents) = self.store.parents(o, None) else {
                    self.hidden[feed].orphaned += 1;
                    return; // orphan: held until its parent arrives
                };
                let mut chain: Chain<'a> = vec![o];
                chain.extend(parents);
                if !o.sub_events.is_empty() {
                    let base_key = o.id.clone().unwrap_or_else(|| format!("item:{item_id}"));
                    self.compare_schedule(feed, item_id, o);
                    self.children(feed, &chain, &base_key);
                    if o.kind == T::HeadlineEvent {
                        self.own(feed, item_id, &chain);
                    }
                } else if !o.schedules.is_empty() {
                    // A course (or event) with a timetable: list each dated class.
                    self.schedules(feed, &chain);
                } else {
                    if o.start.is_none() {
                        self.hidden[feed].undated += 1;
                    }
                    self.own(feed, item_id, &chain);
                }
            }
            _ => {}
        }
    }

    /// A parent with both an `eventSchedule` and dated `subEvent`s: the dated sessions are
    /// listed; note when the schedule says otherwise over the dates they cover (within the
    /// window).
    fn compare_schedule(&mut self, feed: usize, item_id: &str, o: &Opportunity) {
        // Only timetables: a schedule without a start time (`{"byDay": [...]}` alone, as
        // Everyone Active publishes beside its dated sessions) says nothing to compare.
        let timetables: Vec<&crate::model::Schedule> = o
            .schedules
            .iter()
            .filter(|s| {
                s.start_time
                    .as_deref()
                    .and_then(crate::lenient::time)
                    .is_some()
            })
            .collect();
        if timetables.is_empty() {
            return;
        }
        let dated: Vec<DateTime<Utc>> = o
            .sub_events
            .iter()
            .filter_map(|s| s.start)
            .map(|t| t.with_timezone(&Utc))
            .collect();
        let (Some(&lo), Some(&hi)) = (dated.iter().min(), dated.iter().max()) else {
            return;
        };
        let lo = lo.max(self.from);
        let hi = hi.min(self.until);
        if lo > hi {
            return;
        }
        let listed: HashSet<DateTime<Utc>> = dated
            .into_iter()
            .filter(|t| (lo..=hi).contains(t))
            .collect();
        let scheduled: HashSet<DateTime<Utc>> = timetables
            .iter()
            .flat_map(|s| schedule::expand(s, lo, hi))
            .map(|x| x.start.with_timezone(&Utc))
            .collect();
        let not_scheduled = listed.difference(&scheduled).count();
        let not_listed = scheduled.difference(&listed).count();
        if not_scheduled + not_listed > 0 {
            self.notes.push(JoinNote {
                feed,
                item_id: item_id.to_string(),
                note: format!(
                    "`eventSchedule` disagrees with the dated sessions listed: {not_scheduled} of {} listed not in the schedule, {not_listed} scheduled but not listed; the dated sessions are used",
                    listed.len()
                ),
            });
        }
    }

    /// Embedded `subEvent`s (and FacilityUse `event` Slots) of `chain[0]`.
    fn children(&mut self, feed: usize, chain: &[&'a Opportunity], base: &str) {
        let parent = chain[0];
        for sub in &parent.sub_events {
            let Some(start) = sub.start else {
                self.hidden[feed].undated += 1;
                continue;
            };
            let mut c: Chain<'a> = Vec::with_capacity(chain.len() + 1);
            c.push(sub);
            c.extend(chain.iter().copied());
            let key = match sub.id.as_deref() {
                Some(id) => Cow::Borrowed(id),
                None => Cow::Owned(match &sub.identifier {
                    Some(i) => format!("{base}#{i}"),
                    None => format!("{base}#{}", start.to_rfc3339()),
                }),
            };
            let d = Dated {
                start,
                end: end_of(&c, start),
                key,
                url: None,
                from_schedule: false,
                provisional: false,
            };
            self.push(feed, &c, d);
        }
    }

    fn own(&mut self, feed: usize, item_id: &str, chain: &[&'a Opportunity]) {
        let o = chain[0];
        let Some(start) = o.start else { return };
        let key =
            o.id.as_deref()
                .map_or_else(|| Cow::Owned(format!("item:{item_id}")), Cow::Borrowed);
        let d = Dated {
            start,
            end: end_of(chain, start),
            key,
            url: None,
            from_schedule: false,
            provisional: false,
        };
        self.push(feed, chain, d);
    }

    fn schedules(&mut self, feed: usize, chain: &[&'a Opportunity]) {
        let o = chain[0];
        if o.schedules.is_empty()
            || self.store.feeds[feed].defer_schedules
            || o.id
                .as_deref()
                .is_some_and(|id| self.store.children.contains_key(id))
        {
            return;
        }
        let from = self.from - TimeDelta::days(1);
        for s in &o.schedules {
            for occ in schedule::expand(s, from, self.until) {
                let key = Cow::Owned(occ.id.clone().unwrap_or_else(|| {
                    format!(
                        "{}#{}",
                        o.id.as_deref().unwrap_or(""),
                        occ.start.to_rfc3339()
                    )
                }));
                let end = occ.end.or_else(|| end_of(chain, occ.start));
                let d = Dated {
                    start: occ.start,
                    end,
                    key,
                    url: occ.url,
                    from_schedule: true,
                    provisional: s.partial,
                };
                self.push(feed, chain, d);
            }
        }
    }

    fn push(&mut self, feed: usize, chain: &[&'a Opportunity], d: Dated<'a>) {
        let start_utc = d.start.with_timezone(&Utc);
        let end_utc = d.end.map(|e| e.with_timezone(&Utc));
        if !d.from_schedule {
            let e = self.furthest.entry(details_key(chain)).or_insert(d.start);
            if d.start > *e {
                *e = d.start;
            }
        }
        if start_utc > self.until {
            return;
        }
        if end_utc.unwrap_or(start_utc) < self.from {
            self.hidden[feed].past += 1;
            return;
        }
        let cur = self.current;
        let updated = match self.updated {
            Some(u) => u,
            None => {
                let u = self.store.last_changed(cur.0, cur.1);
                self.updated = Some(u);
                u
            }
        };
        if let Some(&idx) = self.seen.get(&d.key) {
            // The same occurrence from two items (e.g. one child id under two parents): keep
            // the copy from the item with the later `modified`, then the later page.
            let prev = self.origin[idx];
            if prev == cur {
                self.hidden[feed].duplicate += 1; // twice within one item: first kept
                return;
            }
            let newer = self.store.newer(cur, prev);
            let (kept, dropped) = if newer { (cur, prev) } else { (prev, cur) };
            self.hidden[dropped.0].duplicate += 1;
            self.notes.push(JoinNote {
                feed: dropped.0,
                item_id: dropped.1.to_string(),
                note: format!(
                    "occurrence `{}` is also listed by item `{}`: that copy is kept (later `modified`, then later page)",
                    d.key, kept.1
                ),
            });
            if newer {
                self.out[idx] = build(self.store, &mut self.details, feed, chain, d);
                self.out[idx].updated = updated;
                self.origin[idx] = cur;
            }
            return;
        }
        self.seen.insert(d.key.clone(), self.out.len());
        self.origin.push(cur);
        let mut o = build(self.store, &mut self.details, feed, chain, d);
        o.updated = updated;
        self.out.push(o);
    }

    /// [`Details::listed_until`] for every details emitted, by the address of its current
    /// `Arc`: the furthest dated child seen (in the store, or noted beyond it), or the last
    /// date of the timetable when every schedule of the series ends.
    fn listed_until(&self) -> HashMap<usize, Arc<Details>> {
        let mut out: HashMap<usize, Arc<Details>> = HashMap::default();
        for (key, d) in &self.details {
            let mut until = self.furthest.get(key).copied();
            if let Some(later) = d
                .series_key
                .as_deref()
                .and_then(|id| self.store.later.get(id))
            {
                until = Some(until.map_or(*later, |u| u.max(*later)));
            }
            if let Some(end) = d.schedule.as_ref().and_then(schedule_end) {
                until = Some(until.map_or(end, |u| u.max(end)));
            }
            if until.is_some() && until != d.listed_until {
                let mut nd = Details::clone(d);
                nd.listed_until = until;
                out.insert(Arc::as_ptr(d) as usize, Arc::new(nd));
            }
        }
        out
    }
}

/// The end of the last day of a timetable that ends (`endDate`), in its zone; `None` for a
/// timetable without an end date.
fn schedule_end(r: &schedule::ScheduleRule) -> Option<DateTime<FixedOffset>> {
    let day = crate::lenient::date(r.end_date.as_deref()?)?;
    let tz = crate::lenient::timezone(Some(&r.timezone));
    let t = crate::lenient::time(&r.start_time)?;
    Some(crate::lenient::local_to_instant(tz, day.and_time(t)))
}

/// End from the occurrence's own `endDate`, else start + the nearest `duration`.
fn end_of(chain: &[&Opportunity], start: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let own = chain[0];
    own.end.filter(|e| *e > start).or_else(|| {
        let dur = chain.iter().find_map(|o| o.duration)?.to_timedelta()?;
        start.checked_add_signed(dur)
    })
}

fn kind_of(chain: &[&Opportunity]) -> OpportunityKind {
    use OpportunityType as T;
    match chain[0].kind {
        T::ScheduledSession | T::SessionSeries => OpportunityKind::Session,
        T::Slot | T::FacilityUse | T::IndividualFacilityUse => OpportunityKind::FacilitySlot,
        T::HeadlineEvent => OpportunityKind::HeadlineEvent,
        T::CourseInstance | T::Course => OpportunityKind::Course,
        T::OnDemandEvent => OpportunityKind::OnDemand,
        _ if chain.get(1).is_some_and(|p| p.kind == T::CourseInstance) => OpportunityKind::Course,
        T::Event if chain.get(1).is_some_and(|p| p.kind == T::SessionSeries) => {
            OpportunityKind::Session
        }
        _ => OpportunityKind::Event,
    }
}

/// Whether an object sets any field that [`Details`] inherits (so a chain starting with it
/// cannot share its parent's details).
fn sets_details(o: &Opportunity) -> bool {
    o.name.is_some()
        || o.description.is_some()
        || o.activities.is_some()
        || o.location.is_some()
        || o.organizer.is_some()
        || o.offers.is_some()
        || o.is_free.is_some()
        || o.age_range.is_some()
        || o.gender.is_some()
        || o.levels.is_some()
        || o.accessibility.is_some()
        || o.accessibility_information.is_some()
        || o.wheelchair.is_some()
        || o.attendee_instructions.is_some()
        || o.what_to_bring.is_some()
        || o.meeting_point.is_some()
        || o.special_requirements.is_some()
        || !o.schedules.is_empty()
        || o.course.is_some()
}

/// Key of a chain's shared details: the addresses of the objects the details come from (they
/// stay put while the store is borrowed). When the first object sets no details of its own (a
/// ScheduledSession under its SessionSeries), that is its parents, so all sessions of a series
/// share one; otherwise the whole chain (a series expanded from its schedule shares one). The
/// leading tag keeps the two cases apart: the offers rule depends on an object's position.
fn details_key(chain: &[&Opportunity]) -> Vec<usize> {
    let own = sets_details(chain[0]);
    let from = if own { chain } else { &chain[1..] };
    let mut key = Vec::with_capacity(from.len() + 1);
    key.push(usize::from(own));
    key.extend(from.iter().map(|o| std::ptr::from_ref(*o) as usize));
    key
}

fn details(store: &Store, chain: &[&Opportunity]) -> Details {
    let activities = first(chain, |o| o.activities.as_ref())
        .cloned()
        .unwrap_or_default();
    let name = first(chain, |o| o.name.as_deref())
        .map(str::to_string)
        .or_else(|| activities.iter().find_map(|a| a.label.clone()))
        .unwrap_or_default();
    let mut offers: Vec<Offer> = Vec::new();
    for (i, o) in chain.iter().enumerate() {
        if i > 0 && !offers_may_come_from(o) {
            break;
        }
        if let Some(found) = &o.offers {
            offers.clone_from(found);
            break;
        }
    }
    let is_free = first(chain, |o| o.is_free.as_ref()).copied();
    let free = is_free == Some(true)
        || (!offers.is_empty() && offers.iter().all(|x| x.price == Some(0.0)));
    Details {
        series_key: chain.get(1).and_then(|p| p.id.clone()),
        name,
        description: first(chain, |o| o.description.as_deref()).map(str::to_string),
        activities,
        venue: store.venue(chain),
        offers,
        free,
        age_range: first(chain, |o| o.age_range.as_ref())
            .copied()
            .unwrap_or(AgeRange::default()),
        gender: first(chain, |o| o.gender.as_ref())
            .copied()
            .unwrap_or(Gender::Unspecified),
        levels: first(chain, |o| o.levels.as_ref())
            .cloned()
            .unwrap_or_default(),
        accessibility: first(chain, |o| o.accessibility.as_ref())
            .cloned()
            .unwrap_or_default(),
        accessibility_information: first(chain, |o| o.accessibility_information.as_deref())
            .map(str::to_string),
        wheelchair: first(chain, |o| o.wheelchair.as_ref()).copied(),
        organizer: first(chain, |o| o.organizer.as_ref()).cloned(),
        attendee_instructions: first(chain, |o| o.attendee_instructions.as_deref())
            .map(str::to_string),
        what_to_bring: first(chain, |o| o.what_to_bring.as_ref())
            .cloned()
            .unwrap_or_default(),
        meeting_point: first(chain, |o| o.meeting_point.as_deref()).map(str::to_string),
        special_requirements: first(chain, |o| o.special_requirements.as_ref())
            .cloned()
            .unwrap_or_default(),
        schedule: chain
            .iter()
            .flat_map(|o| o.schedules.iter())
            .find_map(schedule::rule),
        listed_until: None,
    }
}

fn build(
    store: &Store,
    cache: &mut HashMap<Vec<usize>, Arc<Details>>,
    feed: usize,
    chain: &[&Opportunity],
    d: Dated<'_>,
) -> Occurrence {
    let own = chain[0];
    let details = Arc::clone(
        cache
            .entry(details_key(chain))
            .or_insert_with(|| Arc::new(details(store, chain))),
    );
    let url = d
        .url
        .or_else(|| first(chain, |o| o.url.as_deref()).map(str::to_string));
    Occurrence {
        key: d.key.into_owned(),
        feed,
        kind: kind_of(chain),
        start: d.start,
        end: d.end,
        cancelled: chain.iter().find_map(|o| o.status).is_some_and(|s| {
            matches!(
                s,
                crate::model::EventStatus::Cancelled | crate::model::EventStatus::Postponed
            )
        }),
        remaining_capacity: own.remaining,
        maximum_capacity: own.maximum,
        url,
        from_schedule: d.from_schedule,
        provisional: d.provisional,
        booking_grid: false,
        updated: None,
        details,
    }
}
