//! RPDE 1.0 pages and items: lenient page parsing (one bad item never fails a page), the
//! `modified` ordering, and per-feed state (upsert when not older, delete by item id).

use foldhash::HashMap;
use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::model::Opportunity;

/// An item's `modified`: an integer (timestamp, change number, .NET ticks…) or a string.
///
/// Comparable within one feed: integers numerically (never through `f64`), strings of digits
/// numerically (any length), other strings lexicographically. Order across classes:
/// negative integers < non-negative numbers < other strings. Equality follows the ordering,
/// so `Int(5) == Str("05")`. Numbers with a fraction (`1700000000.25`, published as a JSON
/// float or a string) compare numerically with the others.
///
/// ```
/// use openactive::rpde::Modified;
/// assert!(Modified::Int(637890336000000001) > Modified::Int(637890336000000000));
/// assert!(Modified::Str("10".into()) > Modified::Int(9));
/// assert!(Modified::Str("100000000000000000000000000000000000000000".into())
///     > Modified::Str("99999999999999999999999999999999999999999".into()));
/// assert_eq!(Modified::Str("05".into()), Modified::Int(5));
/// assert!(Modified::Str("2015-01-13".into()) > Modified::Int(1_000_000));
/// assert!(Modified::Str("1000.5".into()) > Modified::Str("999.75".into()));
/// assert!(Modified::Str("1000.5".into()) > Modified::Int(1000));
/// assert!(Modified::Str("1000.5".into()) < Modified::Int(1001));
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Modified {
    /// A JSON integer (covers `u64` and `i64`).
    Int(i128),
    /// A string (or a non-integer number kept as its text).
    Str(String),
}

impl Modified {
    /// Reads `modified` from JSON: integers exactly, other numbers and strings as text.
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Number(n) => Some(if let Some(i) = n.as_i64() {
                Modified::Int(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Modified::Int(i128::from(u))
            } else {
                Modified::Str(n.to_string())
            }),
            Value::String(s) if !s.trim().is_empty() => Some(Modified::Str(s.trim().to_string())),
            _ => None,
        }
    }

    /// `(class, integer digits without leading zeros, fraction digits without trailing
    /// zeros)`; classes: 0 negative integer, 1 non-negative number (integer, digit string or
    /// decimal such as `1700000000.25`), 2 other text.
    fn class(&self) -> (u8, std::borrow::Cow<'_, str>, &str) {
        use std::borrow::Cow;
        match self {
            Modified::Int(i) if *i < 0 => (0, Cow::Owned(String::new()), ""),
            Modified::Int(i) => (1, Cow::Owned(i.to_string()), ""),
            Modified::Str(s) => match decimal(s) {
                Some((int, frac)) => (1, Cow::Borrowed(int), frac),
                None => (2, Cow::Borrowed(s.as_str()), ""),
            },
        }
    }

    /// The instant this `modified` stands for, when it plausibly is one (between 2000 and
    /// 2100): Unix seconds (also with a fraction), 13-digit milliseconds, 16-digit
    /// microseconds, .NET ticks (18 digits), or an ISO 8601 date-time. A change counter
    /// (`287950976`) is not a time: `None`.
    ///
    /// ```
    /// use openactive::rpde::Modified;
    /// let t = |m: Modified| m.as_timestamp().map(|t| t.to_rfc3339());
    /// assert_eq!(t(Modified::Int(1_700_000_000)).as_deref(), Some("2023-11-14T22:13:20+00:00"));
    /// assert_eq!(t(Modified::Int(1_700_000_000_000)).as_deref(), Some("2023-11-14T22:13:20+00:00"));
    /// assert_eq!(t(Modified::Str("1700000000.5".into())).as_deref(), Some("2023-11-14T22:13:20.500+00:00"));
    /// assert_eq!(t(Modified::Int(638_355_968_000_000_000)).as_deref(), Some("2023-11-14T22:13:20+00:00"));
    /// assert_eq!(t(Modified::Str("2024-01-02T03:04:05Z".into())).as_deref(), Some("2024-01-02T03:04:05+00:00"));
    /// assert_eq!(t(Modified::Int(287_950_976)), None);
    /// assert_eq!(t(Modified::Int(42)), None);
    /// ```
    pub fn as_timestamp(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        use chrono::{DateTime, Utc};
        const LOW: i64 = 946_684_800; // 2000-01-01
        const HIGH: i64 = 4_102_444_800; // 2100-01-01
        let in_range = |secs: i64, nanos: u32| {
            (LOW..HIGH)
                .contains(&secs)
                .then(|| DateTime::<Utc>::from_timestamp(secs, nanos))
                .flatten()
        };
        let from_int = |i: i128, frac: &str| -> Option<DateTime<Utc>> {
            let nanos_of = |f: &str| -> u32 {
                let digits: String = f.chars().chain(std::iter::repeat('0')).take(9).collect();
                digits.parse().unwrap_or(0)
            };
            for (div, sub) in [
                (1_i128, 0_i128),
                (1_000, 0),
                (1_000_000, 0),
                (10_000_000, 621_355_968_000_000_000),
            ] {
                let v = i - sub;
                if v < 0 {
                    continue;
                }
                let secs = i64::try_from(v / div).ok()?;
                let rem = u32::try_from(v % div).ok()?;
                let nanos = if div == 1 {
                    nanos_of(frac)
                } else {
                    u32::try_from(i128::from(rem) * 1_000_000_000 / div).ok()?
                };
                if let Some(t) = in_range(secs, nanos) {
                    return Some(t);
                }
            }
            None
        };
        match self {
            Modified::Int(i) => from_int(*i, ""),
            Modified::Str(s) => match decimal(s) {
                Some((int, frac)) if int.len() <= 30 => from_int(int.parse().unwrap_or(0), frac),
                Some(_) => None,
                None => {
                    let t = crate::lenient::datetime(s)?.with_timezone(&Utc);
                    in_range(t.timestamp(), 0).map(|_| t)
                }
            },
        }
    }
}

