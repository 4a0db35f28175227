//! `Store::build`: the occurrences in a window, with what is hidden and why.

use foldhash::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::emit::Emit;
use super::{Build, Hidden, JoinNote, Store};
use crate::hygiene;
use crate::occurrence::Occurrence;

impl Store {
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
}
