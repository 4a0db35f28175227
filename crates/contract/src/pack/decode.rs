//! A pack back into occurrences sharing their details, and a detail chunk into
//! [`DetailExtra`]s; every index checked, never a panic.

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use openactive::schedule::ScheduleRule;
use openactive::{AgeRange, ConceptRef, Details, Occurrence, Offer, Organizer, Venue};

use super::sections::{optional_section, section};
use super::wire::{
    BOOKING_GRID, CANCELLED, Chunk, Core, FROM_SCHEDULE, More, PROVISIONAL, WireConcept, WireKey,
    gender_of, kind_of, schedule_key,
};
use super::{
    Decoded, DetailExtra, PackError, PackVocab, SECTION_CORE, SECTION_DETAILS, SECTION_MORE,
};

/// Decodes a detail chunk: one entry per details of its pack, in the pack's order
/// ([`Decoded::details`]).
pub fn decode_details(bytes: &[u8]) -> Result<Vec<DetailExtra>, PackError> {
    let chunk: Chunk = postcard::from_bytes(section(bytes, SECTION_DETAILS)?)
        .map_err(|_| PackError::Corrupt("the detail section does not decode"))?;
    let strings = &chunk.strings;
    let opt = |i: Option<u32>| -> Result<Option<String>, PackError> {
        i.map(|i| {
            strings
                .get(i as usize)
                .cloned()
                .ok_or(PackError::Corrupt("string index out of range"))
        })
        .transpose()
    };
    chunk
        .extras
        .iter()
        .map(|w| {
            Ok(DetailExtra {
                accessibility_information: opt(w.accessibility_information)?,
                organizer_url: opt(w.organizer_url)?,
                organizer_email: opt(w.organizer_email)?,
                organizer_telephone: opt(w.organizer_telephone)?,
                attendee_instructions: opt(w.attendee_instructions)?,
                what_to_bring: w
                    .what_to_bring
                    .iter()
                    .map(|&i| opt(Some(i)).map(Option::unwrap_or_default))
                    .collect::<Result<_, _>>()?,
                meeting_point: opt(w.meeting_point)?,
            })
        })
        .collect()
}

