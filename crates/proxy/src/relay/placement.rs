//! Where an item goes: live, held back until it enters the look-ahead, dropped as past, or
//! outside the region (its own coordinates, else its parent's).

use chrono::{DateTime, Duration, Utc};
use openactive::model::{Opportunity, Place, Ref};

use crate::config::Region;

/// Occurrences further ahead than the look-ahead plus this are discarded, not held back.
const HOLD_BACK_MAX_DAYS: i64 = 400;

/// The window of occurrences the proxy keeps.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Days ahead to relay.
    pub lookahead_days: u32,
    /// Optional area filter.
    pub region: Option<Region>,
}

pub(crate) enum Placement {
    Live(Option<DateTime<Utc>>),
    Hold(DateTime<Utc>),
    Drop,
    /// Outside the region; carries the item's `@id` when it has one.
    Outside(Option<String>),
    /// No coordinates of its own, and its parent (this `@id`) is known to lie outside.
    FollowsParent {
        parent: String,
        own: Option<String>,
    },
}

/// Answers "is the parent with this `@id` known to lie outside the region?".
pub type ParentOutside<'a> = &'a dyn Fn(&str) -> bool;

pub(crate) fn geo_of(location: Option<&Ref<Place>>) -> Option<(f64, f64)> {
    location?.embedded()?.geo
}

pub(crate) fn utc(d: Option<DateTime<chrono::FixedOffset>>) -> Option<DateTime<Utc>> {
    d.map(|d| d.with_timezone(&Utc))
}

/// The end (or else start) instant after which a relayed item expires.
pub(crate) fn ends_of(opp: &Opportunity) -> Option<DateTime<Utc>> {
    utc(opp.end).or_else(|| utc(opp.start))
}

/// Where an item goes, from its model: outside the region (its own coordinates, else its
/// parent's: embedded, or known by `@id` to be outside), past (dropped), beyond the
/// look-ahead (held back; dropped beyond [`HOLD_BACK_MAX_DAYS`]), or live. Parent types
/// (series, facilities, courses, places) are never held back.
pub(crate) fn place(
    opp: &Opportunity,
    window: &Window,
    now: DateTime<Utc>,
    parent_outside: ParentOutside<'_>,
) -> Placement {
    if let Some(region) = window.region {
        let outside = |(lat, lon): (f64, f64)| {
            (!region.contains(lat, lon)).then(|| Placement::Outside(opp.id.clone()))
        };
        let follows = |parent: &str| {
            parent_outside(parent).then(|| Placement::FollowsParent {
                parent: parent.to_string(),
                own: opp.id.clone(),
            })
        };
        let verdict = match geo_of(opp.location.as_ref()) {
            Some(geo) => outside(geo),
            // No coordinates of its own: a child follows its parent.
            None => match opp.super_event.as_ref().or(opp.facility_use.as_ref()) {
                Some(Ref::Embedded(p)) => match geo_of(p.location.as_ref()) {
                    Some(geo) => outside(geo),
                    None => p.id.as_deref().and_then(follows),
                },
                Some(Ref::Id(u)) => follows(u),
                None => None,
            },
        };
        if let Some(v) = verdict {
            return v;
        }
    }
    let start = utc(opp.start);
    let end = ends_of(opp);
    if let Some(end) = end
        && end < now
    {
        return Placement::Drop;
    }
    if opp.kind.is_parent_type() {
        return Placement::Live(end);
    }
    if let Some(start) = start {
        let horizon = now + Duration::days(i64::from(window.lookahead_days));
        if start > now + Duration::days(HOLD_BACK_MAX_DAYS) {
            return Placement::Drop;
        }
        if start > horizon {
            return Placement::Hold(start);
        }
    }
    Placement::Live(end)
}
