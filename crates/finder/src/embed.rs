//! Embedding options: the keys a referral agency's snippet adds to the URL contract (embed mode,
//! theme colours, font, hidden and locked filters), their validation, the WCAG contrast check,
//! and the copy-paste snippet. No I/O.
//!
//! | key | meaning | example |
//! |---|---|---|
//! | `embed` | compact layout for an iframe; reports its height to the parent | `embed=1` |
//! | `fg` | text colour, `#rgb` or `#rrggbb` | `fg=%23222222` |
//! | `bg` | background colour | `bg=%23fffdf5` |
//! | `accent` | links, buttons and the header colour | `accent=%23005a30` |
//! | `font` | one of [`Font::ALL`] (system font stacks only) | `font=serif` |
//! | `hide` | filter keys whose controls are hidden | `hide=slots,acc` |
//! | `lock` | filter keys kept at the link's value and hidden | `lock=near,r` |
//!
//! Colours that fail WCAG AA against the background (4.5:1 for text) are corrected toward
//! black or white until they pass, with a [`Notice`]. Locking is an affordance for the host
//! page, not a security boundary: anyone can edit the frame's URL.

use crate::filter::Filters;
use crate::url::Notice;

/// WCAG AA minimum contrast for normal text.
pub const AA_TEXT: f64 = 4.5;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Black.
    pub const BLACK: Rgb = Rgb(0, 0, 0);
    /// White.
    pub const WHITE: Rgb = Rgb(255, 255, 255);

    /// Parses `#rgb` or `#rrggbb` (the `#` is optional); `None` for anything else.
    pub fn parse_hex(s: &str) -> Option<Rgb> {
        let h = s.trim();
        let h = h.strip_prefix('#').unwrap_or(h);
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let digit = |i: usize| u8::from_str_radix(&h[i..=i], 16).ok();
        match h.len() {
            3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 => {
                let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
                Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
            }
            _ => None,
        }
    }

    /// `#rrggbb`, lower case.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// WCAG 2 relative luminance (0 black … 1 white).
    pub fn luminance(self) -> f64 {
        fn channel(c: u8) -> f64 {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        }
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    fn mix(self, other: Rgb, t: f64) -> Rgb {
        let m = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(m(self.0, other.0), m(self.1, other.1), m(self.2, other.2))
    }
}

/// WCAG 2 contrast ratio between two colours (1 … 21, symmetric).
pub fn contrast(a: Rgb, b: Rgb) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// `fg` itself when it reaches `min` against `bg`; otherwise the colour nearest to `fg` on the
/// way to black or white (whichever contrasts more with `bg`) that does. `min` is capped at
/// the contrast black or white reaches, so the result always passes for `min <= 4.5`.
pub fn corrected(fg: Rgb, bg: Rgb, min: f64) -> Rgb {
    if contrast(fg, bg) >= min {
        return fg;
    }
    let target = if contrast(Rgb::BLACK, bg) >= contrast(Rgb::WHITE, bg) {
        Rgb::BLACK
    } else {
        Rgb::WHITE
    };
    let min = min.min(contrast(target, bg));
    (1..=100)
        .map(|i| fg.mix(target, f64::from(i) / 100.0))
        .find(|c| contrast(*c, bg) >= min)
        .unwrap_or(target)
}

/// A font from a fixed list of system font stacks (nothing is downloaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    /// The platform's UI font.
    System,
    /// A humanist sans-serif.
    Humanist,
    /// A transitional serif.
    Serif,
    /// A rounded sans-serif where the platform has one.
    Rounded,
}

impl Font {
    /// Every font, in the order the embed page offers them.
    pub const ALL: [Font; 4] = [Font::System, Font::Humanist, Font::Serif, Font::Rounded];

