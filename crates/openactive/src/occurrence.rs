//! The normalised, joined view of one dated opportunity: what the finder indexes and shows.
//!
//! An [`Occurrence`] is produced by the join ([`crate::join::Store::occurrences`]) from a
//! ScheduledSession/Event/Slot/… and everything it inherits from its parents, or from one
//! expanded `eventSchedule` entry of a series that publishes no child feed. All text is
//! untrusted feed text: render it as text only. URLs here are already filtered to http(s).

use chrono::{DateTime, FixedOffset, Utc};

use serde::{Deserialize, Serialize};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// Which OpenActive type the occurrence came from (after inheritance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OpportunityKind {
    /// A ScheduledSession (or an occurrence expanded from a SessionSeries schedule).
    Session,
    /// A stand-alone Event, or an Event inside a HeadlineEvent / EventSeries.
    Event,
    /// A HeadlineEvent with its own start date.
    HeadlineEvent,
    /// A CourseInstance (or an Event that is part of one).
    Course,
    /// A Slot of a FacilityUse / IndividualFacilityUse (opt-in in the finder).
    FacilitySlot,
    /// An OnDemandEvent (no place, no start date; not listed as an occurrence).
    OnDemand,
}

/// Gender restriction with the spec's values; `Unspecified` when the data says nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Gender {
    /// `https://openactive.io/NoRestriction` (and legacy "mixed" / `oa:None`).
    NoRestriction,
    /// `https://openactive.io/MaleOnly`.
    MaleOnly,
    /// `https://openactive.io/FemaleOnly`.
    FemaleOnly,
    /// Absent or unrecognised. The finder treats this as no restriction (data-models rule).
    #[default]
    Unspecified,
}

/// `ageRange` as published. `None` on both ends with `declared == false` means the data said
/// nothing: the Modelling spec's consumer default is "adults only" (as if `min == 18`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgeRange {
    /// Inclusive minimum age, if published.
    pub min: Option<u32>,
    /// Inclusive maximum age, if published.
    pub max: Option<u32>,
    /// Whether the feed published an `ageRange` at all.
    pub declared: bool,
}

/// A reference to a concept in a controlled vocabulary (Activity List, accessibility support).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConceptRef {
    /// The concept's `@id` when the feed gave one (or when a legacy label was matched to it).
    pub id: Option<String>,
    /// The label the feed gave (may be stale; show the vocabulary's current label when known).
    pub label: Option<String>,
}

/// One price option.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// `name`, e.g. "Adult" or "Concession".
    pub name: Option<String>,
    /// `price`; numbers published as strings are accepted.
    pub price: Option<f64>,
    /// `priceCurrency` (GBP assumed when the price is 0 and it is missing).
    pub currency: Option<String>,
    /// `url` of the offer (http(s) only).
    pub url: Option<String>,
}

/// Where it happens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Venue {
    /// The Place `@id`, when present (used to group occurrences by venue on the map).
    pub id: Option<String>,
    /// Place name.
    pub name: Option<String>,
    /// Address lines (street, locality, region), in order, non-empty.
    pub address: Vec<String>,
    /// Postal code as published, trimmed and upper-cased.
    pub postcode: Option<String>,
    /// Latitude/longitude after hygiene (swapped values swapped back, implausible ones dropped).
    pub geo: Option<(f64, f64)>,
}

/// Who runs it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Organizer {
    /// Organisation or person name.
    pub name: Option<String>,
    /// Web site (http(s) only).
    pub url: Option<String>,
    /// Contact email.
    pub email: Option<String>,
    /// Contact telephone.
    pub telephone: Option<String>,
}

/// Where the data came from: shown as "Source: publisher" on every session (CC BY 4.0).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Dataset {
    /// Publisher name, e.g. "Better".
    pub publisher: String,
    /// Dataset Site URL (the attribution link).
    pub url: Option<String>,
    /// Licence URL (normally CC BY 4.0).
    pub license: Option<String>,
}

/// What an occurrence inherits from its chain (own object, then its parents): everything
/// shown about it except its date, identity and capacity. Occurrences of one series share one
/// `Details` (behind an `Arc`), so 100,000 sessions of 5,000 series hold 5,000 copies of the
/// text, not 100,000.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    /// The immediate parent's `@id` (SessionSeries, FacilityUse, CourseInstance…), if any.
    pub series_key: Option<String>,
    /// Display name (own name, else inherited, else the first activity label).
    pub name: String,
    /// Plain-text description.
    pub description: Option<String>,
    /// Activities (effective, inherited when the child has none).
    pub activities: Vec<ConceptRef>,
    /// Where.
    pub venue: Venue,
    /// Prices.
    pub offers: Vec<Offer>,
    /// `isAccessibleForFree`, or every offer has price 0.
    pub free: bool,
    /// Age range.
    pub age_range: AgeRange,
    /// Gender restriction.
    pub gender: Gender,
    /// `level` values as text (e.g. "Beginner").
    pub levels: Vec<String>,
    /// `accessibilitySupport` concepts.
    pub accessibility: Vec<ConceptRef>,
    /// `accessibilityInformation` text.
    pub accessibility_information: Option<String>,
    /// `beta:isWheelchairAccessible`.
    pub wheelchair: Option<bool>,
    /// Organiser (or FacilityUse `provider`).
    pub organizer: Option<Organizer>,
    /// `attendeeInstructions`.
    pub attendee_instructions: Option<String>,
    /// `beta:participantSuppliedEquipment` / what to bring, as text lines.
    pub what_to_bring: Vec<String>,
    /// `meetingPoint`.
    pub meeting_point: Option<String>,
    /// EMD UK `specialRequirements` (GP referral, chair based…), inherited.
    pub special_requirements: Vec<ConceptRef>,
    /// The series' timetable when it publishes one (its first readable `eventSchedule`).
    pub schedule: Option<ScheduleRule>,
    /// How far ahead the publisher lists dates for this series: the furthest start seen for
    /// it (also beyond the look-ahead), or the last date of its timetable; `None` when a
    /// timetable has no end or nothing is known beyond the listed occurrences.
    pub listed_until: Option<DateTime<FixedOffset>>,
}

