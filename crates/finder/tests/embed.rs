//! The embedding options of `finder::embed`: colours and contrast, fonts, hidden and locked keys.

use finder::embed::*;
use finder::filter::{Filters, Place};
use proptest::prelude::*;

#[test]
fn contrast_matches_the_wcag_reference_values() {
    assert!((contrast(Rgb::BLACK, Rgb::WHITE) - 21.0).abs() < 1e-9);
    assert!((contrast(Rgb::WHITE, Rgb::WHITE) - 1.0).abs() < 1e-9);
    // #767676 on white is the classic just-passing grey (4.54:1).
    let grey = Rgb::parse_hex("#767676").unwrap();
    assert!((contrast(grey, Rgb::WHITE) - 4.54).abs() < 0.01);
    assert!(contrast(Rgb::parse_hex("777").unwrap(), Rgb::WHITE) < AA_TEXT);
}

#[test]
fn hex_parsing_accepts_only_hex_colours() {
    assert_eq!(Rgb::parse_hex("#fff"), Some(Rgb::WHITE));
    assert_eq!(Rgb::parse_hex("1D4F91"), Some(DEFAULT_ACCENT));
    for bad in [
        "", "#ff", "#ffff", "red", "#12345g", "#1234567", "#ff;x", "+12345",
    ] {
        assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
    }
}

#[test]
fn low_contrast_colours_are_corrected_with_a_notice() {
    let (o, n) =
        decode("fg=%23cccccc&bg=%23ffffff&accent=%23005a30&font=serif&lock=near,r&hide=slots");
    let fg = o.theme.fg.unwrap();
    assert_ne!(fg, Rgb(0xcc, 0xcc, 0xcc));
    assert!(contrast(fg, Rgb::WHITE) >= AA_TEXT);
    assert_eq!(o.theme.accent, Rgb::parse_hex("#005a30"));
    assert_eq!(o.theme.font, Some(Font::Serif));
    assert_eq!(o.locked, ["near", "r"]);
    assert!(o.is_hidden("slots") && o.is_hidden("near") && !o.is_hidden("q"));
    assert_eq!(n.iter().map(|n| n.key.as_str()).collect::<Vec<_>>(), ["fg"]);
}

#[test]
fn a_dark_background_alone_corrects_the_default_colours() {
    let (o, n) = decode("bg=%23101010");
    assert!(contrast(o.theme.fg.unwrap(), Rgb(16, 16, 16)) >= AA_TEXT);
    assert!(contrast(o.theme.accent.unwrap(), Rgb(16, 16, 16)) >= AA_TEXT);
    assert_eq!(n.len(), 2);
}

#[test]
fn bad_values_are_dropped_with_notices() {
    let (o, n) = decode("fg=red&font=comic&lock=near,evil&embed=1");
    assert!(o.embed);
    assert_eq!(o.theme, Theme::default());
    assert_eq!(o.locked, ["near"]);
    assert_eq!(n.len(), 3);
}

#[test]
fn locks_restore_the_preset_values() {
    let (preset, _) = finder::url::decode("near=E15&r=2&free=1&q=yoga");
    let mut f = Filters::default();
    apply_locks(&["near", "r"], &preset, &mut f);
    assert_eq!(f.place, Place::Outward("E15".into()));
    assert_eq!(f.radius_km, Some(2.0));
    assert!(!f.free);
    assert_eq!(f.keyword, "");
}

proptest! {
    #[test]
    fn corrected_colours_always_pass_aa(fg in any::<(u8, u8, u8)>(), bg in any::<(u8, u8, u8)>()) {
        let (fg, bg) = (Rgb(fg.0, fg.1, fg.2), Rgb(bg.0, bg.1, bg.2));
        let c = corrected(fg, bg, AA_TEXT);
        prop_assert!(contrast(c, bg) >= AA_TEXT);
        if contrast(fg, bg) >= AA_TEXT { prop_assert_eq!(c, fg); }
        prop_assert!((contrast(fg, bg) - contrast(bg, fg)).abs() < 1e-12);
    }
}
