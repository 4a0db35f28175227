//! The demo generator: deterministic bytes and realistic OpenActive shape.

use std::collections::HashSet;

use activity_finder_proxy::demo::{self, DEMO_SEED};
use chrono::NaiveDate;
use serde_json::Value;

fn today() -> NaiveDate {
    // The 28 days from here cross the change to British Summer Time (29 March 2026).
    NaiveDate::from_ymd_opt(2026, 3, 16).unwrap()
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn same_seed_and_today_give_identical_bytes() {
    let a = demo::generate(DEMO_SEED, today(), 120, "http://127.0.0.1:9");
    let b = demo::generate(DEMO_SEED, today(), 120, "http://127.0.0.1:9");
    assert_eq!(a, b);
    let c = demo::generate(DEMO_SEED + 1, today(), 120, "http://127.0.0.1:9");
    assert_ne!(a, c, "a different seed gives different data");
}

#[test]
fn default_demo_is_a_realistic_london_dataset() {
    let d = demo::generate(
        DEMO_SEED,
        today(),
        demo::DEFAULT_SERIES,
        "http://127.0.0.1:9",
    );
    assert_eq!(d.publishers.len(), 3);
    let series: Vec<Value> = d
        .publishers
        .iter()
        .flat_map(|p| p.series.iter().filter_map(|s| s.data.as_deref().map(parse)))
        .collect();
    let sessions: Vec<Value> = d
        .publishers
        .iter()
        .flat_map(|p| {
            p.sessions
                .iter()
                .filter_map(|s| s.data.as_deref().map(parse))
        })
        .collect();
    assert_eq!(series.len(), demo::DEFAULT_SERIES);
    assert!(
        (2000..=3200).contains(&sessions.len()),
        "{} sessions",
        sessions.len()
    );

    let boroughs: HashSet<&str> = series
        .iter()
        .filter_map(|s| s["location"]["address"]["addressRegion"].as_str())
        .collect();
    assert_eq!(
        boroughs.len(),
        demo::BOROUGH_COUNT,
        "every London borough has sessions"
    );

    let vocab = demo::activity_index();
    let ids: HashSet<&String> = vocab.values().collect();
    for s in &series {
        let a = &s["activity"][0];
        assert!(ids.contains(&a["@id"].as_str().unwrap().to_string()), "{a}");
        assert_eq!(
            vocab[a["prefLabel"].as_str().unwrap()],
            a["@id"].as_str().unwrap()
        );
        assert!(s["eventSchedule"][0]["scheduleTimezone"] == "Europe/London");
        let lat = s["location"]["geo"]["latitude"].as_f64().unwrap();
        let lon = s["location"]["geo"]["longitude"].as_f64().unwrap();
        assert!(
            (51.28..51.70).contains(&lat) && (-0.52..0.34).contains(&lon),
            "{lat},{lon}"
        );
        let pc = s["location"]["address"]["postalCode"].as_str().unwrap();
        assert!(pc.contains(' ') && pc.len() >= 6 && pc.len() <= 8, "{pc}");
    }
    let distinct: HashSet<&str> = series
        .iter()
        .filter_map(|s| s["activity"][0]["@id"].as_str())
        .collect();
    assert!(distinct.len() >= 25, "{} activities", distinct.len());

    let free = series
        .iter()
        .filter(|s| s["offers"][0]["price"].as_f64() == Some(0.0))
        .count();
    let female = series
        .iter()
        .filter(|s| s["genderRestriction"] == "https://openactive.io/FemaleOnly")
        .count();
    let male = series
        .iter()
        .filter(|s| s["genderRestriction"] == "https://openactive.io/MaleOnly")
        .count();
    let seniors = series
        .iter()
        .filter(|s| s["ageRange"]["minValue"] == 60)
        .count();
    let kids = series
        .iter()
        .filter(|s| s["ageRange"]["maxValue"] == 11)
        .count();
    let access = series
        .iter()
        .filter(|s| s.get("accessibilitySupport").is_some())
        .count();
    let wheelchair = series
        .iter()
        .filter(|s| s.get("beta:isWheelchairAccessible").is_some())
        .count();
    let concession = series
        .iter()
        .filter(|s| s["offers"].as_array().unwrap().len() > 1)
        .count();
    for (what, n) in [
        ("free", free),
        ("female-only", female),
        ("male-only", male),
        ("60+", seniors),
        ("kids", kids),
        ("accessibility", access),
        ("wheelchair", wheelchair),
        ("concession", concession),
    ] {
        assert!(n > 0, "no {what} series");
    }
    assert!(female > male, "mostly female-only over male-only");

    let cancelled = sessions
        .iter()
        .filter(|s| s["eventStatus"] == "https://schema.org/EventCancelled")
        .count();
    let full = sessions
        .iter()
        .filter(|s| s["remainingAttendeeCapacity"] == 0)
        .count();
    assert!(cancelled > 0 && full > 0);
    for p in &d.publishers {
        assert!(p.series.iter().any(|s| s.data.is_none()), "deleted series");
        assert!(
            p.sessions.iter().any(|s| s.data.is_none()),
            "deleted sessions"
        );
    }

    // superEvent joins to a series @id; offsets follow Europe/London daylight saving.
    let series_ids: HashSet<&str> = series.iter().filter_map(|s| s["@id"].as_str()).collect();
    for s in &sessions {
        assert!(series_ids.contains(s["superEvent"].as_str().unwrap()));
        let start = s["startDate"].as_str().unwrap();
        let offset = if start < "2026-03-29" {
            "+00:00"
        } else {
            "+01:00"
        };
        assert!(start.ends_with(offset), "{start}");
    }
}

#[test]
fn demo_sizes_parse() {
    assert_eq!(demo::parse_size("small"), Ok(demo::SMALL_SERIES));
    assert_eq!(demo::parse_size("default"), Ok(demo::DEFAULT_SERIES));
    assert_eq!(demo::parse_size("42"), Ok(42));
    assert!(demo::parse_size("0").is_err());
    assert!(demo::parse_size("lots").is_err());
}
