//! Time for the demo generator: a per-day demand table (weekly rhythm, November/December peak with
//! Black Friday–Cyber Monday, January lull, steady growth), hour-of-day weights, and the fixed UTC
//! offsets of a few shop time zones. Offsets ignore daylight saving: they only shape when demo
//! orders happen, and the shop still reports its real IANA zone name.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub const DAY: i64 = 86_400;

/// Standard-time UTC offsets in minutes for common shop zones; unknown zones count as UTC.
const ZONES: &[(&str, i32)] = &[
    ("America/New_York", -300),
    ("America/Toronto", -300),
    ("America/Chicago", -360),
    ("America/Denver", -420),
    ("America/Phoenix", -420),
    ("America/Los_Angeles", -480),
    ("America/Vancouver", -480),
    ("Europe/London", 0),
    ("Europe/Dublin", 0),
    ("Europe/Berlin", 60),
    ("Europe/Paris", 60),
    ("Europe/Amsterdam", 60),
    ("Europe/Stockholm", 60),
    ("Asia/Tokyo", 540),
    ("Australia/Sydney", 600),
    ("Australia/Melbourne", 600),
    ("Pacific/Auckland", 720),
    ("UTC", 0),
    ("Etc/UTC", 0),
];

/// The zone's standard offset from UTC in minutes (0 for zones not in the table).
pub fn utc_offset_minutes(zone: &str) -> i32 {
    ZONES
        .iter()
        .find(|(name, _)| *name == zone)
        .map_or(0, |(_, offset)| *offset)
}

/// `(year, month 1–12, day 1–31)` of a day number counted from 1970-01-01 (proleptic Gregorian).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Eras of 400 years make the leap-year rule periodic; March-based years put Feb 29 last.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Day of the week, 0 = Monday … 6 = Sunday.
pub fn weekday(days: i64) -> u32 {
    // 1970-01-01 was a Thursday.
    (days + 3).rem_euclid(7) as u32
}

/// Relative demand for one local day, before growth.
fn season_factor(days: i64) -> f64 {
    const WEEK: [f64; 7] = [1.08, 1.02, 1.0, 0.97, 0.93, 0.86, 1.05];
    let (_, month, day) = civil_from_days(days);
    let month_factor = match month {
        1 => 0.78,
        2 => 0.85,
        11 => 1.3,
        12 if day <= 20 => 1.6,
        12 => 0.95,
        _ => 1.0,
    };
    // Black Friday is the day after the fourth Thursday of November; the peak runs to Cyber Monday.
    let bfcm = if month == 11 || (month == 12 && day <= 2) {
        let thanksgiving = fourth_thursday_of_november(days);
        let offset = days - thanksgiving;
        if (1..=4).contains(&offset) { 2.6 } else { 1.0 }
    } else {
        1.0
    };
    WEEK[weekday(days) as usize] * month_factor * bfcm
}

fn fourth_thursday_of_november(days: i64) -> i64 {
    let (year, month, day) = civil_from_days(days);
    let nov1 = if month == 11 {
        days - i64::from(day) + 1
    } else {
        days_from_civil(year, 11, 1)
    };
    let first_thursday = nov1 + (3 - i64::from(weekday(nov1))).rem_euclid(7);
    first_thursday + 21
}

/// Day number of a civil date (inverse of [`civil_from_days`]).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Hour-of-day weights in local time: quiet nights, a lunch bump, an evening peak.
const HOURS: [f64; 24] = [
    0.35, 0.22, 0.15, 0.1, 0.1, 0.15, 0.3, 0.5, 0.7, 0.9, 1.0, 1.05, 1.1, 1.05, 1.0, 1.0, 1.0,
    1.05, 1.15, 1.3, 1.4, 1.35, 1.0, 0.6,
];

/// Demand per local day over the store's history, for fast seasonal sampling.
#[derive(Debug, Clone)]
pub struct Calendar {
    first_day: i64,
    factors: Vec<f64>,
    max: f64,
    offset_secs: i64,
    hour_cdf: [f64; 24],
}

impl Calendar {
    /// Covers the local days from `start` to `end` (unix seconds) for a zone `offset_minutes` from UTC.
    pub fn new(start: i64, end: i64, offset_minutes: i32) -> Self {
        let offset_secs = i64::from(offset_minutes) * 60;
        let first_day = (start + offset_secs).div_euclid(DAY);
        let last_day = (end + offset_secs).div_euclid(DAY);
        let span = (last_day - first_day).max(1) as f64;
        let factors: Vec<f64> = (first_day..=last_day)
            .map(|d| {
                // Stores grow: the last day sells about twice what the first one did.
                let growth = 0.65 + 0.7 * (d - first_day) as f64 / span;
                season_factor(d) * growth
            })
            .collect();
        let max = factors.iter().copied().fold(0.0, f64::max);
        let mut hour_cdf = [0.0; 24];
        let total: f64 = HOURS.iter().sum();
        let mut acc = 0.0;
        for (slot, weight) in hour_cdf.iter_mut().zip(HOURS) {
            acc += weight / total;
            *slot = acc;
        }
        Self {
            first_day,
            factors,
            max,
            offset_secs,
            hour_cdf,
        }
    }

    /// A seasonal instant in `[lo, hi]` (unix seconds): days by demand, hours by the daily curve.
    pub fn sample(&self, rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        if hi - lo < DAY {
            return rng.random_range(lo..=hi);
        }
        let lo_day = (lo + self.offset_secs).div_euclid(DAY);
        let hi_day = (hi + self.offset_secs).div_euclid(DAY);
        // Rejection sampling on the day table; the demand ratio is bounded, so few rounds are needed.
        for _ in 0..64 {
            let day = rng.random_range(lo_day..=hi_day);
            let factor = self.factor(day);
            if rng.random::<f64>() * self.max > factor {
                continue;
            }
            let t = day * DAY + self.sample_second_of_day(rng) - self.offset_secs;
            if (lo..=hi).contains(&t) {
                return t;
            }
        }
        rng.random_range(lo..=hi)
    }

    fn factor(&self, day: i64) -> f64 {
        let idx = (day - self.first_day).clamp(0, self.factors.len() as i64 - 1);
        self.factors[idx as usize]
    }

    fn sample_second_of_day(&self, rng: &mut ChaCha8Rng) -> i64 {
        let u: f64 = rng.random();
        let hour = self.hour_cdf.iter().position(|c| u <= *c).unwrap_or(23) as i64;
        hour * 3600 + rng.random_range(0..3600)
    }

    /// Is this instant inside the Black Friday–Cyber Monday peak (local time)?
    pub fn is_bfcm(&self, t: i64) -> bool {
        let day = (t + self.offset_secs).div_euclid(DAY);
        let (_, month, dom) = civil_from_days(day);
        if !(month == 11 || (month == 12 && dom <= 2)) {
            return false;
        }
        (1..=4).contains(&(day - fourth_thursday_of_november(day)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2024, 2, 29), 19_782);
        for d in [-1000, 0, 19_782, 20_000, 25_000] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
        assert_eq!(
            weekday(days_from_civil(2026, 11, 26)),
            3,
            "Thanksgiving 2026 is a Thursday"
        );
        assert_eq!(
            fourth_thursday_of_november(days_from_civil(2026, 11, 10)),
            days_from_civil(2026, 11, 26)
        );
    }

    #[test]
    fn black_friday_outsells_a_quiet_january_day() {
        let bf = days_from_civil(2026, 11, 27);
        let jan = days_from_civil(2026, 1, 14);
        assert!(season_factor(bf) > 3.0 * season_factor(jan));
    }
}
