//! Occurrences into a pack and its detail chunk: the string table, shared details, activities
//! resolved against the vocabulary.

use std::collections::HashMap;
use std::sync::Arc;

use finder::ActivityVocabulary;
use openactive::{ConceptRef, Details, Occurrence};

use super::sections::{append_section, container};
use super::wire::{
    BOOKING_GRID, CANCELLED, Chunk, Core, FROM_SCHEDULE, More, PROVISIONAL, WireActivity,
    WireConcept, WireDetails, WireExtra, WireKey, WireMore, WireOcc, WireOffer, WireRule,
    WireVenue, gender_code, kind_code, schedule_key,
};
use super::{Encoded, SECTION_CORE, SECTION_DETAILS, SECTION_MORE};

/// Builds the string table while encoding.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    map: HashMap<String, u32>,
}

impl Strings {
    fn put(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_string());
        self.map.insert(s.to_string(), i);
        i
    }
    fn opt(&mut self, s: Option<&str>) -> Option<u32> {
        s.map(|s| self.put(s))
    }
    fn all(&mut self, v: &[String]) -> Vec<u32> {
        v.iter().map(|s| self.put(s)).collect()
    }
}

/// The key split into a prefix shared by many keys (up to the last `/`, `#` or `=`) and the rest.
fn split_key(key: &str) -> (&str, &str) {
    match key.rfind(['/', '#', '=']) {
        Some(i) => key.split_at(i + 1),
        None => ("", key),
    }
}

/// Encodes occurrences into one pack. Activity references are resolved against `vocab`: a
/// legacy label becomes its concept id, and the pack carries the label and every broader
/// activity of each concept that occurs, so the app needs no vocabulary.
pub fn encode(occurrences: &[&Occurrence], vocab: &dyn ActivityVocabulary) -> Encoded {
    let mut order: Vec<&Occurrence> = occurrences.to_vec();
    order.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.key.cmp(&b.key)));
    let mut s = Strings::default();
    let mut core = Core::default();
    let mut cs = Strings::default();
    let mut chunk = Chunk::default();
    let mut more = More::default();
    let mut time_of: HashMap<i64, u32> = HashMap::new();
    let mut details_of: HashMap<usize, u32> = HashMap::new();
    let mut activity_of: HashMap<String, u32> = HashMap::new();
    let mut prev = 0i64;
    for o in order {
        let d = match details_of.get(&(Arc::as_ptr(&o.details) as usize)) {
            Some(&i) => i,
            None => {
                let w = encode_details(&o.details, &mut s, &mut core, &mut activity_of, vocab);
                core.details.push(w);
                more.details.push(encode_more(&o.details, &mut s));
                chunk.extras.push(encode_extra(&o.details, &mut cs));
                let i = (core.details.len() - 1) as u32;
                details_of.insert(Arc::as_ptr(&o.details) as usize, i);
                i
            }
        };
        let key = match &o.series_key {
            Some(series) if o.key == schedule_key(series, &o.start) => WireKey::Schedule,
            _ => {
                let (prefix, rest) = split_key(&o.key);
                WireKey::Split(s.put(prefix), rest.to_string())
            }
        };
        let start = o.start.timestamp();
        let mut flags = 0;
        for (on, bit) in [
            (o.cancelled, CANCELLED),
            (o.from_schedule, FROM_SCHEDULE),
            (o.provisional, PROVISIONAL),
            (o.booking_grid, BOOKING_GRID),
        ] {
            if on {
                flags |= bit;
            }
        }
        core.occurrences.push(WireOcc {
            key,
            feed: o.feed as u32,
            kind: kind_code(o.kind),
            start_delta: start - prev,
            offset: o.start.offset().local_minus_utc(),
            end: o
                .end
                .map(|e| (e.timestamp() - start, e.offset().local_minus_utc())),
            flags,
            remaining: o.remaining_capacity,
            maximum: o.maximum_capacity,
            url: s.opt(o.url.as_deref()),
            details: d,
        });
        more.updated.push(o.updated.map(|t| {
            let n = more.times.len() as u32;
            *time_of.entry(t.timestamp()).or_insert_with(|| {
                more.times.push(t.timestamp());
                n
            })
        }));
        prev = start;
    }
    core.strings = s.list;
    chunk.strings = cs.list;
    let mut pack = container(
        SECTION_CORE,
        &postcard::to_allocvec(&core).unwrap_or_default(),
    );
    append_section(
        &mut pack,
        SECTION_MORE,
        false,
        &postcard::to_allocvec(&more).unwrap_or_default(),
    );
    Encoded {
        pack,
        details: container(
            SECTION_DETAILS,
            &postcard::to_allocvec(&chunk).unwrap_or_default(),
        ),
    }
}

