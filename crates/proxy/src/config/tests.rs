//! Unit tests of `config.rs`.

use super::*;

#[test]
fn unknown_keys_are_rejected() {
    assert!(Config::parse("listne = \"127.0.0.1:1\"").is_err());
    assert!(Config::parse("[limits]\nmax_bytes = 3").is_err());
}

#[test]
fn defaults_apply_to_an_empty_file() {
    let c = Config::parse("").unwrap();
    assert_eq!(c.page_size, 2000);
    assert_eq!(c.lookahead_days, 28);
    assert_eq!(c.limits.max_body_bytes, 64 * 1024 * 1024);
}

#[test]
fn postcode_lookup_defaults_to_postcodes_io_and_can_be_disabled() {
    let c = Config::parse("").unwrap();
    assert_eq!(
        c.postcode_lookup.url,
        "https://api.postcodes.io/postcodes/{postcode}"
    );
    assert_eq!(c.postcode_lookup.cache_size, 10_000);
    assert_eq!(c.postcode_lookup.cache_ttl_secs, 604_800);
    let c = Config::parse("[postcode_lookup]\nurl = \"\"").unwrap();
    assert!(c.postcode_lookup.url.is_empty());
    assert!(Config::parse("[postcode_lookup]\nurls = \"\"").is_err());
}

#[test]
fn postcode_lookup_url_must_keep_the_postcode_out_of_the_origin() {
    for bad in [
        "ftp://x.org/{postcode}",
        "https://{postcode}.x.org/",
        "https://x.org/no-placeholder",
        "not a url {postcode}",
    ] {
        let text = format!("[postcode_lookup]\nurl = \"{bad}\"");
        assert!(Config::parse(&text).is_err(), "{bad}");
    }
    let ok = "[postcode_lookup]\nurl = \"http://127.0.0.1:9/p?q={postcode}\"";
    assert!(Config::parse(ok).is_ok());
}

#[test]
fn regions_parse_as_bbox_or_circle() {
    let c = Config::parse("region = { lat = 51.5, lon = -0.1, radius_km = 30 }").unwrap();
    assert!(c.region.unwrap().contains(51.55, -0.12));
    assert!(!c.region.unwrap().contains(53.4, -2.2));
    let c =
        Config::parse("region = { min_lat = 51.2, min_lon = -0.6, max_lat = 51.8, max_lon = 0.4 }")
            .unwrap();
    assert!(c.region.unwrap().contains(51.5, 0.0));
}

#[test]
fn bad_feed_ids_and_urls_are_rejected() {
    let bad = "[[feeds]]\nid = \"Bad Id\"\nkind = \"SessionSeries\"\nurl = \"https://x.org/f\"\npublisher = \"P\"";
    assert!(Config::parse(bad).is_err());
    let bad = "[[feeds]]\nid = \"ok\"\nkind = \"SessionSeries\"\nurl = \"ftp://x.org/f\"\npublisher = \"P\"";
    assert!(Config::parse(bad).is_err());
}
