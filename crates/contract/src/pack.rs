//! The finder-pack format: joined, cleaned occurrences compiled by the proxy into a compact
//! binary file that the app decodes straight into [`Occurrence`]s for the finder index.
//!
//! Layout: the magic `AFPK`, a version byte ([`VERSION`]), then sections, each
//! `[tag u8][flags u8][length u32 LE][payload]`. Section 1 (required) is the core: a string
//! table (every string stored once per pack), the activities that occur (id, label, every
//! broader activity, resolved by the proxy against the Activity List, so the app needs no
//! vocabulary), the shared details of each series, and the occurrences, all
//! [postcard](https://docs.rs/postcard)-encoded (varints, no field names). A reader skips a
//! section it does not know unless the section is flagged required; a newer version byte or an
//! unknown required section is refused (the app then reloads), never misread.
//!
//! Section 3 (optional, added after the core, so an older app skips it and a pack without it
//! reads with empty defaults) carries per details the EMD UK special requirements, the
//! timetable rule and how far ahead dates are listed, and per occurrence its last-changed time
//! (an index into a table of distinct times: a series' expanded sessions share one).
//!
//! Occurrence keys are stored as "the series key + `#` + start" (schedule-expanded ones, which
//! cost nothing) or as a shared prefix plus a suffix; starts as differences from the previous
//! occurrence in start order.
//!
//! What only a session page shows (accessibility notes, the organiser's contact details,
//! instructions, what to bring, the meeting point) is not in the pack but in its **detail
//! chunk**, a second file in the same container (section 2), one entry per details of the pack,
//! fetched when a session page opens ([`decode_details`], [`DetailExtra::apply`]). The
//! description stays in the pack: the keyword filter searches it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use finder::ActivityVocabulary;
use openactive::schedule::ScheduleRule;
use openactive::{
    AgeRange, ConceptRef, Details, Gender, Occurrence, Offer, OpportunityKind, Organizer, Venue,
};
use serde::{Deserialize, Serialize};

/// The first four bytes of every pack.
pub const MAGIC: [u8; 4] = *b"AFPK";
/// The format version this build writes and reads.
pub const VERSION: u8 = 1;
/// The core section.
const SECTION_CORE: u8 = 1;
/// The detail-chunk section.
const SECTION_DETAILS: u8 = 2;
/// Fields added after the core (optional, so an app that predates them still reads the pack):
/// per details the EMD UK special requirements, the timetable rule and how far ahead dates are
/// listed; per occurrence its last-changed time. Strings index the core's table.
const SECTION_MORE: u8 = 3;
/// Section flag: a reader that does not know the section must refuse the pack.
const REQUIRED: u8 = 1;

/// Why a pack could not be read. The app reports it and fetches the pack again (or reloads
/// for a newer format); it never panics on a bad pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    /// Not a pack (wrong magic).
    NotAPack,
    /// Ends before its sections do.
    Truncated,
    /// Written by a newer proxy in a format this app cannot read.
    NewerVersion(u8),
    /// A required section this app does not know.
    UnknownRequiredSection(u8),
    /// The expected section is missing.
    NoCore,
    /// A section's contents are inconsistent (with what was wrong).
    Corrupt(&'static str),
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PackError::NotAPack => f.write_str("not a finder pack"),
            PackError::Truncated => f.write_str("the pack is truncated"),
            PackError::NewerVersion(v) => write!(f, "the pack uses a newer format (version {v})"),
            PackError::UnknownRequiredSection(t) => {
                write!(f, "the pack needs a newer app (section {t})")
            }
            PackError::NoCore => f.write_str("the file has no data section"),
            PackError::Corrupt(what) => write!(f, "the pack is corrupt ({what})"),
        }
    }
}

impl std::error::Error for PackError {}

#[derive(Serialize, Deserialize, Default)]
struct Core {
    strings: Vec<String>,
    activities: Vec<WireActivity>,
    details: Vec<WireDetails>,
    occurrences: Vec<WireOcc>,
}

