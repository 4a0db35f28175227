//! Feed discovery from the OpenActive data catalogue: collection → catalogues (`hasPart`,
//! recursive) → `dataset` sites → the first `<script type="application/ld+json">` `Dataset` →
//! `distribution[]` feed URLs, paired by `additionalType` (never by `name`). Datasets are
//! filtered by include/exclude substrings and hosts that look like test/UAT systems are
//! skipped. Every fetch goes through the harvester's guarded client.

use std::collections::{HashSet, VecDeque};

use serde_json::Value;
use url::Url;

use crate::config::{Discover, FeedConfig, default_license, validate_feed_id};
use crate::error::ProxyError;
use crate::harvest::Harvester;

/// Most catalogues followed (the real collection has a handful).
const MAX_CATALOGUES: usize = 200;
/// Deepest `hasPart` nesting followed.
const MAX_DEPTH: usize = 4;

/// A dataset site's feeds, as read from its JSON-LD.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetInfo {
    /// The dataset site URL (`url`, else `@id`, else where it was fetched).
    pub url: String,
    /// `publisher.name` (else the dataset `name`).
    pub publisher: String,
    /// `license`, defaulting to CC BY 4.0.
    pub license: String,
    /// (kind, feed URL) per distribution with a known `additionalType`.
    pub feeds: Vec<(String, String)>,
}

/// What discovery found and skipped.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Feeds to harvest.
    pub feeds: Vec<FeedConfig>,
    /// Dataset URLs skipped, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// The RPDE kind for a distribution's `additionalType`.
pub fn kind_for(additional_type: &str) -> Option<&'static str> {
    let t = additional_type.trim().trim_end_matches('/');
    let last = t.rsplit(['/', '#', ':']).next().unwrap_or(t);
    Some(match last {
        "SessionSeries" => "SessionSeries",
        "ScheduledSession" => "ScheduledSession",
        "FacilityUse" => "FacilityUse",
        "IndividualFacilityUse" => "IndividualFacilityUse",
        "Slot" => "Slot",
        "CourseInstance" => "CourseInstance",
        "Course" => "Course",
        "Event" => "Event",
        "EventSeries" => "EventSeries",
        "HeadlineEvent" => "HeadlineEvent",
        "OnDemandEvent" => "OnDemandEvent",
        _ => return None,
    })
}

/// Whether a host looks like a test, UAT or staging system (catalogues list some).
pub fn looks_like_test_host(host: &str) -> bool {
    const WORDS: [&str; 6] = ["uat", "test", "staging", "sandbox", "preprod", "qa"];
    host.to_ascii_lowercase().split('.').any(|label| {
        label.split('-').any(|part| {
            WORDS
                .iter()
                .any(|w| part == *w || (w.len() >= 3 && part.starts_with(w) && *w != "qa"))
        })
    })
}

/// The first `<script type="application/ld+json">` block of an HTML page.
pub fn first_json_ld(html: &str) -> Option<&str> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<script") {
        let start = from + i;
        let tag_end = start + lower[start..].find('>')?;
        let tag = &lower[start..tag_end];
        let body_start = tag_end + 1;
        let body_end = body_start + lower[body_start..].find("</script")?;
        if tag.contains("application/ld+json") {
            return Some(html[body_start..body_end].trim());
        }
        from = body_end;
    }
    None
}

fn str_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => ["@id", "id", "url"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str)),
        _ => None,
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(str_of).map(str::to_string).collect(),
        Some(v) => str_of(v).map(str::to_string).into_iter().collect(),
        None => Vec::new(),
    }
}

/// A catalogue's `hasPart` (sub-catalogues) and `dataset` (dataset sites) URLs.
pub fn catalogue_links(v: &Value) -> (Vec<String>, Vec<String>) {
    (list(v.get("hasPart")), list(v.get("dataset")))
}

