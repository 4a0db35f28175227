//! The HTTP surface against awkward requests: protocol-relative redirects, overlong path
//! segments, cache headers of the app and its assets, CORS preflight, the headers of a 429, and
//! files weighed lighter than API calls by the rate limit.

mod common;

use std::sync::Arc;
use std::time::Duration;

use activity_finder_proxy::http;
use activity_finder_proxy::ratelimit::RateLimiter;
use axum::Router;
use axum::routing::get;
use common::{client, start, test_config};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HASH: &str = "0123456789abcdef";

fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(p.join(format!("activity-finder-{HASH}.js")), "go()").unwrap();
    std::fs::write(p.join(format!("activity-finder-{HASH}_bg.wasm")), "\0asm").unwrap();
    std::fs::write(p.join("leaflet.js"), "L = {}").unwrap();
    std::fs::create_dir(p.join("images")).unwrap();
    std::fs::write(p.join("images/marker-icon.png"), "png").unwrap();
    dir
}

/// Sends `request` as is and returns the raw response head and body.
async fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf))
        .await
        .expect("response within 5 s")
        .unwrap();
    String::from_utf8_lossy(&buf).into_owned()
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    let head = response.split("\r\n\r\n").next().unwrap_or("");
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn double_slash_paths_never_redirect_off_site() {
    let d = dist();
    let mut config = test_config();
    config.dist = d.path().to_path_buf();
    let proxy = start(config, None, 100).await;
    for path in [
        "//images",
        "//images/",
        "///images",
        "/\\images",
        "//leaflet.js",
    ] {
        let resp = raw(
            proxy.addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
        .await;
        let status = resp.split(' ').nth(1).unwrap_or("");
        if let Some(loc) = header(&resp, "location") {
            assert!(
                loc.starts_with('/') && !loc.starts_with("//") && !loc.contains('\\'),
                "{path}: Location {loc:?}"
            );
        }
        assert_ne!(status, "500", "{path}: {resp}");
    }
    // The ordinary directory redirect still works.
    let resp = raw(
        proxy.addr,
        "GET /images HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(header(&resp, "location"), Some("/images/"), "{resp}");
}

#[tokio::test]
async fn an_overlong_path_segment_is_a_client_error() {
    let d = dist();
    let mut config = test_config();
    config.dist = d.path().to_path_buf();
    let proxy = start(config, Some(3), 100).await;
    let long = "a".repeat(300);
    let c = client();
    for path in [
        format!("/{long}"),
        format!("/images/{long}.png"),
        format!("/feeds/{long}"),
        format!("/api/{long}"),
        format!("/{}", vec!["b".repeat(200); 30].join("/")),
    ] {
        let r = c.get(proxy.url(&path)).send().await.unwrap();
        assert!(
            matches!(r.status().as_u16(), 404 | 414),
            "{}: {}",
            &path[..20],
            r.status()
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    }
}

#[tokio::test]
async fn the_page_is_no_cache_hashed_assets_immutable_and_missing_assets_404() {
    let d = dist();
    let mut config = test_config();
    config.dist = d.path().to_path_buf();
    let proxy = start(config, None, 100).await;
    let c = client();
    // The page, at its own path and at app routes.
    for path in [
        "/",
        "/index.html",
        "/?v=1&near=E15",
        "/session/abc",
        "/some/route",
    ] {
        let r = c.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
        assert!(
            r.text().await.unwrap().contains("<title>app</title>"),
            "{path}"
        );
    }
    // Hashed build output never changes.
    for path in [
        format!("/activity-finder-{HASH}.js"),
        format!("/activity-finder-{HASH}_bg.wasm"),
    ] {
        let r = c.get(proxy.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{path}"
        );
    }
    // Unhashed files are not immutable.
    for path in ["/leaflet.js", "/images/marker-icon.png"] {
        let r = c.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let cc = r
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(!cc.contains("immutable"), "{path}: {cc}");
    }
    // A missing asset (a stale page asking for a replaced build) is a 404, not the page.
    for path in [
        "/activity-finder-fedcba9876543210.js",
        "/activity-finder-fedcba9876543210_bg.wasm",
        "/main-fedcba9876543210.css",
        "/images/none.png",
        "/favicon.ico",
    ] {
        let r = c.get(proxy.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let ct = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        assert!(!ct.contains("html"), "{path}: {ct}");
        assert!(!r.text().await.unwrap().contains("<title>"), "{path}");
    }
}

#[tokio::test]
async fn cors_preflight_is_answered_where_cors_is_offered() {
    let proxy = start(test_config(), Some(3), 100).await;
    let feed = proxy.started.state.feeds[0].spec.id.clone();
    let c = client();
    for path in [
        format!("/feeds/{feed}"),
        "/api/feeds".to_string(),
        "/vocab/activity-list.jsonld".to_string(),
    ] {
        let r = c
            .request(reqwest::Method::OPTIONS, proxy.url(&path))
            .header("Origin", "https://elsewhere.example")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "if-none-match")
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        assert_eq!(r.headers()["access-control-allow-origin"], "*", "{path}");
        let methods = r.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap();
        assert!(methods.contains("GET"), "{path}: {methods}");
        let allowed = r.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(allowed.contains("if-none-match"), "{path}: {allowed}");
    }
    // Same-origin endpoints offer no CORS.
    let r = c
        .request(reqwest::Method::OPTIONS, proxy.url("/api/postcode/E154HT"))
        .send()
        .await
        .unwrap();
    assert!(!r.headers().contains_key("access-control-allow-origin"));
}

/// GET `path` from the server at `addr`.
async fn get_path(
    c: &reqwest::Client,
    addr: std::net::SocketAddr,
    path: &str,
) -> reqwest::Response {
    c.get(format!("http://{addr}{path}")).send().await.unwrap()
}

/// Serves `app` on a loopback port behind a rate limit of `per_second` and `burst`.
async fn serve_rate_limited(app: Router, per_second: f64, burst: u32) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limiter = RateLimiter::new(&activity_finder_proxy::config::RateLimit {
        per_second,
        burst,
        max_clients: 100,
    })
    .map(Arc::new);
    tokio::spawn(http::serve_with(
        listener,
        app,
        Duration::from_secs(5),
        limiter,
        std::future::pending(),
    ));
    addr
}

#[tokio::test]
async fn a_429_carries_the_security_headers() {
    // An API route: a whole token a request (a file would take a tenth).
    let app = Router::new().route("/api/feeds", get(|| async { "ok" }));
    let addr = serve_rate_limited(app, 0.01, 1).await;
    let c = client();
    let first = get_path(&c, addr, "/api/feeds").await;
    assert_eq!(first.status(), 200);
    let r = get_path(&c, addr, "/api/feeds").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}

/// Many people behind one address (a clinic, carrier NAT) load the page: its files take a
/// tenth of a token each, so a burst that allows 5 API calls serves 50 file requests, and the
/// API is still limited.
#[tokio::test]
async fn files_are_weighed_lighter_than_api_calls() {
    let app = Router::new()
        .route("/leaflet.js", get(|| async { "L = {}" }))
        .route("/packs/{name}", get(|| async { "pack" }))
        .route("/api/feeds", get(|| async { "ok" }));
    let addr = serve_rate_limited(app, 0.01, 5).await;
    let c = client();
    for i in 0..45 {
        let path = if i % 2 == 0 {
            "/leaflet.js".to_string()
        } else {
            format!("/packs/{i}.pack")
        };
        let r = get_path(&c, addr, &path).await;
        assert_eq!(r.status(), 200, "file request {i} ({path})");
    }
    // 4.5 tokens used: half a token left, not enough for an API call…
    let r = get_path(&c, addr, "/api/feeds").await;
    assert_eq!(r.status(), 429);
    // …but enough for a few more files.
    let r = get_path(&c, addr, "/leaflet.js").await;
    assert_eq!(r.status(), 200);
}

/// Errors made by the framework itself (a path that is not UTF-8, a method a route does not
/// take, a missing asset) are short JSON errors like the proxy's own, with their headers kept.
#[tokio::test]
async fn every_error_answer_is_a_short_json_error() {
    let d = dist();
    let mut config = test_config();
    config.dist = d.path().to_path_buf();
    let proxy = start(config, None, 100).await;
    let check = |resp: &str, status: &str| {
        assert_eq!(resp.split(' ').nth(1), Some(status), "{resp}");
        assert_eq!(
            header(resp, "content-type"),
            Some("application/json"),
            "{resp}"
        );
        assert_eq!(
            header(resp, "x-content-type-options"),
            Some("nosniff"),
            "{resp}"
        );
        let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
        // The body may be chunked: take the JSON object out of it.
        let json = &body[body.find('{').expect("a JSON body")..=body.rfind('}').unwrap()];
        let v: serde_json::Value = serde_json::from_str(json).expect(resp);
        let msg = v["error"].as_str().expect("an error message");
        assert!(!msg.is_empty() && msg.len() <= 200, "{msg}");
    };
    for (path, status) in [
        ("/api/postcode/%FF%FE", "400"),
        ("/feeds/%FF", "400"),
        ("/packs/%C3%28", "400"),
        ("/missing-asset.js", "404"),
        (&format!("/activity-finder-{HASH}.css"), "404"),
    ] {
        let resp = raw(
            proxy.addr,
            &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        )
        .await;
        check(&resp, status);
    }
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let resp = raw(
            proxy.addr,
            &format!(
                "{method} /api/feeds HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            ),
        )
        .await;
        check(&resp, "405");
        assert!(
            header(&resp, "allow").is_some_and(|a| a.contains("GET")),
            "{resp}"
        );
    }
    // Success answers are untouched.
    let ok = raw(
        proxy.addr,
        "GET /api/feeds HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(ok.split(' ').nth(1), Some("200"), "{ok}");
}
