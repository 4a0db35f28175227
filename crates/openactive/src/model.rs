//! The opportunity model, read leniently from JSON-LD `data`: every OpenActive opportunity
//! type, `type`/`@type` and `id`/`@id` aliases, one-or-many values, numbers as strings,
//! legacy pre-2.0 shapes, references given as a URL or an embedded object, unknown fields kept.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use crate::lenient::{self, IsoDuration, into_text, local_name, one_or_many, text};
use crate::occurrence::{AgeRange, ConceptRef, Gender, Offer, Organizer};

/// The `@type` of an object in `data`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OpportunityType {
    /// `SessionSeries`.
    SessionSeries,
    /// `ScheduledSession`.
    ScheduledSession,
    /// `Event` (also legacy `session`).
    Event,
    /// `EventSeries`.
    EventSeries,
    /// `HeadlineEvent`.
    HeadlineEvent,
    /// `CourseInstance`.
    CourseInstance,
    /// `Course` (the `instanceOfCourse` of a CourseInstance).
    Course,
    /// `OnDemandEvent`.
    OnDemandEvent,
    /// `FacilityUse`.
    FacilityUse,
    /// `IndividualFacilityUse`.
    IndividualFacilityUse,
    /// `Slot`.
    Slot,
    /// `Place` (a Place feed item, or a referenced location).
    Place,
    /// Anything else, as published (empty when absent).
    Other(String),
}

impl OpportunityType {
    /// Reads a type name leniently (`"Organization "`, `schema:Event`, `https://schema.org/Event`).
    ///
    /// ```
    /// use openactive::model::OpportunityType;
    /// assert_eq!(OpportunityType::parse("https://openactive.io/ScheduledSession"), OpportunityType::ScheduledSession);
    /// assert_eq!(OpportunityType::parse("session"), OpportunityType::Event);
    /// assert!(!OpportunityType::parse("Order").is_known());
    /// ```
    pub fn parse(s: &str) -> Self {
        Self::read(s).0
    }

    /// Reads a type name as [`OpportunityType::parse`] does, and also accepts the shapes seen
    /// in real feeds, saying how it read them (a note for the report):
    /// - compound types (`SessionSeries.ScheduledSession`, older Open Sessions; the first part
    ///   is the object's own type, the second the type of what it embeds);
    /// - other letter case (`sessionseries`), spaces or separators (`Session Series`), a
    ///   plural, or a small misspelling (`ScheduledSesion`; at most one edit for names up to
    ///   nine letters, two for longer ones).
    ///
    /// ```
    /// use openactive::model::OpportunityType as T;
    /// assert_eq!(T::read("SessionSeries"), (T::SessionSeries, None));
    /// assert_eq!(T::read("schema:Event"), (T::Event, None));
    /// let (t, note) = T::read("SessionSeries.ScheduledSession");
    /// assert_eq!(t, T::SessionSeries);
    /// assert!(note.unwrap().contains("compound"));
    /// assert_eq!(T::read("ScheduledSesion").0, T::ScheduledSession);
    /// assert_eq!(T::read("scheduledsession").0, T::ScheduledSession);
    /// assert_eq!(T::read("Session Series").0, T::SessionSeries);
    /// assert_eq!(T::read("Slots").0, T::Slot);
    /// assert!(!T::read("Order").0.is_known());
    /// assert!(!T::read("Person").0.is_known());
    /// ```
    pub fn read(s: &str) -> (Self, Option<String>) {
        let local = local_name(s);
        if let Some(t) = Self::exact(local) {
            return (t, None);
        }
        if let Some((own, _)) = local.split_once('.')
            && let Some(t) = Self::exact(own).or_else(|| Self::fuzzy(own))
        {
            let note = format!("compound type `{}` read as {}", clip(s), t.name());
            return (t, Some(note));
        }
        match Self::fuzzy(local) {
            Some(t) => {
                let note = format!("type `{}` read as {}", clip(s), t.name());
                (t, Some(note))
            }
            None => (Self::Other(s.trim().to_string()), None),
        }
    }

