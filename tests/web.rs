//! Browser tests (wasm-bindgen-test in headless Chromium): the URL contract against the real
//! `window.history`, link safety, a finder pack decoded and indexed in wasm, and the results
//! list and session page mounted with hostile feed text. Native `cargo test` skips this file.
//!
//! Run: `CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=60 cargo test -p activity-finder --target wasm32-unknown-unknown --test web`
#![cfg(target_arch = "wasm32")]

use activity_finder::components::{detail::SessionDetail, results::ResultsList};
use activity_finder::state::Ctx;
use activity_finder::url_state::{self, History};
use chrono::DateTime;
use finder::filter::{DaySet, GenderFilter};
use finder::{Filters, Index};
use leptos::prelude::*;
use openactive::{Dataset, vocab::ActivityList};
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const YOGA: &str = "https://openactive.io/activity-list#bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e";
const HOSTILE: &str = "<img src=x onerror=alert(1)><script>alert(1)</script>";

fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

fn document() -> web_sys::Document {
    window().document().expect("a document")
}

/// Restores the test page's URL when dropped (tests share one page).
struct RestoreUrl(String);
impl RestoreUrl {
    fn new() -> Self {
        RestoreUrl(window().location().href().unwrap())
    }
}
impl Drop for RestoreUrl {
    fn drop(&mut self) {
        let _ =
            window()
                .history()
                .unwrap()
                .replace_state_with_url(&JsValue::NULL, "", Some(&self.0));
    }
}

/// Lets Leptos effects and rendering run (they are scheduled, not synchronous).
async fn settle() {
    for _ in 0..3 {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }
}

#[wasm_bindgen_test]
fn url_state_round_trips_through_window_history() {
    let _restore = RestoreUrl::new();
    let history = window().history().unwrap();
    let f = Filters {
        activities: vec![YOGA.into()],
        days: DaySet::default().toggled(0).toggled(2),
        free: true,
        age: Some(67),
        gender: GenderFilter::from_key("fo").unwrap(),
        keyword: "yoga & mat".into(),
        selected: Some("https://example.test/sessions/1?a=b&c=d".into()),
        ..Filters::default()
    };
    let len0 = history.length().unwrap();
    url_state::write(&f, History::Push);
    assert_eq!(
        history.length().unwrap(),
        len0 + 1,
        "a click pushes one history entry"
    );
    let search = window().location().search().unwrap();
    assert!(
        search.starts_with("?v=1&act=bf1a5e00-cdcf-465d-8c5a-6f57040b7f7e"),
        "{search}"
    );
    assert!(
        search.contains("days=mon,wed") || search.contains("days=mon%2Cwed"),
        "{search}"
    );
    let (back, notices) = url_state::read();
    assert_eq!(back, f);
    assert!(notices.is_empty(), "{notices:?}");

    // The same filters again: nothing is written.
    url_state::write(&f, History::Push);
    assert_eq!(history.length().unwrap(), len0 + 1);

    // Typing replaces the entry instead of adding one.
    let typed = Filters {
        keyword: "pilates".into(),
        ..f
    };
    url_state::write(&typed, History::Replace);
    assert_eq!(history.length().unwrap(), len0 + 1);
    assert_eq!(url_state::read().0.keyword, "pilates");
    assert!(url_state::current_href().contains("q=pilates"));
}

#[wasm_bindgen_test]
fn bad_url_values_fall_back_to_defaults_with_notices() {
    let _restore = RestoreUrl::new();
    let path = window().location().pathname().unwrap();
    window()
        .history()
        .unwrap()
        .replace_state_with_url(
            &JsValue::NULL,
            "",
            Some(&format!("{path}?v=1&age=old&g=zz&free=1")),
        )
        .unwrap();
    let (f, notices) = url_state::read();
    assert_eq!(f.age, None);
    assert_eq!(f.gender, GenderFilter::default());
    assert!(f.free, "good values are kept");
    let mut keys: Vec<&str> = notices.iter().map(|n| n.key.as_str()).collect();
    keys.sort();
    assert_eq!(keys, ["age", "g"]);
}

#[wasm_bindgen_test]
fn safe_link_rejects_script_and_data_urls() {
    use finder::display::safe_link;
    assert_eq!(safe_link("javascript:alert(1)"), None);
    assert_eq!(safe_link("  JavaScript:alert(1)"), None);
    assert_eq!(safe_link("java\tscript:alert(1)"), None);
    assert_eq!(safe_link("data:text/html,<script>alert(1)</script>"), None);
    assert_eq!(safe_link("vbscript:msgbox(1)"), None);
    assert_eq!(
        safe_link("https://example.test/book"),
        Some("https://example.test/book")
    );
}

