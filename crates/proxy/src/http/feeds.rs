//! The relayed RPDE feeds (`/feeds/{id}`) and the feed list (`/api/feeds`).

use std::hash::{Hash, Hasher};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, Shared, etag_matches};
use crate::error::ProxyError;
use crate::harvest::read_store;

pub(super) fn parse_after(query: Option<&str>) -> Result<Option<u64>, ()> {
    let Some(q) = query else {
        return Ok(None);
    };
    let mut after = None;
    for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
        if k == "afterChangeNumber" {
            let n = v.parse::<u64>().map_err(|_| ())?;
            after = Some(n);
        }
    }
    Ok(after)
}

pub(super) async fn feed_page(
    State(st): State<Shared>,
    Path(feed_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some(feed) = st.feeds.iter().find(|f| f.spec.id == feed_id) else {
        return ProxyError::NotFound("unknown feed".into()).into_response();
    };
    let Ok(after) = parse_after(query.as_deref()) else {
        return ProxyError::BadRequest("invalid afterChangeNumber".into()).into_response();
    };
    let from = after.unwrap_or(0);
    let store = read_store(feed);
    let mut items = store.page(from, st.page_size);
    // Never relay a change number the state directory could hand out again after a crash.
    let ceiling = feed.seq_ceiling.load(std::sync::atomic::Ordering::Acquire);
    if let Some(cut) = items.iter().position(|(s, _)| *s >= ceiling) {
        items.truncate(cut);
    }
    let full = items.len() >= st.page_size;
    let next_after = items.last().map(|(s, _)| *s);
    let next = match (next_after, after) {
        (Some(n), _) | (None, Some(n)) => format!("/feeds/{feed_id}?afterChangeNumber={n}"),
        (None, None) => format!("/feeds/{feed_id}"),
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (st.epoch, &feed_id, after, &feed.spec.license).hash(&mut hasher);
    for (seq, _) in &items {
        seq.hash(&mut hasher);
    }
    let etag = format!("\"{:x}-{:016x}\"", st.epoch, hasher.finish());
    let cache = if full {
        "public, max-age=3600"
    } else {
        "public, max-age=8"
    };
    let mut resp_headers = HeaderMap::new();
    resp_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        resp_headers.insert(header::ETAG, v);
    }
    if etag_matches(&headers, &etag) {
        resp_headers.remove(header::CONTENT_TYPE);
        return (StatusCode::NOT_MODIFIED, resp_headers).into_response();
    }
    let len: usize = items.iter().map(|(_, j)| j.len() + 1).sum();
    let mut body = String::with_capacity(len + 256);
    body.push_str("{\"next\":");
    body.push_str(&serde_json::to_string(&next).unwrap_or_default());
    body.push_str(",\"items\":[");
    for (i, (_, json)) in items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(json);
    }
    body.push_str("],\"license\":");
    body.push_str(&serde_json::to_string(&feed.spec.license).unwrap_or_default());
    body.push('}');
    drop(store);
    (StatusCode::OK, resp_headers, body).into_response()
}

/// Every feed with its health now (`/api/feeds` and the pack manifest).
pub fn feed_infos(st: &AppState) -> Vec<contract::FeedInfo> {
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let hidden = st.packs.hidden();
    st.feeds
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let status = f.status();
            contract::FeedInfo {
                id: f.spec.id.clone(),
                kind: f.spec.kind.clone(),
                url: format!("/feeds/{}", f.spec.id),
                publisher: f.spec.publisher.clone(),
                dataset_url: f.spec.dataset_url.clone(),
                license: Some(f.spec.license.clone()),
                items: read_store(f).live_len() as u64,
                status: status.health,
                last_harvest: status.last_harvest.map(time),
                error: status.error.clone(),
                retry_at: status.retry_at.map(time),
                caught_up: status.caught_up,
                hidden: hidden.get(i).cloned(),
            }
        })
        .collect()
}

pub(super) async fn api_feeds(State(st): State<Shared>) -> Response {
    let list = contract::FeedList {
        demo: st.demo,
        feeds: feed_infos(&st),
        tiles: Some(st.tiles.to_contract()),
        lookahead_days: st.lookahead_days,
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        serde_json::to_string(&list).unwrap_or_default(),
    )
        .into_response()
}
