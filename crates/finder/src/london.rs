//! London wall-clock time: GMT, or BST (UTC+1) from 01:00 UTC on the last Sunday of March to
//! 01:00 UTC on the last Sunday of October (the UK rule since 1996, and the EU's).
//!
//! Written out rather than read from `chrono-tz`: the app only ever needs London, and the
//! zone database's table of London's transitions since 1847 was about 9 KB of the app's wasm.
//! A test checks every hour from 1996 to 2037 against `chrono-tz`.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

/// `t` in London time.
pub fn local<T: TimeZone>(t: &DateTime<T>) -> DateTime<FixedOffset> {
    let utc = t.with_timezone(&Utc);
    let offset = if is_summer_time(&utc) { 3600 } else { 0 };
    utc.with_timezone(&FixedOffset::east_opt(offset).expect("a valid offset"))
}

/// The instant of a London wall-clock time: the earlier one when the clocks go back and the
/// time happens twice, `None` when the clocks go forward and it does not happen.
pub fn earliest_utc(wall: NaiveDateTime) -> Option<DateTime<Utc>> {
    let bst = (wall - chrono::Duration::hours(1)).and_utc();
    if is_summer_time(&bst) {
        return Some(bst);
    }
    let gmt = wall.and_utc();
    (!is_summer_time(&gmt)).then_some(gmt)
}

/// Whether `t` falls in British Summer Time.
pub fn is_summer_time(t: &DateTime<Utc>) -> bool {
    let y = t.year();
    let ts = t.timestamp();
    last_sunday_1am_utc(y, 3) <= ts && ts < last_sunday_1am_utc(y, 10)
}

/// 01:00 UTC on the last Sunday of `month` (March or October: both have 31 days), as a Unix
/// timestamp.
fn last_sunday_1am_utc(year: i32, month: u32) -> i64 {
    let Some(last) = NaiveDate::from_ymd_opt(year, month, 31) else {
        return i64::MIN;
    };
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - chrono::Days::new(u64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    sunday
        .and_hms_opt(1, 0, 0)
        .map_or(i64::MIN, |d| d.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_changes_of_2026() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            local(&at("2026-03-29T00:59:59Z")).to_rfc3339(),
            "2026-03-29T00:59:59+00:00"
        );
        assert_eq!(
            local(&at("2026-03-29T01:00:00Z")).to_rfc3339(),
            "2026-03-29T02:00:00+01:00"
        );
        assert_eq!(
            local(&at("2026-10-25T00:59:59Z")).to_rfc3339(),
            "2026-10-25T01:59:59+01:00"
        );
        assert_eq!(
            local(&at("2026-10-25T01:00:00Z")).to_rfc3339(),
            "2026-10-25T01:00:00+00:00"
        );
    }

    #[test]
    fn agrees_with_the_zone_database_every_hour_from_1996_to_2037() {
        use chrono::Offset;
        let mut t = Utc.with_ymd_and_hms(1996, 1, 1, 0, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2038, 1, 1, 0, 0, 0).unwrap();
        while t < end {
            let ours = local(&t);
            let tz = t.with_timezone(&chrono_tz::Europe::London);
            assert_eq!(ours.offset().fix(), tz.offset().fix(), "{t}");
            assert_eq!(ours.naive_local(), tz.naive_local(), "{t}");
            // The same half-hour read as a London wall-clock time.
            let wall = t.naive_utc();
            let theirs = chrono_tz::Europe::London
                .from_local_datetime(&wall)
                .earliest()
                .map(|d| d.with_timezone(&Utc));
            assert_eq!(earliest_utc(wall), theirs, "{wall}");
            t += chrono::Duration::minutes(30);
        }
    }
}