/// Two series (yoga with a hostile name, and swimming) with three sessions, as the proxy's
/// join gives them, compiled into a finder pack (as the proxy does) and decoded and indexed
/// inside wasm (as the app does). No RPDE reader or join runs in the browser.
fn tiny_index(name: &str, url: &str) -> Index {
    use openactive::{ConceptRef, Details, Occurrence, Offer, OpportunityKind, Organizer, Venue};
    let yoga = Arc::new(Details {
        series_key: Some("https://demo.test/series/ss-1".into()),
        name: name.into(),
        description: Some(name.into()),
        activities: vec![ConceptRef {
            id: Some(YOGA.into()),
            label: Some("Yoga".into()),
        }],
        venue: Venue {
            name: Some("Hall <b>One</b>".into()),
            postcode: Some("E15 1AA".into()),
            geo: Some((51.54, 0.0)),
            ..Venue::default()
        },
        offers: vec![Offer {
            name: None,
            price: Some(0.0),
            currency: Some("GBP".into()),
            url: None,
        }],
        free: true,
        organizer: Some(Organizer {
            name: Some("Demo Org".into()),
            ..Organizer::default()
        }),
        ..Details::default()
    });
    let swim = Arc::new(Details {
        series_key: Some("https://demo.test/series/ss-2".into()),
        name: "Lane Swimming".into(),
        activities: vec![ConceptRef {
            id: Some(
                "https://openactive.io/activity-list#2750229d-b725-4171-9276-376be913957c".into(),
            ),
            label: Some("Swimming".into()),
        }],
        venue: Venue {
            name: Some("Pool".into()),
            geo: Some((51.55, -0.1)),
            ..Venue::default()
        },
        offers: vec![Offer {
            name: None,
            price: Some(4.5),
            currency: Some("GBP".into()),
            url: None,
        }],
        ..Details::default()
    });
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
    let occ =
        |key: &str, start: &str, end: &str, details: &Arc<Details>, url: Option<&str>| Occurrence {
            key: key.into(),
            feed: 1,
            kind: OpportunityKind::Session,
            start: at(start),
            end: Some(at(end)),
            cancelled: false,
            remaining_capacity: None,
            maximum_capacity: None,
            url: url.map(str::to_string),
            from_schedule: false,
            provisional: false,
            booking_grid: false,
            updated: None,
            details: details.clone(),
        };
    let occurrences = [
        occ(
            "https://demo.test/sessions/sc-1",
            "2026-11-23T18:00:00Z",
            "2026-11-23T19:00:00Z",
            &yoga,
            Some(url),
        ),
        occ(
            "https://demo.test/sessions/sc-2",
            "2026-11-24T07:00:00Z",
            "2026-11-24T08:00:00Z",
            &swim,
            Some("https://demo.test/book/ss-2"),
        ),
        occ(
            "https://demo.test/sessions/sc-3",
            "2026-11-25T07:00:00Z",
            "2026-11-25T08:00:00Z",
            &swim,
            Some("https://demo.test/book/ss-2"),
        ),
    ];
    let vocab = ActivityList::from_jsonld(openactive::vocab::ACTIVITY_LIST_JSONLD).unwrap();
    let refs: Vec<&Occurrence> = occurrences.iter().collect();
    let bytes = contract::pack::encode(&refs, &vocab).pack;
    let decoded = contract::pack::decode(&bytes).expect("the pack decodes in wasm");
    let dataset = |p: &str| Dataset {
        publisher: p.into(),
        url: Some("javascript:alert(5)".into()),
        license: Some("https://creativecommons.org/licenses/by/4.0/".into()),
    };
    Index::build(decoded.occurrences, &decoded.vocab)
        .with_datasets(vec![dataset("Demo Publisher"), dataset("Demo Publisher")])
}

#[wasm_bindgen_test]
fn pack_decode_and_index_answer_queries_in_wasm() {
    let ix = tiny_index("Morning Yoga", "https://demo.test/book/ss-1");
    assert_eq!(
        ix.len(),
        3,
        "three upcoming sessions joined with their series"
    );
    let all = ix.query(&Filters::default());
    assert_eq!(all.results.len(), 3);
    // Soonest first.
    let first = &ix.occurrences[all.results[0] as usize];
    assert_eq!(first.key, "https://demo.test/sessions/sc-1");
    assert_eq!(first.name, "Morning Yoga");
    // Activity filter (with the real Activity List), free, keyword, day of week (London time).
    let yoga = ix.query(&Filters {
        activities: vec![YOGA.into()],
        ..Filters::default()
    });
    assert_eq!(yoga.results.len(), 1);
    assert_eq!(
        ix.query(&Filters {
            free: true,
            ..Filters::default()
        })
        .results
        .len(),
        1
    );
    assert_eq!(
        ix.query(&Filters {
            keyword: "lane".into(),
            ..Filters::default()
        })
        .results
        .len(),
        2
    );
    // 2026-11-23 is a Monday (day 0).
    let mon = ix.query(&Filters {
        days: DaySet::default().toggled(0),
        ..Filters::default()
    });
    assert_eq!(mon.results.len(), 1);
    assert_eq!(all.venues.len(), 2, "two venues with a position");
}

/// Mounts the results list and the session page with a hand-built context.
fn mount(ix: Index, filters: Filters) -> (Ctx, web_sys::HtmlElement) {
    let parent: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&parent).unwrap();
    let slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let out = slot.clone();
    let handle = mount_to(parent.clone(), move || {
        let ctx = Ctx::new(filters, Vec::new());
        ctx.index.set(Arc::new(ix));
        ctx.demo.set(true);
        out.set(Some(ctx));
        provide_context(ctx);
        view! { <ResultsList/><SessionDetail/> }
    });
    handle.forget();
    (slot.take().expect("mounted"), parent)
}