/// Decodes a pack into occurrences (with shared details) and its activities.
pub fn decode(bytes: &[u8]) -> Result<Decoded, PackError> {
    let core: Core = postcard::from_bytes(section(bytes, SECTION_CORE)?)
        .map_err(|_| PackError::Corrupt("the data section does not decode"))?;
    let more: More = match optional_section(bytes, SECTION_MORE)? {
        Some(b) => postcard::from_bytes(b)
            .map_err(|_| PackError::Corrupt("the added-fields section does not decode"))?,
        None => More::default(),
    };
    let has_more = !more.details.is_empty() || !more.updated.is_empty();
    if has_more
        && (more.details.len() != core.details.len()
            || more.updated.len() != core.occurrences.len())
    {
        return Err(PackError::Corrupt("the added fields do not match the data"));
    }
    let strings = &core.strings;
    let get = |i: u32| -> Result<&str, PackError> {
        strings
            .get(i as usize)
            .map(String::as_str)
            .ok_or(PackError::Corrupt("string index out of range"))
    };
    let opt = |i: Option<u32>| -> Result<Option<String>, PackError> {
        i.map(|i| get(i).map(str::to_string)).transpose()
    };
    let all = |v: &[u32]| -> Result<Vec<String>, PackError> {
        v.iter().map(|&i| get(i).map(str::to_string)).collect()
    };
    let concepts = |v: &[WireConcept]| -> Result<Vec<ConceptRef>, PackError> {
        v.iter()
            .map(|c| {
                Ok(ConceptRef {
                    id: opt(c.id)?,
                    label: opt(c.label)?,
                })
            })
            .collect()
    };
    let mut vocab = PackVocab::default();
    for a in &core.activities {
        let broader = a
            .broader
            .iter()
            .map(|&b| {
                core.activities
                    .get(b as usize)
                    .ok_or(PackError::Corrupt("activity index out of range"))
                    .and_then(|w| get(w.id).map(str::to_string))
            })
            .collect::<Result<Vec<_>, _>>()?;
        vocab
            .entries
            .insert(get(a.id)?.to_string(), (opt(a.label)?, broader));
    }
    let at = |secs: i64, offset: i32| -> Result<DateTime<FixedOffset>, PackError> {
        let tz = FixedOffset::east_opt(offset).ok_or(PackError::Corrupt("bad offset"))?;
        tz.timestamp_opt(secs, 0)
            .single()
            .ok_or(PackError::Corrupt("time out of range"))
    };
    let mut details = Vec::with_capacity(core.details.len());
    for (i, d) in core.details.iter().enumerate() {
        let m = more.details.get(i);
        details.push(Arc::new(Details {
            special_requirements: m
                .map(|m| concepts(&m.special_requirements))
                .transpose()?
                .unwrap_or_default(),
            schedule: m
                .and_then(|m| m.schedule.as_ref())
                .map(|r| {
                    Ok::<_, PackError>(ScheduleRule {
                        rrule: get(r.rrule)?.to_string(),
                        start_time: get(r.start_time)?.to_string(),
                        duration_minutes: r.duration_minutes,
                        timezone: get(r.timezone)?.to_string(),
                        start_date: opt(r.start_date)?,
                        end_date: opt(r.end_date)?,
                        except_dates: all(&r.except_dates)?,
                    })
                })
                .transpose()?,
            listed_until: m
                .and_then(|m| m.listed_until)
                .map(|(t, o)| at(t, o))
                .transpose()?,
            series_key: opt(d.series_key)?,
            name: get(d.name)?.to_string(),
            description: opt(d.description)?,
            activities: concepts(&d.activities)?,
            venue: Venue {
                id: opt(d.venue.id)?,
                name: opt(d.venue.name)?,
                address: all(&d.venue.address)?,
                postcode: opt(d.venue.postcode)?,
                geo: d.venue.geo,
            },
            offers: d
                .offers
                .iter()
                .map(|o| {
                    Ok(Offer {
                        name: opt(o.name)?,
                        price: o.price,
                        currency: opt(o.currency)?,
                        url: opt(o.url)?,
                    })
                })
                .collect::<Result<_, PackError>>()?,
            free: d.free,
            age_range: AgeRange {
                min: d.age_min,
                max: d.age_max,
                declared: d.age_declared,
            },
            gender: gender_of(d.gender)?,
            levels: all(&d.levels)?,
            accessibility: concepts(&d.accessibility)?,
            wheelchair: d.wheelchair,
            organizer: d
                .organizer
                .map(|name| {
                    Ok::<_, PackError>(Organizer {
                        name: opt(name)?,
                        ..Organizer::default()
                    })
                })
                .transpose()?,
            // In the detail chunk: see [`DetailExtra::apply`].
            accessibility_information: None,
            attendee_instructions: None,
            what_to_bring: Vec::new(),
            meeting_point: None,
        }));
    }
    let mut occurrences = Vec::with_capacity(core.occurrences.len());
    let mut prev = 0i64;
    for (i, w) in core.occurrences.iter().enumerate() {
        let ts = prev
            .checked_add(w.start_delta)
            .ok_or(PackError::Corrupt("start out of range"))?;
        prev = ts;
        let updated = match more.updated.get(i).copied().flatten() {
            Some(t) => {
                let secs = *more
                    .times
                    .get(t as usize)
                    .ok_or(PackError::Corrupt("time index out of range"))?;
                Some(
                    DateTime::<Utc>::from_timestamp(secs, 0)
                        .ok_or(PackError::Corrupt("time out of range"))?,
                )
            }
            None => None,
        };
        let start = at(ts, w.offset)?;
        let end = w
            .end
            .map(|(delta, offset)| {
                ts.checked_add(delta)
                    .ok_or(PackError::Corrupt("end out of range"))
                    .and_then(|e| at(e, offset))
            })
            .transpose()?;
        let details = details
            .get(w.details as usize)
            .ok_or(PackError::Corrupt("details index out of range"))?
            .clone();
        let key = match &w.key {
            WireKey::Schedule => match &details.series_key {
                Some(series) => schedule_key(series, &start),
                None => return Err(PackError::Corrupt("schedule key without a series")),
            },
            WireKey::Split(prefix, rest) => {
                let p = get(*prefix)?;
                let mut k = String::with_capacity(p.len() + rest.len());
                k.push_str(p);
                k.push_str(rest);
                k
            }
        };
        occurrences.push(Occurrence {
            key,
            feed: w.feed as usize,
            kind: kind_of(w.kind)?,
            start,
            end,
            cancelled: w.flags & CANCELLED != 0,
            remaining_capacity: w.remaining,
            maximum_capacity: w.maximum,
            url: opt(w.url)?,
            from_schedule: w.flags & FROM_SCHEDULE != 0,
            provisional: w.flags & PROVISIONAL != 0,
            booking_grid: w.flags & BOOKING_GRID != 0,
            updated,
            details,
        });
    }
    Ok(Decoded {
        occurrences,
        vocab,
        details,
    })
}
