//! Retry delays: exponential backoff with full jitter. Pure; the caller passes the randomness.
//!
//! Full jitter (a uniform delay between zero and the exponential window) spreads the retries of
//! many jobs that failed together, for example when Shopify rate-limits a whole batch, so they
//! don't all come back in the same second.

use std::time::Duration;

use rand::Rng;

/// The first retry window; it doubles with every attempt.
pub const BASE: Duration = Duration::from_secs(5);
/// The widest window, so a job that keeps failing is still retried at least hourly.
pub const CAP: Duration = Duration::from_secs(3600);
/// The shortest delay. A zero delay would make the job due again at once, so one pass of
/// the runner would burn through all its attempts.
pub const FLOOR: Duration = Duration::from_secs(1);

/// The window after the `attempt`-th failure (1-based): `BASE * 2^(attempt-1)`, at most `CAP`.
pub fn window(attempt: i32) -> Duration {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    BASE.saturating_mul(1u32 << doublings).min(CAP)
}

/// A delay drawn uniformly from `[FLOOR, window(attempt)]`.
pub fn delay(attempt: i32, rng: &mut impl Rng) -> Duration {
    let window_ms = u64::try_from(window(attempt).as_millis()).unwrap_or(u64::MAX);
    let floor_ms = u64::try_from(FLOOR.as_millis()).unwrap_or(0);
    Duration::from_millis(rng.random_range(floor_ms..=window_ms.max(floor_ms)))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn window_doubles_from_the_base_and_stops_at_the_cap() {
        assert_eq!(window(1), Duration::from_secs(5));
        assert_eq!(window(2), Duration::from_secs(10));
        assert_eq!(window(4), Duration::from_secs(40));
        assert_eq!(window(20), CAP);
        assert_eq!(window(i32::MAX), CAP);
        assert_eq!(window(0), BASE);
    }

    #[test]
    fn delay_stays_inside_the_window_and_above_the_floor() {
        let mut rng = StdRng::seed_from_u64(7);
        for attempt in 1..15 {
            for _ in 0..200 {
                let d = delay(attempt, &mut rng);
                assert!(
                    d >= FLOOR && d <= window(attempt),
                    "attempt {attempt}: {d:?}"
                );
            }
        }
    }
}
