//! [`Opportunity::from_map`]: one object read field by field, moving values out of it.

use serde_json::{Map, Value};

use crate::lenient::{self, into_text, one_or_many};

use super::common::{Ref, non_empty, take_id, take_type};
use super::concepts::{concepts, take_special_requirements, texts_or_labels};
use super::dates::{Schedule, check_end, dated, schedule_notes};
use super::kind::OpportunityType;
use super::opportunity::{EventStatus, Opportunity};
use super::place::Place;
use super::terms::{age_range, gender, offer, organizer};

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
}