impl Default for Details {
    fn default() -> Self {
        Details {
            series_key: None,
            name: String::new(),
            description: None,
            activities: Vec::new(),
            venue: Venue::default(),
            offers: Vec::new(),
            free: false,
            age_range: AgeRange::default(),
            gender: Gender::Unspecified,
            levels: Vec::new(),
            accessibility: Vec::new(),
            accessibility_information: None,
            wheelchair: None,
            organizer: None,
            attendee_instructions: None,
            what_to_bring: Vec::new(),
            meeting_point: None,
            special_requirements: Vec::new(),
            schedule: None,
            listed_until: None,
        }
    }
}

/// One dated opportunity, fully joined with its parents.
///
/// The inherited fields live in the shared [`Details`] and read through `Deref`
/// (`occurrence.venue`, `occurrence.name`…); writing one (`DerefMut`) copies the details first,
/// so other occurrences of the series are not changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// Stable key: the occurrence's `@id`, or for schedule-expanded ones the parent `@id`
    /// plus `#` and the start instant in RFC 3339.
    pub key: String,
    /// Index of the feed (as given to the store) the occurrence's own item came from.
    pub feed: usize,
    /// Opportunity kind.
    pub kind: OpportunityKind,
    /// Start instant with the publisher's offset.
    pub start: DateTime<FixedOffset>,
    /// End instant, from `endDate` or `startDate + duration`.
    pub end: Option<DateTime<FixedOffset>>,
    /// `eventStatus` was EventCancelled or EventPostponed (hidden by default).
    pub cancelled: bool,
    /// `remainingAttendeeCapacity` / `remainingUses` when published.
    pub remaining_capacity: Option<i64>,
    /// `maximumAttendeeCapacity` / `maximumUses` when published.
    pub maximum_capacity: Option<i64>,
    /// Booking or more-information page (own `url`, else the parent's), http(s) only.
    pub url: Option<String>,
    /// Generated from an `eventSchedule` rather than published as an item.
    pub from_schedule: bool,
    /// The schedule was a PartialSchedule: details may change.
    pub provisional: bool,
    /// Part of a booking grid (the same session repeated every few minutes): list it once.
    pub booking_grid: bool,
    /// When the occurrence's own item last changed: its RPDE `modified` when that is a
    /// timestamp, else its `dateModified`, else when the consumer first saw this version
    /// ([`crate::join::Store::note_item_times`]); `None` when none is known.
    pub updated: Option<DateTime<Utc>>,
    /// Everything inherited, shared with the other occurrences of the same chain.
    pub details: Arc<Details>,
}

impl Deref for Occurrence {
    type Target = Details;
    fn deref(&self) -> &Details {
        &self.details
    }
}

impl DerefMut for Occurrence {
    fn deref_mut(&mut self) -> &mut Details {
        Arc::make_mut(&mut self.details)
    }
}

impl Occurrence {
    /// Full when the publisher says no places remain.
    pub fn is_full(&self) -> bool {
        self.remaining_capacity == Some(0)
    }
}

/// A series' timetable in a normalised, compact form: what a finder pack carries so a session
/// page can say "every Monday and Thursday, 19:00" and a calendar file can repeat it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScheduleRule {
    /// An RFC 5545 `RRULE` value with `FREQ`, `INTERVAL`, `BYDAY` / `BYMONTHDAY` / `BYMONTH`
    /// and `COUNT` as published; the end date is [`ScheduleRule::end_date`] (a calendar
    /// writer turns it into `UNTIL` in its own time zone form).
    pub rrule: String,
    /// Local start time, `HH:MM`.
    pub start_time: String,
    /// Length in minutes, from `endTime` (across midnight when plausible) or `duration`.
    pub duration_minutes: Option<u32>,
    /// IANA time zone of the wall-clock times (`Europe/London` unless the schedule says).
    pub timezone: String,
    /// First date, `YYYY-MM-DD`.
    pub start_date: Option<String>,
    /// Last date, `YYYY-MM-DD`, inclusive.
    pub end_date: Option<String>,
    /// Local dates without a session, `YYYY-MM-DD` (a date-time `exceptDate` gives its local
    /// date).
    pub except_dates: Vec<String>,
}
