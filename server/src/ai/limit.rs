//! The per-shop rate limit on LLM calls: at most [`PER_MINUTE`] a minute, on top of the plan's
//! monthly allowance. A merchant paging through customers at reading speed stays far inside it;
//! a script (or a page stuck in a refresh loop) cannot spend the shop's allowance in seconds.
//!
//! The buckets are the HTTP limiter's token buckets, held in this process's memory (see
//! `http::rate_limit` for why per-process limits are acceptable). They live in a process-wide
//! map keyed by the database URL, so AppState stays as it is and two apps in one process (the
//! integration tests run many, each on its own database whose shop ids start at 1) never share
//! a shop's bucket.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::db::ShopId;
use crate::http::rate_limit::{Limit, Limiter};
use crate::state::AppState;

/// LLM calls a shop may make per minute (and at once after a quiet minute).
pub const PER_MINUTE: f64 = 10.0;

const LIMIT: Limit = Limit {
    per_sec: PER_MINUTE / 60.0,
    burst: PER_MINUTE,
};

type Limiters = Mutex<HashMap<String, Arc<Limiter<ShopId>>>>;

static LIMITERS: OnceLock<Limiters> = OnceLock::new();

/// Takes one call from the shop's bucket; `Err(seconds)` says when the next one is allowed.
pub fn check(state: &AppState, shop: ShopId) -> Result<(), u64> {
    let limiter = {
        // A poisoned lock only means another request panicked while inserting a limiter.
        let mut map = LIMITERS
            .get_or_init(Limiters::default)
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.entry(state.config.database_url.clone())
            .or_insert_with(|| Arc::new(Limiter::new(LIMIT, state.clock.clone())))
            .clone()
    };
    limiter.check(&shop)
}
