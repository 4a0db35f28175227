//! Walking items into dated occurrences: children, own dates, schedules, duplicates.

use foldhash::{HashMap, HashSet};
use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};

use super::details::{Dated, build, details_key, end_of, schedule_end};
use super::{Chain, Hidden, JoinNote, Store};
use crate::model::{Opportunity, OpportunityType};
use crate::occurrence::{Details, Occurrence};
use crate::schedule;

pub(super) struct Emit<'a> {
    pub(super) store: &'a Store,
    pub(super) from: DateTime<Utc>,
    pub(super) until: DateTime<Utc>,
    /// Occurrence key -> index in `out`.
    pub(super) seen: HashMap<Cow<'a, str>, usize>,
    pub(super) out: Vec<Occurrence>,
    /// The top-level item (feed, item id) each of `out` came from.
    pub(super) origin: Vec<(usize, &'a str)>,
    /// The top-level item being emitted.
    pub(super) current: (usize, &'a str),
    pub(super) hidden: Vec<Hidden>,
    pub(super) notes: Vec<JoinNote>,
    /// Details shared by the occurrences of one chain (see [`details_key`]).
    pub(super) details: HashMap<Vec<usize>, Arc<Details>>,
    /// The furthest start seen per details (by [`details_key`]), also beyond the window.
    pub(super) furthest: HashMap<Vec<usize>, DateTime<FixedOffset>>,
    /// [`Store::last_changed`] of the top-level item being emitted (computed once per item).
    pub(super) updated: Option<Option<DateTime<Utc>>>,
}

impl<'a> Emit<'a> {
    pub(super) fn item(&mut self, feed: usize, item_id: &str, o: &'a Opportunity) {
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
    pub(super) fn listed_until(&self) -> HashMap<usize, Arc<Details>> {
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