/// A non-negative decimal number as text: `(integer digits without leading zeros, fraction
/// digits without trailing zeros)`.
fn decimal(s: &str) -> Option<(&str, &str)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() && digits(int) && digits(frac))
        .then(|| (int.trim_start_matches('0'), frac.trim_end_matches('0')))
}

fn cmp_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for Modified {
    fn cmp(&self, other: &Self) -> Ordering {
        if let (Modified::Int(a), Modified::Int(b)) = (self, other) {
            return a.cmp(b);
        }
        let (ca, sa, fa) = self.class();
        let (cb, sb, fb) = other.class();
        match ca.cmp(&cb) {
            Ordering::Equal => {}
            o => return o,
        }
        match ca {
            0 => match (self, other) {
                (Modified::Int(a), Modified::Int(b)) => a.cmp(b),
                _ => Ordering::Equal,
            },
            1 => cmp_digits(sa.trim_start_matches('0'), sb.trim_start_matches('0'))
                .then_with(|| fa.cmp(fb)),
            _ => sa.cmp(&sb),
        }
    }
}

impl PartialOrd for Modified {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Modified {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Modified {}

impl fmt::Display for Modified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Modified::Int(i) => write!(f, "{i}"),
            Modified::Str(s) => f.write_str(s),
        }
    }
}

/// `state` of an RPDE item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    /// The item exists with this `data`.
    Updated,
    /// The item was removed.
    Deleted,
}

/// One RPDE item.
#[derive(Debug, Clone)]
pub struct Item {
    /// `item.id` as a string (integers are rendered in full).
    pub id: String,
    /// `item.id` was published as a JSON number (a relay renders it back as one).
    pub id_is_number: bool,
    /// `kind` as published (empty when missing).
    pub kind: String,
    /// `modified`.
    pub modified: Modified,
    /// `state`.
    pub state: ItemState,
    /// The exact bytes of `data` (for relays); `None` for deleted items.
    pub data: Option<Box<RawValue>>,
    /// `data` parsed into the opportunity model (updated items only).
    pub opportunity: Option<Arc<Opportunity>>,
}

/// Why an item was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    /// `item.id` when it could be read.
    pub item_id: Option<String>,
    /// Human-readable reason.
    pub reason: String,
}

/// Something the reader noticed about an item it read (the item is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// `item.id`.
    pub item_id: String,
    /// What was noticed and how it was read.
    pub note: String,
}

/// Counts from parsing one or more pages.
///
/// Nothing is lost silently: every entry of `items` whose `state` is `updated` is either
/// `parsed` or in `skipped` (so `parsed + skipped_updated == updated`), and every entry is
/// `updated`, `deleted` or skipped without a readable state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseReport {
    /// Entries in `items`.
    pub items: usize,
    /// Entries whose `state` is `updated` (read or skipped).
    pub updated: usize,
    /// Valid `deleted` items.
    pub deleted: usize,
    /// Updated items read as a recognised opportunity type.
    pub parsed: usize,
    /// Items skipped, with reasons. An updated item of a type that is not an opportunity is
    /// skipped here and still kept in [`Page::items`] (relays pass it on).
    pub skipped: Vec<Skip>,
    /// How many of `skipped` had `state` `updated`.
    #[serde(default)]
    pub skipped_updated: usize,
    /// Items read, with what the reader noticed (see [`Flag`]).
    #[serde(default)]
    pub flagged: Vec<Flag>,
}

impl ParseReport {
    /// Adds another report's counts and skips to this one.
    pub fn merge(&mut self, other: &ParseReport) {
        self.items += other.items;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.parsed += other.parsed;
        self.skipped.extend(other.skipped.iter().cloned());
        self.skipped_updated += other.skipped_updated;
        self.flagged.extend(other.flagged.iter().cloned());
    }

    fn flag(&mut self, item_id: &str, note: String) {
        self.flagged.push(Flag {
            item_id: item_id.to_string(),
            note,
        });
    }
}

