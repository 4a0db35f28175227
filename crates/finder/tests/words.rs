//! The words filter's text search (`query::containing_all`, one searcher per word) answers as
//! `str::contains` does, on any text: accents, other scripts, repeated and overlapping words.

use finder::query::containing_all;
use proptest::prelude::*;

fn naive(texts: &[String], words: &[String]) -> Vec<bool> {
    texts
        .iter()
        .map(|t| words.iter().all(|w| t.contains(w.as_str())))
        .collect()
}

proptest! {
    #[test]
    fn answers_as_str_contains(
        texts in prop::collection::vec("[abé漢 \\-]{0,24}", 0..12),
        words in prop::collection::vec("[abé漢\\-]{1,4}", 0..4),
    ) {
        prop_assert_eq!(containing_all(&texts, &words), naive(&texts, &words));
    }
}

#[test]
fn a_word_inside_another_and_one_that_is_not_there() {
    let texts: Vec<String> = ["chair-based yoga", "café swim", "漢字 walk"]
        .map(String::from)
        .to_vec();
    let w = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(containing_all(&texts, &w(&["oga"])), [true, false, false]);
    assert_eq!(
        containing_all(&texts, &w(&["fé", "swim"])),
        [false, true, false]
    );
    assert_eq!(containing_all(&texts, &w(&["字"])), [false, false, true]);
    assert_eq!(
        containing_all(&texts, &w(&["yoga", "swim"])),
        [false, false, false]
    );
    assert_eq!(containing_all(&texts, &[]), [true, true, true]);
}