#[derive(Serialize, Deserialize)]
struct WireActivity {
    id: u32,
    label: Option<u32>,
    /// Every broader activity, transitively (indices into `activities`).
    broader: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
struct WireConcept {
    id: Option<u32>,
    label: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct WireVenue {
    id: Option<u32>,
    name: Option<u32>,
    address: Vec<u32>,
    postcode: Option<u32>,
    geo: Option<(f64, f64)>,
}

#[derive(Serialize, Deserialize)]
struct WireOffer {
    name: Option<u32>,
    price: Option<f64>,
    currency: Option<u32>,
    url: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct WireDetails {
    series_key: Option<u32>,
    name: u32,
    description: Option<u32>,
    activities: Vec<WireConcept>,
    venue: WireVenue,
    offers: Vec<WireOffer>,
    free: bool,
    age_min: Option<u32>,
    age_max: Option<u32>,
    age_declared: bool,
    gender: u8,
    levels: Vec<u32>,
    accessibility: Vec<WireConcept>,
    wheelchair: Option<bool>,
    /// The organiser's name (`Some(None)`: an organiser without a name).
    organizer: Option<Option<u32>>,
}

/// What only a session page shows, for one details (in a detail chunk).
#[derive(Serialize, Deserialize)]
struct WireExtra {
    accessibility_information: Option<u32>,
    organizer_url: Option<u32>,
    organizer_email: Option<u32>,
    organizer_telephone: Option<u32>,
    attendee_instructions: Option<u32>,
    what_to_bring: Vec<u32>,
    meeting_point: Option<u32>,
}

#[derive(Serialize, Deserialize, Default)]
struct More {
    details: Vec<WireMore>,
    /// Distinct last-changed times (Unix seconds), referenced by `updated`.
    times: Vec<i64>,
    /// Per occurrence, in the core's order: an index into `times`.
    updated: Vec<Option<u32>>,
}

#[derive(Serialize, Deserialize)]
struct WireMore {
    special_requirements: Vec<WireConcept>,
    schedule: Option<WireRule>,
    /// (Unix seconds, UTC offset seconds).
    listed_until: Option<(i64, i32)>,
}

#[derive(Serialize, Deserialize)]
struct WireRule {
    rrule: u32,
    start_time: u32,
    duration_minutes: Option<u32>,
    timezone: u32,
    start_date: Option<u32>,
    end_date: Option<u32>,
    except_dates: Vec<u32>,
}

#[derive(Serialize, Deserialize, Default)]
struct Chunk {
    strings: Vec<String>,
    extras: Vec<WireExtra>,
}

#[derive(Serialize, Deserialize)]
enum WireKey {
    /// `series_key + "#" + start.to_rfc3339()`.
    Schedule,
    /// A shared prefix (string index) and the rest.
    Split(u32, String),
}

#[derive(Serialize, Deserialize)]
struct WireOcc {
    key: WireKey,
    feed: u32,
    kind: u8,
    /// Seconds since the previous occurrence's start (the first: since the epoch).
    start_delta: i64,
    /// UTC offset of the start, seconds.
    offset: i32,
    /// End as (seconds after the start, UTC offset seconds).
    end: Option<(i64, i32)>,
    flags: u8,
    remaining: Option<i64>,
    maximum: Option<i64>,
    url: Option<u32>,
    details: u32,
}

const CANCELLED: u8 = 1;
const FROM_SCHEDULE: u8 = 2;
const PROVISIONAL: u8 = 4;
const BOOKING_GRID: u8 = 8;

fn kind_code(k: OpportunityKind) -> u8 {
    match k {
        OpportunityKind::Session => 0,
        OpportunityKind::Event => 1,
        OpportunityKind::HeadlineEvent => 2,
        OpportunityKind::Course => 3,
        OpportunityKind::FacilitySlot => 4,
        OpportunityKind::OnDemand => 5,
    }
}

fn kind_of(c: u8) -> Result<OpportunityKind, PackError> {
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

fn gender_code(g: Gender) -> u8 {
    match g {
        Gender::NoRestriction => 0,
        Gender::MaleOnly => 1,
        Gender::FemaleOnly => 2,
        Gender::Unspecified => 3,
    }
}

fn gender_of(c: u8) -> Result<Gender, PackError> {
    Ok(match c {
        0 => Gender::NoRestriction,
        1 => Gender::MaleOnly,
        2 => Gender::FemaleOnly,
        3 => Gender::Unspecified,
        _ => return Err(PackError::Corrupt("unknown gender")),
    })
}

/// The key a schedule-expanded occurrence gets in the join.
fn schedule_key(series: &str, start: &DateTime<FixedOffset>) -> String {
    format!("{series}#{}", start.to_rfc3339())
}

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

/// A pack and its detail chunk.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The pack: what the finder filters, lists and maps.
    pub pack: Vec<u8>,
    /// Its detail chunk: what only a session page shows.
    pub details: Vec<u8>,
}

/// `MAGIC`, the version and one required section.
fn container(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 11);
    out.extend_from_slice(&MAGIC);
    out.push(VERSION);
    append_section(&mut out, tag, true, payload);
    out
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

/// What only a session page shows about one series (or stand-alone session), from a detail chunk.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetailExtra {
    /// `accessibilityInformation`.
    pub accessibility_information: Option<String>,
    /// The organiser's web site.
    pub organizer_url: Option<String>,
    /// The organiser's email.
    pub organizer_email: Option<String>,
    /// The organiser's telephone.
    pub organizer_telephone: Option<String>,
    /// `attendeeInstructions`.
    pub attendee_instructions: Option<String>,
    /// What to bring.
    pub what_to_bring: Vec<String>,
    /// `meetingPoint`.
    pub meeting_point: Option<String>,
}

impl DetailExtra {
    /// Fills these fields into details decoded from a pack.
    pub fn apply(&self, d: &mut Details) {
        d.accessibility_information = self.accessibility_information.clone();
        d.attendee_instructions = self.attendee_instructions.clone();
        d.what_to_bring = self.what_to_bring.clone();
        d.meeting_point = self.meeting_point.clone();
        let any_contact = self.organizer_url.is_some()
            || self.organizer_email.is_some()
            || self.organizer_telephone.is_some();
        if d.organizer.is_none() && any_contact {
            d.organizer = Some(Organizer::default());
        }
        if let Some(g) = &mut d.organizer {
            g.url = self.organizer_url.clone();
            g.email = self.organizer_email.clone();
            g.telephone = self.organizer_telephone.clone();
        }
    }
}

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

/// The activities of one or more packs: labels and broader activities as the proxy resolved
/// them. Implements the finder's [`ActivityVocabulary`], so the index builds from packs exactly
/// as it does from the Activity List.
#[derive(Debug, Clone, Default)]
pub struct PackVocab {
    entries: HashMap<String, (Option<String>, Vec<String>)>,
}

impl PackVocab {
    /// Adds another pack's activities.
    pub fn merge(&mut self, other: PackVocab) {
        for (k, v) in other.entries {
            self.entries.entry(k).or_insert(v);
        }
    }
    /// Number of activities known.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether no activity is known.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl ActivityVocabulary for PackVocab {
    fn label_of(&self, id: &str) -> Option<String> {
        self.entries.get(id).and_then(|(l, _)| l.clone())
    }
    fn id_for_label(&self, _label: &str) -> Option<String> {
        // Labels were resolved to ids when the pack was compiled.
        None
    }
    fn ancestors_of(&self, id: &str) -> Vec<String> {
        self.entries
            .get(id)
            .map(|(_, b)| b.clone())
            .unwrap_or_default()
    }
}

/// A decoded pack.
#[derive(Debug, Default)]
pub struct Decoded {
    /// The occurrences, in start order.
    pub occurrences: Vec<Occurrence>,
    /// The activities they name.
    pub vocab: PackVocab,
    /// The pack's details, in its order: entry `i` of its detail chunk belongs to `details[i]`.
    pub details: Vec<Arc<Details>>,
}

/// Reads the sections of a pack (or detail chunk) and returns the payload of section `want`.
fn section(bytes: &[u8], want: u8) -> Result<&[u8], PackError> {
    optional_section(bytes, want)?.ok_or(PackError::NoCore)
}

/// Reads the sections of a pack (or detail chunk) and returns the payload of section `want`
/// when there is one.
fn optional_section(bytes: &[u8], want: u8) -> Result<Option<&[u8]>, PackError> {
    if bytes.len() < 5 {
        return Err(if bytes.starts_with(&MAGIC[..bytes.len().min(4)]) {
            PackError::Truncated
        } else {
            PackError::NotAPack
        });
    }
    if bytes[..4] != MAGIC {
        return Err(PackError::NotAPack);
    }
    if bytes[4] != VERSION {
        return Err(PackError::NewerVersion(bytes[4]));
    }
    let mut rest = &bytes[5..];
    let mut core = None;
    while !rest.is_empty() {
        if rest.len() < 6 {
            return Err(PackError::Truncated);
        }
        let (tag, flags) = (rest[0], rest[1]);
        let len = u32::from_le_bytes([rest[2], rest[3], rest[4], rest[5]]) as usize;
        let body = rest.get(6..6 + len).ok_or(PackError::Truncated)?;
        match tag {
            _ if tag == want => core = Some(body),
            SECTION_CORE | SECTION_DETAILS | SECTION_MORE => {}
            _ if flags & REQUIRED != 0 => return Err(PackError::UnknownRequiredSection(tag)),
            _ => {}
        }
        rest = &rest[6 + len..];
    }
    Ok(core)
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

/// Appends an optional section a reader of this version skips (for tests of forward
/// compatibility, and for fields added later).
pub fn append_section(pack: &mut Vec<u8>, tag: u8, required: bool, payload: &[u8]) {
    pack.push(tag);
    pack.push(if required { REQUIRED } else { 0 });
    pack.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    pack.extend_from_slice(payload);
}