/// One parsed RPDE page.
#[derive(Debug, Clone)]
pub struct Page {
    /// `next`, resolved to an absolute URL against the page URL when possible.
    pub next: String,
    /// Valid items, in page order.
    pub items: Vec<Item>,
    /// `license`.
    pub license: Option<String>,
    /// Last page: no items and `next` equals the page URL.
    pub is_last: bool,
    /// What was read and skipped.
    pub report: ParseReport,
}

/// Why a page as a whole could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageError {
    /// Not valid JSON (includes nesting deeper than the parser's limit).
    Json(String),
    /// JSON, but not an RPDE page (with what was wrong).
    NotAPage(String),
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageError::Json(e) => write!(f, "not valid JSON: {e}"),
            PageError::NotAPage(e) => write!(f, "not an RPDE page: {e}"),
        }
    }
}

impl std::error::Error for PageError {}

/// A page's envelope. As for items, a key given twice keeps its last value.
struct RawPage<'a> {
    next: Option<Value>,
    items: Option<Vec<&'a RawValue>>,
    license: Option<Value>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawPage<'a> {
    fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
        enum K {
            Next,
            Items,
            License,
            Other,
        }
        impl<'de> Deserialize<'de> for K {
            fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = K;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a key")
                    }
                    fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<K, E> {
                        Ok(match k {
                            "next" => K::Next,
                            "items" => K::Items,
                            "license" => K::License,
                            _ => K::Other,
                        })
                    }
                }
                de.deserialize_identifier(V)
            }
        }
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = RawPage<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RPDE page object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawPage<'a>, A::Error> {
                let mut p = RawPage {
                    next: None,
                    items: None,
                    license: None,
                };
                while let Some(k) = map.next_key::<K>()? {
                    match k {
                        K::Next => p.next = map.next_value()?,
                        K::Items => p.items = map.next_value()?,
                        K::License => p.license = map.next_value()?,
                        K::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(p)
            }
        }
        de.deserialize_map(V(std::marker::PhantomData))
    }
}

/// An item's envelope, with `data` kept raw (`&RawValue`, for relays) or read into a `Value`.
///
/// Read by hand rather than derived so that a key given twice keeps its last value (as a
/// generic JSON reader does) instead of rejecting the item; the repeated keys are noted.
struct RawItem<D> {
    state: Option<Value>,
    kind: Option<Value>,
    id: Option<Value>,
    modified: Option<Value>,
    data: Option<D>,
    /// Keys given more than once.
    repeated: Vec<&'static str>,
}

enum Field {
    State,
    Kind,
    Id,
    Modified,
    Data,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<Field, E> {
                Ok(match k {
                    "state" => Field::State,
                    "kind" => Field::Kind,
                    "id" => Field::Id,
                    "modified" => Field::Modified,
                    "data" => Field::Data,
                    _ => Field::Other,
                })
            }
        }
        de.deserialize_identifier(V)
    }
}

