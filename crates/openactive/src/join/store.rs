//! The feeds, the `@id` index and applying pages; when an item last changed.

use foldhash::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};

use super::{Chain, Found, ItemTimes, JoinedFeed, Loc, MAX_DEPTH, Store};
use crate::model::{Opportunity, Ref};
use crate::occurrence::Dataset;
use crate::rpde::{Changes, FeedState, Page};

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a feed and returns its index (used as [`Occurrence::feed`](crate::Occurrence::feed)).
    pub fn add_feed(&mut self, dataset: Dataset) -> usize {
        self.feeds.push(JoinedFeed {
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

    pub(super) fn find(&self, id: &str) -> Option<Found<'_>> {
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
    pub(super) fn parents<'a>(
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
    /// [`Details::listed_until`](crate::Details::listed_until).
    pub fn note_later_start(&mut self, parent_id: &str, start: DateTime<FixedOffset>) {
        let e = self.later.entry(parent_id.to_string()).or_insert(start);
        if start > *e {
            *e = start;
        }
    }

    /// Whether item `a`'s copy of an occurrence wins over item `b`'s: the later `modified`,
    /// then (same feed) the later applied, i.e. the later page or later on the same page, then
    /// (different feeds, equal `modified`) the feed registered later.
    pub(super) fn newer(&self, a: (usize, &str), b: (usize, &str)) -> bool {
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
