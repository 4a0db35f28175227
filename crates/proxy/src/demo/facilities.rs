//! FacilityUse + Slot feeds (courts, pitches, pool lanes to hire) for some publishers.

use chrono::{Duration, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Europe::London;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use super::series::{day_url, stamp};
use super::tables::VenueKind::*;
use super::tables::{DAYS, FACILITIES};
use super::venues::{Venue, pick, place_value};
use super::vocab::{activity_index, facility_type_index};
use super::{DemoFeeds, DemoItem};

/// What the facility feeds of one size are made from.
pub(super) struct FacilityCtx<'a> {
    pub(super) base_url: &'a str,
    pub(super) today: NaiveDate,
    pub(super) epoch: i64,
    pub(super) venues: &'a [Venue],
    /// FacilityUses per publisher.
    pub(super) per_publisher: usize,
}

pub(super) fn money(half_pounds: u32) -> f64 {
    f64::from(half_pounds) / 2.0
}

/// Adds a FacilityUse feed and a Slot feed (split, `facilityUse` a URL reference) to each of
/// the publishers in `which`: `per_publisher` facilities at their own venues, each with
/// a few slots a day over the 28 days from `today`, some fully booked, evening slots at a peak
/// price; plus a retired FacilityUse and two removed slots per feed. Uses its own random
/// stream so the session feeds are unchanged.
pub(super) fn add_facilities(
    seed: u64,
    c: &FacilityCtx<'_>,
    publishers: &mut [DemoFeeds],
    which: &[(usize, usize)],
) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x0046_4143_494c_4954);
    let activities = activity_index();
    let types = facility_type_index();
    let base_url = c.base_url;
    for &(p, first_kind) in which {
        let Some(feeds) = publishers.get_mut(p) else {
            continue;
        };
        let publisher = feeds.publisher;
        let slug = publisher.slug;
        let own: Vec<&Venue> = c
            .venues
            .iter()
            .filter(|v| v.publisher == p && v.geo)
            .collect();
        let mut change: i64 = 1_000;
        let mut made = 0;
        let mut k = 0;
        // Each facility kind in turn (offset per publisher), at one of the publisher's venues
        // that has it; a kind with no such venue is skipped.
        while made < c.per_publisher && k < c.per_publisher * FACILITIES.len() {
            let tpl = &FACILITIES[(first_kind + k) % FACILITIES.len()];
            k += 1;
            let fits: Vec<&&Venue> = own
                .iter()
                .filter(|v| tpl.venues.contains(&v.kind))
                .collect();
            if fits.is_empty() {
                continue;
            }
            let venue = **pick(&mut rng, &fits);
            let Some(activity_id) = activities.get(tpl.activity) else {
                continue;
            };
            made += 1;
            let fu_id = format!("{slug}-fu-{made:03}");
            let fu_at = format!("{base_url}/demo/{slug}/facility-uses/{fu_id}");
            let book = format!("{base_url}/demo/{slug}/book/{fu_id}");
            let price = rng.random_range(tpl.half_pounds.0..=tpl.half_pounds.1);
            let peak = price + 2 * rng.random_range(1..4);
            let hire = format!("{} minute hire", tpl.minutes);
            let mut hours: Vec<u32> = Vec::new();
            let want = rng.random_range(3..=4.min(tpl.hours.len()));
            while hours.len() < want {
                let h = *pick(&mut rng, tpl.hours);
                if !hours.contains(&h) {
                    hours.push(h);
                }
            }
            hours.sort_unstable();
            let opens = hours.first().copied().unwrap_or(9);
            let closes = hours.last().copied().unwrap_or(17) + 1;
            let mut data = json!({
                "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
                "@type": "FacilityUse",
                "@id": fu_at,
                "identifier": fu_id,
                "name": tpl.name,
                "description": tpl.description,
                "url": book,
                "provider": {
                    "@type": "Organization",
                    "name": publisher.name,
                    "url": publisher.website,
                },
                "location": place_value(base_url, slug, venue),
                "activity": [{
                    "@type": "Concept",
                    "@id": activity_id,
                    "prefLabel": tpl.activity,
                    "inScheme": "https://openactive.io/activity-list",
                }],
                "offers": [{
                    "@type": "Offer",
                    "@id": format!("{fu_at}#offer-standard"),
                    "name": hire,
                    "price": money(price),
                    "priceCurrency": "GBP",
                    "url": book,
                }],
                "hoursAvailable": [{
                    "@type": "OpeningHoursSpecification",
                    "dayOfWeek": DAYS.iter().map(|d| day_url(*d)).collect::<Vec<_>>(),
                    "opens": format!("{opens:02}:00"),
                    "closes": format!("{closes:02}:00"),
                }],
                "beta:facilitySetting": if venue.kind == Park {
                    "https://openactive.io/ns-beta#OutdoorFacility"
                } else {
                    "https://openactive.io/ns-beta#IndoorFacility"
                },
            });
            if let Some(obj) = data.as_object_mut() {
                if let Some(t) = tpl
                    .facility_type
                    .and_then(|l| types.get(l).map(|id| (l, id)))
                {
                    obj.insert(
                        "facilityType".into(),
                        json!([{
                            "@type": "Concept",
                            "@id": t.1,
                            "prefLabel": t.0,
                            "inScheme": "https://openactive.io/facility-types",
                        }]),
                    );
                }
                if venue.kind != Park {
                    obj.insert(
                        "beta:isWheelchairAccessible".into(),
                        json!(venue.wheelchair),
                    );
                }
            }
            let modified = c.epoch + (made as i64) * 877 + rng.random_range(0..600);
            feeds.facility_uses.push(DemoItem {
                id_json: format!("\"{fu_id}\""),
                id_text: fu_id.clone(),
                modified,
                kind: "FacilityUse",
                data: Some(data.to_string()),
            });

            for offset in 0..28 {
                let date = c.today + Duration::days(offset);
                for &h in &hours {
                    // Some hours are kept back for clubs and lessons.
                    if rng.random_bool(0.15) {
                        continue;
                    }
                    let start_time = NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default();
                    let (Some(start), Some(end)) = (
                        London
                            .from_local_datetime(&date.and_time(start_time))
                            .earliest(),
                        London
                            .from_local_datetime(
                                &date.and_time(start_time + Duration::minutes(tpl.minutes)),
                            )
                            .earliest(),
                    ) else {
                        continue;
                    };
                    let remaining = if rng.random_bool(0.2) {
                        0
                    } else {
                        rng.random_range(1..=tpl.uses)
                    };
                    let slot_price = if h >= 17 { peak } else { price };
                    change += 1;
                    let slot_id = format!("{fu_id}-{}", start.format("%Y%m%dT%H%M"));
                    let slot_at = format!("{fu_at}/slots/{}", start.format("%Y%m%dT%H%M"));
                    let slot = json!({
                        "@context": ["https://openactive.io/", "https://openactive.io/ns-beta"],
                        "@type": "Slot",
                        "@id": slot_at,
                        "identifier": slot_id,
                        "facilityUse": fu_at,
                        "startDate": stamp(start, false),
                        "endDate": stamp(end, false),
                        "duration": format!("PT{}M", tpl.minutes),
                        "remainingUses": remaining,
                        "maximumUses": tpl.uses,
                        "offers": [{
                            "@type": "Offer",
                            "@id": format!("{slot_at}#offer"),
                            "name": if h >= 17 { format!("{hire} (peak)") } else { hire.clone() },
                            "price": money(slot_price),
                            "priceCurrency": "GBP",
                            "url": book,
                        }],
                    });
                    feeds.slots.push(DemoItem {
                        id_json: format!("\"{slot_id}\""),
                        id_text: slot_id,
                        modified: change,
                        kind: "FacilityUse/Slot",
                        data: Some(slot.to_string()),
                    });
                }
            }
        }
        if feeds.facility_uses.is_empty() {
            continue;
        }
        let retired = format!("{slug}-fu-retired-001");
        feeds.facility_uses.push(DemoItem {
            id_json: format!("\"{retired}\""),
            id_text: retired,
            modified: c.epoch + 97,
            kind: "FacilityUse",
            data: None,
        });
        for j in 0..2 {
            change += 1;
            let id = format!("{slug}-fu-removed-slot-{:03}", j + 1);
            feeds.slots.push(DemoItem {
                id_json: format!("\"{id}\""),
                id_text: id,
                modified: change,
                kind: "FacilityUse/Slot",
                data: None,
            });
        }
        feeds.facility_uses.sort_by(|a, b| {
            a.modified
                .cmp(&b.modified)
                .then_with(|| a.id_text.cmp(&b.id_text))
        });
    }
}
