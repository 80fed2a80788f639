//! Cost-aware pacing and retry timing for the Admin API (SHOPIFY.md §9.1–9.2): each shop's
//! leaky bucket as Shopify last reported it, so a call waits *before* the bucket runs dry rather
//! than after a `THROTTLED`, and the waits for throttled and failed calls.
//!
//! The state is per process and only an optimisation: another process's calls drain the same
//! bucket unseen, which costs at most a `THROTTLED` answer that the retry loop then waits out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;

use super::admin_client::ThrottleStatus;

/// Longest wait taken inside one call; a shop that needs longer fails the call as throttled,
/// so its job is retried later and the worker slot goes to other shops meanwhile.
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// What an unknown query is assumed to cost until Shopify reports its cost.
const DEFAULT_COST: f64 = 50.0;

#[derive(Debug, Clone, Copy)]
struct Seen {
    status: ThrottleStatus,
    at: Instant,
}

/// The buckets of every shop this process talks to, and the last cost of each query.
#[derive(Debug, Default)]
pub struct Pacer {
    buckets: Mutex<HashMap<String, Seen>>,
    costs: Mutex<HashMap<u64, f64>>,
}

fn query_key(query: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    query.hash(&mut h);
    h.finish()
}

impl Pacer {
    /// How long to wait before sending `query` to `shop` so the bucket covers its cost.
    pub fn wait_before(&self, shop: &str, query: &str) -> Duration {
        let cost = self
            .costs
            .lock()
            .map(|c| c.get(&query_key(query)).copied().unwrap_or(DEFAULT_COST))
            .unwrap_or(DEFAULT_COST);
        let Some(seen) = self.buckets.lock().ok().and_then(|b| b.get(shop).copied()) else {
            return Duration::ZERO;
        };
        wait_for(seen.status, seen.at.elapsed(), cost)
    }

    /// Records what Shopify reported after a call.
    pub fn observe(&self, shop: &str, query: &str, status: ThrottleStatus, requested: Option<f64>) {
        if let Ok(mut b) = self.buckets.lock() {
            b.insert(
                shop.to_string(),
                Seen {
                    status,
                    at: Instant::now(),
                },
            );
        }
        if let (Some(cost), Ok(mut c)) = (requested, self.costs.lock()) {
            c.insert(query_key(query), cost);
        }
    }
}

/// The wait until a bucket last seen `elapsed` ago holds `cost` points again.
pub fn wait_for(status: ThrottleStatus, elapsed: Duration, cost: f64) -> Duration {
    let cost = cost.min(status.maximum_available);
    let now = (status.currently_available + status.restore_rate * elapsed.as_secs_f64())
        .min(status.maximum_available);
    if now >= cost || status.restore_rate <= 0.0 {
        return Duration::ZERO;
    }
    Duration::from_secs_f64((cost - now) / status.restore_rate)
}

/// Backoff with full jitter for a failed attempt (0-based): up to 250 ms × 2^attempt, at most
/// 4 s, so retries of many shops spread out instead of arriving together.
pub fn backoff(attempt: u32) -> Duration {
    let ceiling_ms = 250u64.saturating_mul(1 << attempt.min(4)).min(4_000);
    Duration::from_millis(rand::rng().random_range(ceiling_ms / 4..=ceiling_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(available: f64) -> ThrottleStatus {
        ThrottleStatus {
            maximum_available: 1000.0,
            currently_available: available,
            restore_rate: 50.0,
        }
    }

    #[test]
    fn a_full_bucket_needs_no_wait_and_an_empty_one_waits_for_the_cost() {
        assert_eq!(
            wait_for(status(1000.0), Duration::ZERO, 100.0),
            Duration::ZERO
        );
        assert_eq!(
            wait_for(status(0.0), Duration::ZERO, 100.0),
            Duration::from_secs(2)
        );
        // Half a second later 25 points are back, so 75 more are needed: 1.5 s.
        assert_eq!(
            wait_for(status(0.0), Duration::from_millis(500), 100.0),
            Duration::from_millis(1500)
        );
    }

    #[test]
    fn the_pacer_waits_before_a_query_it_knows_the_cost_of() {
        let pacer = Pacer::default();
        assert_eq!(
            pacer.wait_before("a.myshopify.com", "{ q }"),
            Duration::ZERO
        );
        pacer.observe("a.myshopify.com", "{ q }", status(10.0), Some(110.0));
        let wait = pacer.wait_before("a.myshopify.com", "{ q }");
        assert!(
            wait > Duration::from_millis(1900) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert_eq!(
            pacer.wait_before("b.myshopify.com", "{ q }"),
            Duration::ZERO,
            "per shop"
        );
    }

    #[test]
    fn backoff_grows_and_stays_capped() {
        for attempt in 0..10 {
            let d = backoff(attempt);
            assert!(d <= Duration::from_secs(4), "{d:?}");
        }
        assert!(backoff(0) <= Duration::from_millis(250));
    }
}
