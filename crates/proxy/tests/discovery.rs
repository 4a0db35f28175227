//! Discovery against a fake data catalogue and dataset sites on 127.0.0.1 (shapes of the real
//! collection, publisher catalogues and dataset sites), then harvesting what it found.

mod common;

use std::sync::{Arc, Mutex};

use activity_finder_proxy::config::Discover;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use common::{client, start, test_config, wait_until};
use serde_json::Value;

#[derive(Clone)]
struct Site {
    base: String,
    hits: Arc<Mutex<Vec<String>>>,
}

fn dataset_html(base: &str, slug: &str, publisher: &str, dists: &[(&str, &str, &str)]) -> String {
    let dist: Vec<String> = dists
        .iter()
        .map(|(name, ty, path)| {
            format!(
                r#"{{"name":"{name}","additionalType":"{ty}","encodingFormat":"application/vnd.openactive.rpde+json; version=1","contentUrl":"{base}{path}","@context":"http://schema.org","@type":"DataDownload"}}"#
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html><html><head><title>{publisher}</title>
<script type="application/ld+json">
{{"@context":["https://schema.org/","https://openactive.io/"],"@type":"Dataset","@id":"{base}/{slug}/","url":"{base}/{slug}/","name":"{publisher} Sessions","license":"https://creativecommons.org/licenses/by/4.0/","publisher":{{"@type":"Organization","name":"{publisher}","url":"https://example.org/"}},"distribution":[{}]}}
</script>
<script type="application/ld+json">{{"@type":"Dataset","name":"a second block that must be ignored","distribution":[]}}</script>
</head><body><h1>{publisher}</h1></body></html>"#,
        dist.join(",")
    )
}

fn rpde(next: &str, items: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        format!(r#"{{"next":"{next}","items":[{items}],"license":"https://creativecommons.org/licenses/by/4.0/"}}"#),
    )
        .into_response()
}

async fn handler(State(site): State<Site>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    site.hits.lock().unwrap().push(path.clone());
    let b = &site.base;
    let json = |s: String| ([(header::CONTENT_TYPE, "application/ld+json")], s).into_response();
    let soon = (Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    match path.as_str() {
        // The collection: like data-catalog-collection.jsonld.
        "/data-catalogs/collection.jsonld" => json(format!(
            r#"{{"@context":"https://schema.org/","@type":"DataCatalog","@id":"{b}/data-catalogs/collection.jsonld","hasPart":["{b}/api/datacatalog","/legend/DataCatalog"],"license":"https://creativecommons.org/licenses/by/4.0/"}}"#
        )),
        // A publisher catalogue that nests another (hasPart) and lists datasets with "id".
        "/api/datacatalog" => json(format!(
            r#"{{"@context":"https://schema.org","@type":"DataCatalog","id":"{b}/api/datacatalog","publisher":{{"type":"Organization","name":"Gladstone"}},"hasPart":["{b}/api/nested-catalog"]}}"#
        )),
        "/api/nested-catalog" => json(format!(
            r#"{{"@context":"https://schema.org","@type":"DataCatalog","id":"{b}/api/nested-catalog","dataset":["{b}/newham/","https://uatbook.example.com/OpenActive/"]}}"#
        )),
        "/legend/DataCatalog" => json(format!(
            r#"{{"@context":"https://schema.org","@type":"DataCatalog","id":"{b}/legend/DataCatalog","dataset":["{b}/halo/","{b}/excluded-leisure/"]}}"#
        )),
        "/newham/" => Html(dataset_html(
            b,
            "newham",
            "activeNewham",
            &[
                (
                    "SessionSeries",
                    "https://openactive.io/SessionSeries",
                    "/feeds/newham/session-series",
                ),
                // The name says one thing, additionalType another: pair by additionalType.
                (
                    "Sessions",
                    "https://openactive.io/ScheduledSession",
                    "/feeds/newham/scheduled-sessions",
                ),
            ],
        ))
        .into_response(),
        "/halo/" => Html(dataset_html(
            b,
            "halo",
            "Halo Leisure",
            &[
                (
                    "FacilityUse",
                    "https://openactive.io/FacilityUse",
                    "/feeds/halo/facility-uses",
                ),
                ("Slot", "https://openactive.io/Slot", "/feeds/halo/slots"),
            ],
        ))
        .into_response(),
        "/excluded-leisure/" => Html(dataset_html(
            b,
            "excluded-leisure",
            "Excluded",
            &[(
                "SessionSeries",
                "https://openactive.io/SessionSeries",
                "/feeds/excluded/x",
            )],
        ))
        .into_response(),
        p if p.starts_with("/feeds/") => {
            if query.as_deref() == Some("end") {
                return rpde(&format!("{p}?end"), "");
            }
            let kind = match p.rsplit('/').next().unwrap() {
                "session-series" => "SessionSeries",
                "scheduled-sessions" => "ScheduledSession",
                "facility-uses" => "FacilityUse",
                _ => "Slot",
            };
            let item = format!(
                r#"{{"state":"updated","kind":"{kind}","id":"1","modified":1,"data":{{"@type":"{kind}","startDate":"{soon}"}}}}"#
            );
            rpde(&format!("{p}?end"), &item)
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Pass criteria: from a collection → nested catalogues → dataset-site HTML, exactly the 4 feeds
/// of the 2 allowed datasets are harvested (kinds from `additionalType`, publisher, dataset URL
/// and licence from the JSON-LD); the UAT host and the excluded dataset are never fetched; every discovered feed harvests its item.
#[tokio::test]
async fn discovery_walks_catalogues_to_dataset_sites_and_harvests_their_feeds() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let site = Site {
        base: format!("http://{addr}"),
        hits: Arc::new(Mutex::new(Vec::new())),
    };
    let app = Router::new().fallback(handler).with_state(site.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut config = test_config();
    config.allow_private_networks = vec!["127.0.0.1/32".into()];
    config.discover = Some(Discover {
        collection_url: format!("http://{addr}/data-catalogs/collection.jsonld"),
        include: vec![],
        exclude: vec!["excluded-leisure".into()],
        max_datasets: 50,
    });
    config.validate().unwrap();
    let proxy = start(config, None, 100).await;
    let state = proxy.started.state.clone();
    assert!(wait_until(10, || state.feeds.iter().all(|f| f.settled())).await);
    let v: Value = client()
        .get(proxy.url("/api/feeds"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let feeds = v["feeds"].as_array().unwrap();
    let mut got: Vec<(String, String, String, String)> = feeds
        .iter()
        .map(|f| {
            assert_eq!(f["status"], "ok", "{f}");
            assert_eq!(f["items"], 1, "{f}");
            assert_eq!(f["license"], "https://creativecommons.org/licenses/by/4.0/");
            (
                f["kind"].as_str().unwrap().to_string(),
                f["publisher"].as_str().unwrap().to_string(),
                f["dataset_url"].as_str().unwrap().to_string(),
                f["id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let b = &site.base;
    let expected = [
        ("FacilityUse", "Halo Leisure", format!("{b}/halo/")),
        ("ScheduledSession", "activeNewham", format!("{b}/newham/")),
        ("SessionSeries", "activeNewham", format!("{b}/newham/")),
        ("Slot", "Halo Leisure", format!("{b}/halo/")),
    ];
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (g, e) in got.iter().zip(expected.iter()) {
        assert_eq!(
            (g.0.as_str(), g.1.as_str(), g.2.clone()),
            (e.0, e.1, e.2.clone())
        );
        assert!(g.3.starts_with("127-0-0-1-"), "id {}", g.3);
    }
    let hits = site.hits.lock().unwrap().clone();
    assert!(
        hits.iter().all(|h| !h.contains("OpenActive")),
        "UAT host never fetched"
    );
    assert!(
        !hits.iter().any(|h| h.starts_with("/feeds/excluded")),
        "excluded not harvested"
    );
}