impl<'de, D: Deserialize<'de>> Deserialize<'de> for RawItem<D> {
    fn deserialize<De: serde::Deserializer<'de>>(de: De) -> Result<Self, De::Error> {
        struct V<D>(std::marker::PhantomData<D>);
        impl<'de, D: Deserialize<'de>> serde::de::Visitor<'de> for V<D> {
            type Value = RawItem<D>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RPDE item object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawItem<D>, A::Error> {
                fn put<T>(
                    slot: &mut Option<T>,
                    v: T,
                    name: &'static str,
                    rep: &mut Vec<&'static str>,
                ) {
                    if slot.is_some() && !rep.contains(&name) {
                        rep.push(name);
                    }
                    *slot = Some(v);
                }
                let mut it = RawItem {
                    state: None,
                    kind: None,
                    id: None,
                    modified: None,
                    data: None,
                    repeated: Vec::new(),
                };
                let mut seen_data = false;
                while let Some(k) = map.next_key::<Field>()? {
                    match k {
                        Field::State => {
                            put(&mut it.state, map.next_value()?, "state", &mut it.repeated)
                        }
                        Field::Kind => {
                            put(&mut it.kind, map.next_value()?, "kind", &mut it.repeated)
                        }
                        Field::Id => put(&mut it.id, map.next_value()?, "id", &mut it.repeated),
                        Field::Modified => {
                            put(
                                &mut it.modified,
                                map.next_value()?,
                                "modified",
                                &mut it.repeated,
                            );
                        }
                        Field::Data => {
                            if seen_data && !it.repeated.contains(&"data") {
                                it.repeated.push("data");
                            }
                            seen_data = true;
                            it.data = map.next_value::<Option<D>>()?;
                        }
                        Field::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(it)
            }
        }
        de.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Resolves `next` against the page URL (relative `next` URLs exist in the wild).
fn resolve_next(next: &str, page_url: &str) -> String {
    let next = next.trim();
    if let Ok(abs) = url::Url::parse(next) {
        return abs.to_string();
    }
    match url::Url::parse(page_url).and_then(|base| base.join(next)) {
        Ok(u) => u.to_string(),
        Err(_) => next.to_string(),
    }
}

fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// [`parse_page`] for a consumer that needs only the model (the browser app): it reads the raw
/// bytes of a response (no text decoding by the caller: in the browser that saves decoding to
/// UTF-16 and copying back; invalid UTF-8 becomes U+FFFD, as `response.text()` does), reads each
/// item's `data` in one pass straight into the model, and leaves [`Item::data`] empty (the
/// exact bytes are for relays). A malformed `data` skips its item as "item is malformed".
///
/// ```
/// let page = openactive::rpde::parse_page_model(
///     br#"{"next":"https://x/2","items":[{"state":"updated","kind":"SessionSeries","id":"1",
///        "modified":1,"data":{"@type":"SessionSeries","@id":"https://x/s/1"}}]}"#,
///     "https://x/1",
/// )
/// .unwrap();
/// assert!(page.items[0].data.is_none());
/// assert!(page.items[0].opportunity.is_some());
/// ```
pub fn parse_page_model(bytes: &[u8], page_url: &str) -> Result<Page, PageError> {
    parse_page_with(&String::from_utf8_lossy(bytes), page_url, false)
}

/// Parses an RPDE page. Invalid items are skipped and counted, never failing the page.
///
/// ```
/// let page = openactive::rpde::parse_page(
///     r#"{"next":"?afterChangeNumber=2","items":[
///         {"state":"deleted","kind":"Event","id":7,"modified":2},
///         {"state":"bogus","id":"x","modified":1}],"license":"L"}"#,
///     "https://ex.org/feed",
/// ).unwrap();
/// assert_eq!(page.next, "https://ex.org/feed?afterChangeNumber=2");
/// assert_eq!(page.items[0].id, "7");
/// assert_eq!(page.report.skipped.len(), 1);
/// assert!(openactive::rpde::parse_page("[[[", "x").is_err());
/// ```
pub fn parse_page(text: &str, page_url: &str) -> Result<Page, PageError> {
    parse_page_with(text, page_url, true)
}

fn parse_page_with(text: &str, page_url: &str, keep_raw: bool) -> Result<Page, PageError> {
    let trimmed = text.trim_start_matches('\u{feff}');
    if !trimmed.trim_start().starts_with('{') {
        return Err(
            match serde_json::from_str::<serde::de::IgnoredAny>(trimmed) {
                Ok(_) => PageError::NotAPage("the document is not a JSON object".into()),
                Err(e) => PageError::Json(e.to_string()),
            },
        );
    }
    let page: RawPage<'_> = serde_json::from_str(trimmed).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => PageError::NotAPage(e.to_string()),
        _ => PageError::Json(e.to_string()),
    })?;
    let items = page
        .items
        .ok_or_else(|| PageError::NotAPage("missing `items`".into()))?;
    let next = match page.next {
        Some(Value::String(s)) if !s.trim().is_empty() => resolve_next(&s, page_url),
        Some(_) => return Err(PageError::NotAPage("`next` is not a URL string".into())),
        None => return Err(PageError::NotAPage("missing `next`".into())),
    };
    let license = page.license.as_ref().and_then(crate::lenient::text);

    let mut report = ParseReport {
        items: items.len(),
        ..ParseReport::default()
    };
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut highest: Option<(Modified, String)> = None;
    // The first place `modified` goes down on this page, and how many more (one flag).
    let mut down: Option<(String, String, usize)> = None;
    for raw in items {
        // Relays re-serve the exact bytes, so they refuse too-deep items; the model path's
        // parser refuses them by itself (serde_json's recursion limit), without this scan.
        if keep_raw && let Some(skip) = too_deep(raw) {
            report.skipped.push(skip);
            continue;
        }
        let read = if keep_raw {
            parse_item_raw(raw)
        } else {
            parse_item_model(raw)
        };
        match read {
            Ok((item, notes)) => {
                for note in notes {
                    report.flag(&item.id, note);
                }
                if let Some((m, prev)) = &highest
                    && item.modified < *m
                {
                    match &mut down {
                        Some((_, _, more)) => *more += 1,
                        None => {
                            down = Some((
                                item.id.clone(),
                                format!(
                                    "`modified` goes down within the page ({} after {m} on `{prev}`): the higher `modified` of an item is kept",
                                    item.modified
                                ),
                                0,
                            ));
                        }
                    }
                }
                if highest.as_ref().is_none_or(|(m, _)| item.modified > *m) {
                    highest = Some((item.modified.clone(), item.id.clone()));
                }
                match item.state {
                    ItemState::Updated => {
                        report.updated += 1;
                        match item.opportunity.as_deref() {
                            Some(o) if o.kind.is_known() => {
                                report.parsed += 1;
                                for note in collapse_notes(o.all_notes()) {
                                    report.flag(&item.id, note);
                                }
                            }
                            o => {
                                report.skipped_updated += 1;
                                report.skipped.push(skip(
                                    Some(item.id.clone()),
                                    &match o.map(|o| o.kind.name()) {
                                        Some("") | None => "`data` has no `@type`".to_string(),
                                        Some(t) => format!(
                                            "not an opportunity type: `{}`",
                                            t.chars().take(80).collect::<String>()
                                        ),
                                    },
                                ));
                            }
                        }
                    }
                    ItemState::Deleted => report.deleted += 1,
                }
                out.push(item);
            }
            Err((skipped, state)) => {
                if state == Some(ItemState::Updated) {
                    report.updated += 1;
                    report.skipped_updated += 1;
                }
                report.skipped.push(skipped);
            }
        }
    }
    if let Some((id, note, more)) = down {
        let note = if more == 0 {
            note
        } else {
            format!("{note} [+{more} more on this page]")
        };
        report.flag(&id, note);
    }
    let is_last = out.is_empty() && same_url(&next, page_url);
    Ok(Page {
        next,
        items: out,
        license,
        is_last,
        report,
    })
}