    /// Canonical spellings and the legacy aliases, matched exactly (after the prefix).
    fn exact(local: &str) -> Option<Self> {
        Some(match local {
            "SessionSeries" => Self::SessionSeries,
            "ScheduledSession" => Self::ScheduledSession,
            "Event" | "session" | "Session" | "SportsEvent" => Self::Event,
            "EventSeries" => Self::EventSeries,
            "HeadlineEvent" => Self::HeadlineEvent,
            "CourseInstance" => Self::CourseInstance,
            "Course" => Self::Course,
            "OnDemandEvent" => Self::OnDemandEvent,
            "FacilityUse" => Self::FacilityUse,
            "IndividualFacilityUse" => Self::IndividualFacilityUse,
            "Slot" => Self::Slot,
            "Place" => Self::Place,
            _ => return None,
        })
    }

    /// Case, separators, plurals and small misspellings.
    fn fuzzy(local: &str) -> Option<Self> {
        const NAMES: [(&str, OpportunityType); 13] = [
            ("sessionseries", OpportunityType::SessionSeries),
            ("scheduledsession", OpportunityType::ScheduledSession),
            ("event", OpportunityType::Event),
            ("sportsevent", OpportunityType::Event),
            ("eventseries", OpportunityType::EventSeries),
            ("headlineevent", OpportunityType::HeadlineEvent),
            ("courseinstance", OpportunityType::CourseInstance),
            ("course", OpportunityType::Course),
            ("ondemandevent", OpportunityType::OnDemandEvent),
            ("facilityuse", OpportunityType::FacilityUse),
            (
                "individualfacilityuse",
                OpportunityType::IndividualFacilityUse,
            ),
            ("slot", OpportunityType::Slot),
            ("place", OpportunityType::Place),
        ];
        if local.len() > 64 {
            return None;
        }
        let norm: String = local
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if norm.is_empty() || norm.len() > 40 {
            return None;
        }
        if norm == "session" {
            return Some(Self::Event);
        }
        let singular = norm.strip_suffix('s').unwrap_or(&norm);
        for (name, t) in &NAMES {
            if norm == *name || singular == *name {
                return Some(t.clone());
            }
        }
        let mut best: Option<(usize, &OpportunityType)> = None;
        for (name, t) in &NAMES {
            let allowed = match name.len() {
                0..=4 => 0,
                5..=9 => 1,
                _ => 2,
            };
            let d = edit_distance(&norm, name);
            if d <= allowed && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, t));
            }
        }
        best.map(|(_, t)| t.clone())
    }

    /// The canonical name (for notes).
    pub fn name(&self) -> &str {
        match self {
            Self::SessionSeries => "SessionSeries",
            Self::ScheduledSession => "ScheduledSession",
            Self::Event => "Event",
            Self::EventSeries => "EventSeries",
            Self::HeadlineEvent => "HeadlineEvent",
            Self::CourseInstance => "CourseInstance",
            Self::Course => "Course",
            Self::OnDemandEvent => "OnDemandEvent",
            Self::FacilityUse => "FacilityUse",
            Self::IndividualFacilityUse => "IndividualFacilityUse",
            Self::Slot => "Slot",
            Self::Place => "Place",
            Self::Other(s) => s,
        }
    }

    /// Whether this is an OpenActive opportunity (or Place) type we understand.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }

    /// Types that describe a series or product rather than a dated occurrence.
    pub fn is_parent_type(&self) -> bool {
        matches!(
            self,
            Self::SessionSeries
                | Self::EventSeries
                | Self::FacilityUse
                | Self::IndividualFacilityUse
                | Self::Course
                | Self::Place
        )
    }
}

/// Feed text quoted in a note: trimmed, at most 80 characters.
fn clip(s: &str) -> String {
    let t = s.trim();
    match t.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// Levenshtein distance over ASCII bytes (names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A reference that is either a URL (`@id`) or an embedded object.
#[derive(Debug, Clone, PartialEq)]
pub enum Ref<T> {
    /// A URL / `@id` to look up.
    Id(String),
    /// The object itself.
    Embedded(T),
}

impl<T> Ref<T> {
    /// The embedded object, if any.
    pub fn embedded(&self) -> Option<&T> {
        match self {
            Ref::Embedded(t) => Some(t),
            Ref::Id(_) => None,
        }
    }
}

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
    fn parse(s: &str) -> Self {
        match local_name(s).to_ascii_lowercase().as_str() {
            "eventscheduled" | "scheduled" => Self::Scheduled,
            "eventcancelled" | "cancelled" | "canceled" | "eventcanceled" => Self::Cancelled,
            "eventpostponed" | "postponed" => Self::Postponed,
            "eventrescheduled" | "rescheduled" => Self::Rescheduled,
            _ => Self::Other,
        }
    }
}

