//! Filter latency of `Index::query` at 10k and 100k occurrences (synthetic but realistic
//! spread: 2,000 venues across London, 40 activities in a two-level hierarchy, mixed prices,
//! ages, genders and times). Run: `cargo bench -p finder --bench query`.

use chrono::{DateTime, Duration, FixedOffset};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use finder::filter::{DayPart, DaySet, GenderFilter, Place, TimeOfDay};
use finder::{ActivityVocabulary, Filters, Index, QueryState};
use openactive::{
    AgeRange, ConceptRef, Details, Gender, Occurrence, Offer, OpportunityKind, Venue,
};
use std::sync::Arc;

struct Vocab;
impl ActivityVocabulary for Vocab {
    fn label_of(&self, id: &str) -> Option<String> {
        Some(id.rsplit('#').next()?.to_string())
    }
    fn id_for_label(&self, _: &str) -> Option<String> {
        None
    }
    fn ancestors_of(&self, id: &str) -> Vec<String> {
        let n: usize = id
            .rsplit('-')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if n >= 8 {
            vec![format!("https://openactive.io/activity-list#act-{}", n % 8)]
        } else {
            vec![]
        }
    }
}

/// A small deterministic generator (xorshift), so the bench needs no extra crates.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn occurrences(n: usize) -> Vec<Occurrence> {
    let mut r = Rng(0x9e3779b97f4a7c15);
    let base = DateTime::<FixedOffset>::parse_from_rfc3339("2026-11-24T06:00:00Z").unwrap();
    (0..n)
        .map(|i| {
            let venue = r.below(2000);
            let start = base + Duration::minutes(r.below(28 * 24 * 4) as i64 * 15);
            let price = [0.0, 2.5, 4.0, 5.5, 8.0, 12.0][r.below(6) as usize];
            Occurrence {
                key: format!("occ-{i}"),
                feed: i % 20,
                kind: OpportunityKind::Session,
                start,
                end: Some(start + Duration::minutes(60)),
                cancelled: r.below(50) == 0,
                remaining_capacity: None,
                maximum_capacity: Some(20),
                url: None,
                from_schedule: false,
                provisional: false,
                booking_grid: false,
                updated: None,
                details: Arc::new(Details {
                    series_key: Some(format!("series-{}", i / 20)),
                    name: format!("Session {i}"),
                    description: Some("A friendly session for everyone".into()),
                    activities: vec![ConceptRef {
                        id: Some(format!(
                            "https://openactive.io/activity-list#act-{}",
                            r.below(40)
                        )),
                        label: None,
                    }],
                    venue: Venue {
                        id: Some(format!("venue-{venue}")),
                        name: Some(format!("Venue {venue}")),
                        address: vec!["1 High Street".into()],
                        postcode: Some(format!("E{} 1AA", venue % 20 + 1)),
                        geo: Some((
                            51.3 + (venue % 50) as f64 * 0.008,
                            -0.5 + (venue / 50) as f64 * 0.02,
                        )),
                    },
                    offers: vec![Offer {
                        name: None,
                        price: Some(price),
                        currency: Some("GBP".into()),
                        url: None,
                    }],
                    free: price == 0.0,
                    age_range: if r.below(3) == 0 {
                        AgeRange::default()
                    } else {
                        AgeRange {
                            min: Some(16),
                            max: None,
                            declared: true,
                        }
                    },
                    gender: [
                        Gender::NoRestriction,
                        Gender::FemaleOnly,
                        Gender::Unspecified,
                        Gender::MaleOnly,
                    ][r.below(4) as usize],
                    levels: if r.below(3) == 0 {
                        vec!["Beginner".into()]
                    } else {
                        vec![]
                    },
                    accessibility: vec![],
                    accessibility_information: None,
                    wheelchair: Some(r.below(4) == 0),
                    organizer: None,
                    attendee_instructions: None,
                    what_to_bring: vec![],
                    meeting_point: None,
                    ..Details::default()
                }),
            }
        })
        .collect()
}

fn script() -> Vec<Filters> {
    let mut steps = Vec::new();
    let mut f = Filters::default();
    steps.push(f.clone());
    f.place = Place::Outward("E15".into());
    f.radius_km = Some(2.0);
    steps.push(f.clone());
    f.days = DaySet::WEEKDAYS;
    steps.push(f.clone());
    f.time = TimeOfDay::Parts(vec![DayPart::Morning]);
    steps.push(f.clone());
    f.free = true;
    steps.push(f.clone());
    f.gender = GenderFilter::WomenOnly;
    steps.push(f.clone());
    f.beginner = true;
    steps.push(f.clone());
    f.keyword = "friendly".into();
    steps.push(f.clone());
    f.activities = vec!["https://openactive.io/activity-list#act-3".into()];
    steps.push(f);
    steps
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("query");
    for n in [10_000usize, 100_000] {
        let ix = Index::build(occurrences(n), &Vocab);
        let steps = script();
        g.bench_with_input(BenchmarkId::new("filter_change", n), &n, |b, _| {
            let mut k = 0;
            b.iter(|| {
                k = (k + 1) % steps.len();
                ix.query(&steps[k])
            });
        });
        // The app's path: one state kept across the changes (each step changes one filter,
        // the script then starts again from no filter).
        let mut st = QueryState::new(&ix);
        g.bench_with_input(
            BenchmarkId::new("filter_change_incremental", n),
            &n,
            |b, _| {
                let mut k = 0;
                b.iter(|| {
                    k = (k + 1) % steps.len();
                    st.query(&ix, &steps[k])
                });
            },
        );
        // One filter toggled on and off again (a checkbox tapped twice).
        let on = Filters {
            free: true,
            ..Filters::default()
        };
        let off = Filters::default();
        let mut st = QueryState::new(&ix);
        g.bench_with_input(
            BenchmarkId::new("toggle_free_incremental", n),
            &n,
            |b, _| {
                let mut k = false;
                b.iter(|| {
                    k = !k;
                    st.query(&ix, if k { &on } else { &off })
                });
            },
        );
        g.bench_with_input(BenchmarkId::new("toggle_free_full", n), &n, |b, _| {
            let mut k = false;
            b.iter(|| {
                k = !k;
                ix.query(if k { &on } else { &off })
            });
        });
        // Words typed, then cleared.
        let typed = Filters {
            keyword: "friendly sess".into(),
            ..Filters::default()
        };
        let mut st = QueryState::new(&ix);
        g.bench_with_input(BenchmarkId::new("keyword_incremental", n), &n, |b, _| {
            let mut k = false;
            b.iter(|| {
                k = !k;
                st.query(&ix, if k { &typed } else { &off })
            });
        });
        // What a new index costs the kept query: its sets, then the first answer.
        g.bench_with_input(BenchmarkId::new("state_new_first_query", n), &n, |b, _| {
            b.iter(|| {
                let mut st = QueryState::new(&ix);
                st.query(&ix, &steps[1])
            });
        });
        g.bench_with_input(BenchmarkId::new("build", n), &n, |b, &n| {
            let occ = occurrences(n);
            b.iter(|| Index::build(occ.clone(), &Vocab));
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