/// One note per kind per item: the first, with how many more of that kind the item has
/// (`… [+95 more in this item]`), so a series of 96 sessions at a wrong offset is one flag.
fn collapse_notes(notes: Vec<String>) -> Vec<String> {
    if notes.len() < 2 {
        return notes;
    }
    let mut kinds: Vec<(String, String, usize)> = Vec::new();
    for n in notes {
        let k = crate::check::note_kind(&n);
        match kinds.iter_mut().find(|(kind, _, _)| *kind == k) {
            Some(e) => e.2 += 1,
            None => kinds.push((k, n, 0)),
        }
    }
    kinds
        .into_iter()
        .map(|(_, n, more)| {
            if more == 0 {
                n
            } else {
                format!("{n} [+{more} more in this item]")
            }
        })
        .collect()
}

/// A skipped item, with its `state` when that could be read.
type Failed = (Skip, Option<ItemState>);

/// An `id` published as a number: integers in full, integral floats without `.0`.
fn number_id(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// Deepest nesting of arrays and objects an item may have (the item object itself is level
/// 1). Real OpenActive items stay under 20; a relayed page adds 2 levels, and common JSON
/// parsers refuse documents beyond 128, so a deeper item would break whole pages for every
/// consumer downstream.
pub const MAX_ITEM_DEPTH: usize = 64;

/// The deepest nesting of arrays and objects in a JSON text (0 for a scalar), counted in one
/// pass without parsing (brackets inside strings are ignored). Meant for text that is already
/// known to be JSON.
///
/// ```
/// use openactive::rpde::nesting_depth;
/// assert_eq!(nesting_depth(r#"{"a":[1,{"b":"[[[{"}]}"#), 3);
/// assert_eq!(nesting_depth(r#""x""#), 0);
/// assert_eq!(nesting_depth(&format!("{}{}", "[".repeat(5000), "]".repeat(5000))), 5000);
/// ```
pub fn nesting_depth(json: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut in_string = false;
    let mut escaped = false;
    for b in json.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// An item nested deeper than [`MAX_ITEM_DEPTH`], as a skip with its reason (and its `id`
/// when that can be read).
fn too_deep(raw: &RawValue) -> Option<Skip> {
    if nesting_depth(raw.get()) <= MAX_ITEM_DEPTH {
        return None;
    }
    let id = serde_json::from_str::<RawItem<&RawValue>>(raw.get())
        .ok()
        .and_then(|item| match item.id {
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        });
    Some(skip(
        id,
        &format!("item is nested too deeply (more than {MAX_ITEM_DEPTH} levels)"),
    ))
}

fn skip(id: Option<String>, reason: &str) -> Skip {
    Skip {
        item_id: id,
        reason: reason.to_string(),
    }
}

/// Why an item could not be read as an object at all.
fn malformed(raw: &RawValue, e: &serde_json::Error) -> Skip {
    let reason = if raw.get().trim_start().starts_with('{') {
        format!("item is malformed: {e}")
    } else {
        "item is not an object".to_string()
    };
    skip(None, &reason)
}

/// An item's envelope, checked: `id` (with whether it was a number), `modified`, `state`
/// and `kind`.
type Envelope = (String, bool, Modified, ItemState, String);

fn envelope(
    id: Option<Value>,
    modified: Option<&Value>,
    state: Option<&Value>,
    kind: Option<&Value>,
) -> Result<Envelope, Failed> {
    let st = match state.and_then(Value::as_str).map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("updated") => Some(ItemState::Updated),
        Some(s) if s.eq_ignore_ascii_case("deleted") => Some(ItemState::Deleted),
        _ => None,
    };
    let (id, id_is_number) = match id {
        Some(Value::String(s)) if !s.is_empty() => (s, false),
        Some(Value::Number(n)) => (number_id(&n), true),
        _ => return Err((skip(None, "missing or invalid `id`"), st)),
    };
    let modified = match modified.and_then(Modified::from_value) {
        Some(m) => m,
        None => return Err((skip(Some(id), "missing or invalid `modified`"), st)),
    };
    let Some(state) = st else {
        return Err((skip(Some(id), "missing or invalid `state`"), None));
    };
    let kind = kind
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    Ok((id, id_is_number, modified, state, kind))
}

/// Why an item's `data` could not be read into the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataError {
    /// Not valid JSON (with the parser's message).
    Malformed(String),
    /// Valid JSON, but not an object.
    NotAnObject,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Malformed(e) => write!(f, "`data` is malformed: {e}"),
            DataError::NotAnObject => f.write_str("`data` is not an object"),
        }
    }
}

