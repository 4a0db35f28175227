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
/// so `Int(5) == Str("05")`.
///
/// ```
/// use openactive::rpde::Modified;
/// assert!(Modified::Int(637890336000000001) > Modified::Int(637890336000000000));
/// assert!(Modified::Str("10".into()) > Modified::Int(9));
/// assert!(Modified::Str("100000000000000000000000000000000000000000".into())
///     > Modified::Str("99999999999999999999999999999999999999999".into()));
/// assert_eq!(Modified::Str("05".into()), Modified::Int(5));
/// assert!(Modified::Str("2015-01-13".into()) > Modified::Int(1_000_000));
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

    fn class(&self) -> (u8, &str, i128) {
        match self {
            Modified::Int(i) if *i < 0 => (0, "", *i),
            Modified::Int(i) => (1, "", *i),
            Modified::Str(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                (1, s.trim_start_matches('0'), -1)
            }
            Modified::Str(s) => (2, s, 0),
        }
    }
}

fn cmp_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for Modified {
    fn cmp(&self, other: &Self) -> Ordering {
        if let (Modified::Int(a), Modified::Int(b)) = (self, other) {
            return a.cmp(b);
        }
        let (ca, sa, ia) = self.class();
        let (cb, sb, ib) = other.class();
        match ca.cmp(&cb) {
            Ordering::Equal => {}
            o => return o,
        }
        match ca {
            0 => ia.cmp(&ib),
            1 => {
                // Non-negative numbers: an Int has ia >= 0 and empty digits; a digit string
                // has ia == -1.
                let da;
                let db;
                let a = if ia >= 0 {
                    da = ia.to_string();
                    da.trim_start_matches('0')
                } else {
                    sa
                };
                let b = if ib >= 0 {
                    db = ib.to_string();
                    db.trim_start_matches('0')
                } else {
                    sb
                };
                cmp_digits(a, b)
            }
            _ => sa.cmp(sb),
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

/// Counts from parsing one or more pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseReport {
    /// Entries in `items`.
    pub items: usize,
    /// Valid `updated` items.
    pub updated: usize,
    /// Valid `deleted` items.
    pub deleted: usize,
    /// Updated items whose `data` is a recognised opportunity type (others are kept too).
    pub parsed: usize,
    /// Items skipped, with reasons.
    pub skipped: Vec<Skip>,
}

impl ParseReport {
    /// Adds another report's counts and skips to this one.
    pub fn merge(&mut self, other: &ParseReport) {
        self.items += other.items;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.parsed += other.parsed;
        self.skipped.extend(other.skipped.iter().cloned());
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

#[derive(Deserialize)]
struct RawPage<'a> {
    #[serde(default)]
    next: Option<Value>,
    #[serde(borrow, default)]
    items: Option<Vec<&'a RawValue>>,
    #[serde(default)]
    license: Option<Value>,
}

/// An item's envelope, with `data` kept raw (`&RawValue`, for relays) or read into a `Value`.
#[derive(Deserialize)]
struct RawItem<D> {
    #[serde(default)]
    state: Option<Value>,
    #[serde(default)]
    kind: Option<Value>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    modified: Option<Value>,
    #[serde(default = "none")]
    data: Option<D>,
}

fn none<D>() -> Option<D> {
    None
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
    let mut out = Vec::with_capacity(items.len());
    for raw in items {
        // Relays re-serve the exact bytes, so they refuse too-deep items; the model path's
        // parser refuses them by itself (serde_json's recursion limit), without this scan.
        if keep_raw && let Some(skip) = too_deep(raw) {
            report.skipped.push(skip);
            continue;
        }
        match if keep_raw {
            parse_item(raw)
        } else {
            parse_item_model(raw)
        } {
            Ok(item) => {
                match item.state {
                    ItemState::Updated => {
                        report.updated += 1;
                        if item.opportunity.as_ref().is_some_and(|o| o.kind.is_known()) {
                            report.parsed += 1;
                        }
                    }
                    ItemState::Deleted => report.deleted += 1,
                }
                out.push(item);
            }
            Err(skip) => report.skipped.push(skip),
        }
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

/// The item's envelope: `id`, `modified`, `state` and `kind`, checked.
fn envelope(
    id: Option<Value>,
    modified: Option<&Value>,
    state: Option<&Value>,
    kind: Option<&Value>,
) -> Result<(String, Modified, ItemState, String), Skip> {
    let id = match id {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(skip(None, "missing or invalid `id`")),
    };
    let modified = match modified.and_then(Modified::from_value) {
        Some(m) => m,
        None => return Err(skip(Some(id), "missing or invalid `modified`")),
    };
    let state = match state.and_then(Value::as_str).map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("updated") => ItemState::Updated,
        Some(s) if s.eq_ignore_ascii_case("deleted") => ItemState::Deleted,
        _ => return Err(skip(Some(id), "missing or invalid `state`")),
    };
    let kind = kind
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    Ok((id, modified, state, kind))
}

fn parse_item(raw: &RawValue) -> Result<Item, Skip> {
    let item: RawItem<&RawValue> =
        serde_json::from_str(raw.get()).map_err(|e| malformed(raw, &e))?;
    let (id, modified, state, kind) = envelope(
        item.id,
        item.modified.as_ref(),
        item.state.as_ref(),
        item.kind.as_ref(),
    )?;
    let (data, opportunity) = match state {
        ItemState::Deleted => (None, None),
        ItemState::Updated => {
            let Some(data) = item.data.filter(|d| d.get() != "null") else {
                return Err(skip(Some(id), "updated item without `data`"));
            };
            let value: Value = serde_json::from_str(data.get())
                .map_err(|e| skip(Some(id.clone()), &format!("`data` is malformed: {e}")))?;
            let Value::Object(map) = value else {
                return Err(skip(Some(id), "`data` is not an object"));
            };
            let opp = Opportunity::from_map(map);
            (Some(data.to_owned()), Some(Arc::new(opp)))
        }
    };
    Ok(Item {
        id,
        kind,
        modified,
        state,
        data,
        opportunity,
    })
}

/// [`parse_item`] reading `data` in the same pass, keeping no raw bytes.
fn parse_item_model(raw: &RawValue) -> Result<Item, Skip> {
    let item: RawItem<Value> = serde_json::from_str(raw.get()).map_err(|e| malformed(raw, &e))?;
    let (id, modified, state, kind) = envelope(
        item.id,
        item.modified.as_ref(),
        item.state.as_ref(),
        item.kind.as_ref(),
    )?;
    let opportunity = match state {
        ItemState::Deleted => None,
        ItemState::Updated => match item.data {
            None | Some(Value::Null) => {
                return Err(skip(Some(id), "updated item without `data`"));
            }
            Some(Value::Object(map)) => Some(Arc::new(Opportunity::from_map(map))),
            Some(_) => return Err(skip(Some(id), "`data` is not an object")),
        },
    };
    Ok(Item {
        id,
        kind,
        modified,
        state,
        data: None,
        opportunity,
    })
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
}

impl<V> Default for FeedState<V> {
    fn default() -> Self {
        Self {
            entries: HashMap::default(),
            live: 0,
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
            match self.entries.entry(item.id.clone()) {
                Entry::Occupied(mut e) => {
                    let was_live = e.get().value.is_some();
                    e.insert(Slot {
                        modified: item.modified.clone(),
                        value,
                    });
                    self.live = self.live + usize::from(is_live) - usize::from(was_live);
                }
                Entry::Vacant(e) => {
                    e.insert(Slot {
                        modified: item.modified.clone(),
                        value,
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
