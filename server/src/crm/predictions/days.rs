//! Instants as shop-local day numbers, the time axis the models work on: purchases on the same
//! local calendar day must share `floor(day)`, so the merchant's midnight is the day boundary,
//! not UTC's.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// Days since 1970-01-01 00:00 *local time* in `zone`, with the time of day as the fraction.
///
/// The local wall-clock reading is counted as if it were UTC, so `floor` of the result is the
/// local calendar date (a daylight-saving shift moves the fraction, never the date).
pub fn local_day(zone: Tz, at: DateTime<Utc>) -> f64 {
    let wall = at.with_timezone(&zone).naive_local().and_utc();
    let millis = wall.timestamp_millis() as f64;
    millis / 1000.0 / SECONDS_PER_DAY
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_new_york_evening_and_the_next_utc_morning_are_the_same_local_day() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 22:00 and 23:59 in New York on 1 Jan 2026 are 03:00 and 04:59 UTC on 2 Jan.
        let evening = local_day(ny, Utc.with_ymd_and_hms(2026, 1, 2, 3, 0, 0).unwrap());
        let late = local_day(ny, Utc.with_ymd_and_hms(2026, 1, 2, 4, 59, 0).unwrap());
        let next = local_day(ny, Utc.with_ymd_and_hms(2026, 1, 2, 5, 0, 0).unwrap());
        assert_eq!(evening.floor(), late.floor());
        assert_eq!(next.floor(), evening.floor() + 1.0);
        assert!((evening.fract() - 22.0 / 24.0).abs() < 1e-9);
        let utc = local_day(Tz::UTC, Utc.with_ymd_and_hms(1970, 1, 3, 12, 0, 0).unwrap());
        assert_eq!(utc, 2.5);
    }
}
