//! Rate limits: per shop on `/graphql`, per client address on the unauthenticated routes.
//!
//! Token buckets held in this process's memory. Each server process enforces its own share, so
//! with N processes behind a load balancer a shop can reach up to N times the limit. That is
//! acceptable until a shared store exists: the limits are there to stop a runaway client or a
//! flood from starving other shops on one process, not to meter usage exactly, and every
//! process still protects itself. Verified Shopify webhooks and `/healthz` are never limited:
//! Shopify retries (and eventually drops the subscription) when it hears anything but 200.
//!
//! Memory stays bounded: a bucket that has refilled completely is the same as no bucket, so
//! idle keys are swept out once the map doubles in size since the last sweep; if a flood of
//! distinct keys still fills it to [`MAX_KEYS`], the map is cleared (failing open briefly
//! rather than refusing everyone).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::clock::Clock;
use crate::db::ShopId;

/// A sustained rate with a burst allowance.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Tokens added per second.
    pub per_sec: f64,
    /// Bucket size: how many requests may arrive at once after a quiet period.
    pub burst: f64,
}

/// `/graphql` per shop. The app's pages fire a handful of queries per screen and the inbox
/// polls; 40/s with bursts of 80 is far above one busy admin (several staff included) yet cuts a
/// scripted loop off long before it hurts other shops. Shopify's own Admin API allows less.
pub const GRAPHQL_PER_SHOP: Limit = Limit {
    per_sec: 40.0,
    burst: 80.0,
};

/// `/auth`, `/auth/callback`, `/auth/session-token` and `/dev/session` per client address. A
/// merchant opening the app hits these once or twice; a whole office behind one NAT stays well
/// inside 60 at once and 10/s, while a script guessing states or tokens does not.
pub const UNAUTHENTICATED_PER_ADDRESS: Limit = Limit {
    per_sec: 10.0,
    burst: 60.0,
};

/// The most keys one limiter holds before it is cleared.
pub const MAX_KEYS: usize = 100_000;
/// Below this many keys no sweep runs (sweeping a small map is wasted work).
const MIN_SWEEP_AT: usize = 1_024;

/// A token bucket per key.
#[derive(Debug)]
pub struct Limiter<K> {
    limit: Limit,
    clock: Clock,
    inner: Mutex<Buckets<K>>,
}

#[derive(Debug)]
struct Buckets<K> {
    map: HashMap<K, Bucket>,
    sweep_at: usize,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    /// Milliseconds since the epoch of the last update.
    at_ms: i64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    /// A limiter reading time from the app clock (a fixed clock makes tests deterministic).
    pub fn new(limit: Limit, clock: Clock) -> Self {
        Self {
            limit,
            clock,
            inner: Mutex::new(Buckets {
                map: HashMap::new(),
                sweep_at: MIN_SWEEP_AT,
            }),
        }
    }

    /// Takes one token for `key`; `Err(seconds)` says when to retry when none is left.
    pub fn check(&self, key: &K) -> Result<(), u64> {
        let now = self.clock.now().timestamp_millis();
        // A poisoned lock only means another request panicked mid-update of a counter.
        let mut b = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if b.map.len() >= b.sweep_at {
            self.sweep(&mut b, now);
        }
        let limit = self.limit;
        let bucket = b.map.entry(key.clone()).or_insert(Bucket {
            tokens: limit.burst,
            at_ms: now,
        });
        bucket.tokens = refill(limit, *bucket, now);
        bucket.at_ms = bucket.at_ms.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / limit.per_sec).ceil().max(1.0) as u64)
        }
    }

    /// How many keys are held (for tests of the memory bound).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map
            .len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn sweep(&self, b: &mut Buckets<K>, now: i64) {
        let limit = self.limit;
        b.map
            .retain(|_, bucket| refill(limit, *bucket, now) < limit.burst);
        if b.map.len() >= MAX_KEYS {
            tracing::warn!(
                keys = b.map.len(),
                "rate limiter full of busy keys; cleared"
            );
            b.map.clear();
        }
        // Doubling keeps sweeps amortised O(1) per request however many keys are live.
        b.sweep_at = (b.map.len() * 2).clamp(MIN_SWEEP_AT, MAX_KEYS);
    }
}