/// A location, after lenient reading (geo is raw here: hygiene happens in the join).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Place {
    /// `@id`.
    pub id: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// Address lines (street, locality, region), or the free-text address.
    pub address: Vec<String>,
    /// `postalCode`, trimmed and upper-cased.
    pub postcode: Option<String>,
    /// `(latitude, longitude)` as published (numbers or numeric strings).
    pub geo: Option<(f64, f64)>,
}

impl Place {
    fn from_value(v: Value) -> Option<Ref<Place>> {
        match v {
            Value::String(s) => {
                let s = s.trim();
                if s.is_empty() {
                    None
                } else if lenient::http_url(s).is_some() {
                    Some(Ref::Id(s.to_string()))
                } else {
                    Some(Ref::Embedded(Place {
                        name: Some(s.to_string()),
                        ..Place::default()
                    }))
                }
            }
            Value::Array(a) => a.into_iter().find_map(Place::from_value),
            Value::Object(mut m) => {
                let id = take_id(&mut m);
                let name = m.remove("name").and_then(into_text);
                let (address, postcode) =
                    m.remove("address").map(address_lines).unwrap_or_default();
                let geo = m.remove("geo").and_then(geo_pair).or_else(|| {
                    let lat = m.get("latitude").and_then(lenient::number)?;
                    let lon = m.get("longitude").and_then(lenient::number)?;
                    Some((lat, lon))
                });
                if id.is_none() && name.is_none() && address.is_empty() && geo.is_none() {
                    return None;
                }
                Some(Ref::Embedded(Place {
                    id,
                    name,
                    address,
                    postcode,
                    geo,
                }))
            }
            _ => None,
        }
    }
}

impl Place {
    /// Whether the place says more than its `@id`.
    pub fn has_content(&self) -> bool {
        self.name.is_some()
            || !self.address.is_empty()
            || self.postcode.is_some()
            || self.geo.is_some()
    }
}

/// A date-time, noting an offset that cannot be right for a UK venue (the instant is kept).
fn dated(text: &str, field: &str, notes: &mut Vec<String>) -> Option<DateTime<FixedOffset>> {
    let t = lenient::datetime(text)?;
    if !lenient::uk_offset(t.offset()) {
        notes.push(format!(
            "`{field}` {text} has offset {}, not a UK offset (the instant is kept)",
            t.offset()
        ));
    }
    Some(t)
}

/// An `endDate` not after `startDate`: the next day when it plausibly crosses midnight (same
/// local date, evening start, small-hours end), otherwise unknown. Either way noted.
fn check_end(
    start: Option<DateTime<FixedOffset>>,
    end: Option<DateTime<FixedOffset>>,
    notes: &mut Vec<String>,
) -> Option<DateTime<FixedOffset>> {
    let (Some(s), Some(e)) = (start, end) else {
        return end;
    };
    if e > s {
        return Some(e);
    }
    if e.date_naive() == s.date_naive() && lenient::crosses_midnight(s.time(), e.time()) {
        notes.push(format!(
            "`endDate` {e} is before `startDate` {s}: read as crossing midnight (next day)"
        ));
        return Some(e + chrono::TimeDelta::days(1));
    }
    notes.push(format!(
        "`endDate` {e} is not after `startDate` {s}: end unknown"
    ));
    None
}

/// Notes on a schedule entry: an `endTime` not after its `startTime`.
fn schedule_notes(s: &Schedule, notes: &mut Vec<String>) {
    let st = s.start_time.as_deref();
    let et = s.end_time.as_deref();
    if let (Some(st), Some(et)) = (st, et) {
        match (lenient::time(st), lenient::time(et)) {
            (Some(a), Some(b)) if b <= a => {
                if lenient::crosses_midnight(a, b) {
                    notes.push(format!(
                        "schedule `endTime` {et} is before `startTime` {st}: read as crossing midnight (next day)"
                    ));
                } else {
                    notes.push(format!(
                        "schedule `endTime` {et} is not after `startTime` {st}: end unknown"
                    ));
                }
            }
            (None, _) => notes.push(format!("schedule `startTime` {} is not a time", clip(st))),
            _ => {}
        }
    }
}

