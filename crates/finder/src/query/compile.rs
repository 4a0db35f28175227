//! A filter compiled against an index, and whether a row fails each filter.

use super::FilterKind;
use crate::filter::{DayPart, Filters, GenderFilter, Place, TimeOfDay};
use crate::index::{Index, Row};
use memchr::memmem::Finder;
use openactive::Gender;

/// Compiled filter: lower-cased words, activity id set, bit masks.
pub(super) struct Compiled {
    pub(super) acts: Vec<bool>,
    pub(super) any_act: bool,
    pub(super) centre: Option<(f64, f64)>,
    pub(super) radius: f64,
    pub(super) acc_mask: u32,
    pub(super) acc_unknown: bool,
    pub(super) suit_mask: u32,
    pub(super) suit_unknown: bool,
    /// The chosen collection's bit (0: none chosen; an unknown id fails every row).
    pub(super) col_bit: u16,
    pub(super) col_unknown: bool,
    pub(super) org: String,
    pub(super) words: Vec<String>,
    /// Per distinct text of the index: does it contain the organiser / every keyword?
    pub(super) org_ok: Vec<bool>,
    pub(super) text_ok: Vec<bool>,
}

/// For each text, whether it contains every one of `words` (as `str::contains` says), with
/// one searcher per word built once: `str::contains` builds one for every text.
pub fn containing_all(texts: &[String], words: &[String]) -> Vec<bool> {
    let finders: Vec<Finder<'_>> = words.iter().map(|w| Finder::new(w.as_bytes())).collect();
    texts
        .iter()
        .map(|t| finders.iter().all(|f| f.find(t.as_bytes()).is_some()))
        .collect()
}

pub(crate) fn gender_ok(g: GenderFilter, row: Gender) -> bool {
    match g {
        GenderFilter::Any => true,
        GenderFilter::OpenToWomen => row != Gender::MaleOnly,
        GenderFilter::WomenOnly => row == Gender::FemaleOnly,
        GenderFilter::OpenToMen => row != Gender::FemaleOnly,
        GenderFilter::MenOnly => row == Gender::MaleOnly,
    }
}

fn time_ok(t: &TimeOfDay, minute: u16) -> bool {
    match t {
        TimeOfDay::Any => true,
        TimeOfDay::Parts(parts) => parts.iter().any(|p| {
            let (a, b) = p.minutes();
            (a..b).contains(&minute)
        }),
        TimeOfDay::Range(a, b) => (*a..*b).contains(&minute),
    }
}

pub(super) fn part_of(minute: u16) -> usize {
    DayPart::ALL
        .iter()
        .position(|p| (p.minutes().0..p.minutes().1).contains(&minute))
        .unwrap_or(0)
}

impl Index {
    pub(super) fn compile(&self, f: &Filters) -> (Compiled, bool) {
        self.compile_for(f, u32::MAX)
    }

