//! Reading and writing the embedding keys in a URL, and keeping locked filters at the link's values.

use super::colour::{AA_TEXT, Rgb, contrast, corrected};
use super::theme::{DEFAULT_ACCENT, DEFAULT_BG, DEFAULT_FG, Font, Theme};
use super::{EmbedOptions, LOCKABLE};
use crate::filter::Filters;
use crate::url::Notice;

fn parse_keys(v: &str, key: &str, notices: &mut Vec<Notice>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match LOCKABLE.iter().find(|l| **l == k) {
            Some(l) if !out.contains(l) => out.push(l),
            Some(_) => {}
            None => notices.push(Notice {
                key: key.to_string(),
                message: "A filter named in the embedding options is not known; it was ignored."
                    .into(),
            }),
        }
    }
    // In LOCKABLE's order (a filter over a short list; no sort code in the wasm for it).
    LOCKABLE
        .iter()
        .copied()
        .filter(|l| out.contains(l))
        .collect()
}

/// Reads the embedding keys from a query string (other keys are ignored). Never fails: a bad
/// value is dropped, and a colour with too little contrast is corrected, each with a notice.
pub fn decode(query: &str) -> (EmbedOptions, Vec<Notice>) {
    let mut o = EmbedOptions::default();
    let mut notices = Vec::new();
    let query = query.strip_prefix('?').unwrap_or(query);
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let v = value.trim();
        match key.as_ref() {
            "embed" => o.embed = matches!(v, "1" | "true" | "yes"),
            k @ ("fg" | "bg" | "accent") => match Rgb::parse_hex(v) {
                Some(c) => match k {
                    "fg" => o.theme.fg = Some(c),
                    "bg" => o.theme.bg = Some(c),
                    _ => o.theme.accent = Some(c),
                },
                None => notices.push(Notice {
                    key: k.to_string(),
                    message: "A theme colour is not a hex colour (#rrggbb); the default is used."
                        .into(),
                }),
            },
            "font" => match Font::from_key(v) {
                Some(f) => o.theme.font = Some(f),
                None => notices.push(Notice {
                    key: "font".into(),
                    message: "The font is not one of the offered ones; the default is used.".into(),
                }),
            },
            "hide" => o.hidden = parse_keys(v, "hide", &mut notices),
            "lock" => o.locked = parse_keys(v, "lock", &mut notices),
            _ => {}
        }
    }
    check_contrast(&mut o.theme, &mut notices);
    (o, notices)
}

/// Corrects the text and accent colours to WCAG AA against the background.
fn check_contrast(t: &mut Theme, notices: &mut Vec<Notice>) {
    if t.fg.is_none() && t.bg.is_none() && t.accent.is_none() {
        return;
    }
    let bg = t.bg.unwrap_or(DEFAULT_BG);
    for (key, slot, default) in [
        ("fg", &mut t.fg, DEFAULT_FG),
        ("accent", &mut t.accent, DEFAULT_ACCENT),
    ] {
        let c = slot.unwrap_or(default);
        let fixed = corrected(c, bg, AA_TEXT);
        if fixed != c {
            *slot = Some(fixed);
            notices.push(Notice {
                key: key.into(),
                message: format!(
                    "The {} colour had too little contrast with the background ({}:1, at least 4.5:1 is needed); {} is used instead.",
                    if key == "fg" { "text" } else { "accent" },
                    crate::display::fixed(contrast(c, bg), 1),
                    fixed.hex()
                ),
            });
        }
    }
    // Buttons put the background colour on the accent: the same pair, already checked.
}

/// Validates option values given as (key, value) pairs, exactly as [`decode`] reads them from
/// a URL (the embed page's form uses this, so what it shows is what the frame will do).
pub fn from_pairs(pairs: &[(&str, &str)]) -> (EmbedOptions, Vec<Notice>) {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    decode(&q.finish())
}

/// The embedding keys as query pairs (appended after the filter keys; empty when none).
pub fn encode(o: &EmbedOptions) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if o.embed {
        q.append_pair("embed", "1");
    }
    for (k, c) in [
        ("fg", o.theme.fg),
        ("bg", o.theme.bg),
        ("accent", o.theme.accent),
    ] {
        if let Some(c) = c {
            q.append_pair(k, &c.hex());
        }
    }
    if let Some(f) = o.theme.font {
        q.append_pair("font", f.key());
    }
    if !o.hidden.is_empty() {
        q.append_pair("hide", &o.hidden.join(","));
    }
    if !o.locked.is_empty() {
        q.append_pair("lock", &o.locked.join(","));
    }
    q.finish()
}

/// Copies the locked filters from `preset` (the link's values) into `f`, so no control, "clear
/// all" or back button moves them.
pub fn apply_locks(locked: &[&str], preset: &Filters, f: &mut Filters) {
    for key in locked {
        match *key {
            "act" => f.activities = preset.activities.clone(),
            "near" | "at" => f.place = preset.place.clone(),
            "r" => f.radius_km = preset.radius_km,
            "days" => f.days = preset.days,
            "tod" => f.time = preset.time.clone(),
            "from" => f.from = preset.from,
            "to" => f.to = preset.to,
            "free" => f.free = preset.free,
            "max" => f.max_price = preset.max_price,
            "age" => f.age = preset.age,
            "g" => f.gender = preset.gender,
            "acc" => f.accessibility = preset.accessibility.clone(),
            "wc" => f.wheelchair = preset.wheelchair,
            "lvl" => f.beginner = preset.beginner,
            "org" => f.organiser = preset.organiser.clone(),
            "q" => f.keyword = preset.keyword.clone(),
            "slots" => f.slots = preset.slots,
            "cx" => f.cancelled = preset.cancelled,
            "suit" => f.suits = preset.suits.clone(),
            "col" => f.collection = preset.collection.clone(),
            _ => {}
        }
    }
}