fn encode_more(d: &Details, s: &mut Strings) -> WireMore {
    WireMore {
        special_requirements: d
            .special_requirements
            .iter()
            .map(|c| WireConcept {
                id: s.opt(c.id.as_deref()),
                label: s.opt(c.label.as_deref()),
            })
            .collect(),
        schedule: d.schedule.as_ref().map(|r| WireRule {
            rrule: s.put(&r.rrule),
            start_time: s.put(&r.start_time),
            duration_minutes: r.duration_minutes,
            timezone: s.put(&r.timezone),
            start_date: s.opt(r.start_date.as_deref()),
            end_date: s.opt(r.end_date.as_deref()),
            except_dates: s.all(&r.except_dates),
        }),
        listed_until: d
            .listed_until
            .map(|t| (t.timestamp(), t.offset().local_minus_utc())),
    }
}

fn encode_extra(d: &Details, s: &mut Strings) -> WireExtra {
    let org = d.organizer.as_ref();
    WireExtra {
        accessibility_information: s.opt(d.accessibility_information.as_deref()),
        organizer_url: s.opt(org.and_then(|g| g.url.as_deref())),
        organizer_email: s.opt(org.and_then(|g| g.email.as_deref())),
        organizer_telephone: s.opt(org.and_then(|g| g.telephone.as_deref())),
        attendee_instructions: s.opt(d.attendee_instructions.as_deref()),
        what_to_bring: s.all(&d.what_to_bring),
        meeting_point: s.opt(d.meeting_point.as_deref()),
    }
}

fn encode_concepts(
    refs: &[ConceptRef],
    s: &mut Strings,
    resolve: &mut dyn FnMut(&ConceptRef, &mut Strings) -> Option<u32>,
) -> Vec<WireConcept> {
    refs.iter()
        .map(|c| WireConcept {
            id: resolve(c, s),
            label: s.opt(c.label.as_deref()),
        })
        .collect()
}

fn encode_details(
    d: &Details,
    s: &mut Strings,
    core: &mut Core,
    activity_of: &mut HashMap<String, u32>,
    vocab: &dyn ActivityVocabulary,
) -> WireDetails {
    let activities = {
        let acts = &mut core.activities;
        let mut resolve = |c: &ConceptRef, s: &mut Strings| -> Option<u32> {
            let id =
                c.id.clone()
                    .or_else(|| c.label.as_deref().and_then(|l| vocab.id_for_label(l)))?;
            add_activity(&id, s, acts, activity_of, vocab);
            Some(s.put(&id))
        };
        encode_concepts(&d.activities, s, &mut resolve)
    };
    let mut plain = |c: &ConceptRef, s: &mut Strings| s.opt(c.id.as_deref());
    WireDetails {
        series_key: s.opt(d.series_key.as_deref()),
        name: s.put(&d.name),
        description: s.opt(d.description.as_deref()),
        activities,
        venue: WireVenue {
            id: s.opt(d.venue.id.as_deref()),
            name: s.opt(d.venue.name.as_deref()),
            address: s.all(&d.venue.address),
            postcode: s.opt(d.venue.postcode.as_deref()),
            geo: d.venue.geo,
        },
        offers: d
            .offers
            .iter()
            .map(|o| WireOffer {
                name: s.opt(o.name.as_deref()),
                price: o.price,
                currency: s.opt(o.currency.as_deref()),
                url: s.opt(o.url.as_deref()),
            })
            .collect(),
        free: d.free,
        age_min: d.age_range.min,
        age_max: d.age_range.max,
        age_declared: d.age_range.declared,
        gender: gender_code(d.gender),
        levels: s.all(&d.levels),
        accessibility: encode_concepts(&d.accessibility, s, &mut plain),
        wheelchair: d.wheelchair,
        organizer: d.organizer.as_ref().map(|g| s.opt(g.name.as_deref())),
    }
}

/// Adds an activity and everything broader to the pack's activity table.
fn add_activity(
    id: &str,
    s: &mut Strings,
    acts: &mut Vec<WireActivity>,
    activity_of: &mut HashMap<String, u32>,
    vocab: &dyn ActivityVocabulary,
) -> u32 {
    if let Some(&i) = activity_of.get(id) {
        return i;
    }
    let i = acts.len() as u32;
    acts.push(WireActivity {
        id: s.put(id),
        label: vocab.label_of(id).map(|l| s.put(&l)),
        broader: Vec::new(),
    });
    activity_of.insert(id.to_string(), i);
    let mut broader = Vec::new();
    for anc in vocab.ancestors_of(id) {
        if anc != id {
            broader.push(add_activity(&anc, s, acts, activity_of, vocab));
        }
    }
    acts[i as usize].broader = broader;
    i
}