impl std::error::Error for DataError {}

/// Reads an item's `data` text (e.g. the exact bytes a relay kept) into the model.
///
/// ```
/// use openactive::model::OpportunityType;
/// let o = openactive::rpde::parse_data(r#"{"@type":"ScheduledSession","startDate":"2026-01-10T09:00:00"}"#).unwrap();
/// assert_eq!(o.kind, OpportunityType::ScheduledSession);
/// assert!(o.start.is_some());
/// assert!(openactive::rpde::parse_data("[1]").is_err());
/// ```
pub fn parse_data(data: &str) -> Result<Opportunity, DataError> {
    let value: Value =
        serde_json::from_str(data).map_err(|e| DataError::Malformed(e.to_string()))?;
    match value {
        Value::Object(map) => Ok(Opportunity::from_document(map)),
        _ => Err(DataError::NotAnObject),
    }
}

/// Parses one RPDE item on its own (e.g. a relayed item kept on disk), with the same rules
/// as items on a page; `data` is kept raw as in [`parse_page`].
///
/// ```
/// let item = openactive::rpde::parse_item(r#"{"state":"deleted","kind":"Slot","id":12,"modified":3}"#).unwrap();
/// assert_eq!((item.id.as_str(), item.id_is_number), ("12", true));
/// assert!(openactive::rpde::parse_item(r#"{"state":"updated","id":"a","modified":1}"#).is_err());
/// ```
pub fn parse_item(text: &str) -> Result<Item, Skip> {
    let raw: &RawValue =
        serde_json::from_str(text).map_err(|e| skip(None, &format!("item is malformed: {e}")))?;
    parse_item_raw(raw)
        .map(|(item, _notes)| item)
        .map_err(|(skip, _)| skip)
}

/// Whether an RPDE `kind` (or a data `@type`) names a parent: a series, facility, course or
/// place that child items (sessions, slots, course instances) reference. Read leniently, as
/// [`OpportunityType::parse`](crate::model::OpportunityType::parse) does.
///
/// ```
/// use openactive::rpde::is_parent_kind;
/// assert!(is_parent_kind("SessionSeries") && is_parent_kind("IndividualFacilityUse"));
/// assert!(is_parent_kind("Course") && is_parent_kind("Place") && is_parent_kind("EventSeries"));
/// assert!(!is_parent_kind("ScheduledSession") && !is_parent_kind("Slot"));
/// ```
pub fn is_parent_kind(kind: &str) -> bool {
    crate::model::OpportunityType::parse(kind).is_parent_type()
}

fn repeated_notes(repeated: &[&str]) -> Vec<String> {
    repeated
        .iter()
        .map(|k| format!("duplicate key `{k}` in the item (the last value is kept)"))
        .collect()
}

fn parse_item_raw(raw: &RawValue) -> Result<(Item, Vec<String>), Failed> {
    let item: RawItem<&RawValue> =
        serde_json::from_str(raw.get()).map_err(|e| (malformed(raw, &e), None))?;
    let notes = repeated_notes(&item.repeated);
    let (id, id_is_number, modified, state, kind) = envelope(
        item.id,
        item.modified.as_ref(),
        item.state.as_ref(),
        item.kind.as_ref(),
    )?;
    let (data, opportunity) = match state {
        ItemState::Deleted => (None, None),
        ItemState::Updated => {
            let up = Some(ItemState::Updated);
            let Some(data) = item.data.filter(|d| d.get() != "null") else {
                return Err((skip(Some(id), "updated item without `data`"), up));
            };
            let opp =
                parse_data(data.get()).map_err(|e| (skip(Some(id.clone()), &e.to_string()), up))?;
            (Some(data.to_owned()), Some(Arc::new(opp)))
        }
    };
    Ok((
        Item {
            id,
            id_is_number,
            kind,
            modified,
            state,
            data,
            opportunity,
        },
        notes,
    ))
}

