//! Live progress: every committed batch and every status change of a run publishes a
//! `sync_progress` event (ids only); the `syncProgress` subscription re-reads the run.

use chrono::{DateTime, Utc};

use crate::db::ShopId;
use crate::events::DomainEvent;
use crate::state::AppState;

/// The event kind.
pub const KIND: &str = "sync_progress";

/// Publishes a run's progress. Events are hints for live views, so a failure is only logged.
pub async fn publish(state: &AppState, shop: ShopId, run_id: i64, at: DateTime<Utc>) {
    let event = DomainEvent::new(
        shop.get(),
        KIND,
        serde_json::json!({ "run_id": run_id }),
        at,
    );
    if let Err(e) = state.events.publish(event).await {
        tracing::warn!(error = %e, run_id, "sync progress event not published");
    }
}

/// Publishes at most every `every`, whatever the batch rate.
pub struct Throttle {
    last: Option<std::time::Instant>,
    every: std::time::Duration,
}

impl Throttle {
    pub fn new(every: std::time::Duration) -> Self {
        Self { last: None, every }
    }

    /// Whether to publish now.
    pub fn due(&mut self) -> bool {
        let now = std::time::Instant::now();
        if self.last.is_some_and(|last| now - last < self.every) {
            return false;
        }
        self.last = Some(now);
        true
    }
}