fn geo_pair(v: Value) -> Option<(f64, f64)> {
    let m = v.as_object()?;
    let lat = m.get("latitude").and_then(lenient::number)?;
    let lon = m.get("longitude").and_then(lenient::number)?;
    Some((lat, lon))
}

fn clean_line(s: &str) -> Option<String> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == ',');
    (!t.is_empty()).then(|| t.to_string())
}

/// Address lines and postcode from a PostalAddress object or a free-text address.
fn address_lines(v: Value) -> (Vec<String>, Option<String>) {
    match v {
        Value::String(s) => (clean_line(&s).into_iter().collect(), None),
        Value::Object(m) => {
            let lines = ["streetAddress", "addressLocality", "addressRegion"]
                .iter()
                .filter_map(|k| m.get(*k).and_then(text))
                .filter_map(|s| clean_line(&s))
                .collect();
            let postcode = m.get("postalCode").and_then(text).map(|p| p.to_uppercase());
            (lines, postcode)
        }
        _ => (Vec::new(), None),
    }
}

/// One `eventSchedule` entry (Schedule or PartialSchedule), as published.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schedule {
    /// `@type` was `PartialSchedule`.
    pub partial: bool,
    /// `byDay` values (schema.org URLs or iCal `MO`…), as published.
    pub by_day: Vec<String>,
    /// `byMonthDay`.
    pub by_month_day: Vec<u32>,
    /// `byMonth` (1–12).
    pub by_month: Vec<u32>,
    /// `startDate` (a date, or the date part of a date-time).
    pub start_date: Option<String>,
    /// `endDate`.
    pub end_date: Option<String>,
    /// `startTime` (`HH:MM`).
    pub start_time: Option<String>,
    /// `endTime`.
    pub end_time: Option<String>,
    /// `duration`.
    pub duration: Option<IsoDuration>,
    /// `repeatFrequency`.
    pub repeat_frequency: Option<IsoDuration>,
    /// `repeatCount`.
    pub repeat_count: Option<u32>,
    /// `exceptDate` values as published (dates or date-times).
    pub except_dates: Vec<String>,
    /// `scheduleTimezone` or `beta:timeZone`.
    pub timezone: Option<String>,
    /// `idTemplate`.
    pub id_template: Option<String>,
    /// `urlTemplate`.
    pub url_template: Option<String>,
    /// `scheduledEventType`.
    pub scheduled_event_type: Option<String>,
}

