//! One query from scratch: results, live counts, markers and the relax suggestion.

use super::compile::{gender_ok, part_of};
use super::{Facets, FilterKind, Outcome};
use crate::filter::{Filters, GenderFilter, Sort};
use crate::geo::distance_km;
use crate::index::Index;
use crate::index::VenueId;

impl Index {
    /// Applies the filters: results, counts, venue markers and a relax suggestion.
    pub fn query(&self, f: &Filters) -> Outcome {
        let (c, unknown_place) = self.compile(f);
        let mut out = Outcome {
            centre: c.centre,
            unknown_place,
            facets: Facets {
                activities: vec![0; self.activity_ids.len()],
                accessibility: vec![0; self.accessibility_ids.len()],
                suits: vec![0; self.suit_keys.len()],
                collections: vec![0; crate::collections::all().len()],
                ..Facets::default()
            },
            ..Outcome::default()
        };
        let mut relax_counts = [0u32; 32];
        let mut venue_counts: Vec<u32> = vec![0; self.venues.len()];
        let mut hits: Vec<(u32, Option<f32>)> = Vec::new();
        // Occurrences at one venue share its position: one distance per venue.
        let venue_dist: Vec<Option<f64>> = match c.centre {
            Some(cn) => self
                .venues
                .iter()
                .map(|v| v.geo.map(|g| distance_km(cn, g)))
                .collect(),
            None => Vec::new(),
        };
        for (i, r) in self.rows.iter().enumerate() {
            if r.hidden {
                continue;
            }
            let dist = venue_dist.get(r.venue.index()).copied().flatten();
            let m = self.mask(f, &c, r, dist);
            if m == 0 {
                hits.push((i as u32, dist.map(|d| d as f32)));
                venue_counts[r.venue.index()] += 1;
            } else if m.count_ones() == 1 {
                relax_counts[m.trailing_zeros() as usize] += 1;
            }
            let without = |k: FilterKind| m & !k.bit() == 0;
            let fx = &mut out.facets;
            if without(FilterKind::Activity) {
                for &a in self.acts_of(r) {
                    fx.activities[a as usize] += 1;
                }
            }
            if without(FilterKind::Days) {
                fx.days[r.weekday as usize] += 1;
            }
            if without(FilterKind::Time) {
                fx.parts[part_of(r.minute)] += 1;
            }
            if without(FilterKind::Price) && r.free {
                fx.free += 1;
            }
            if without(FilterKind::Gender) {
                for (gi, g) in GenderFilter::ALL.iter().enumerate() {
                    if gender_ok(*g, r.gender) {
                        fx.gender[gi] += 1;
                    }
                }
            }
            if without(FilterKind::Accessibility) {
                for (b, n) in fx.accessibility.iter_mut().enumerate() {
                    if b < 32 && r.acc & (1 << b) != 0 {
                        *n += 1;
                    }
                }
            }
            if without(FilterKind::Wheelchair) && r.wheelchair {
                fx.wheelchair += 1;
            }
            if without(FilterKind::Level) && r.beginner {
                fx.beginner += 1;
            }
            if without(FilterKind::Kind) && r.slot {
                fx.slots += 1;
            }
            if without(FilterKind::Cancelled) && r.cancelled {
                fx.cancelled += 1;
            }
            if without(FilterKind::Suits) {
                for (b, n) in fx.suits.iter_mut().enumerate() {
                    if b < 32 && r.suits & (1 << b) != 0 {
                        *n += 1;
                    }
                }
            }
            if without(FilterKind::Collection) {
                for (b, n) in fx.collections.iter_mut().enumerate() {
                    if b < 16 && r.cols & (1 << b) != 0 {
                        *n += 1;
                    }
                }
            }
        }
        let nearest = f.sort == Sort::Nearest && c.centre.is_some();
        if nearest {
            hits.sort_by(|a, b| {
                let (da, db) = (a.1.unwrap_or(f32::MAX), b.1.unwrap_or(f32::MAX));
                da.total_cmp(&db).then(
                    self.rows[a.0 as usize]
                        .start_ts
                        .cmp(&self.rows[b.0 as usize].start_ts),
                )
            });
        }
        // Otherwise rows are already in start order (see `Index::build`).
        out.results = hits.iter().map(|h| h.0).collect();
        if c.centre.is_some() {
            out.distances = hits.iter().map(|h| h.1).collect();
        }
        out.venues = venue_counts
            .iter()
            .enumerate()
            .filter(|(v, n)| **n > 0 && self.venues[*v].geo.is_some())
            .map(|(v, n)| (VenueId::new(v), *n))
            .collect();
        if out.results.is_empty() {
            out.relax = FilterKind::RELAXABLE
                .iter()
                .map(|k| (*k, relax_counts[*k as usize]))
                .filter(|(_, n)| *n > 0)
                .max_by_key(|(_, n)| *n);
        }
        out
    }
}