/// Reads a dataset site's JSON-LD (`site` resolves relative URLs).
pub fn parse_dataset(json: &str, site: &Url) -> Result<DatasetInfo, ProxyError> {
    let v: Value = serde_json::from_str(json)
        .map_err(|_| ProxyError::Upstream("dataset JSON-LD is invalid".into()))?;
    let url = ["url", "@id", "id"]
        .iter()
        .find_map(|k| v.get(*k).and_then(Value::as_str))
        .and_then(|u| site.join(u).ok())
        .unwrap_or_else(|| site.clone())
        .to_string();
    let publisher = v
        .get("publisher")
        .and_then(|p| p.get("name"))
        .or_else(|| v.get("name"))
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| site.host_str().unwrap_or("unknown").to_string());
    let license = v
        .get("license")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(default_license);
    let mut feeds = Vec::new();
    if let Some(Value::Array(dist)) = v.get("distribution") {
        for d in dist {
            let Some(kind) = d
                .get("additionalType")
                .and_then(Value::as_str)
                .and_then(kind_for)
            else {
                continue;
            };
            let Some(content) = d.get("contentUrl").and_then(Value::as_str) else {
                continue;
            };
            let Ok(feed_url) = site.join(content.trim()) else {
                continue;
            };
            if matches!(feed_url.scheme(), "http" | "https") {
                feeds.push((kind.to_string(), feed_url.to_string()));
            }
        }
    }
    Ok(DatasetInfo {
        url,
        publisher,
        license,
        feeds,
    })
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn kind_slug(kind: &str) -> &'static str {
    match kind {
        "SessionSeries" => "session-series",
        "ScheduledSession" => "scheduled-sessions",
        "FacilityUse" => "facility-uses",
        "IndividualFacilityUse" => "individual-facility-uses",
        "Slot" => "slots",
        "CourseInstance" => "course-instances",
        "Course" => "courses",
        "Event" => "events",
        "EventSeries" => "event-series",
        "HeadlineEvent" => "headline-events",
        "OnDemandEvent" => "on-demand-events",
        _ => "feed",
    }
}

fn matches_any(patterns: &[String], haystacks: &[&str]) -> bool {
    patterns
        .iter()
        .any(|p| haystacks.iter().any(|h| h.contains(p.as_str())))
}

/// Turns datasets into feed configs: include/exclude filters, test hosts, unique ids.
pub fn feeds_from(
    cfg: &Discover,
    datasets: &[DatasetInfo],
    taken: &mut HashSet<String>,
    skipped: &mut Vec<(String, String)>,
) -> Vec<FeedConfig> {
    let mut out = Vec::new();
    for ds in datasets {
        let hosts: Vec<String> = ds
            .feeds
            .iter()
            .filter_map(|(_, u)| Url::parse(u).ok()?.host_str().map(str::to_string))
            .collect();
        let mut hay: Vec<&str> = hosts.iter().map(String::as_str).collect();
        hay.push(&ds.url);
        if !cfg.include.is_empty() && !matches_any(&cfg.include, &hay) {
            skipped.push((ds.url.clone(), "not included".into()));
            continue;
        }
        if matches_any(&cfg.exclude, &hay) {
            skipped.push((ds.url.clone(), "excluded".into()));
            continue;
        }
        if hosts.iter().any(|h| looks_like_test_host(h)) {
            skipped.push((ds.url.clone(), "test/UAT host".into()));
            continue;
        }
        let base = Url::parse(&ds.url)
            .ok()
            .map(|u| slug(&format!("{}{}", u.host_str().unwrap_or(""), u.path())))
            .unwrap_or_else(|| slug(&ds.publisher));
        let base = base.strip_prefix("www-").unwrap_or(&base).to_string();
        for (kind, url) in &ds.feeds {
            let mut stem = format!("{base}-{}", kind_slug(kind));
            stem.truncate(72);
            let stem = stem.trim_end_matches('-').to_string();
            let mut id = stem.clone();
            let mut n = 2;
            while taken.contains(&id) {
                id = format!("{stem}-{n}");
                n += 1;
            }
            if validate_feed_id(&id).is_err() {
                continue;
            }
            taken.insert(id.clone());
            out.push(FeedConfig {
                id,
                kind: kind.clone(),
                url: url.clone(),
                publisher: ds.publisher.clone(),
                dataset_url: Some(ds.url.clone()),
                license: ds.license.clone(),
            });
        }
    }
    out
}