impl Schedule {
    fn from_value(v: Value) -> Option<Schedule> {
        let Value::Object(mut m) = v else {
            return None;
        };
        let ty = take_type(&mut m);
        let texts = |v: Option<Value>| -> Vec<String> {
            v.map(one_or_many)
                .unwrap_or_default()
                .iter()
                .filter_map(text)
                .collect()
        };
        let ints = |v: Option<Value>| -> Vec<u32> {
            v.map(one_or_many)
                .unwrap_or_default()
                .iter()
                .filter_map(lenient::integer)
                .filter_map(|i| u32::try_from(i).ok())
                .collect()
        };
        Some(Schedule {
            partial: ty.is_some_and(|t| local_name(&t).eq_ignore_ascii_case("PartialSchedule")),
            by_day: texts(m.remove("byDay")),
            by_month_day: ints(m.remove("byMonthDay")),
            by_month: ints(m.remove("byMonth")),
            start_date: m.remove("startDate").and_then(into_text),
            end_date: m.remove("endDate").and_then(into_text),
            start_time: m.remove("startTime").and_then(into_text),
            end_time: m.remove("endTime").and_then(into_text),
            duration: m
                .remove("duration")
                .and_then(into_text)
                .and_then(|d| lenient::duration(&d)),
            repeat_frequency: m
                .remove("repeatFrequency")
                .and_then(into_text)
                .and_then(|d| lenient::duration(&d)),
            repeat_count: m
                .remove("repeatCount")
                .as_ref()
                .and_then(lenient::integer)
                .and_then(|i| u32::try_from(i).ok()),
            except_dates: texts(m.remove("exceptDate")),
            timezone: m
                .remove("scheduleTimezone")
                .or_else(|| m.remove("beta:timeZone"))
                .or_else(|| m.remove("timeZone"))
                .and_then(into_text),
            id_template: m.remove("idTemplate").and_then(into_text),
            url_template: m.remove("urlTemplate").and_then(into_text),
            scheduled_event_type: m.remove("scheduledEventType").and_then(into_text),
        })
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

impl Default for OpportunityType {
    fn default() -> Self {
        OpportunityType::Other(String::new())
    }
}

fn take_id(m: &mut Map<String, Value>) -> Option<String> {
    m.remove("@id")
        .and_then(into_text)
        .or_else(|| m.remove("id").and_then(into_text))
}

fn take_type(m: &mut Map<String, Value>) -> Option<String> {
    let t = m.remove("@type").or_else(|| m.remove("type"))?;
    match t {
        Value::Array(a) => a.iter().find_map(text),
        other => into_text(other),
    }
}

fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// A Concept reference (object, `@id` URL string, or a legacy label string).
///
/// ```
/// use openactive::model::concept;
/// use serde_json::json;
/// let c = concept(json!({"type": "Concept", "prefLabel": "Bowls"})).unwrap();
/// assert_eq!((c.id, c.label.as_deref()), (None, Some("Bowls")));
/// let c = concept(json!("https://openactive.io/activity-list#x")).unwrap();
/// assert!(c.id.is_some() && c.label.is_none());
/// assert_eq!(concept(json!("Yoga")).unwrap().label.as_deref(), Some("Yoga"));
/// ```
pub fn concept(v: Value) -> Option<ConceptRef> {
    match v {
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                None
            } else if s.starts_with("http://") || s.starts_with("https://") {
                Some(ConceptRef {
                    id: Some(s.to_string()),
                    label: None,
                })
            } else {
                Some(ConceptRef {
                    id: None,
                    label: Some(s.to_string()),
                })
            }
        }
        Value::Object(mut m) => {
            let id = take_id(&mut m);
            let label = m
                .remove("prefLabel")
                .or_else(|| m.remove("name"))
                .and_then(into_text);
            (id.is_some() || label.is_some()).then_some(ConceptRef { id, label })
        }
        _ => None,
    }
}

fn concepts(v: Value) -> Option<Vec<ConceptRef>> {
    non_empty(one_or_many(v).into_iter().filter_map(concept).collect())
}

/// Takes EMD UK special requirements out of an object, whatever the key's prefix
/// (`emduk:specialRequirements`, `beta:specialRequirements`, `specialRequirements`, the
/// singular `emduk:specialRequirement`, any letter case), keys in sorted order; the same
/// concept given twice is kept once (with a label if either copy has one).
///
/// ```
/// use openactive::model::take_special_requirements;
/// use serde_json::json;
/// let mut m = json!({
///     "emduk:specialRequirement": {"id": "https://data.emduk.org/special-requirements#a", "prefLabel": "GP Referral"},
///     "beta:SpecialRequirements": ["Chair Based", "https://data.emduk.org/special-requirements#a"],
/// }).as_object().unwrap().clone();
/// let got = take_special_requirements(&mut m).unwrap();
/// assert_eq!(got.len(), 2);
/// assert_eq!(got[0].label.as_deref(), Some("Chair Based"));
/// assert_eq!(got[1].label.as_deref(), Some("GP Referral")); // the label from the other key
/// assert!(m.is_empty());
/// ```
pub fn take_special_requirements(m: &mut Map<String, Value>) -> Option<Vec<ConceptRef>> {
    let mut keys: Vec<String> = m
        .keys()
        .filter(|k| {
            let l = local_name(k).to_ascii_lowercase();
            l == "specialrequirements" || l == "specialrequirement"
        })
        .cloned()
        .collect();
    keys.sort();
    let mut out: Vec<ConceptRef> = Vec::new();
    for k in keys {
        for c in m
            .remove(&k)
            .map(one_or_many)
            .unwrap_or_default()
            .into_iter()
            .filter_map(concept)
        {
            let same = out.iter_mut().find(|x| {
                (x.id.is_some() && x.id == c.id)
                    || (x.id.is_none() && c.id.is_none() && x.label == c.label)
            });
            match same {
                Some(x) if x.label.is_none() => x.label = c.label,
                Some(_) => {}
                None => out.push(c),
            }
        }
    }
    non_empty(out)
}

