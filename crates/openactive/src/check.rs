//! A pure "check" of saved RPDE pages: groups pages into feeds, applies them in order through
//! a [`Store`], and reports counts, skips (with reasons), orphans and joined occurrences.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use crate::join::{Hidden, Store};
use crate::model::Opportunity;
use crate::occurrence::Dataset;
pub use crate::rpde::note_kind;
use crate::rpde::parse_page;

/// Occurrences are counted over this many days when no horizon is given.
pub const DEFAULT_WINDOW_DAYS: u32 = 365;

/// One skipped item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedItem {
    /// The page it was on.
    pub file: String,
    /// `item.id` when readable.
    pub item_id: Option<String>,
    /// Why.
    pub reason: String,
}

/// An item that was read, with something the reader (or the join) noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlaggedItem {
    /// The page it was on (the feed, for notes from the join).
    pub file: String,
    /// `item.id`.
    pub item_id: String,
    /// What was noticed and how it was read.
    pub note: String,
}

/// A page that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// The page's URL or file name.
    pub file: String,
    /// Why.
    pub error: String,
}

/// Per-feed counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FeedReport {
    /// The feed's base URL (or directory) the pages were grouped by.
    pub feed: String,
    /// Pages applied, in order.
    pub pages: Vec<String>,
    /// Entries in `items`.
    pub items: usize,
    /// Valid updated items.
    pub updated: usize,
    /// Valid deleted items.
    pub deleted: usize,
    /// Updated items of a recognised opportunity type.
    pub parsed: usize,
    /// Items skipped.
    pub skipped: usize,
    /// … of which updated items (`parsed + skipped_updated == updated`).
    pub skipped_updated: usize,
    /// Items ignored as older than what was already applied.
    pub ignored_stale: usize,
    /// Live items after all pages.
    pub live_items: usize,
    /// Whether the last page applied was an RPDE last page (only known for URLs).
    pub reached_end: bool,
    /// Items read with a note.
    pub flagged: usize,
    /// Items and occurrences not shown, and why.
    pub hidden: Hidden,
}

/// The whole report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CheckReport {
    /// Pages given.
    pub pages: usize,
    /// Entries in `items` over all pages.
    pub items: usize,
    /// Valid updated items.
    pub updated: usize,
    /// Valid deleted items.
    pub deleted: usize,
    /// Updated items of a recognised opportunity type.
    pub parsed: usize,
    /// Skipped items with reasons.
    pub skipped: Vec<SkippedItem>,
    /// … of which updated items: every updated item is either parsed or skipped
    /// (`parsed + skipped_updated == updated`).
    pub skipped_updated: usize,
    /// Skipped items counted by reason (the part before the first `:`).
    pub skipped_by_reason: BTreeMap<String, usize>,
    /// Items read with something noticed (by the reader, then by the join).
    pub flagged: Vec<FlaggedItem>,
    /// Notes counted by kind (the note with quoted values and numbers taken out).
    pub flagged_by_reason: BTreeMap<String, usize>,
    /// Pages that could not be read.
    pub errors: Vec<FileError>,
    /// Live items after applying everything.
    pub live_items: usize,
    /// Children whose parent was never seen.
    pub orphans: usize,
    /// Start of the occurrence window (RFC 3339).
    pub window_from: Option<String>,
    /// Length of the occurrence window in days.
    pub window_days: u32,
    /// Joined occurrences in the window.
    pub occurrences: usize,
    /// … of which with plausible coordinates.
    pub with_geo: usize,
    /// … cancelled or postponed.
    pub cancelled: usize,
    /// … full.
    pub full: usize,
    /// … generated from schedules.
    pub from_schedule: usize,
    /// … flagged as part of a booking grid.
    pub booking_grid: usize,
    /// Items and occurrences not shown, and why (all feeds).
    pub hidden: Hidden,
    /// Per feed.
    pub feeds: Vec<FeedReport>,
}

fn base_of(u: &str) -> Option<String> {
    let mut url = url::Url::parse(u).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_query(None);
    url.set_fragment(None);
    Some(url.to_string())
}

fn dir_of(name: &str) -> String {
    match name.rfind(['/', '\\']) {
        Some(i) => name[..i].to_string(),
        None => ".".to_string(),
    }
}

/// Checks pages with the occurrence window starting at the earliest date found in the data,
/// so that saved captures give the same answer whenever they are checked.
pub fn check_pages(pages: Vec<(String, String)>) -> CheckReport {
    check_pages_at(pages, None, DEFAULT_WINDOW_DAYS)
}