    /// The URL value.
    pub fn key(self) -> &'static str {
        match self {
            Font::System => "system",
            Font::Humanist => "humanist",
            Font::Serif => "serif",
            Font::Rounded => "rounded",
        }
    }

    /// A label for the embed page.
    pub fn label(self) -> &'static str {
        match self {
            Font::System => "System UI",
            Font::Humanist => "Humanist sans-serif",
            Font::Serif => "Serif",
            Font::Rounded => "Rounded",
        }
    }

    /// The CSS `font-family` stack.
    pub fn stack(self) -> &'static str {
        match self {
            Font::System => {
                "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif"
            }
            Font::Humanist => {
                "Seravek, \"Gill Sans Nova\", Ubuntu, Calibri, \"DejaVu Sans\", source-sans-pro, sans-serif"
            }
            Font::Serif => {
                "Charter, \"Bitstream Charter\", \"Sitka Text\", Cambria, Georgia, serif"
            }
            Font::Rounded => {
                "ui-rounded, \"Hiragino Maru Gothic ProN\", Quicksand, Comfortaa, Manjari, \"Arial Rounded MT\", Calibri, sans-serif"
            }
        }
    }

    /// The font for a URL value.
    pub fn from_key(s: &str) -> Option<Font> {
        Font::ALL.into_iter().find(|f| f.key() == s)
    }
}

/// Filter keys a host may hide or lock, with the group of controls each belongs to.
pub const LOCKABLE: [&str; 21] = [
    "act", "near", "at", "r", "days", "tod", "from", "to", "free", "max", "age", "g", "acc", "wc",
    "lvl", "org", "q", "slots", "cx", "suit", "col",
];

/// Theme colours and font; `None` keeps the app's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Theme {
    /// Text colour.
    pub fg: Option<Rgb>,
    /// Background colour.
    pub bg: Option<Rgb>,
    /// Accent (links, buttons, header).
    pub accent: Option<Rgb>,
    /// Font stack.
    pub font: Option<Font>,
}

/// The app's own colours, against which a partial theme is checked.
pub const DEFAULT_FG: Rgb = Rgb(0x1b, 0x1b, 0x1b);
/// The app's background.
pub const DEFAULT_BG: Rgb = Rgb(0xff, 0xff, 0xff);
/// The app's error colour.
pub const DEFAULT_ERROR: Rgb = Rgb(0xb3, 0x26, 0x1e);
/// The app's accent.
pub const DEFAULT_ACCENT: Rgb = Rgb(0x1d, 0x4f, 0x91);

impl Theme {
    /// CSS custom properties for this theme (name, value), every value built from a validated
    /// colour or a fixed font stack; set them with `style.setProperty`.
    pub fn css_properties(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(c) = self.fg {
            out.push(("--af-text", c.hex()));
            out.push(("--af-muted", c.hex()));
        }
        if let Some(c) = self.bg {
            out.push(("--af-bg", c.hex()));
            // Panels take the background, and the error colour is kept readable on it.
            out.push(("--af-panel", c.hex()));
            out.push(("--af-error", corrected(DEFAULT_ERROR, c, AA_TEXT).hex()));
        }
        if let Some(c) = self.accent {
            out.push(("--af-brand", c.hex()));
            out.push(("--af-brand-dark", c.hex()));
        }
        if let Some(f) = self.font {
            out.push(("--af-font", f.stack().to_string()));
        }
        out
    }

    /// Whether any value is set.
    pub fn is_empty(&self) -> bool {
        *self == Theme::default()
    }
}

/// Everything the embedding keys say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmbedOptions {
    /// Compact layout in an iframe.
    pub embed: bool,
    /// Colours and font.
    pub theme: Theme,
    /// Filter keys whose controls are hidden (locked keys are hidden too).
    pub hidden: Vec<&'static str>,
    /// Filter keys kept at the link's value.
    pub locked: Vec<&'static str>,
}

impl EmbedOptions {
    /// Whether the controls for `key` are hidden (hidden or locked).
    pub fn is_hidden(&self, key: &str) -> bool {
        self.hidden.contains(&key) || self.locked.contains(&key)
    }
}

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

/// Why a snippet could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnippetError {
    /// The app's address is not a plain http(s) URL.
    BadBase,
}

impl std::fmt::Display for SnippetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnippetError::BadBase => f.write_str("the app's address is not a plain http(s) URL"),
        }
    }
}

impl std::error::Error for SnippetError {}

/// The copy-paste markup for a host page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The `<script>` plus `<div>` (the frame resizes with its content).
    pub script: String,
    /// A plain `<iframe>` for pages that cannot run scripts (fixed height).
    pub iframe: String,
    /// The frame's address.
    pub src: String,
}

/// Checks the app's base address: `http(s)://host[:port][/path]`, with only unreserved URL
/// characters in the host and path; returns it without a trailing `/`.
fn clean_base(base: &str) -> Option<&str> {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_' | b'~'));
    (host_ok && path_ok).then(|| base.trim_end_matches('/'))
}

