//! The nginx `server { }` block for a published directory: the proxy's headers (CSP, cache
//! rules, precompressed copies).

use std::path::Path;

/// What the generated server block needs.
pub struct NginxConf<'a> {
    /// The `listen` parameters.
    pub listen: &'a str,
    /// The published directory.
    pub root: &'a Path,
    /// The Content-Security-Policy.
    pub csp: &'a str,
    /// Serve the `.br` copies (needs the brotli static module).
    pub brotli: bool,
    /// When the packs were compiled (a comment).
    pub generated: &'a str,
}

/// An nginx `server { }` block serving a published directory with the proxy's headers:
/// the CSP (with `frame-ancestors`), `nosniff`, no referrer, COOP; `index.html`, the manifest,
/// the feed list and the service worker `no-cache`; packs and trunk's hashed files immutable for
/// a year; precompressed copies when accepted; a missing asset a 404, never the page; every
/// `/api/` path but the feed list a 404 (no postcode lookups without the proxy: the app falls
/// back to the outward code).
pub fn nginx_conf(c: &NginxConf<'_>) -> String {
    // `add_header` in a location replaces the server's, so every location repeats them.
    let security = format!(
        "        add_header Content-Security-Policy \"{}\" always;\n\
         \x20       add_header X-Content-Type-Options \"nosniff\" always;\n\
         \x20       add_header Referrer-Policy \"no-referrer\" always;\n\
         \x20       add_header Cross-Origin-Opener-Policy \"same-origin\" always;\n",
        c.csp.replace('"', "")
    );
    let compressed = if c.brotli {
        "        gzip_static on;\n        brotli_static on;\n"
    } else {
        "        gzip_static on;\n"
    };
    let cors = "        add_header Access-Control-Allow-Origin \"*\" always;\n";
    let loc = |head: &str, body: &str, cache: Option<&str>, cors_on: bool| {
        let mut s = format!("    location {head} {{\n{security}");
        if let Some(c) = cache {
            s.push_str(&format!(
                "        add_header Cache-Control \"{c}\" always;\n"
            ));
        }
        if cors_on {
            s.push_str(cors);
        }
        s.push_str(body);
        s.push_str("    }\n");
        s
    };
    let immutable = Some("public, max-age=31536000, immutable");
    let mut s = format!(
        "# Activity Finder, published by `activity-finder-proxy publish` (packs of {generated}).\n\
         # Include it inside `http {{ }}` (Debian: copy or link it into /etc/nginx/sites-enabled/);\n\
         # it needs the `mime.types` Debian's nginx.conf already includes.\n\
         server {{\n\
         \x20   listen {listen};\n\
         \x20   server_name _;\n\
         \x20   root {root};\n\
         \x20   index index.html;\n\
         \x20   charset utf-8;\n\
         \x20   server_tokens off;\n\
         \x20   etag on;\n\
         \x20   gzip on;\n\
         \x20   gzip_vary on;\n\
         \x20   gzip_types text/css application/javascript application/json application/wasm image/svg+xml application/manifest+json;\n\n",
        generated = c.generated,
        listen = c.listen,
        root = c.root.display(),
    );
    // Never serve the config itself, temporary files or dot files.
    s.push_str(&loc(
        "~ (^/nginx\\.conf$|/\\.)",
        "        return 404;\n",
        Some("no-store"),
        false,
    ));
    s.push_str(&loc(
        "= /packs/manifest.json",
        &format!("{compressed}        try_files $uri =404;\n"),
        Some("no-cache"),
        true,
    ));
    s.push_str(&loc(
        "~ \"^/packs/[0-9a-f]{32}\\.pack$\"",
        &format!(
            "        types {{ }}\n        default_type application/octet-stream;\n{compressed}        try_files $uri =404;\n"
        ),
        immutable,
        true,
    ));
    s.push_str(&loc(
        "/packs/",
        "        return 404;\n",
        Some("no-store"),
        false,
    ));
    s.push_str(&loc(
        "= /api/feeds",
        "        default_type application/json;\n        try_files /api/feeds.json =404;\n",
        Some("no-cache"),
        true,
    ));
    s.push_str(&loc(
        "/api/",
        "        default_type application/json;\n        return 404 '{\"error\":\"not found\"}';\n",
        Some("no-store"),
        false,
    ));
    s.push_str(&loc(
        "= /sw.js",
        &format!("{compressed}        try_files $uri =404;\n"),
        Some("no-cache"),
        false,
    ));
    s.push_str(&loc(
        "= /manifest.webmanifest",
        &format!(
            "        types {{ }}\n        default_type application/manifest+json;\n{compressed}        try_files $uri =404;\n"
        ),
        Some("no-cache"),
        false,
    ));
    s.push_str(&loc(
        "~ \"-[0-9a-f]{12,16}(_bg)?\\.(js|wasm|css)$\"",
        &format!("{compressed}        try_files $uri =404;\n"),
        immutable,
        false,
    ));
    s.push_str(&loc(
        "~* \"\\.(js|mjs|wasm|css|map|json|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|txt|br|gz|webmanifest)$\"",
        &format!("{compressed}        try_files $uri =404;\n"),
        None,
        false,
    ));
    // The page, for `/` and every app route (the query string is the app's state).
    s.push_str(&loc(
        "/",
        "        try_files /index.html =404;\n",
        Some("no-cache"),
        false,
    ));
    s.push_str("}\n");
    s
}
