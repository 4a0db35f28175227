//! Response headers: the Content-Security-Policy (with the hashes of the page's own inline
//! scripts), the other security headers, and ETag matching.

use axum::http::{HeaderMap, HeaderValue, header};

/// The Content-Security-Policy for the app. `inline_hashes` are the CSP source expressions
/// (`'sha256-…'`) of the built page's own inline scripts (trunk's module loader), so that no
/// other inline script can run.
pub fn content_security_policy(
    frame_ancestors: &[String],
    inline_hashes: &[String],
    tile_source: &str,
) -> String {
    let frames = if frame_ancestors.is_empty() {
        "'none'".to_string()
    } else {
        frame_ancestors.join(" ")
    };
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for h in inline_hashes {
        script.push(' ');
        script.push_str(h);
    }
    format!(
        "default-src 'self'; script-src {script}; style-src 'self'; \
         img-src 'self' data: {tile_source}; \
         connect-src 'self'; frame-ancestors {frames}; base-uri 'none'; form-action 'self'"
    )
}

/// CSP hashes (`'sha256-<base64>'`) of every inline `<script>` body in an HTML page.
///
/// ```
/// let h = activity_finder_proxy::http::inline_script_hashes("<script src=/a.js></script><script type=module>go()</script>");
/// assert_eq!(h.len(), 1);
/// assert!(h[0].starts_with("'sha256-"));
/// ```
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::Digest;
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let body_start = &after[tag_end + 1..];
        let Some(close) = body_start.find("</script>") else {
            break;
        };
        let body = &body_start[..close];
        if !tag.contains("src=") && !body.trim().is_empty() {
            let digest = sha2::Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            out.push(format!("'sha256-{b64}'"));
        }
        rest = &body_start[close + "</script>".len()..];
    }
    out
}

/// Security headers for responses made outside the router (the rate limiter's 429): a CSP
/// that allows nothing (the body is JSON), `nosniff` and no referrer.
pub fn add_security_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// Whether `If-None-Match` names `etag` (or `*`), weak or strong.
pub fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    inm.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}
