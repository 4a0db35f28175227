//! What a row takes from an occurrence's shared details, computed once per distinct details:
//! cheapest price, effective age range, activities with every broader one, accessibility and
//! "suitable for" bits, pathway collections, venue and search texts.

use super::{ActivityVocabulary, Index, VenueId, VenueInfo, is_beginner};
use foldhash::HashMap;
use openactive::{Details, Gender};

fn intern(ids: &mut Vec<String>, map: &mut HashMap<String, u16>, id: &str) -> Option<u16> {
    if let Some(&i) = map.get(id) {
        return Some(i);
    }
    let i = u16::try_from(ids.len()).ok()?;
    ids.push(id.to_string());
    map.insert(id.to_string(), i);
    Some(i)
}

/// What a row takes from an occurrence's (shared) details.
pub(super) struct Derived {
    pub(super) min_price: Option<f32>,
    pub(super) free: bool,
    pub(super) age_min: u8,
    pub(super) age_max: u8,
    pub(super) gender: Gender,
    pub(super) acts: (u32, u16),
    pub(super) acc: u32,
    pub(super) wheelchair: bool,
    pub(super) beginner: bool,
    pub(super) venue: VenueId,
    pub(super) org_text: u32,
    pub(super) text: u32,
    pub(super) suits: u32,
    pub(super) cols: u16,
}

/// The interning tables `Index::build` fills while deriving rows.
pub(super) struct DeriveCx<'a> {
    pub(super) ix: &'a mut Index,
    pub(super) act_map: &'a mut HashMap<String, u16>,
    pub(super) acc_map: &'a mut HashMap<String, u16>,
    pub(super) venue_map: &'a mut HashMap<String, VenueId>,
    pub(super) ancestors_cache: &'a mut HashMap<String, Vec<String>>,
    pub(super) text_ids: &'a mut HashMap<String, u32>,
    /// The feeds' own label of each activity id (for ids the vocabulary does not know).
    pub(super) feed_labels: &'a mut HashMap<String, String>,
    pub(super) vocab: &'a dyn ActivityVocabulary,
}

