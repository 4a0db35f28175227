//! Fuzzes `parse_page` on arbitrary bytes, then pushes whatever parsed through the join.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(page) = openactive::parse_page(&text, "https://feed.example/x") {
        let mut store = openactive::Store::new();
        let f = store.add_feed(openactive::Dataset::default());
        store.apply_page(f, &page);
        let now = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
        let _ = store.occurrences(now, 30);
        let _ = store.orphan_count();
    }
});
