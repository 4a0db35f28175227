//! [`OpportunityType`]: the `@type` of an object, read leniently.

use crate::lenient::local_name;

use super::common::clip;

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

impl Default for OpportunityType {
    fn default() -> Self {
        OpportunityType::Other(String::new())
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
