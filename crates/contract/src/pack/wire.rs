//! The private wire structs of a pack and its detail chunk (postcard: field order is the
//! format), and the codes of kinds, genders and flags.

use chrono::{DateTime, FixedOffset};
use openactive::{Gender, OpportunityKind};
use serde::{Deserialize, Serialize};

use super::PackError;

#[derive(Serialize, Deserialize, Default)]
pub(super) struct Core {
    pub(super) strings: Vec<String>,
    pub(super) activities: Vec<WireActivity>,
    pub(super) details: Vec<WireDetails>,
    pub(super) occurrences: Vec<WireOcc>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireActivity {
    pub(super) id: u32,
    pub(super) label: Option<u32>,
    /// Every broader activity, transitively (indices into `activities`).
    pub(super) broader: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireConcept {
    pub(super) id: Option<u32>,
    pub(super) label: Option<u32>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireVenue {
    pub(super) id: Option<u32>,
    pub(super) name: Option<u32>,
    pub(super) address: Vec<u32>,
    pub(super) postcode: Option<u32>,
    pub(super) geo: Option<(f64, f64)>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireOffer {
    pub(super) name: Option<u32>,
    pub(super) price: Option<f64>,
    pub(super) currency: Option<u32>,
    pub(super) url: Option<u32>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireDetails {
    pub(super) series_key: Option<u32>,
    pub(super) name: u32,
    pub(super) description: Option<u32>,
    pub(super) activities: Vec<WireConcept>,
    pub(super) venue: WireVenue,
    pub(super) offers: Vec<WireOffer>,
    pub(super) free: bool,
    pub(super) age_min: Option<u32>,
    pub(super) age_max: Option<u32>,
    pub(super) age_declared: bool,
    pub(super) gender: u8,
    pub(super) levels: Vec<u32>,
    pub(super) accessibility: Vec<WireConcept>,
    pub(super) wheelchair: Option<bool>,
    /// The organiser's name (`Some(None)`: an organiser without a name).
    pub(super) organizer: Option<Option<u32>>,
}

/// What only a session page shows, for one details (in a detail chunk).
#[derive(Serialize, Deserialize)]
pub(super) struct WireExtra {
    pub(super) accessibility_information: Option<u32>,
    pub(super) organizer_url: Option<u32>,
    pub(super) organizer_email: Option<u32>,
    pub(super) organizer_telephone: Option<u32>,
    pub(super) attendee_instructions: Option<u32>,
    pub(super) what_to_bring: Vec<u32>,
    pub(super) meeting_point: Option<u32>,
}

#[derive(Serialize, Deserialize, Default)]
pub(super) struct More {
    pub(super) details: Vec<WireMore>,
    /// Distinct last-changed times (Unix seconds), referenced by `updated`.
    pub(super) times: Vec<i64>,
    /// Per occurrence, in the core's order: an index into `times`.
    pub(super) updated: Vec<Option<u32>>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireMore {
    pub(super) special_requirements: Vec<WireConcept>,
    pub(super) schedule: Option<WireRule>,
    /// (Unix seconds, UTC offset seconds).
    pub(super) listed_until: Option<(i64, i32)>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireRule {
    pub(super) rrule: u32,
    pub(super) start_time: u32,
    pub(super) duration_minutes: Option<u32>,
    pub(super) timezone: u32,
    pub(super) start_date: Option<u32>,
    pub(super) end_date: Option<u32>,
    pub(super) except_dates: Vec<u32>,
}

#[derive(Serialize, Deserialize, Default)]
pub(super) struct Chunk {
    pub(super) strings: Vec<String>,
    pub(super) extras: Vec<WireExtra>,
}

#[derive(Serialize, Deserialize)]
pub(super) enum WireKey {
    /// `series_key + "#" + start.to_rfc3339()`.
    Schedule,
    /// A shared prefix (string index) and the rest.
    Split(u32, String),
}

#[derive(Serialize, Deserialize)]
pub(super) struct WireOcc {
    pub(super) key: WireKey,
    pub(super) feed: u32,
    pub(super) kind: u8,
    /// Seconds since the previous occurrence's start (the first: since the epoch).
    pub(super) start_delta: i64,
    /// UTC offset of the start, seconds.
    pub(super) offset: i32,
    /// End as (seconds after the start, UTC offset seconds).
    pub(super) end: Option<(i64, i32)>,
    pub(super) flags: u8,
    pub(super) remaining: Option<i64>,
    pub(super) maximum: Option<i64>,
    pub(super) url: Option<u32>,
    pub(super) details: u32,
}

pub(super) const CANCELLED: u8 = 1;
pub(super) const FROM_SCHEDULE: u8 = 2;
pub(super) const PROVISIONAL: u8 = 4;
pub(super) const BOOKING_GRID: u8 = 8;

pub(super) fn kind_code(k: OpportunityKind) -> u8 {
    match k {
        OpportunityKind::Session => 0,
        OpportunityKind::Event => 1,
        OpportunityKind::HeadlineEvent => 2,
        OpportunityKind::Course => 3,
        OpportunityKind::FacilitySlot => 4,
        OpportunityKind::OnDemand => 5,
    }
}

pub(super) fn kind_of(c: u8) -> Result<OpportunityKind, PackError> {
    Ok(match c {
        0 => OpportunityKind::Session,
        1 => OpportunityKind::Event,
        2 => OpportunityKind::HeadlineEvent,
        3 => OpportunityKind::Course,
        4 => OpportunityKind::FacilitySlot,
        5 => OpportunityKind::OnDemand,
        _ => return Err(PackError::Corrupt("unknown kind")),
    })
}

pub(super) fn gender_code(g: Gender) -> u8 {
    match g {
        Gender::NoRestriction => 0,
        Gender::MaleOnly => 1,
        Gender::FemaleOnly => 2,
        Gender::Unspecified => 3,
    }
}

pub(super) fn gender_of(c: u8) -> Result<Gender, PackError> {
    Ok(match c {
        0 => Gender::NoRestriction,
        1 => Gender::MaleOnly,
        2 => Gender::FemaleOnly,
        3 => Gender::Unspecified,
        _ => return Err(PackError::Corrupt("unknown gender")),
    })
}

/// The key a schedule-expanded occurrence gets in the join.
pub(super) fn schedule_key(series: &str, start: &DateTime<FixedOffset>) -> String {
    format!("{series}#{}", start.to_rfc3339())
}