/// Reads `genderRestriction`, including legacy values.
///
/// ```
/// use openactive::model::gender;
/// use openactive::Gender;
/// assert_eq!(gender("http://openactive.io/ns#None"), Some(Gender::NoRestriction));
/// assert_eq!(gender("mixed"), Some(Gender::NoRestriction));
/// assert_eq!(gender("https://openactive.io/FemaleOnly"), Some(Gender::FemaleOnly));
/// assert_eq!(gender("oa:MaleOnly"), Some(Gender::MaleOnly));
/// assert_eq!(gender("robots"), None);
/// ```
pub fn gender(s: &str) -> Option<Gender> {
    match local_name(s).to_ascii_lowercase().as_str() {
        "norestriction" | "none" | "mixed" | "any" | "all" => Some(Gender::NoRestriction),
        "maleonly" | "male" | "men" => Some(Gender::MaleOnly),
        "femaleonly" | "female" | "women" => Some(Gender::FemaleOnly),
        _ => None,
    }
}

fn offer(v: Value) -> Option<Offer> {
    let Value::Object(m) = v else {
        return None;
    };
    let price = m.get("price").and_then(lenient::number);
    let mut currency = m.get("priceCurrency").and_then(text);
    if currency.is_none() && price == Some(0.0) {
        currency = Some("GBP".to_string());
    }
    let o = Offer {
        name: m.get("name").and_then(text),
        price,
        currency,
        url: m
            .get("url")
            .and_then(Value::as_str)
            .and_then(lenient::http_url),
    };
    (o.name.is_some() || o.price.is_some() || o.url.is_some()).then_some(o)
}

fn organizer(v: Value) -> Option<Organizer> {
    let m = match v {
        Value::Object(m) => m,
        Value::Array(a) => return a.into_iter().find_map(organizer),
        Value::String(s) => {
            return lenient::http_url(&s).map(|url| Organizer {
                url: Some(url),
                ..Organizer::default()
            });
        }
        _ => return None,
    };
    let name = m.get("name").and_then(text).or_else(|| {
        let given = m.get("givenName").and_then(text);
        let family = m.get("familyName").and_then(text);
        match (given, family) {
            (Some(g), Some(f)) => Some(format!("{g} {f}")),
            (g, f) => g.or(f),
        }
    });
    let o = Organizer {
        name,
        url: m
            .get("url")
            .and_then(Value::as_str)
            .and_then(lenient::http_url),
        email: m.get("email").and_then(text),
        telephone: m.get("telephone").and_then(text),
    };
    (o != Organizer::default()).then_some(o)
}

fn age_range(v: Value) -> Option<AgeRange> {
    let Value::Object(m) = v else {
        return None;
    };
    let bound = |k: &str| {
        m.get(k)
            .and_then(lenient::integer)
            .and_then(|i| u32::try_from(i).ok())
    };
    Some(AgeRange {
        min: bound("minValue"),
        max: bound("maxValue"),
        declared: true,
    })
}

fn texts_or_labels(v: Value) -> Option<Vec<String>> {
    non_empty(
        one_or_many(v)
            .into_iter()
            .filter_map(|x| match x {
                Value::Object(m) => m.get("prefLabel").or_else(|| m.get("name")).and_then(text),
                other => into_text(other),
            })
            .collect(),
    )
}

fn sub_ref(v: Value) -> Option<Ref<Box<Opportunity>>> {
    match v {
        Value::String(_) | Value::Number(_) => into_text(v).map(Ref::Id),
        Value::Object(m) => Some(Ref::Embedded(Box::new(Opportunity::from_map(m)))),
        Value::Array(a) => a.into_iter().find_map(sub_ref),
        _ => None,
    }
}

fn children(v: Value) -> Vec<Opportunity> {
    one_or_many(v)
        .into_iter()
        .filter_map(|x| match x {
            Value::Object(m) => Some(Opportunity::from_map(m)),
            _ => None,
        })
        .collect()
}

