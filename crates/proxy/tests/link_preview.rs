//! Link previews: the Open Graph tags the proxy writes into the page a shared link opens.

use activity_finder_proxy::http::link_preview_tags;

fn content(tags: &str, property: &str) -> String {
    let start = tags
        .find(&format!("<meta property=\"{property}\" content=\""))
        .unwrap_or_else(|| panic!("{property} missing: {tags}"));
    let rest = &tags[start..];
    let from = rest.find("content=\"").unwrap() + "content=\"".len();
    let to = from + rest[from..].find('"').unwrap();
    rest[from..to].to_string()
}

#[test]
fn a_plain_page_says_what_the_finder_is() {
    let tags = link_preview_tags(None);
    assert_eq!(content(&tags, "og:site_name"), "Activity Finder");
    assert_eq!(
        content(&tags, "og:title"),
        "Activity Finder: local physical activity sessions"
    );
    assert!(tags.contains("<meta name=\"twitter:card\" content=\"summary\">"));
}

#[test]
fn a_filtered_link_previews_its_filters_in_plain_words() {
    let tags = link_preview_tags(Some("v=1&free=1&g=female&near=E15&r=2"));
    let description = content(&tags, "og:description");
    assert!(description.contains("Free"), "{description}");
    assert!(description.contains("E15"), "{description}");
    assert!(description.contains(" · "), "{description}");
    assert_eq!(
        content(&tags, "og:title"),
        format!("Activity sessions: {description}")
    );
}

#[test]
fn a_shortlist_link_says_how_many_sessions_were_chosen() {
    let entries: Vec<finder::shortlist::LinkEntry> = (0..3)
        .map(|i| finder::shortlist::LinkEntry {
            id: 1000 + i,
            start_min: 29_400_000 + i as u32,
            series: 7,
        })
        .collect();
    let query = format!("v=1&sl={}", finder::shortlist::encode(&entries));
    let tags = link_preview_tags(Some(&query));
    assert_eq!(
        content(&tags, "og:title"),
        "3 activity sessions chosen for you"
    );
}

#[test]
fn a_crafted_query_changes_only_the_words_never_the_page() {
    let tags = link_preview_tags(Some("v=1&q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%26"));
    assert!(!tags.contains("<script"), "{tags}");
    let description = content(&tags, "og:description");
    assert!(
        description.contains("&quot;&gt;&lt;script&gt;"),
        "{description}"
    );
    // Every tag is one of the five, closed where it starts.
    assert_eq!(tags.matches("<meta ").count(), 5, "{tags}");
    assert_eq!(tags.matches('<').count(), 5, "{tags}");
}