fn refill(limit: Limit, b: Bucket, now_ms: i64) -> f64 {
    // A clock that stepped backwards adds nothing rather than taking tokens away.
    let elapsed = (now_ms - b.at_ms).max(0) as f64 / 1000.0;
    (b.tokens + elapsed * limit.per_sec).min(limit.burst)
}

/// The limiters the router shares (one set per server).
#[derive(Debug)]
pub struct RateLimits {
    /// `/graphql` and `/graphql/ws` connections, per verified shop.
    pub graphql: Limiter<ShopId>,
    /// Unauthenticated routes, per client IP address.
    pub unauthenticated: Limiter<IpAddr>,
}

impl RateLimits {
    /// The production limits, on the app clock.
    pub fn new(clock: Clock) -> Arc<Self> {
        Self::with(GRAPHQL_PER_SHOP, UNAUTHENTICATED_PER_ADDRESS, clock)
    }

    /// Chosen limits (tests use small ones).
    pub fn with(graphql: Limit, unauthenticated: Limit, clock: Clock) -> Arc<Self> {
        Arc::new(Self {
            graphql: Limiter::new(graphql, clock.clone()),
            unauthenticated: Limiter::new(unauthenticated, clock),
        })
    }
}

/// Middleware for the unauthenticated routes: 429 with `Retry-After` once an address's bucket
/// is empty. Without connection info (a router driven in-process) nothing is limited.
pub async fn per_address(
    State(limits): State<Arc<RateLimits>>,
    req: Request,
    next: Next,
) -> Response {
    let addr = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = addr
        && let Err(secs) = limits.unauthenticated.check(&ip)
    {
        tracing::info!(client = %ip, path = req.uri().path(), "rate limited");
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many requests; retry in {secs} s"),
        )
            .into_response();
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        return res;
    }
    next.run(req).await
}

/// The `/graphql` answer for a shop over its limit: HTTP 200 (GraphQL clients read errors from
/// the body) with a `RATE_LIMITED` error and its retry hint, plus `Retry-After`.
pub fn graphql_limited(secs: u64) -> Response {
    let body = serde_json::json!({
        "data": null,
        "errors": [{
            "message": format!("Too many requests; retry in {secs} s"),
            "extensions": { "code": "RATE_LIMITED", "retryAfter": secs },
        }],
    });
    let mut res = axum::Json(body).into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed() -> Clock {
        Clock::fixed(chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default())
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let clock = fixed();
        let l = Limiter::new(
            Limit {
                per_sec: 2.0,
                burst: 3.0,
            },
            clock.clone(),
        );
        for _ in 0..3 {
            assert_eq!(l.check(&1), Ok(()));
        }
        assert_eq!(l.check(&1), Err(1));
        assert_eq!(l.check(&2), Ok(()), "keys are independent");
        clock.advance(chrono::Duration::milliseconds(500));
        assert_eq!(l.check(&1), Ok(()), "half a second adds one token at 2/s");
        assert_eq!(l.check(&1), Err(1));
    }

    #[test]
    fn the_retry_hint_covers_a_slow_refill() {
        let l = Limiter::new(
            Limit {
                per_sec: 0.1,
                burst: 1.0,
            },
            fixed(),
        );
        assert_eq!(l.check(&"k"), Ok(()));
        assert_eq!(l.check(&"k"), Err(10));
    }

    #[test]
    fn idle_keys_are_evicted() {
        let clock = fixed();
        let l = Limiter::new(
            Limit {
                per_sec: 10.0,
                burst: 10.0,
            },
            clock.clone(),
        );
        for k in 0..MIN_SWEEP_AT {
            assert!(l.check(&k).is_ok());
        }
        assert_eq!(l.len(), MIN_SWEEP_AT);
        clock.advance(chrono::Duration::seconds(1));
        assert!(l.check(&usize::MAX).is_ok());
        assert_eq!(
            l.len(),
            1,
            "refilled buckets are gone, only the new key is held"
        );
    }
}