impl Opportunity {
    /// Reads an opportunity from a parsed JSON object, moving values out of it.
    pub fn from_map(mut m: Map<String, Value>) -> Opportunity {
        // The JSON-LD context says nothing about this opportunity and is repeated on every
        // item: not kept (it would cost a few hundred bytes per item in `extra`).
        m.remove("@context");
        let mut notes = Vec::new();
        let kind = take_type(&mut m)
            .map(|t| {
                let (kind, note) = OpportunityType::read(&t);
                notes.extend(note);
                kind
            })
            .unwrap_or_default();
        let id = take_id(&mut m);
        let s = |m: &mut Map<String, Value>, k: &str| m.remove(k).and_then(into_text);
        let first_int = |m: &mut Map<String, Value>, keys: &[&str]| {
            keys.iter()
                .find_map(|k| m.remove(*k).as_ref().and_then(lenient::integer))
        };
        let identifier = s(&mut m, "identifier");
        let name = s(&mut m, "name");
        let description = s(&mut m, "description");
        let url = s(&mut m, "url").and_then(|u| lenient::http_url(&u));
        let start = s(&mut m, "startDate").and_then(|d| dated(&d, "startDate", &mut notes));
        let end = s(&mut m, "endDate").and_then(|d| dated(&d, "endDate", &mut notes));
        let end = check_end(start, end, &mut notes);
        let duration = s(&mut m, "duration")
            .and_then(|d| lenient::duration(&d))
            .filter(|d| !d.is_zero());
        let activities = m.remove("activity").and_then(concepts);
        let location = m.remove("location").and_then(Place::from_value);
        let organizer = m
            .remove("organizer")
            .and_then(organizer)
            .or_else(|| m.remove("provider").and_then(organizer));
        let offers = m
            .remove("offers")
            .or_else(|| m.remove("offer"))
            .and_then(|v| non_empty(one_or_many(v).into_iter().filter_map(offer).collect()));
        let age_range = m.remove("ageRange").and_then(age_range);
        let gender = m
            .remove("genderRestriction")
            .and_then(into_text)
            .and_then(|g| gender(&g));
        let levels = m.remove("level").and_then(texts_or_labels);
        let accessibility = m.remove("accessibilitySupport").and_then(concepts);
        let accessibility_information = s(&mut m, "accessibilityInformation");
        let wheelchair = m
            .remove("beta:isWheelchairAccessible")
            .as_ref()
            .and_then(lenient::boolean);
        let special_requirements = take_special_requirements(&mut m);
        let is_free = m
            .remove("isAccessibleForFree")
            .as_ref()
            .and_then(lenient::boolean);
        let status = s(&mut m, "eventStatus").map(|x| EventStatus::parse(&x));
        let remaining = first_int(&mut m, &["remainingAttendeeCapacity", "remainingUses"]);
        let maximum = first_int(&mut m, &["maximumAttendeeCapacity", "maximumUses"]);
        let attendee_instructions = s(&mut m, "attendeeInstructions");
        let meeting_point = s(&mut m, "meetingPoint");
        // Either equipment (text / Product objects) or a RequiredStatus URL: keep only text.
        let what_to_bring = m
            .remove("beta:participantSuppliedEquipment")
            .and_then(texts_or_labels)
            .map(|v| {
                v.into_iter()
                    .filter(|t| lenient::http_url(t).is_none())
                    .collect::<Vec<_>>()
            })
            .and_then(non_empty);
        let super_event = m.remove("superEvent").and_then(sub_ref);
        let facility_use = m
            .remove("facilityUse")
            .or_else(|| m.remove("aggregateFacilityUse"))
            .and_then(sub_ref);
        let course = match m.remove("instanceOfCourse") {
            Some(Value::Object(c)) => Some(Box::new(Opportunity::from_map(c))),
            Some(other) => {
                m.insert("instanceOfCourse".into(), other);
                None
            }
            None => None,
        };
        let mut sub_events = m.remove("subEvent").map(children).unwrap_or_default();
        if matches!(
            kind,
            OpportunityType::FacilityUse | OpportunityType::IndividualFacilityUse
        ) {
            sub_events.extend(m.remove("event").map(children).unwrap_or_default());
        }
        let individual_facility_uses = m
            .remove("individualFacilityUse")
            .map(children)
            .unwrap_or_default();
        let schedules: Vec<Schedule> = m
            .remove("eventSchedule")
            .map(|v| {
                one_or_many(v)
                    .into_iter()
                    .filter_map(Schedule::from_value)
                    .collect()
            })
            .unwrap_or_default();
        for sc in &schedules {
            schedule_notes(sc, &mut notes);
        }
        Opportunity {
            kind,
            id,
            identifier,
            name,
            description,
            url,
            start,
            end,
            duration,
            activities,
            location,
            organizer,
            offers,
            age_range,
            gender,
            levels,
            accessibility,
            accessibility_information,
            wheelchair,
            special_requirements,
            is_free,
            status,
            remaining,
            maximum,
            attendee_instructions,
            meeting_point,
            what_to_bring,
            super_event,
            facility_use,
            course,
            sub_events,
            individual_facility_uses,
            schedules,
            extra: m,
            notes,
        }
    }