/// Checks pages. Pages are grouped into feeds by their URL without query (or, for file
/// names, by the base of the page's own `next` URL, else by directory) and applied in the
/// given order. Occurrences are counted from `now` (or the earliest date in the data) over
/// `window_days`.
pub fn check_pages_at(
    pages: Vec<(String, String)>,
    now: Option<DateTime<Utc>>,
    window_days: u32,
) -> CheckReport {
    let mut report = CheckReport {
        pages: pages.len(),
        window_days,
        ..CheckReport::default()
    };
    let mut store = Store::new();
    let mut feed_of: BTreeMap<String, usize> = BTreeMap::new();
    for (name, text) in pages {
        let url_base = base_of(&name);
        let page_url = if url_base.is_some() {
            name.as_str()
        } else {
            ""
        };
        let page = match parse_page(&text, page_url) {
            Ok(p) => p,
            Err(e) => {
                report.errors.push(FileError {
                    file: name,
                    error: e.to_string(),
                });
                continue;
            }
        };
        let key = url_base
            .or_else(|| base_of(&page.next))
            .unwrap_or_else(|| dir_of(&name));
        let fi = *feed_of.entry(key.clone()).or_insert_with(|| {
            let publisher = url::Url::parse(&key)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| key.clone());
            let fi = store.add_feed(Dataset {
                publisher,
                url: None,
                license: page.license.clone(),
            });
            report.feeds.push(FeedReport {
                feed: key.clone(),
                ..FeedReport::default()
            });
            fi
        });
        let changes = store.apply_page(fi, &page);
        let r = &page.report;
        let fr = &mut report.feeds[fi];
        fr.pages.push(name.clone());
        fr.items += r.items;
        fr.updated += r.updated;
        fr.deleted += r.deleted;
        fr.parsed += r.parsed;
        fr.skipped += r.skipped.len();
        fr.skipped_updated += r.skipped_updated;
        report.skipped_updated += r.skipped_updated;
        fr.ignored_stale += changes.ignored_stale;
        fr.reached_end = page.is_last;
        report.items += r.items;
        report.updated += r.updated;
        report.deleted += r.deleted;
        report.parsed += r.parsed;
        fr.flagged += r.flagged.len();
        for f in &r.flagged {
            *report
                .flagged_by_reason
                .entry(note_kind(&f.note))
                .or_default() += 1;
            report.flagged.push(FlaggedItem {
                file: name.clone(),
                item_id: f.item_id.clone(),
                note: f.note.clone(),
            });
        }
        for s in &r.skipped {
            let group = s.reason.split(':').next().unwrap_or(&s.reason).to_string();
            *report.skipped_by_reason.entry(group).or_default() += 1;
            report.skipped.push(SkippedItem {
                file: name.clone(),
                item_id: s.item_id.clone(),
                reason: s.reason.clone(),
            });
        }
    }
    for (i, fr) in report.feeds.iter_mut().enumerate() {
        fr.live_items = store.feed_state(i).len();
    }
    report.live_items = store.len();
    report.orphans = store.orphan_count();
    let from = now.or_else(|| earliest_date(&store));
    if let Some(from) = from {
        report.window_from = Some(from.to_rfc3339());
        let build = store.build(from, window_days, None);
        for (fr, h) in report.feeds.iter_mut().zip(&build.hidden) {
            fr.hidden = h.clone();
            report.hidden.add(h);
        }
        for n in build.notes {
            *report
                .flagged_by_reason
                .entry(note_kind(&n.note))
                .or_default() += 1;
            if let Some(fr) = report.feeds.get_mut(n.feed) {
                fr.flagged += 1;
            }
            report.flagged.push(FlaggedItem {
                file: report
                    .feeds
                    .get(n.feed)
                    .map(|f| f.feed.clone())
                    .unwrap_or_default(),
                item_id: n.item_id,
                note: n.note,
            });
        }
        let occ = build.occurrences;
        report.occurrences = occ.len();
        for o in &occ {
            report.with_geo += usize::from(o.venue.geo.is_some());
            report.cancelled += usize::from(o.cancelled);
            report.full += usize::from(o.is_full());
            report.from_schedule += usize::from(o.from_schedule);
            report.booking_grid += usize::from(o.booking_grid);
        }
    }
    report
}

/// The earliest start (or schedule start date) in the store, from midnight UTC that day.
fn earliest_date(store: &Store) -> Option<DateTime<Utc>> {
    fn visit(o: &Opportunity, best: &mut Option<DateTime<Utc>>) {
        let mut consider = |t: DateTime<Utc>| {
            if best.is_none_or(|b| t < b) {
                *best = Some(t);
            }
        };
        if let Some(s) = o.start {
            consider(s.with_timezone(&Utc));
        }
        for s in &o.schedules {
            if let Some(d) = s.start_date.as_deref().and_then(crate::lenient::date) {
                consider(Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)));
            }
        }
        for c in o.sub_events.iter().chain(&o.individual_facility_uses) {
            visit(c, best);
        }
    }
    let mut best = None;
    for f in 0..store.feed_count() {
        for (_, o) in store.feed_state(f).iter() {
            visit(o, &mut best);
        }
    }
    best.map(|b| Utc.from_utc_datetime(&b.date_naive().and_time(chrono::NaiveTime::MIN)))
}
