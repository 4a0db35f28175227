//! "Why it matched": the short phrases saying which of the person's choices a session meets
//! ("Chair based · Beginner-friendly · Free"), so a link worker can explain the choice. Only
//! the choices about the person and the session (pathway, suitable for, activity, accessibility,
//! level, gender, age, price) are named: the day, time and distance are on the card already.

use crate::collections::{self, Facts, Met};
use crate::filter::{Filters, GenderFilter};
use crate::index::Index;

/// Joins phrases for display ("Chair based · Beginner-friendly · Free").
pub fn line(phrases: &[String]) -> String {
    phrases.join(" · ")
}

/// The session's own (first) activity label, as the index shows it.
fn own_activity(ix: &Index, pos: usize) -> Option<String> {
    let o = &ix.occurrences[pos];
    o.activities.iter().find_map(|a| {
        a.id.as_deref()
            .and_then(|id| ix.activity_index(id))
            .map(|i| ix.activity_labels[i as usize].clone())
            .or_else(|| a.label.clone())
    })
}

fn gender_phrase(g: GenderFilter, own: openactive::Gender) -> Option<String> {
    match g {
        GenderFilter::Any => None,
        _ => crate::display::gender(own).map(str::to_string),
    }
}

/// The facts a collection reads, for the session at `pos`.
fn facts_of(ix: &Index, pos: usize) -> Facts<'_> {
    let o = &ix.occurrences[pos];
    let r = &ix.rows[pos];
    Facts {
        acts: ix
            .acts_of(r)
            .iter()
            .map(|&a| ix.activity_ids[a as usize].as_str())
            .collect(),
        accessibility: o
            .accessibility
            .iter()
            .filter_map(|c| c.id.as_deref())
            .collect(),
        suits: crate::suits::read_all(&o.special_requirements)
            .0
            .iter()
            .map(|s| s.key())
            .collect(),
        age_min: r.age_min,
        age_max: r.age_max,
        gender: r.gender,
        beginner: r.beginner,
    }
}

fn suit_label(ix: &Index, key: &str) -> String {
    ix.suit_keys
        .iter()
        .position(|k| k == key)
        .map(|i| ix.suit_labels[i].clone())
        .unwrap_or_else(|| crate::suits::key_label(key))
}

fn acc_label(ix: &Index, pos: usize, frag: &str) -> String {
    let label = ix.occurrences[pos]
        .accessibility
        .iter()
        .find(|c| c.id.as_deref().is_some_and(|id| id.ends_with(frag)))
        .and_then(|c| c.label.clone())
        .unwrap_or_else(|| "accessibility".into());
    format!("Support for {}", label.to_lowercase())
}

/// The phrases for the session at `pos` under the filters `f`, in a fixed order and without
/// repeats; empty when no such choice is set.
pub fn phrases(ix: &Index, f: &Filters, pos: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    let r = &ix.rows[pos];
    let o = &ix.occurrences[pos];
    if let Some(c) = f
        .collection
        .as_deref()
        .and_then(collections::position)
        .map(|i| &collections::all()[i])
    {
        let facts = facts_of(ix, pos);
        match collections::met(c, &facts) {
            Some(Met::Suit(k)) => push(suit_label(ix, &k)),
            Some(Met::Activity(_)) => push(own_activity(ix, pos).unwrap_or_default()),
            Some(Met::Accessibility(a)) => push(acc_label(ix, pos, &a)),
            Some(Met::OlderAge(_)) => push(crate::display::ages(&o.age_range)),
            Some(Met::Constraints) => {
                if let Some(g) = c.gender_filter() {
                    push(gender_phrase(g, r.gender).unwrap_or_default());
                }
                if c.level.is_some() && r.beginner {
                    push("Beginner-friendly".into());
                }
                if let Some(a) = c.open_to_age {
                    push(format!("Suits age {a}"));
                }
            }
            None => {}
        }
    }
    for k in &f.suits {
        push(suit_label(ix, k));
    }
    if !f.activities.is_empty() {
        push(own_activity(ix, pos).unwrap_or_default());
    }
    for a in &f.accessibility {
        push(acc_label(ix, pos, a.rsplit('#').next().unwrap_or(a)));
    }
    if f.wheelchair && r.wheelchair {
        push("Wheelchair accessible".into());
    }
    if f.beginner && r.beginner {
        push("Beginner-friendly".into());
    }
    push(gender_phrase(f.gender, r.gender).unwrap_or_default());
    if let Some(a) = f.age {
        push(format!("Suits age {a}"));
    }
    if f.free && r.free {
        push("Free".into());
    } else if let (Some(m), Some(p)) = (f.max_price, r.min_price) {
        push(if p == 0.0 {
            "Free".into()
        } else {
            format!("Up to £{}", crate::display::short(m, 2))
        });
    }
    out
}
