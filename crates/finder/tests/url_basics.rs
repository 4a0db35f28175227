//! The URL contract's basic cases (round trips and fallbacks are also property-tested in url_codec.rs).

use finder::filter::*;
use finder::url::*;

#[test]
fn default_filters_encode_to_just_the_version() {
    assert_eq!(encode(&Filters::default()), "v=1");
}

#[test]
fn full_postcode_is_reduced_to_its_outward_code() {
    assert_eq!(postcode_to_outward("e15 4ht").as_deref(), Some("E15"));
    assert_eq!(postcode_to_outward("SW1A1AA").as_deref(), Some("SW1A"));
    assert_eq!(postcode_to_outward("CR0").as_deref(), Some("CR0"));
    assert_eq!(postcode_to_outward("hello"), None);
    let (f, n) = decode("near=E15%204HT");
    assert_eq!(f.place, Place::Outward("E15".into()));
    assert!(n.is_empty());
}

#[test]
fn bad_values_fall_back_with_a_notice_and_unknown_keys_are_ignored() {
    let (f, n) = decode("?v=1&age=old&r=-3&g=x&days=mon,funday&zzz=1&tod=25:00-26:00");
    assert_eq!(f.age, None);
    assert_eq!(f.radius_km, None);
    assert_eq!(f.gender, GenderFilter::Any);
    assert_eq!(f.days, DaySet(1));
    assert_eq!(f.time, TimeOfDay::Any);
    let keys: Vec<&str> = n.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys, ["age", "r", "g", "days", "tod"]);
}

#[test]
fn a_link_from_a_newer_version_is_read_with_a_notice() {
    let (f, n) = decode("v=7&free=1");
    assert!(f.free);
    assert_eq!(n.len(), 1);
}

#[test]
fn cancelled_sessions_are_off_by_default_and_cx_round_trips() {
    assert!(!decode("v=1").0.cancelled);
    let (f, n) = decode("v=1&cx=1");
    assert!(f.cancelled && n.is_empty());
    assert_eq!(encode(&f), "v=1&cx=1");
    assert_eq!(decode(&encode(&f)).0, f);
    let (f, n) = decode("v=1&cx=0");
    assert!(!f.cancelled && n.is_empty());
    assert_eq!(encode(&f), "v=1");
    // A bad value falls back to the default (hidden), with a notice.
    let (f, n) = decode("v=1&cx=maybe&free=1");
    assert!(!f.cancelled && f.free);
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].key, "cx");
}

#[test]
fn the_referral_example_round_trips() {
    let (f, n) =
        decode("v=1&near=E15&r=2&days=mon,tue,wed,thu,fri&tod=am&free=1&g=fo&lvl=beginner");
    assert!(n.is_empty());
    assert_eq!(f.days, DaySet::WEEKDAYS);
    assert_eq!(f.time, TimeOfDay::Parts(vec![DayPart::Morning]));
    assert_eq!(decode(&encode(&f)).0, f);
}
