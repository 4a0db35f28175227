//! Unit tests of `discover.rs`.

use super::*;

#[test]
fn test_hosts_are_recognised() {
    assert!(looks_like_test_host("uatbook.myeveryoneactive.com"));
    assert!(looks_like_test_host(
        "halo-uat-openactive.legendonlineservices.co.uk"
    ));
    assert!(looks_like_test_host("staging.example.org"));
    assert!(looks_like_test_host("testing.example.org"));
    assert!(!looks_like_test_host("opendata.leisurecloud.live"));
    assert!(!looks_like_test_host("api.activenewham.org.uk"));
    assert!(!looks_like_test_host("contest.example.org"));
    assert!(!looks_like_test_host("aqua.example.org"));
}

#[test]
fn first_json_ld_block_is_taken() {
    let html = r#"<html><head><script src="x.js"></script>
        <SCRIPT type='application/ld+json'> {"a":1} </SCRIPT>
        <script type="application/ld+json">{"a":2}</script></head></html>"#;
    assert_eq!(first_json_ld(html), Some(r#"{"a":1}"#));
    assert_eq!(first_json_ld("<p>none</p>"), None);
}

#[test]
fn distributions_pair_by_additional_type_not_name() {
    let site = Url::parse("https://api.example.org/OpenActive/").unwrap();
    let json = r#"{"@type":"Dataset","url":"https://api.example.org/OpenActive/",
      "publisher":{"@type":"Organization","name":"Example Leisure"},
      "distribution":[
        {"name":"Slot","additionalType":"https://openactive.io/Slot","contentUrl":"https://feeds.example.org/slots"},
        {"name":"SessionSeries","additionalType":"https://openactive.io/ScheduledSession","contentUrl":"/feeds/sessions"},
        {"name":"Mystery","additionalType":"https://example.org/Unknown","contentUrl":"https://feeds.example.org/x"},
        {"name":"Course","additionalType":"https://schema.org/CourseInstance","contentUrl":"https://feeds.example.org/courses"}]}"#;
    let info = parse_dataset(json, &site).unwrap();
    assert_eq!(info.publisher, "Example Leisure");
    assert_eq!(info.license, default_license());
    assert_eq!(
        info.feeds,
        vec![
            ("Slot".into(), "https://feeds.example.org/slots".into()),
            (
                "ScheduledSession".into(),
                "https://api.example.org/feeds/sessions".into()
            ),
            (
                "CourseInstance".into(),
                "https://feeds.example.org/courses".into()
            ),
        ]
    );
}
