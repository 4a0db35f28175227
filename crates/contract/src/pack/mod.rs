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
//!
//! The code, one file per concern: this file holds the format's constants and public types;
//! `wire.rs` the private postcard structs and codes; `sections.rs` the container (magic,
//! version, sections); `encode.rs` and `decode.rs` each direction.

use std::collections::HashMap;
use std::sync::Arc;

use finder::ActivityVocabulary;
use openactive::{Details, Occurrence, Organizer};

mod decode;
mod encode;
mod sections;
mod wire;

pub use decode::{decode, decode_details};
pub use encode::encode;
pub use sections::append_section;

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

/// A pack and its detail chunk.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The pack: what the finder filters, lists and maps.
    pub pack: Vec<u8>,
    /// Its detail chunk: what only a session page shows.
    pub details: Vec<u8>,
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
