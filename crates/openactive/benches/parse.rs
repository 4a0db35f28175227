//! Page parsing, feed-state application and the join on the real 500-item capture and on a
//! synthetic large page. Throughput in bytes (MB/s) and in items per second.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use openactive::{Dataset, FeedState, Store, parse_page};

const REAL: &str =
    include_str!("../tests/fixtures/rpde/real-captures/everyone-active_sessions_20200106.json");
const URL: &str = "http://everyoneactivelive-openactive.azurewebsites.net/api/sessions";

/// A page of `n` split-feed ScheduledSessions, each about 700 bytes.
fn synthetic_page(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"state":"updated","kind":"ScheduledSession","id":"SC-{i}","modified":{m},"data":{{"@context":["https://openactive.io/","https://openactive.io/ns-beta"],"@type":"ScheduledSession","@id":"https://id.example.org/sessions/SC-{i}","identifier":"SC-{i}","superEvent":"https://id.example.org/series/SS-{s}","startDate":"2026-03-{d:02}T19:00:00Z","endDate":"2026-03-{d:02}T19:45:00Z","duration":"PT45M","eventStatus":"https://schema.org/EventScheduled","maximumAttendeeCapacity":12,"remainingAttendeeCapacity":{r},"url":"https://leisure.example.org/book/SC-{i}","offers":[{{"@type":"Offer","name":"Adult","price":5.5,"priceCurrency":"GBP"}}]}}}}"#,
                m = 1_000_000 + i,
                s = i % 50,
                d = 1 + i % 28,
                r = i % 13
            )
        })
        .collect();
    format!(
        r#"{{"next":"https://feeds.example.org/api/scheduled-sessions?afterChangeNumber={}","items":[{}],"license":"https://creativecommons.org/licenses/by/4.0/"}}"#,
        1_000_000 + n,
        items.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let big = synthetic_page(5_000);
    let inputs = [
        ("real-500", REAL.to_string(), 500u64),
        ("synthetic-5000", big, 5_000u64),
    ];

    let mut g = c.benchmark_group("parse_page");
    for (name, text, _) in &inputs {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), text, |b, t| {
            b.iter(|| parse_page(t, URL).unwrap());
        });
    }
    g.finish();

    let mut g = c.benchmark_group("parse_page_items");
    for (name, text, n) in &inputs {
        g.throughput(Throughput::Elements(*n));
        g.bench_with_input(BenchmarkId::from_parameter(name), text, |b, t| {
            b.iter(|| parse_page(t, URL).unwrap());
        });
    }
    g.finish();

    let mut g = c.benchmark_group("feed_state_apply");
    for (name, text, n) in &inputs {
        let page = parse_page(text, URL).unwrap();
        g.throughput(Throughput::Elements(*n));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let mut st = FeedState::new();
                st.apply(&page)
            });
        });
    }
    g.finish();

    let mut g = c.benchmark_group("store_apply_and_occurrences");
    let page = parse_page(REAL, URL).unwrap();
    g.throughput(Throughput::Elements(500));
    let now = "2020-01-06T00:00:00Z".parse().unwrap();
    g.bench_function("real-500", |b| {
        b.iter(|| {
            let mut store = Store::new();
            let f = store.add_feed(Dataset::default());
            store.apply_page(f, &page);
            store.occurrences(now, 30).len()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