    /// Reads a whole `data` document: [`Opportunity::from_map`], then locations given only as
    /// a reference (`"location": "https://…/places/1"` or `{"@id": …}` alone) are filled in
    /// from a Place with that `@id` elsewhere in the same document (another object's
    /// `location`, an embedded parent or child, or a top-level property such as `@graph`).
    pub fn from_document(m: Map<String, Value>) -> Opportunity {
        let mut o = Opportunity::from_map(m);
        if !o.has_bare_location() {
            return o;
        }
        let mut places: Vec<Place> = Vec::new();
        o.collect_places(&mut places);
        for v in o.extra.values() {
            let xs: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for x in xs {
                let is_place = x
                    .get("@type")
                    .or_else(|| x.get("type"))
                    .and_then(Value::as_str)
                    .is_some_and(|t| local_name(t).eq_ignore_ascii_case("Place"));
                if is_place && let Some(Ref::Embedded(p)) = Place::from_value(x.clone()) {
                    places.push(p);
                }
            }
        }
        places.retain(|p| p.id.is_some() && p.has_content());
        if !places.is_empty() {
            o.fill_places(&places);
        }
        o
    }

    fn children_mut(&mut self) -> impl Iterator<Item = &mut Opportunity> {
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

    fn children_ref(&self) -> impl Iterator<Item = &Opportunity> {
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

    /// Whether this object or one embedded in it gives its location only by `@id`.
    fn has_bare_location(&self) -> bool {
        match &self.location {
            Some(Ref::Id(_)) => return true,
            Some(Ref::Embedded(p)) if !p.has_content() => return true,
            _ => {}
        }
        self.children_ref().any(Opportunity::has_bare_location)
    }

    fn collect_places(&self, out: &mut Vec<Place>) {
        if let Some(Ref::Embedded(p)) = &self.location {
            out.push(p.clone());
        }
        for c in self.children_ref() {
            c.collect_places(out);
        }
    }

    fn fill_places(&mut self, places: &[Place]) {
        let wanted = match &self.location {
            Some(Ref::Id(id)) => Some(id.clone()),
            Some(Ref::Embedded(p)) if !p.has_content() => p.id.clone(),
            _ => None,
        };
        if let Some(id) = wanted
            && let Some(p) = places.iter().find(|p| p.id.as_deref() == Some(id.as_str()))
        {
            self.location = Some(Ref::Embedded(p.clone()));
        }
        for c in self.children_mut() {
            c.fill_places(places);
        }
    }

    /// Notes of this object and of every object embedded in it, outermost first.
    pub fn all_notes(&self) -> Vec<String> {
        let mut out = self.notes.clone();
        for c in self.children_ref() {
            out.extend(c.all_notes());
        }
        out
    }

    /// Reads an opportunity from JSON text (e.g. an item's raw `data`).
    ///
    /// ```
    /// use openactive::model::{Opportunity, OpportunityType};
    /// let o = Opportunity::from_json(r#"{"type":"Slot","id":"https://x/1","remainingUses":"0",
    ///   "facilityUse":"https://x/fu","offer":{"price":"0.00"},"beta:x":1}"#).unwrap();
    /// assert_eq!(o.kind, OpportunityType::Slot);
    /// assert_eq!(o.remaining, Some(0));
    /// assert_eq!(o.offers.unwrap()[0].currency.as_deref(), Some("GBP"));
    /// assert!(o.extra.contains_key("beta:x"));
    /// ```
    pub fn from_json(text: &str) -> Result<Opportunity, serde_json::Error> {
        let m: Map<String, Value> = serde_json::from_str(text)?;
        Ok(Opportunity::from_document(m))
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