#[wasm_bindgen_test]
async fn hostile_feed_text_renders_as_text_and_unsafe_links_are_dropped() {
    let _restore = RestoreUrl::new();
    let ix = tiny_index(HOSTILE, "javascript:alert(1)");
    let (ctx, root) = mount(ix, Filters::default());
    settle().await;

    let heading = root
        .query_selector("#results-heading")
        .unwrap()
        .expect("results heading");
    assert_eq!(heading.text_content().unwrap(), "3 sessions found");
    let list = root
        .query_selector("#results-list")
        .unwrap()
        .expect("results list");
    // Three cards; the page's other places are empty and hidden.
    let has = |sel: &str| list.query_selector(sel).unwrap().is_some();
    assert!(has("li.card:nth-child(3)") && !has("li.card:nth-child(4)"));
    assert!(has("li:nth-child(4):not(.card)[hidden]"));
    let link: web_sys::HtmlElement = list
        .query_selector("li.card h3 a")
        .unwrap()
        .expect("a card link")
        .unchecked_into();
    assert_eq!(
        link.text_content().unwrap(),
        HOSTILE,
        "the name is shown literally"
    );
    for sel in ["script", "img", "[onerror]", "b"] {
        assert!(
            list.query_selector(sel).unwrap().is_none(),
            "no {sel} in the list"
        );
    }

    // Opening the card shows the session page (and writes `s=` to the URL).
    link.click();
    settle().await;
    assert_eq!(
        ctx.filters.get_untracked().selected.as_deref(),
        Some("https://demo.test/sessions/sc-1")
    );
    assert!(window().location().search().unwrap().contains("s=https"));
    let detail = root
        .query_selector("section.detail")
        .unwrap()
        .expect("the session page");
    let h = detail
        .query_selector("#detail-heading")
        .unwrap()
        .expect("detail heading");
    assert_eq!(h.text_content().unwrap(), HOSTILE);
    assert_eq!(
        document().active_element().map(|e| e.id()),
        Some("detail-heading".into()),
        "focus moves to the heading"
    );
    for sel in [
        "script",
        "img",
        "[onerror]",
        "b",
        "a[href^=\"javascript:\" i]",
    ] {
        assert!(
            detail.query_selector(sel).unwrap().is_none(),
            "no {sel} in the session page"
        );
    }
    let text = detail.text_content().unwrap();
    assert!(text.contains("Source: Demo Publisher"), "{text}");
    assert!(
        text.contains("Hall <b>One</b>"),
        "venue name as text: {text}"
    );
    assert!(
        !text.contains("Book or find out more"),
        "an unsafe booking link is not offered"
    );

    // "Back to results" closes it.
    let back: web_sys::HtmlElement = detail
        .query_selector("button.button--secondary")
        .unwrap()
        .expect("back button")
        .unchecked_into();
    back.click();
    settle().await;
    assert!(root.query_selector("section.detail").unwrap().is_none());
    assert_eq!(ctx.filters.get_untracked().selected, None);
    root.remove();
}

/// The loader sizes its occurrence list from the manifest: the packs a load selects, never more
/// than `MAX_RESERVED` whatever the manifest claims.
#[wasm_bindgen_test]
fn occurrences_reserved_follow_the_packs_selected_and_are_capped() {
    use activity_finder::loader::{MAX_RESERVED, Which, occurrences_in};
    use contract::manifest::{Cell, Manifest, PackRef};
    let pack = |cell: Option<Cell>, slots: bool, occurrences: u32| PackRef {
        url: String::new(),
        hash: String::new(),
        slots,
        cell,
        occurrences,
        bytes: 0,
        details: None,
    };
    let here = Cell {
        south: 51.5,
        west: -0.1,
        north: 51.6,
        east: 0.0,
    };
    let far = Cell {
        south: 52.5,
        west: -1.1,
        north: 52.6,
        east: -1.0,
    };
    let mut m = Manifest {
        format: contract::pack::VERSION,
        generated: "2026-03-16T00:00:00Z".into(),
        lookahead_days: 28,
        demo: true,
        tiles: None,
        feeds: Vec::new(),
        packs: vec![
            pack(Some(here), false, 100),
            pack(Some(far), false, 50),
            pack(Some(here), true, 7),
        ],
        outward: Default::default(),
    };
    let circle = Some(((51.55, -0.05), 2.0));
    assert_eq!(occurrences_in(&m, None, false, Which::All), 157);
    assert_eq!(occurrences_in(&m, circle, false, Which::Needed), 100);
    assert_eq!(occurrences_in(&m, circle, true, Which::Needed), 107);
    assert_eq!(occurrences_in(&m, circle, false, Which::Rest), 57);
    m.packs.push(pack(None, false, u32::MAX));
    assert_eq!(occurrences_in(&m, None, false, Which::All), MAX_RESERVED);
}