/// [`parse_item`] reading `data` in the same pass, keeping no raw bytes.
fn parse_item_model(raw: &RawValue) -> Result<(Item, Vec<String>), Failed> {
    let item: RawItem<Value> =
        serde_json::from_str(raw.get()).map_err(|e| (malformed(raw, &e), None))?;
    let notes = repeated_notes(&item.repeated);
    let (id, id_is_number, modified, state, kind) = envelope(
        item.id,
        item.modified.as_ref(),
        item.state.as_ref(),
        item.kind.as_ref(),
    )?;
    let opportunity = match state {
        ItemState::Deleted => None,
        ItemState::Updated => match item.data {
            None | Some(Value::Null) => {
                return Err((
                    skip(Some(id), "updated item without `data`"),
                    Some(ItemState::Updated),
                ));
            }
            Some(Value::Object(map)) => Some(Arc::new(Opportunity::from_document(map))),
            Some(_) => {
                return Err((
                    skip(Some(id), "`data` is not an object"),
                    Some(ItemState::Updated),
                ));
            }
        },
    };
    Ok((
        Item {
            id,
            id_is_number,
            kind,
            modified,
            state,
            data: None,
            opportunity,
        },
        notes,
    ))
}

/// What applying a page changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Item ids inserted or replaced.
    pub upserted: Vec<String>,
    /// Item ids deleted (including ids never seen before).
    pub deleted: Vec<String>,
    /// Items ignored because a newer version (or deletion) was already applied.
    pub ignored_stale: usize,
}

#[derive(Debug, Clone)]
struct Slot<V> {
    modified: Modified,
    value: Option<V>,
    /// When it was applied: a counter over every item this state accepted.
    seq: u64,
}

/// The current state of one feed: the latest version of each live item, plus tombstones
/// (deleted ids with their `modified`) so that an older, late copy never resurrects an item.
///
/// `V` is what is stored per live item: the whole [`Item`] by default (for relays), or
/// anything derived from it via [`FeedState::apply_with`].
#[derive(Debug, Clone)]
pub struct FeedState<V = Item> {
    entries: HashMap<String, Slot<V>>,
    live: usize,
    /// Items accepted so far (see [`FeedState::applied_order`]).
    accepted: u64,
}

impl<V> Default for FeedState<V> {
    fn default() -> Self {
        Self {
            entries: HashMap::default(),
            live: 0,
            accepted: 0,
        }
    }
}

impl FeedState<Item> {
    /// Applies a page, storing each accepted item.
    pub fn apply(&mut self, page: &Page) -> Changes {
        self.apply_with(page, Item::clone)
    }
}

impl<V> FeedState<V> {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies a page, storing `convert(item)` for each accepted update. An update is
    /// accepted when its `modified` is not older than what is stored (or the tombstone);
    /// a deletion when it is not older than the stored version.
    pub fn apply_with(&mut self, page: &Page, mut convert: impl FnMut(&Item) -> V) -> Changes {
        let mut changes = Changes::default();
        for item in &page.items {
            let accepted = match self.entries.get(&item.id) {
                Some(slot) => item.modified >= slot.modified,
                None => true,
            };
            if !accepted {
                changes.ignored_stale += 1;
                continue;
            }
            let value = match item.state {
                ItemState::Updated => Some(convert(item)),
                ItemState::Deleted => None,
            };
            let is_live = value.is_some();
            self.accepted += 1;
            let seq = self.accepted;
            match self.entries.entry(item.id.clone()) {
                Entry::Occupied(mut e) => {
                    let was_live = e.get().value.is_some();
                    e.insert(Slot {
                        modified: item.modified.clone(),
                        value,
                        seq,
                    });
                    self.live = self.live + usize::from(is_live) - usize::from(was_live);
                }
                Entry::Vacant(e) => {
                    e.insert(Slot {
                        modified: item.modified.clone(),
                        value,
                        seq,
                    });
                    self.live += usize::from(is_live);
                }
            }
            if is_live {
                changes.upserted.push(item.id.clone());
            } else {
                changes.deleted.push(item.id.clone());
            }
        }
        changes
    }

    /// The stored value for a live item.
    pub fn get(&self, id: &str) -> Option<&V> {
        self.entries.get(id).and_then(|s| s.value.as_ref())
    }

    /// The `modified` last applied for an id (live or deleted).
    pub fn modified(&self, id: &str) -> Option<&Modified> {
        self.entries.get(id).map(|s| &s.modified)
    }

    /// When an id's current version was applied, as a number that grows with every item
    /// accepted (a later page, or later on the same page, gives a larger number).
    pub fn applied_order(&self, id: &str) -> Option<u64> {
        self.entries.get(id).map(|s| s.seq)
    }

