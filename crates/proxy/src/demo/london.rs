//! The London size: twenty publishers with the quirks real feeds have.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Europe::London;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::facilities::{FacilityCtx, add_facilities};
use super::series::{
    SeriesCtx, SeriesStart, alias_keys, series_item, series_start, series_value, session_item,
    session_value,
};
use super::tables::Audience::*;
use super::tables::{DAYS, LONDON_FACILITY_PUBLISHERS, LONDON_PUBLISHERS};
use super::venues::{make_venues, pick};
use super::vocab::{accessibility_concepts, demo_activities};
use super::{DemoData, DemoFeeds, LONDON_OCCURRENCES, LONDON_SERIES, LONDON_VENUES};

/// The London size: about [`LONDON_OCCURRENCES`] upcoming ScheduledSessions over the 28 days
/// from `today`, from about [`LONDON_SERIES`] series at [`LONDON_VENUES`] venues across the 20
/// [`LONDON_PUBLISHERS`], with the quirks real feeds have, each a fixed share of series:
///
/// - series whose sessions are embedded as `subEvent` (and absent from the sessions feed);
/// - sessions whose `superEvent` is the embedded series object (the series is not published);
/// - orphans: sessions whose series never appears;
/// - booking grids: sessions every 15 minutes, four hours a day;
/// - the same item twice: an earlier version, then the current one with a higher `modified`
///   further on; and items published, then deleted further on;
/// - cancelled sessions; datetimes in UTC `Z` (every fourth publisher) or with `+00:00`/`+01:00`;
/// - venues without `geo`; `id`/`type` aliases instead of `@id`/`@type`.
pub fn generate_london(seed: u64, today: NaiveDate, base_url: &str) -> DemoData {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x004c_4f4e_444f_4e00);
    let base_url = base_url.trim_end_matches('/').to_string();
    let np = LONDON_PUBLISHERS.len();
    let mut venues = make_venues(&mut rng, LONDON_VENUES);
    for (j, v) in venues.iter_mut().enumerate() {
        v.publisher = j % np;
        v.id = format!("venue-{:04}", j + 1);
        v.geo = j % 33 != 7;
    }
    let activities: Vec<(&'static str, String)> = demo_activities();
    let access = accessibility_concepts();
    let epoch = today
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0)
        - 30 * 86_400;
    let later_ts = epoch + (LONDON_SERIES as i64) * 613 + 1_000;
    let mut publishers: Vec<DemoFeeds> = LONDON_PUBLISHERS
        .iter()
        .map(|p| DemoFeeds {
            series: Vec::with_capacity(LONDON_SERIES / np + 16),
            sessions: Vec::with_capacity(LONDON_OCCURRENCES / np + 256),
            ..DemoFeeds::new(*p)
        })
        .collect();
    let mut change = vec![1_000_i64; np];
    // Sessions re-published after the main pass (so with higher change numbers): the current
    // version of an item first published in an earlier version, or the deletion of an item.
    let mut later: Vec<(usize, i64, Option<Value>)> = Vec::new();

    for i in 0..LONDON_SERIES {
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
        }) = series_start(
            &mut rng,
            i,
            &venues,
            &LONDON_PUBLISHERS,
            &activities,
            &base_url,
        )
        else {
            continue;
        };
        let quirk = i % 100;
        let grid = i % 250 == 7;
        let embedded_children = quirk == 3 || quirk == 53;
        let embedded_parent = quirk == 11 || quirk == 61;
        let orphan = quirk == 23;
        let alias = quirk == 31 || quirk == 81;
        let utc = p % 4 == 3;

        let (days, times, minutes): (Vec<Weekday>, Vec<(NaiveTime, NaiveTime)>, i64) = if grid {
            let days: Vec<Weekday> = DAYS[..6].to_vec();
            let (h, m) = *pick(&mut rng, &[(7, 0), (9, 0), (13, 0), (17, 0)]);
            let first = NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
            let times = (0..16)
                .map(|k| {
                    let t = first + Duration::minutes(15 * k);
                    (t, t + Duration::minutes(15))
                })
                .collect();
            (days, times, 15)
        } else {
            let ndays = match rng.random_range(0..100) {
                0..10 => 1,
                10..30 => 2,
                30..60 => 3,
                60..85 => 4,
                _ => 5,
            };
            let kid_days = [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Sat,
            ];
            let mut days: Vec<Weekday> = Vec::new();
            while days.len() < ndays {
                let d = match tpl.audience {
                    Kids => *pick(&mut rng, &kid_days),
                    _ => DAYS[rng.random_range(0..7)],
                };
                if !days.contains(&d) {
                    days.push(d);
                }
            }
            days.sort_by_key(|d| d.num_days_from_monday());
            let slots: &[(u32, u32)] = match tpl.audience {
                Seniors | Over50s => &[(10, 0), (10, 30), (11, 0), (13, 30), (14, 0)],
                Kids => &[(16, 0), (16, 30), (17, 0), (17, 30)],
                Everyone => &[(9, 30), (11, 0), (14, 0), (15, 30)],
                Adults => &[
                    (6, 30),
                    (7, 0),
                    (12, 15),
                    (18, 0),
                    (18, 30),
                    (19, 0),
                    (19, 30),
                    (20, 0),
                ],
            };
            let at = |(h, m): (u32, u32)| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
            let first = at(*pick(&mut rng, slots));
            let mut starts = vec![first];
            if rng.random_bool(0.55) {
                // A second start time the same days, not overlapping the first.
                for _ in 0..8 {
                    let t = at(*pick(&mut rng, slots));
                    if (t - first).num_minutes().abs() >= tpl.minutes {
                        starts.push(t);
                        break;
                    }
                }
                starts.sort();
            }
            let times = starts
                .into_iter()
                .map(|t| (t, t + Duration::minutes(tpl.minutes)))
                .collect();
            (days, times, tpl.minutes)
        };

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
        let schedule_times: &[(NaiveTime, NaiveTime)] = if grid { &[] } else { &times };
        let (mut data, max_capacity) = series_value(&mut rng, &ctx, &days, schedule_times);
        if grid && let Some(obj) = data.as_object_mut() {
            obj.remove("eventSchedule");
            obj.insert(
                "name".into(),
                json!(format!("{}: 15-minute slots", tpl.name)),
            );
        }
        let embedded_series = embedded_parent.then(|| {
            let mut v = data.clone();
            if let Some(obj) = v.as_object_mut() {
                obj.remove("@context");
            }
            v
        });

        let mut children: Vec<Value> = Vec::new();
        for offset in 0..28 {
            let date = today + Duration::days(offset);
            if !days.contains(&date.weekday()) {
                continue;
            }
            for (start_time, end_time) in &times {
                let (Some(start), Some(end)) = (
                    London
                        .from_local_datetime(&date.and_time(*start_time))
                        .earliest(),
                    London
                        .from_local_datetime(&date.and_time(*end_time))
                        .earliest(),
                ) else {
                    continue;
                };
                change[p] += 1;
                let session_id = (p as i64 + 1) * 1_000_000 + change[p];
                let super_event = match &embedded_series {
                    Some(v) => v.clone(),
                    None => json!(series_at),
                };
                let mut s = session_value(
                    &mut rng,
                    &base_url,
                    publisher.slug,
                    session_id,
                    super_event,
                    start,
                    end,
                    minutes,
                    max_capacity,
                    utc,
                );
                if alias {
                    alias_keys(&mut s);
                }
                if embedded_children {
                    if let Some(obj) = s.as_object_mut() {
                        obj.remove("@context");
                        obj.remove("superEvent");
                    }
                    children.push(s);
                    continue;
                }
                match rng.random_range(0..1000) {
                    0..20 => {
                        // An earlier version now, the current one later.
                        let mut old = s.clone();
                        old["remainingAttendeeCapacity"] = json!(max_capacity);
                        old["eventStatus"] = json!("https://schema.org/EventScheduled");
                        publishers[p].sessions.push(session_item(
                            session_id,
                            change[p],
                            Some(&old),
                        ));
                        later.push((p, session_id, Some(s)));
                    }
                    20..30 => {
                        // Published now, deleted later.
                        publishers[p]
                            .sessions
                            .push(session_item(session_id, change[p], Some(&s)));
                        later.push((p, session_id, None));
                    }
                    _ => publishers[p]
                        .sessions
                        .push(session_item(session_id, change[p], Some(&s))),
                }
            }
        }
        if embedded_children && let Some(obj) = data.as_object_mut() {
            obj.insert("subEvent".into(), Value::Array(children));
        }
        if alias {
            alias_keys(&mut data);
        }
        let modified = epoch + (i as i64) * 613 + rng.random_range(0..600);
        if orphan || embedded_parent {
            continue;
        }
        let feed = &mut publishers[p].series;
        match rng.random_range(0..1000) {
            0..20 => {
                let mut old = data.clone();
                old["name"] = json!(format!("{} (old name)", tpl.name));
                feed.push(series_item(&series_id, modified, Some(&old)));
                feed.push(series_item(&series_id, later_ts + i as i64, Some(&data)));
            }
            20..25 => {
                feed.push(series_item(&series_id, modified, Some(&data)));
                feed.push(series_item(&series_id, later_ts + i as i64, None));
            }
            _ => feed.push(series_item(&series_id, modified, Some(&data))),
        }
    }

    for (p, id, data) in later {
        change[p] += 1;
        publishers[p]
            .sessions
            .push(session_item(id, change[p], data.as_ref()));
    }
    for (p, feeds) in publishers.iter_mut().enumerate() {
        let slug = feeds.publisher.slug;
        for k in 0..3 {
            let id = format!("{slug}-ss-retired-{:03}", k + 1);
            feeds
                .series
                .push(series_item(&id, epoch + (k as i64) * 97, None));
        }
        for _ in 0..5 {
            change[p] += 1;
            let id = (p as i64 + 1) * 1_000_000 + 900_000 + change[p];
            feeds.sessions.push(session_item(id, change[p], None));
        }
        feeds.series.sort_by(|a, b| {
            a.modified
                .cmp(&b.modified)
                .then_with(|| a.id_text.cmp(&b.id_text))
        });
        feeds.sessions.sort_by_key(|s| s.modified);
    }
    let fc = FacilityCtx {
        base_url: &base_url,
        today,
        epoch,
        venues: &venues,
        per_publisher: 10,
    };
    add_facilities(seed, &fc, &mut publishers, &LONDON_FACILITY_PUBLISHERS);
    DemoData {
        base_url,
        publishers,
    }
}