impl DeriveCx<'_> {
    fn intern_text(&mut self, t: String) -> u32 {
        let texts = &mut self.ix.texts;
        *self.text_ids.entry(t).or_insert_with_key(|t| {
            texts.push(t.clone());
            (texts.len() - 1) as u32
        })
    }

    pub(super) fn derive(&mut self, d: &Details) -> Derived {
        let min_price = d
            .offers
            .iter()
            .filter_map(|of| of.price)
            .filter(|p| p.is_finite() && *p >= 0.0)
            .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.min(p))))
            .map(|p| p as f32)
            .or(if d.free { Some(0.0) } else { None });
        // Modelling spec §5.6.6.1: no ageRange means adults only.
        let (age_min, age_max) = if d.age_range.declared {
            (
                d.age_range.min.unwrap_or(0).min(255) as u8,
                d.age_range.max.map_or(255, |m| m.min(254) as u8),
            )
        } else {
            (18, 255)
        };
        let mut acts: Vec<u16> = Vec::new();
        let mut labels = Vec::new();
        for a in &d.activities {
            let id =
                a.id.clone()
                    .or_else(|| a.label.as_deref().and_then(|l| self.vocab.id_for_label(l)));
            let Some(id) = id else {
                if let Some(l) = &a.label {
                    labels.push(l.clone());
                }
                continue;
            };
            let chain = self
                .ancestors_cache
                .entry(id.clone())
                .or_insert_with(|| self.vocab.ancestors_of(&id))
                .clone();
            if let Some(i) = intern(&mut self.ix.activity_ids, self.act_map, &id) {
                acts.push(i);
            }
            if let Some(l) = a.label.as_deref().filter(|l| !l.trim().is_empty()) {
                self.feed_labels
                    .entry(id.clone())
                    .or_insert_with(|| l.trim().to_string());
            }
            for anc in chain {
                if let Some(i) = intern(&mut self.ix.activity_ids, self.act_map, &anc) {
                    acts.push(i);
                }
            }
            labels.push(
                self.vocab
                    .label_of(&id)
                    .or_else(|| a.label.clone())
                    .unwrap_or_default(),
            );
        }
        acts.sort_unstable();
        acts.dedup();
        let start = self.ix.act_pool.len() as u32;
        self.ix.act_pool.extend_from_slice(&acts);
        let acts = (start, acts.len() as u16);
        let mut acc = 0u32;
        for c in &d.accessibility {
            if let Some(i) =
                c.id.as_ref()
                    .and_then(|id| intern(&mut self.ix.accessibility_ids, self.acc_map, id))
                && i < 32
            {
                acc |= 1 << i;
            }
        }
        let venue_key = d.venue.id.clone().unwrap_or_else(|| {
            format!(
                "{}|{}|{:?}",
                d.venue.name.as_deref().unwrap_or(""),
                d.venue.postcode.as_deref().unwrap_or(""),
                d.venue
                    .geo
                    .map(|(a, b)| ((a * 1e4) as i64, (b * 1e4) as i64))
            )
        });
        let venue = *self.venue_map.entry(venue_key).or_insert_with(|| {
            self.ix.venues.push(VenueInfo {
                name: d
                    .venue
                    .name
                    .clone()
                    .or_else(|| d.venue.address.first().cloned())
                    .unwrap_or_else(|| "Venue not named".into()),
                geo: d.venue.geo,
                postcode: d.venue.postcode.clone(),
            });
            if let (Some(pc), Some(g)) = (&d.venue.postcode, d.venue.geo) {
                self.ix.gazetteer.add(pc, g);
            }
            VenueId::new(self.ix.venues.len() - 1)
        });
        let org_name = d
            .organizer
            .as_ref()
            .and_then(|g| g.name.as_deref())
            .unwrap_or("");
        let venue_name = &self.ix.venues[venue].name;
        let org_text = format!("{org_name}\n{venue_name}").to_lowercase();
        let text = format!(
            "{}\n{}\n{}\n{}\n{}",
            d.name,
            d.description.as_deref().unwrap_or(""),
            labels.join("\n"),
            d.venue.address.join("\n"),
            org_text
        )
        .to_lowercase();
        let (org_text, text) = (self.intern_text(org_text), self.intern_text(text));
        let (suit_list, unread) = crate::suits::read_all(&d.special_requirements);
        self.ix.suits_unread += unread;
        let mut suits = 0u32;
        for s in &suit_list {
            let key = s.key();
            let i = match self.ix.suit_keys.iter().position(|k| *k == key) {
                Some(i) => i,
                None => {
                    self.ix.suit_keys.push(key);
                    self.ix.suit_labels.push(s.label().to_string());
                    self.ix.suit_keys.len() - 1
                }
            };
            if i < 32 {
                suits |= 1 << i;
            }
        }
        let beginner = is_beginner(&d.levels);
        let facts = crate::collections::Facts {
            acts: self.ix.act_pool[acts.0 as usize..acts.0 as usize + acts.1 as usize]
                .iter()
                .map(|&a| self.ix.activity_ids[a as usize].as_str())
                .collect(),
            accessibility: d
                .accessibility
                .iter()
                .filter_map(|c| c.id.as_deref())
                .collect(),
            suits: suit_list.iter().map(|s| s.key()).collect(),
            age_min,
            age_max,
            gender: d.gender,
            beginner,
        };
        let cols = crate::collections::all()
            .iter()
            .enumerate()
            .filter(|(_, c)| crate::collections::belongs(c, &facts))
            .fold(0u16, |m, (i, _)| m | (1 << i));
        Derived {
            min_price,
            free: d.free || min_price == Some(0.0),
            age_min,
            age_max,
            gender: d.gender,
            acts,
            acc,
            wheelchair: d.wheelchair == Some(true),
            beginner,
            venue,
            org_text,
            text,
            suits,
            cols,
        }
    }
}
