//! What an occurrence inherits along its chain: venue, kind, end, offers and the details
//! shared by every occurrence of one chain.

use foldhash::HashMap;
use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};

use super::Store;
use crate::hygiene;
use crate::model::{Opportunity, OpportunityType, Place, Ref};
use crate::occurrence::{Details, Gender, Occurrence, Offer, OpportunityKind, Venue};
use crate::schedule;

impl Store {
    /// Venue for a chain: the first `location`, resolving a Place reference through the index.
    pub(super) fn venue(&self, chain: &[&Opportunity]) -> Venue {
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

pub(super) struct Dated<'a> {
    pub(super) start: DateTime<FixedOffset>,
    pub(super) end: Option<DateTime<FixedOffset>>,
    /// Borrowed from the store when the occurrence has an `@id` (no copy until it is emitted).
    pub(super) key: Cow<'a, str>,
    pub(super) url: Option<String>,
    pub(super) from_schedule: bool,
    pub(super) provisional: bool,
}

pub(super) fn first<'a, T: ?Sized>(
    chain: &[&'a Opportunity],
    f: impl Fn(&'a Opportunity) -> Option<&'a T>,
) -> Option<&'a T> {
    chain.iter().find_map(|o| f(o))
}

pub(super) fn offers_may_come_from(o: &Opportunity) -> bool {
    matches!(
        o.kind,
        OpportunityType::SessionSeries
            | OpportunityType::FacilityUse
            | OpportunityType::IndividualFacilityUse
    ) || (o.kind == OpportunityType::Event && o.start.is_none())
}

/// The end of the last day of a timetable that ends (`endDate`), in its zone; `None` for a
/// timetable without an end date.
pub(super) fn schedule_end(r: &schedule::ScheduleRule) -> Option<DateTime<FixedOffset>> {
    let day = crate::lenient::date(r.end_date.as_deref()?)?;
    let tz = crate::lenient::timezone(Some(&r.timezone));
    let t = crate::lenient::time(&r.start_time)?;
    Some(crate::lenient::local_to_instant(tz, day.and_time(t)))
}

/// End from the occurrence's own `endDate`, else start + the nearest `duration`.
pub(super) fn end_of(
    chain: &[&Opportunity],
    start: DateTime<FixedOffset>,
) -> Option<DateTime<FixedOffset>> {
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
pub(super) fn details_key(chain: &[&Opportunity]) -> Vec<usize> {
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
            .unwrap_or_default(),
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

pub(super) fn build(
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
