//! Parsing a whole RPDE page: items in order, what was skipped or flagged, `next` resolved.

use serde_json::Value;
use serde_json::value::RawValue;

use super::envelope::{RawItem, RawPage, skip};
use super::item::{parse_item_model, parse_item_raw};
use super::{Item, ItemState, Modified, Page, PageError, ParseReport, Skip};

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
        let k = super::note_kind(&n);
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
}