    /// Number of live items.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether there are no live items.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Live items as `(item id, value)`, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.entries
            .iter()
            .filter_map(|(k, s)| s.value.as_ref().map(|v| (k.as_str(), v)))
    }

    /// Forgets tombstones (deleted ids), e.g. after a full resync.
    pub fn prune_tombstones(&mut self) {
        self.entries.retain(|_, s| s.value.is_some());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_nested_too_deeply_is_skipped_with_its_reason_and_the_page_kept() {
        let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        let just_ok = format!(
            "{}1{}",
            "[".repeat(MAX_ITEM_DEPTH - 2),
            "]".repeat(MAX_ITEM_DEPTH - 2)
        );
        let text = format!(
            r#"{{"next":"https://x/2","items":[
                {{"state":"updated","kind":"SessionSeries","id":"deep","modified":1,"data":{{"@type":"SessionSeries","x":{deep}}}}},
                {{"state":"updated","kind":"SessionSeries","id":"ok","modified":2,"data":{{"@type":"SessionSeries","x":{just_ok}}}}}
            ]}}"#
        );
        let page = parse_page(&text, "https://x/1").unwrap();
        let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["ok"]);
        assert_eq!(page.report.items, 2);
        assert_eq!(page.report.updated, 1);
        assert_eq!(
            page.report.skipped,
            [Skip {
                item_id: Some("deep".into()),
                reason: format!("item is nested too deeply (more than {MAX_ITEM_DEPTH} levels)"),
            }]
        );
        // The model path skips it too (its parser's own limit), and keeps the page.
        let page = parse_page_model(text.as_bytes(), "https://x/1").unwrap();
        let ids: Vec<&str> = page.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["ok"]);
        assert_eq!(page.report.skipped.len(), 1);
    }

    #[test]
    fn modified_ordering_mixed() {
        let mut v = [
            Modified::Str("b".into()),
            Modified::Int(10),
            Modified::Str("9".into()),
            Modified::Int(-3),
            Modified::Str("a".into()),
            Modified::Int(u64::MAX.into()),
        ];
        v.sort();
        assert_eq!(
            v.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["-3", "9", "10", "18446744073709551615", "a", "b"]
        );
    }

    #[test]
    fn huge_modified_is_exact() {
        let p = parse_page(
            r#"{"next":"n","items":[{"state":"deleted","kind":"k","id":"a","modified":18446744073709551615}]}"#,
            "u",
        )
        .unwrap();
        assert_eq!(p.items[0].modified, Modified::Int(18446744073709551615));
    }

    #[test]
    fn page_errors_are_clear() {
        assert!(matches!(parse_page("nope", "u"), Err(PageError::Json(_))));
        assert!(matches!(parse_page("[]", "u"), Err(PageError::NotAPage(_))));
        assert!(matches!(
            parse_page(r#"{"items":[]}"#, "u"),
            Err(PageError::NotAPage(_))
        ));
        assert!(matches!(
            parse_page(r#"{"next":"u","items":{}}"#, "u"),
            Err(PageError::NotAPage(_))
        ));
        let deep = "[".repeat(100_000);
        assert!(matches!(parse_page(&deep, "u"), Err(PageError::Json(_))));
        let balanced = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse_page(&balanced, "u").is_err());
        let deep_obj = format!(r#"{{"next":{}}}"#, "[".repeat(100_000));
        assert!(parse_page(&deep_obj, "u").is_err());
        let deep_item = format!(
            r#"{{"next":"u","items":[{{"state":"updated","id":"1","modified":1,"data":{}}}]}}"#,
            "[".repeat(100_000)
        );
        assert!(parse_page(&deep_item, "u").is_err());
        let deep_data = format!(
            r#"{{"next":"u","items":[{{"state":"updated","id":"1","modified":1,"data":{{"a":{}1{}}}}}]}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let p = parse_page(&deep_data, "u").unwrap();
        assert_eq!(p.report.skipped.len(), 1);
    }

    #[test]
    fn last_page_detection() {
        let p = parse_page(
            r#"{"next":"https://a.org/f?x=1","items":[]}"#,
            "https://a.org/f?x=1",
        )
        .unwrap();
        assert!(p.is_last);
        let p = parse_page(
            r#"{"next":"https://a.org/f?x=2","items":[]}"#,
            "https://a.org/f?x=1",
        )
        .unwrap();
        assert!(!p.is_last);
    }

    #[test]
    fn feed_state_rules() {
        let page = |json: &str| parse_page(json, "u").unwrap();
        let mut st = FeedState::new();
        let c = st.apply(&page(
            r#"{"next":"u","items":[
              {"state":"updated","id":"a","modified":5,"data":{"@type":"Event"}},
              {"state":"deleted","id":"zz","modified":6}]}"#,
        ));
        assert_eq!(c.upserted, ["a"]);
        assert_eq!(c.deleted, ["zz"]);
        assert_eq!(st.len(), 1);
        let c = st.apply(&page(
            r#"{"next":"u","items":[
              {"state":"updated","id":"a","modified":4,"data":{"@type":"Event"}},
              {"state":"updated","id":"zz","modified":5,"data":{"@type":"Event"}}]}"#,
        ));
        assert_eq!(c.ignored_stale, 2);
        assert_eq!(st.len(), 1);
        let c = st.apply(&page(
            r#"{"next":"u","items":[{"state":"deleted","id":"a","modified":5}]}"#,
        ));
        assert_eq!(c.deleted, ["a"]);
        assert!(st.is_empty());
        assert!(st.get("a").is_none());
    }
}
