//! The small endpoints: the vocabulary snapshot, `/healthz` and `/readyz`.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Shared;
use crate::harvest::Health;

pub(super) async fn vocab() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/ld+json"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        openactive::vocab::ACTIVITY_LIST_JSONLD,
    )
        .into_response()
}

pub(super) async fn healthz() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        "{\"status\":\"ok\"}",
    )
        .into_response()
}

/// `/readyz`: 200 once every feed can be served (restored from disk or first pass settled).
/// `/readyz?caught_up=1`: 200 only once every feed has also reached its end since this process
/// started (or is gone), so a freshly restored proxy is not mistaken for an up-to-date one.
pub(super) async fn readyz(State(st): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let want_caught_up = query.as_deref().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == "caught_up" && v == "1")
    });
    let waiting = st.feeds.iter().filter(|f| !f.ready()).count() + usize::from(!st.packs.ready());
    let statuses: Vec<_> = st.feeds.iter().map(|f| f.status()).collect();
    let failing = statuses
        .iter()
        .filter(|s| matches!(s.health, Health::Failing | Health::Gone))
        .count();
    let behind = statuses
        .iter()
        .filter(|s| !s.caught_up && s.health != Health::Gone)
        .count();
    let ready = waiting == 0 && (!want_caught_up || behind == 0);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let word = if waiting > 0 {
        "starting"
    } else if want_caught_up && behind > 0 {
        "catching up"
    } else {
        "ready"
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({
            "status": word,
            "feeds": st.feeds.len(),
            "waiting": waiting,
            "failing": failing,
            "behind": behind,
        })
        .to_string(),
    )
        .into_response()
}