    /// Compiles what the filters in `need` (bits) read; the text filters scan every distinct
    /// text, so they are compiled only when asked for.
    pub(super) fn compile_for(&self, f: &Filters, need: u32) -> (Compiled, bool) {
        let needs = |k: FilterKind| need & k.bit() != 0;
        let mut acts = vec![
            false;
            if needs(FilterKind::Activity) {
                self.activity_ids.len()
            } else {
                0
            }
        ];
        for id in f.activities.iter().filter(|_| needs(FilterKind::Activity)) {
            if let Some(i) = self.activity_index(id) {
                acts[i as usize] = true;
            }
        }
        let (centre, unknown) = match &f.place {
            Place::Anywhere => (None, false),
            Place::Point(a, b) => (Some((*a, *b)), false),
            Place::Outward(o) => match self.gazetteer.lookup(o) {
                Some(c) => (Some(c), false),
                None => (None, true),
            },
        };
        let mut acc_mask = 0u32;
        let mut acc_unknown = false;
        for id in &f.accessibility {
            match self.accessibility_ids.iter().position(|a| a == id) {
                Some(i) if i < 32 => acc_mask |= 1 << i,
                _ => acc_unknown = true,
            }
        }
        let mut suit_mask = 0u32;
        let mut suit_unknown = false;
        for key in &f.suits {
            match self.suit_keys.iter().position(|k| k == key) {
                Some(i) if i < 32 => suit_mask |= 1 << i,
                _ => suit_unknown = true,
            }
        }
        let (col_bit, col_unknown) = match f.collection.as_deref() {
            None => (0, false),
            Some(id) => match crate::collections::position(id) {
                Some(i) if i < 16 => (1u16 << i, false),
                _ => (0, true),
            },
        };
        let org = f.organiser.trim().to_lowercase();
        let words: Vec<String> = f
            .keyword
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        // Text filters are evaluated once per distinct text, not once per occurrence.
        let org_ok = if org.is_empty() || !needs(FilterKind::Organiser) {
            Vec::new()
        } else {
            containing_all(&self.texts, std::slice::from_ref(&org))
        };
        let text_ok = if words.is_empty() || !needs(FilterKind::Keyword) {
            Vec::new()
        } else {
            containing_all(&self.texts, &words)
        };
        let c = Compiled {
            org_ok,
            text_ok,
            any_act: !f.activities.is_empty(),
            acts,
            centre,
            radius: f.radius(),
            acc_mask,
            acc_unknown,
            suit_mask,
            suit_unknown,
            col_bit,
            col_unknown,
            org,
            words,
        };
        (c, unknown)
    }

    /// Whether row `r` fails filter `k` (`dist`: its venue's distance from the centre).
    pub(super) fn fails(
        &self,
        k: FilterKind,
        f: &Filters,
        c: &Compiled,
        r: &Row,
        dist: Option<f64>,
    ) -> bool {
        match k {
            FilterKind::Activity => {
                c.any_act && !self.acts_of(r).iter().any(|&a| c.acts[a as usize])
            }
            FilterKind::Place => c.centre.is_some() && dist.is_none_or(|d| d > c.radius),
            FilterKind::Days => !f.days.is_empty() && !f.days.contains(r.weekday as u32),
            FilterKind::Time => !time_ok(&f.time, r.minute),
            FilterKind::Dates => {
                f.from.is_some_and(|d| r.day < d) || f.to.is_some_and(|d| r.day > d)
            }
            FilterKind::Price => {
                (f.free && !r.free)
                    || f.max_price
                        .is_some_and(|mx| r.min_price.is_none_or(|p| p as f64 > mx + 1e-9))
            }
            FilterKind::Age => f.age.is_some_and(|a| {
                a < r.age_min as u32 || (r.age_max != 255 && a > r.age_max as u32)
            }),
            FilterKind::Gender => !gender_ok(f.gender, r.gender),
            FilterKind::Accessibility => c.acc_unknown || r.acc & c.acc_mask != c.acc_mask,
            FilterKind::Wheelchair => f.wheelchair && !r.wheelchair,
            FilterKind::Level => f.beginner && !r.beginner,
            FilterKind::Organiser => !c.org.is_empty() && !c.org_ok[r.org_text as usize],
            FilterKind::Keyword => !c.words.is_empty() && !c.text_ok[r.text as usize],
            FilterKind::Kind => r.slot && !f.slots,
            FilterKind::Cancelled => r.cancelled && !f.cancelled,
            FilterKind::Suits => c.suit_unknown || r.suits & c.suit_mask != c.suit_mask,
            FilterKind::Collection => c.col_unknown || (c.col_bit != 0 && r.cols & c.col_bit == 0),
        }
    }

    pub(super) fn mask(&self, f: &Filters, c: &Compiled, r: &Row, dist: Option<f64>) -> u32 {
        let mut m = 0u32;
        for k in FilterKind::ALL {
            if self.fails(k, f, c, r, dist) {
                m |= k.bit();
            }
        }
        m
    }
}
