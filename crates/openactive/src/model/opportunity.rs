//! [`Opportunity`]: one object from `data`, its [`EventStatus`], and what it says about the
//! objects embedded in it.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::lenient::{IsoDuration, local_name};
use crate::occurrence::{AgeRange, ConceptRef, Gender, Offer, Organizer};

use super::common::Ref;
use super::dates::Schedule;
use super::kind::OpportunityType;
use super::place::Place;

/// `eventStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventStatus {
    /// `EventScheduled` (also assumed when absent).
    Scheduled,
    /// `EventCancelled`.
    Cancelled,
    /// `EventPostponed`.
    Postponed,
    /// `EventRescheduled`.
    Rescheduled,
    /// `EventMovedOnline` or anything else.
    Other,
}

impl EventStatus {
    pub(super) fn parse(s: &str) -> Self {
        match local_name(s).to_ascii_lowercase().as_str() {
            "eventscheduled" | "scheduled" => Self::Scheduled,
            "eventcancelled" | "cancelled" | "canceled" | "eventcanceled" => Self::Cancelled,
            "eventpostponed" | "postponed" => Self::Postponed,
            "eventrescheduled" | "rescheduled" => Self::Rescheduled,
            _ => Self::Other,
        }
    }
}

/// One opportunity (or parent) object from `data`, read leniently.
///
/// `Option` fields are `None` when the data did not set them (so a parent's value can be
/// inherited); empty strings and empty arrays count as "not set".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Opportunity {
    /// `@type` / `type`.
    pub kind: OpportunityType,
    /// `@id` / `id`.
    pub id: Option<String>,
    /// `identifier` (as text).
    pub identifier: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `url` (http(s) only).
    pub url: Option<String>,
    /// `startDate`.
    pub start: Option<DateTime<FixedOffset>>,
    /// `endDate`.
    pub end: Option<DateTime<FixedOffset>>,
    /// `duration`.
    pub duration: Option<IsoDuration>,
    /// `activity` (legacy plain strings become labels or ids).
    pub activities: Option<Vec<ConceptRef>>,
    /// `location`.
    pub location: Option<Ref<Place>>,
    /// `organizer` (or `provider` on facility uses).
    pub organizer: Option<Organizer>,
    /// `offers` (legacy singular `offer` accepted).
    pub offers: Option<Vec<Offer>>,
    /// `ageRange`.
    pub age_range: Option<AgeRange>,
    /// `genderRestriction` (legacy `mixed`, `oa:None`, `…ns#None` read as NoRestriction).
    pub gender: Option<Gender>,
    /// `level` as text.
    pub levels: Option<Vec<String>>,
    /// `accessibilitySupport`.
    pub accessibility: Option<Vec<ConceptRef>>,
    /// `accessibilityInformation`.
    pub accessibility_information: Option<String>,
    /// `beta:isWheelchairAccessible`.
    pub wheelchair: Option<bool>,
    /// EMD UK `specialRequirements` concepts (GP referral, chair based, pregnancy…), read
    /// under any prefix (`emduk:`, `beta:`, none) and as `specialRequirement` too.
    pub special_requirements: Option<Vec<ConceptRef>>,
    /// `isAccessibleForFree`.
    pub is_free: Option<bool>,
    /// `eventStatus`.
    pub status: Option<EventStatus>,
    /// `remainingAttendeeCapacity` / `remainingUses`.
    pub remaining: Option<i64>,
    /// `maximumAttendeeCapacity` / `maximumUses`.
    pub maximum: Option<i64>,
    /// `attendeeInstructions`.
    pub attendee_instructions: Option<String>,
    /// `meetingPoint`.
    pub meeting_point: Option<String>,
    /// `beta:participantSuppliedEquipment` as text lines.
    pub what_to_bring: Option<Vec<String>>,
    /// `superEvent`.
    pub super_event: Option<Ref<Box<Opportunity>>>,
    /// `facilityUse` (on a Slot) or `aggregateFacilityUse` (on an IndividualFacilityUse).
    pub facility_use: Option<Ref<Box<Opportunity>>>,
    /// `instanceOfCourse` when embedded.
    pub course: Option<Box<Opportunity>>,
    /// Embedded `subEvent` (and FacilityUse `event`) children.
    pub sub_events: Vec<Opportunity>,
    /// Embedded `individualFacilityUse` children.
    pub individual_facility_uses: Vec<Opportunity>,
    /// `eventSchedule`.
    pub schedules: Vec<Schedule>,
    /// Every other property, as published (e.g. `image`, `beta:*`), except `@context`.
    pub extra: Map<String, Value>,
    /// What the reader noticed and how it read it (a type read leniently, an implausible
    /// offset, an end before the start…), for the check report. Notes of embedded objects
    /// stay on those objects (see [`Opportunity::all_notes`]).
    pub notes: Vec<String>,
}

impl Opportunity {
    pub(super) fn children_mut(&mut self) -> impl Iterator<Item = &mut Opportunity> {
        let sup = match &mut self.super_event {
            Some(Ref::Embedded(b)) => Some(b.as_mut()),
            _ => None,
        };
        let fac = match &mut self.facility_use {
            Some(Ref::Embedded(b)) => Some(b.as_mut()),
            _ => None,
        };
        sup.into_iter()
            .chain(fac)
            .chain(self.course.as_deref_mut())
            .chain(self.sub_events.iter_mut())
            .chain(self.individual_facility_uses.iter_mut())
    }

    pub(super) fn children_ref(&self) -> impl Iterator<Item = &Opportunity> {
        let sup = match &self.super_event {
            Some(Ref::Embedded(b)) => Some(b.as_ref()),
            _ => None,
        };
        let fac = match &self.facility_use {
            Some(Ref::Embedded(b)) => Some(b.as_ref()),
            _ => None,
        };
        sup.into_iter()
            .chain(fac)
            .chain(self.course.as_deref())
            .chain(self.sub_events.iter())
            .chain(self.individual_facility_uses.iter())
    }

    /// Notes of this object and of every object embedded in it, outermost first.
    pub fn all_notes(&self) -> Vec<String> {
        let mut out = self.notes.clone();
        for c in self.children_ref() {
            out.extend(c.all_notes());
        }
        out
    }

    /// The identity used for joins: `@id`, else nothing.
    pub fn join_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The parent reference: `superEvent`, else `facilityUse` / `aggregateFacilityUse`.
    pub fn parent_ref(&self) -> Option<&Ref<Box<Opportunity>>> {
        self.super_event.as_ref().or(self.facility_use.as_ref())
    }

    /// Whether the effective status is cancelled or postponed.
    pub fn is_cancelled(&self) -> bool {
        matches!(
            self.status,
            Some(EventStatus::Cancelled | EventStatus::Postponed)
        )
    }
}