/// Walks the catalogue collection and the dataset sites. Catalogues or sites that fail are
/// logged and skipped; only a collection that cannot be read at all is an error.
pub async fn discover(
    h: &Harvester,
    cfg: &Discover,
    taken: &mut HashSet<String>,
) -> Result<Discovery, ProxyError> {
    let root = Url::parse(&cfg.collection_url).map_err(|e| ProxyError::Config(e.to_string()))?;
    let mut queue: VecDeque<(Url, usize)> = VecDeque::from([(root.clone(), 0)]);
    let mut seen_catalogues = HashSet::new();
    let mut sites: Vec<Url> = Vec::new();
    let mut seen_sites = HashSet::new();
    let mut skipped = Vec::new();
    while let Some((url, depth)) = queue.pop_front() {
        if !seen_catalogues.insert(url.to_string()) || seen_catalogues.len() > MAX_CATALOGUES {
            continue;
        }
        let body = match h.fetch_url(&url).await {
            Ok(b) => b,
            Err(e) if url == root => {
                return Err(ProxyError::Upstream(format!(
                    "data catalogue collection: {}",
                    e.message
                )));
            }
            Err(e) => {
                tracing::warn!(catalogue = %url, error = %e.message, "catalogue skipped");
                continue;
            }
        };
        let Ok(v) = serde_json::from_slice::<Value>(&body) else {
            if url == root {
                return Err(ProxyError::Upstream(
                    "data catalogue collection is not JSON".into(),
                ));
            }
            tracing::warn!(catalogue = %url, "catalogue is not JSON; skipped");
            continue;
        };
        let (parts, datasets) = catalogue_links(&v);
        if depth < MAX_DEPTH {
            for p in parts {
                if let Ok(u) = url.join(&p) {
                    queue.push_back((u, depth + 1));
                }
            }
        }
        for d in datasets {
            let Ok(u) = url.join(&d) else { continue };
            let host = u.host_str().unwrap_or("").to_string();
            if looks_like_test_host(&host) {
                skipped.push((u.to_string(), "test/UAT host".into()));
                continue;
            }
            if matches_any(&cfg.exclude, &[u.as_str()]) {
                skipped.push((u.to_string(), "excluded".into()));
                continue;
            }
            if seen_sites.insert(u.to_string()) {
                sites.push(u);
            }
        }
    }
    let mut infos = Vec::new();
    for site in sites.into_iter().take(cfg.max_datasets) {
        let body = match h.fetch_url(&site).await {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(dataset = %site, error = %e.message, "dataset site skipped");
                skipped.push((site.to_string(), e.message));
                continue;
            }
        };
        let text = String::from_utf8_lossy(&body);
        let json = if text.trim_start().starts_with('{') {
            Some(text.trim())
        } else {
            first_json_ld(&text)
        };
        match json.map(|j| parse_dataset(j, &site)) {
            Some(Ok(info)) => infos.push(info),
            _ => {
                tracing::warn!(dataset = %site, "no Dataset JSON-LD; skipped");
                skipped.push((site.to_string(), "no Dataset JSON-LD".into()));
            }
        }
    }
    let feeds = feeds_from(cfg, &infos, taken, &mut skipped);
    tracing::info!(
        datasets = infos.len(),
        feeds = feeds.len(),
        skipped = skipped.len(),
        "discovery complete"
    );
    Ok(Discovery { feeds, skipped })
}

#[cfg(test)]
mod tests;
