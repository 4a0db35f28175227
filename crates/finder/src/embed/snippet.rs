//! The copy-paste snippet for a host page.

use super::EmbedOptions;
use super::keys::encode;
use crate::filter::Filters;

/// Why a snippet could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnippetError {
    /// The app's address is not a plain http(s) URL.
    BadBase,
}

impl std::fmt::Display for SnippetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnippetError::BadBase => f.write_str("the app's address is not a plain http(s) URL"),
        }
    }
}

impl std::error::Error for SnippetError {}

/// The copy-paste markup for a host page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The `<script>` plus `<div>` (the frame resizes with its content).
    pub script: String,
    /// A plain `<iframe>` for pages that cannot run scripts (fixed height).
    pub iframe: String,
    /// The frame's address.
    pub src: String,
}

/// Checks the app's base address: `http(s)://host[:port][/path]`, with only unreserved URL
/// characters in the host and path; returns it without a trailing `/`.
fn clean_base(base: &str) -> Option<&str> {
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_' | b'~'));
    (host_ok && path_ok).then(|| base.trim_end_matches('/'))
}

/// Escapes text for a double-quoted HTML attribute.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The snippet for the app at `base` (e.g. `https://finder.example.org`) showing `filters`
/// with `options` (embed mode is always on in the snippet). Values are re-encoded from the
/// validated types, so nothing the options say can leave the attribute values.
pub fn snippet(
    base: &str,
    filters: &Filters,
    options: &EmbedOptions,
) -> Result<Snippet, SnippetError> {
    let base = clean_base(base).ok_or(SnippetError::BadBase)?;
    let mut f = filters.clone();
    f.selected = None;
    f.map = None;
    let mut o = options.clone();
    o.embed = true;
    let src = format!("{base}/?{}&{}", crate::url::encode(&f), encode(&o));
    let a = attr(&src);
    let script = format!(
        "<script src=\"{}/embed.js\" async></script>\n<div data-activity-finder data-src=\"{a}\"></div>",
        attr(base)
    );
    let iframe = format!(
        "<iframe src=\"{a}\" title=\"Activity Finder\" width=\"100%\" height=\"900\" style=\"border:0\"></iframe>"
    );
    Ok(Snippet {
        script,
        iframe,
        src,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::{AA_TEXT, DEFAULT_BG, contrast, decode};
    use proptest::prelude::*;

    #[test]
    fn the_snippet_has_the_documented_shape() {
        let (f, _) = crate::url::decode("near=E15&r=2");
        let (o, _) = decode("accent=%23005a30&lock=near");
        let s = snippet("https://finder.example.org/", &f, &o).unwrap();
        assert_eq!(
            s.script,
            "<script src=\"https://finder.example.org/embed.js\" async></script>\n<div data-activity-finder data-src=\"https://finder.example.org/?v=1&amp;near=E15&amp;r=2&amp;embed=1&amp;accent=%23005a30&amp;lock=near\"></div>"
        );
        assert!(
            s.iframe
                .starts_with("<iframe src=\"https://finder.example.org/?v=1&amp;near=E15")
        );
        assert_eq!(
            snippet("javascript:alert(1)", &f, &o),
            Err(SnippetError::BadBase)
        );
        assert_eq!(
            snippet("https://a.example/\"><script>", &f, &o),
            Err(SnippetError::BadBase)
        );
    }

    /// Checks `s` is exactly the documented markup with attribute values that cannot close
    /// their quotes or open a tag.
    fn documented_shape(s: &Snippet, base: &str) -> bool {
        let safe = |v: &str| !v.contains(['"', '<', '>', '\'', '\n']);
        let a = attr(&s.src);
        s.script
            == format!(
                "<script src=\"{base}/embed.js\" async></script>\n<div data-activity-finder data-src=\"{a}\"></div>"
            )
            && s.iframe
                == format!(
                    "<iframe src=\"{a}\" title=\"Activity Finder\" width=\"100%\" height=\"900\" style=\"border:0\"></iframe>"
                )
            && safe(&a)
            && safe(base)
            && s.src.starts_with(&format!("{base}/?v=1&"))
    }

    proptest! {
        #[test]
        fn arbitrary_option_strings_stay_inside_the_snippet_shape(
            keys in proptest::collection::vec(
                prop_oneof![Just("fg".to_string()), Just("bg".to_string()), Just("accent".to_string()), Just("font".to_string()), Just("hide".to_string()),
                    Just("lock".to_string()), Just("embed".to_string()), Just("q".to_string()), Just("org".to_string()), Just("near".to_string()), Just("s".to_string()),
                    Just("act".to_string()), Just("tod".to_string()), ".{0,6}"],
                0..8),
            values in proptest::collection::vec(".{0,40}", 8),
            base in prop_oneof![Just("https://finder.example.org".to_string()), ".{0,30}"],
        ) {
            let query: String = keys.iter().zip(&values).map(|(k, v)| {
                let mut s = form_urlencoded::Serializer::new(String::new());
                s.append_pair(k, v);
                s.finish()
            }).collect::<Vec<_>>().join("&");
            let (f, _) = crate::url::decode(&query);
            let (o, _) = decode(&query);
            if let Some(t) = o.theme.fg.or(o.theme.accent) {
                prop_assert!(contrast(t, o.theme.bg.unwrap_or(DEFAULT_BG)) >= AA_TEXT);
            }
            for (_, v) in o.theme.css_properties() {
                let bad = v.contains([';', '<', '>', '{', '}', '\\']);
                prop_assert!(!bad, "css value {:?}", v);
            }
            match snippet(&base, &f, &o) {
                Ok(s) => {
                    let b = base.trim_end_matches('/');
                    prop_assert!(documented_shape(&s, b), "{:?}", s);
                    // The frame reads back the same options and filters.
                    let q = s.src.split_once('?').map(|x| x.1).unwrap_or("");
                    prop_assert_eq!(decode(q).0.theme, o.theme.clone());
                    prop_assert_eq!(decode(q).0.locked, o.locked.clone());
                    let back = crate::url::decode(q).0;
                    prop_assert_eq!(back.keyword.trim(), f.keyword.trim());
                }
                Err(SnippetError::BadBase) => prop_assert!(clean_base(&base).is_none()),
            }
        }
    }
}
