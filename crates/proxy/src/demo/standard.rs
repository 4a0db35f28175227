//! The numeric sizes (`small`, `default`, or a number of series): three publishers.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Europe::London;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::facilities::{FacilityCtx, add_facilities};
use super::series::{SeriesCtx, SeriesStart, series_start, series_value, session_value};
use super::tables::Audience::*;
use super::tables::{BOROUGHS, DAYS, FACILITY_PUBLISHERS};
use super::venues::{make_venues, pick};
use super::vocab::{accessibility_concepts, demo_activities};
use super::{DEFAULT_SERIES, DemoData, DemoFeeds, DemoItem, PUBLISHERS};

/// Generates the demo for `series_count` series with occurrences over the 28 days from
/// `today` (London date), `@id`s under `base_url` (no trailing slash).
pub fn generate(seed: u64, today: NaiveDate, series_count: usize, base_url: &str) -> DemoData {
    let mut rng = StdRng::seed_from_u64(seed);
    let base_url = base_url.trim_end_matches('/').to_string();
    let venue_count = (series_count / 5).clamp(BOROUGHS.len().min(series_count.max(1)), 60);
    let venues = make_venues(&mut rng, venue_count);
    let activities: Vec<(&'static str, String)> = demo_activities();
    let access = accessibility_concepts();
    let epoch = today
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0)
        - 30 * 86_400;

    let mut publishers: Vec<DemoFeeds> = PUBLISHERS.iter().map(|p| DemoFeeds::new(*p)).collect();
    let mut change = [1_000_i64; 3];

    for i in 0..series_count {
        let Some(SeriesStart {
            venue,
            p,
            publisher,
            tpl,
            label,
            activity_id,
            series_id,
            series_at,
            bo,
        }) = series_start(&mut rng, i, &venues, &PUBLISHERS, &activities, &base_url)
        else {
            continue;
        };

        // Schedule: 1-3 days a week at plausible times for the audience.
        let ndays = match rng.random_range(0..100) {
            0..30 => 1,
            30..75 => 2,
            _ => 3,
        };
        let mut days: Vec<Weekday> = Vec::new();
        while days.len() < ndays {
            let d = match tpl.audience {
                Kids => *pick(
                    &mut rng,
                    &[
                        Weekday::Mon,
                        Weekday::Tue,
                        Weekday::Wed,
                        Weekday::Thu,
                        Weekday::Sat,
                    ],
                ),
                _ => DAYS[rng.random_range(0..7)],
            };
            if !days.contains(&d) {
                days.push(d);
            }
        }
        days.sort_by_key(|d| d.num_days_from_monday());
        let (h, m) = match tpl.audience {
            Seniors | Over50s => *pick(&mut rng, &[(10, 0), (10, 30), (11, 0), (13, 30), (14, 0)]),
            Kids => *pick(&mut rng, &[(16, 0), (16, 30), (17, 0), (17, 30)]),
            Everyone => *pick(&mut rng, &[(9, 30), (11, 0), (14, 0), (15, 30)]),
            Adults => *pick(
                &mut rng,
                &[
                    (6, 30),
                    (7, 0),
                    (12, 15),
                    (18, 0),
                    (18, 30),
                    (19, 0),
                    (19, 30),
                    (20, 0),
                ],
            ),
        };
        let start_time = NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        let end_time = start_time + Duration::minutes(tpl.minutes);

        let ctx = SeriesCtx {
            base_url: &base_url,
            publisher,
            venue,
            bo,
            tpl,
            label,
            activity_id,
            series_id: &series_id,
            series_at: &series_at,
            today,
            access: &access,
        };
        let (data, max_capacity) = series_value(&mut rng, &ctx, &days, &[(start_time, end_time)]);
        let modified = epoch + (i as i64) * 613 + rng.random_range(0..600);
        publishers[p].series.push(DemoItem {
            id_json: format!("\"{series_id}\""),
            id_text: series_id.clone(),
            modified,
            kind: "SessionSeries",
            data: Some(data.to_string()),
        });

        // One ScheduledSession per weekly occurrence in the next 28 days.
        for offset in 0..28 {
            let date = today + Duration::days(offset);
            if !days.contains(&date.weekday()) {
                continue;
            }
            let (Some(start), Some(end)) = (
                London
                    .from_local_datetime(&date.and_time(start_time))
                    .earliest(),
                London
                    .from_local_datetime(&date.and_time(end_time))
                    .earliest(),
            ) else {
                continue;
            };
            change[p] += 1;
            let session_id = (p as i64 + 1) * 1_000_000 + change[p];
            let data = session_value(
                &mut rng,
                &base_url,
                publisher.slug,
                session_id,
                json!(series_at),
                start,
                end,
                tpl.minutes,
                max_capacity,
                false,
            );
            publishers[p].sessions.push(DemoItem {
                id_json: session_id.to_string(),
                id_text: session_id.to_string(),
                modified: change[p],
                kind: "ScheduledSession",
                data: Some(data.to_string()),
            });
        }
    }

    // A few deletions in every feed (retired series and removed sessions).
    for (p, feeds) in publishers.iter_mut().enumerate() {
        let slug = feeds.publisher.slug;
        let deleted_series = 1 + series_count / 100;
        for k in 0..deleted_series {
            let id = format!("{slug}-ss-retired-{:03}", k + 1);
            feeds.series.push(DemoItem {
                id_json: format!("\"{id}\""),
                id_text: id,
                modified: epoch + (series_count as i64) * 613 + (k as i64) * 97,
                kind: "SessionSeries",
                data: None,
            });
        }
        for _ in 0..(2 + series_count / 50) {
            change[p] += 1;
            let id = (p as i64 + 1) * 1_000_000 + 900_000 + change[p];
            feeds.sessions.push(DemoItem {
                id_json: id.to_string(),
                id_text: id.to_string(),
                modified: change[p],
                kind: "ScheduledSession",
                data: None,
            });
        }
        feeds.series.sort_by(|a, b| {
            a.modified
                .cmp(&b.modified)
                .then_with(|| a.id_text.cmp(&b.id_text))
        });
        feeds.sessions.sort_by_key(|s| s.modified);
    }

    if series_count >= DEFAULT_SERIES {
        // Own random stream, after everything else: the session feeds keep their bytes.
        let fc = FacilityCtx {
            base_url: &base_url,
            today,
            epoch,
            venues: &venues,
            per_publisher: 3,
        };
        add_facilities(seed, &fc, &mut publishers, &FACILITY_PUBLISHERS);
    }

    DemoData {
        base_url,
        publishers,
    }
}
