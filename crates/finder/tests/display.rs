//! The wording of `finder::display`: dates, prices, tags, trust lines, report targets.

use chrono::{DateTime, Utc};
use finder::display::*;
use openactive::{AgeRange, Gender};

#[test]
fn card_tags_say_only_what_sets_a_session_apart() {
    assert!(
        CardFacts::default().tags().is_empty(),
        "unspecified: no tag"
    );
    let open = CardFacts {
        gender: Gender::NoRestriction,
        ..CardFacts::default()
    };
    assert!(
        open.tags().is_empty(),
        "open to all genders is the usual case"
    );
    let all = CardFacts {
        slot: true,
        gender: Gender::FemaleOnly,
        beginner: true,
        wheelchair: Some(true),
        full: true,
        provisional: true,
    };
    assert_eq!(
        all.tags(),
        [
            "Facility booking",
            "Women only",
            "Beginner-friendly",
            "Wheelchair accessible",
            "Full",
            "Times may change"
        ]
    );
    let unknown_access = CardFacts {
        wheelchair: Some(false),
        ..CardFacts::default()
    };
    assert!(unknown_access.tags().is_empty());
    // The card and the filter agree on who suits a beginner.
    for (levels, beginner) in [
        (vec!["All levels"], true),
        (vec!["Novice"], true),
        (vec!["Beginner"], true),
        (vec!["Advanced"], false),
    ] {
        let levels: Vec<String> = levels.into_iter().map(String::from).collect();
        assert_eq!(finder::index::is_beginner(&levels), beginner, "{levels:?}");
    }
}
fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn ago_reads_short_then_turns_into_a_date() {
    let now = t("2026-12-01T12:00:00Z");
    let before = |secs: i64| now - chrono::Duration::seconds(secs);
    assert_eq!(ago(before(0), now), "just now");
    assert_eq!(ago(before(59), now), "just now");
    assert_eq!(ago(now + chrono::Duration::minutes(3), now), "just now");
    assert_eq!(ago(before(60), now), "1 min ago");
    assert_eq!(ago(before(5 * 60 + 30), now), "5 min ago");
    assert_eq!(ago(before(3600), now), "1 hour ago");
    assert_eq!(ago(before(3 * 3600 + 100), now), "3 hours ago");
    assert_eq!(ago(before(86400), now), "1 day ago");
    assert_eq!(ago(before(3 * 86400), now), "3 days ago");
    assert_eq!(ago(before(6 * 86400 + 86399), now), "6 days ago");
    assert_eq!(ago(t("2026-10-12T09:00:00Z"), now), "on 12 Oct");
    // London dates: 23:30 UTC is the same day in winter (GMT)…
    assert_eq!(ago(t("2026-10-31T23:30:00Z"), now), "on 31 Oct");
    // …and the next day in summer (BST).
    assert_eq!(ago(t("2026-08-31T23:30:00Z"), now), "on 1 Sep");
    assert_eq!(ago(t("2025-11-02T09:00:00Z"), now), "on 2 Nov 2025");
}

#[test]
fn trust_line_names_the_publisher_and_both_ages() {
    let now = t("2026-12-01T12:00:00Z");
    assert_eq!(
        trust_line(
            "Northgate Active Trust",
            Some(now - chrono::Duration::days(3)),
            Some(now - chrono::Duration::minutes(5)),
            true,
            now
        ),
        "Listed by Northgate Active Trust · updated 3 days ago · checked 5 min ago"
    );
    assert_eq!(
        trust_line("P", None, Some(now), true, now),
        "Listed by P · checked just now"
    );
    assert_eq!(trust_line(" P ", None, None, true, now), "Listed by P");
    assert_eq!(
        trust_line(
            "P",
            Some(t("2026-10-12T10:00:00Z")),
            Some(now - chrono::Duration::hours(2)),
            false,
            now
        ),
        "Listed by P · updated on 12 Oct · last checked 2 hours ago; the publisher is not answering"
    );
    assert_eq!(
        trust_line("P", None, None, false, now),
        "Listed by P · the publisher is not answering"
    );
}

#[test]
fn listed_until_gives_the_london_date() {
    let now = t("2026-12-01T12:00:00Z");
    let until = DateTime::parse_from_rfc3339("2026-12-14T18:00:00+00:00").unwrap();
    assert_eq!(listed_until(&until, now), "Dates listed until Mon 14 Dec");
    let next_year = DateTime::parse_from_rfc3339("2027-03-01T00:30:00+01:00").unwrap();
    // 00:30 at +01:00 is 23:30 UTC on 28 Feb, which is 28 Feb in London (GMT).
    assert_eq!(
        listed_until(&next_year, now),
        "Dates listed until Sun 28 Feb 2027"
    );
}