/// Escapes text for a double-quoted HTML attribute.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet for the app at `base` (e.g. `https://finder.example.org`) showing `filters`
/// with `options` (embed mode is always on in the snippet). Values are re-encoded from the
/// validated types, so nothing the options say can leave the attribute values.
pub fn snippet(
    base: &str,
    filters: &Filters,
    options: &EmbedOptions,
) -> Result<Snippet, SnippetError> {
    let base = clean_base(base).ok_or(SnippetError::BadBase)?;
    let mut f = filters.clone();
    f.selected = None;
    f.map = None;
    let mut o = options.clone();
    o.embed = true;
    let src = format!("{base}/?{}&{}", crate::url::encode(&f), encode(&o));
    let a = attr(&src);
    let script = format!(
        "<script src=\"{}/embed.js\" async></script>\n<div data-activity-finder data-src=\"{a}\"></div>",
        attr(base)
    );
    let iframe = format!(
        "<iframe src=\"{a}\" title=\"Activity Finder\" width=\"100%\" height=\"900\" style=\"border:0\"></iframe>"
    );
    Ok(Snippet {
        script,
        iframe,
        src,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Place;
    use proptest::prelude::*;

    #[test]
    fn contrast_matches_the_wcag_reference_values() {
        assert!((contrast(Rgb::BLACK, Rgb::WHITE) - 21.0).abs() < 1e-9);
        assert!((contrast(Rgb::WHITE, Rgb::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic just-passing grey (4.54:1).
        let grey = Rgb::parse_hex("#767676").unwrap();
        assert!((contrast(grey, Rgb::WHITE) - 4.54).abs() < 0.01);
        assert!(contrast(Rgb::parse_hex("777").unwrap(), Rgb::WHITE) < AA_TEXT);
    }

    #[test]
    fn hex_parsing_accepts_only_hex_colours() {
        assert_eq!(Rgb::parse_hex("#fff"), Some(Rgb::WHITE));
        assert_eq!(Rgb::parse_hex("1D4F91"), Some(DEFAULT_ACCENT));
        for bad in [
            "", "#ff", "#ffff", "red", "#12345g", "#1234567", "#ff;x", "+12345",
        ] {
            assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn low_contrast_colours_are_corrected_with_a_notice() {
        let (o, n) =
            decode("fg=%23cccccc&bg=%23ffffff&accent=%23005a30&font=serif&lock=near,r&hide=slots");
        let fg = o.theme.fg.unwrap();
        assert_ne!(fg, Rgb(0xcc, 0xcc, 0xcc));
        assert!(contrast(fg, Rgb::WHITE) >= AA_TEXT);
        assert_eq!(o.theme.accent, Rgb::parse_hex("#005a30"));
        assert_eq!(o.theme.font, Some(Font::Serif));
        assert_eq!(o.locked, ["near", "r"]);
        assert!(o.is_hidden("slots") && o.is_hidden("near") && !o.is_hidden("q"));
        assert_eq!(n.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(), ["fg"]);
    }

    #[test]
    fn a_dark_background_alone_corrects_the_default_colours() {
        let (o, n) = decode("bg=%23101010");
        assert!(contrast(o.theme.fg.unwrap(), Rgb(16, 16, 16)) >= AA_TEXT);
        assert!(contrast(o.theme.accent.unwrap(), Rgb(16, 16, 16)) >= AA_TEXT);
        assert_eq!(n.len(), 2);
    }

    #[test]
    fn bad_values_are_dropped_with_notices() {
        let (o, n) = decode("fg=red&font=comic&lock=near,evil&embed=1");
        assert!(o.embed);
        assert_eq!(o.theme, Theme::default());
        assert_eq!(o.locked, ["near"]);
        assert_eq!(n.len(), 3);
    }

    #[test]
    fn locks_restore_the_preset_values() {
        let (preset, _) = crate::url::decode("near=E15&r=2&free=1&q=yoga");
        let mut f = Filters::default();
        apply_locks(&["near", "r"], &preset, &mut f);
        assert_eq!(f.place, Place::Outward("E15".into()));
        assert_eq!(f.radius_km, Some(2.0));
        assert!(!f.free);
        assert_eq!(f.keyword, "");
    }

    #[test]
    fn the_snippet_has_the_documented_shape() {
        let (f, _) = crate::url::decode("near=E15&r=2");
        let (o, _) = decode("accent=%23005a30&lock=near");
        let s = snippet("https://finder.example.org/", &f, &o).unwrap();
        assert_eq!(
            s.script,
            "<script src=\"https://finder.example.org/embed.js\" async></script>\n<div data-activity-finder data-src=\"https://finder.example.org/?v=1&amp;near=E15&amp;r=2&amp;embed=1&amp;accent=%23005a30&amp;lock=near\"></div>"
        );
        assert!(
            s.iframe
                .starts_with("<iframe src=\"https://finder.example.org/?v=1&amp;near=E15")
        );
        assert_eq!(
            snippet("javascript:alert(1)", &f, &o),
            Err(SnippetError::BadBase)
        );
        assert_eq!(
            snippet("https://a.example/\"><script>", &f, &o),
            Err(SnippetError::BadBase)
        );
    }

    /// Checks `s` is exactly the documented markup with attribute values that cannot close
    /// their quotes or open a tag.
    fn documented_shape(s: &Snippet, base: &str) -> bool {
        let safe = |v: &str| !v.contains(['"', '<', '>', '\'', '\n']);
        let a = attr(&s.src);
        s.script
            == format!(
                "<script src=\"{base}/embed.js\" async></script>\n<div data-activity-finder data-src=\"{a}\"></div>"
            )
            && s.iframe
                == format!(
                    "<iframe src=\"{a}\" title=\"Activity Finder\" width=\"100%\" height=\"900\" style=\"border:0\"></iframe>"
                )
            && safe(&a)
            && safe(base)
            && s.src.starts_with(&format!("{base}/?v=1&"))
    }

    proptest! {
        #[test]
        fn corrected_colours_always_pass_aa(fg in any::<(u8, u8, u8)>(), bg in any::<(u8, u8, u8)>()) {
            let (fg, bg) = (Rgb(fg.0, fg.1, fg.2), Rgb(bg.0, bg.1, bg.2));
            let c = corrected(fg, bg, AA_TEXT);
            prop_assert!(contrast(c, bg) >= AA_TEXT);
            if contrast(fg, bg) >= AA_TEXT { prop_assert_eq!(c, fg); }
            prop_assert!((contrast(fg, bg) - contrast(bg, fg)).abs() < 1e-12);
        }

        #[test]
        fn arbitrary_option_strings_stay_inside_the_snippet_shape(
            keys in proptest::collection::vec(
                prop_oneof![Just("fg".to_string()), Just("bg".to_string()), Just("accent".to_string()), Just("font".to_string()), Just("hide".to_string()),
                    Just("lock".to_string()), Just("embed".to_string()), Just("q".to_string()), Just("org".to_string()), Just("near".to_string()), Just("s".to_string()),
                    Just("act".to_string()), Just("tod".to_string()), ".{0,6}"],
                0..8),
            values in proptest::collection::vec(".{0,40}", 8),
            base in prop_oneof![Just("https://finder.example.org".to_string()), ".{0,30}"],
        ) {
            let query: String = keys.iter().zip(&values).map(|(k, v)| {
                let mut s = form_urlencoded::Serializer::new(String::new());
                s.append_pair(k, v);
                s.finish()
            }).collect::<Vec<_>>().join("&");
            let (f, _) = crate::url::decode(&query);
            let (o, _) = decode(&query);
            if let Some(t) = o.theme.fg.or(o.theme.accent) {
                prop_assert!(contrast(t, o.theme.bg.unwrap_or(DEFAULT_BG)) >= AA_TEXT);
            }
            for (_, v) in o.theme.css_properties() {
                let bad = v.contains([';', '<', '>', '{', '}', '\\']);
                prop_assert!(!bad, "css value {:?}", v);
            }
            match snippet(&base, &f, &o) {
                Ok(s) => {
                    let b = base.trim_end_matches('/');
                    prop_assert!(documented_shape(&s, b), "{:?}", s);
                    // The frame reads back the same options and filters.
                    let q = s.src.split_once('?').map(|x| x.1).unwrap_or("");
                    prop_assert_eq!(decode(q).0.theme, o.theme.clone());
                    prop_assert_eq!(decode(q).0.locked, o.locked.clone());
                    let back = crate::url::decode(q).0;
                    prop_assert_eq!(back.keyword.trim(), f.keyword.trim());
                }
                Err(SnippetError::BadBase) => prop_assert!(clean_base(&base).is_none()),
            }
        }
    }
}