#[test]
fn emails_are_validated_not_repaired() {
    assert_eq!(valid_email("a.b+c@x.example"), Some("a.b+c@x.example"));
    for bad in [
        "",
        "a@b",
        "@x.example",
        "a@@x.example",
        "a b@x.example",
        "a@x.example?bcc=z@y.example",
        "a@x.example&body=hi",
        "a@-x.example",
        "a@x..example",
        "a\n@x.example",
        "a@x.example\r\nBcc: z@y.example",
        "<a@x.example>",
        "mailto:a@x.example",
        ".a@x.example",
        "a@exämple.org",
    ] {
        assert_eq!(valid_email(bad), None, "{bad:?}");
    }
}

#[test]
fn report_goes_to_the_organisers_email_then_website_then_the_dataset_page() {
    let org = |email: Option<&str>, url: Option<&str>| openactive::Organizer {
        name: Some("O".into()),
        url: url.map(Into::into),
        email: email.map(Into::into),
        telephone: None,
    };
    let both = org(Some("hello@north.example"), Some("https://north.example/"));
    assert_eq!(
        report_target(Some(&both), Some("https://data.example/"), "Aqua & Fit?"),
        Some(ReportTarget::Email(
            "mailto:hello@north.example?subject=Problem%20with%20a%20listing%3A%20Aqua%20%26%20Fit%3F"
                .into()
        ))
    );
    let bad_email = org(Some("x@y?z"), Some("https://north.example/"));
    assert_eq!(
        report_target(Some(&bad_email), Some("https://data.example/"), "S"),
        Some(ReportTarget::Website("https://north.example/".into()))
    );
    let hostile = org(Some("nope"), Some("javascript:alert(1)"));
    assert_eq!(
        report_target(Some(&hostile), Some(" https://data.example/ds "), "S"),
        Some(ReportTarget::Dataset("https://data.example/ds".into()))
    );
    assert_eq!(
        report_target(Some(&hostile), Some("data:text/html,x"), "S"),
        None
    );
    assert_eq!(report_target(None, None, "S"), None);
    let t = report_target(None, Some("https://d.example/"), "S").unwrap();
    assert_eq!(t.href(), "https://d.example/");
    assert!(t.hint().contains("new tab"));
}

#[test]
fn times_are_shown_in_london_time_across_the_clock_change() {
    let summer = DateTime::parse_from_rfc3339("2026-07-01T08:30:00Z").unwrap();
    assert_eq!(when(&summer), "Wed 1 Jul, 9:30am");
    let winter = DateTime::parse_from_rfc3339("2026-11-30T18:05:00+00:00").unwrap();
    assert_eq!(when(&winter), "Mon 30 Nov, 6:05pm");
}

#[test]
fn durations_read_naturally() {
    assert_eq!(duration(45), "45 minutes");
    assert_eq!(duration(60), "1 hour");
    assert_eq!(duration(90), "1 hour 30 minutes");
    assert_eq!(duration(120), "2 hours");
}

#[test]
fn only_http_links_are_allowed() {
    assert_eq!(
        safe_link(" https://a.example/x "),
        Some("https://a.example/x")
    );
    assert_eq!(safe_link("HTTP://a.example"), Some("HTTP://a.example"));
    assert_eq!(safe_link("javascript:alert(1)"), None);
    assert_eq!(safe_link("data:text/html,hi"), None);
    assert_eq!(safe_link("ja"), None);
}

#[test]
fn ages_follow_the_spec_default() {
    assert_eq!(
        ages(&AgeRange::default()),
        "Adults (18+); age range not stated"
    );
    assert_eq!(
        ages(&AgeRange {
            min: Some(0),
            max: None,
            declared: true
        }),
        "All ages"
    );
    assert_eq!(
        ages(&AgeRange {
            min: Some(60),
            max: None,
            declared: true
        }),
        "Ages 60+"
    );
    assert_eq!(
        ages(&AgeRange {
            min: Some(5),
            max: Some(11),
            declared: true
        }),
        "Ages 5 to 11"
    );
}

#[test]
fn distances() {
    assert_eq!(distance(0.344), "340 m");
    assert_eq!(distance(2.44), "2.4 km");
}
