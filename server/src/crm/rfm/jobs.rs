//! Jobs that keep segments current: the full recompute of one shop, and the fan-out that runs
//! it once a day per shop, early in the shop's own morning.

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::recompute::{Change, recompute_all, segment_changed_events};
use crate::crm::shop_time;
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::state::AppState;

/// How often the fan-out looks for shops whose day has turned.
pub const SCHEDULE_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The shop-local hour from which the day's recompute may run (quiet hours for most stores).
const DAILY_FROM_HOUR: u32 = 3;

/// Recomputes one shop's quintile boundaries and every customer's scores and segment. Safe to
/// run any number of times: it derives everything from the current counters.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RecomputeSegments {}

impl Job for RecomputeSegments {
    const KIND: &'static str = "recompute_segments";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let now = ctx.clock.now();
        let zone = shop_time::zone(db).await?;
        let local_date = shop_time::local_date(zone, now).to_string();
        let mut tx = db.begin().await?;
        let done = recompute_all(&mut tx, now, &local_date).await?;
        tx.commit().await?;
        tracing::info!(
            scored = done.scored,
            written = done.written,
            changes = done.changes.len(),
            "segments recomputed"
        );
        publish_changes(ctx, db.shop_id().get(), &done.changes, now).await;
        Ok(())
    }
}

/// Publishes `segment_changed` events for committed changes. The events are hints for live
/// views and later consumers; `segment_changes` keeps the durable record, so a failed publish
/// is logged and not retried.
pub async fn publish_changes(ctx: &JobCtx, shop_id: i64, changes: &[Change], at: DateTime<Utc>) {
    if changes.is_empty() {
        return;
    }
    let Ok(state) = ctx.get::<AppState>() else {
        return;
    };
    for event in segment_changed_events(shop_id, changes, at) {
        if let Err(e) = state.events.publish(event).await {
            tracing::warn!(error = %e, "segment_changed event not published");
        }
    }
}

/// Enqueues the day's recompute for every installed shop whose local day has reached
/// [`DAILY_FROM_HOUR`] and that has not been recomputed on that local date (run by a schedule;
/// the unique key keeps one pending copy per shop).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ScheduleSegmentRecomputes {}

impl Job for ScheduleSegmentRecomputes {
    const KIND: &'static str = "schedule_segment_recomputes";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let mut due = Vec::new();
        for (id, db, local) in shop_time::installed_shops_local(&ctx.db, ctx.clock.now()).await? {
            if local.hour() < DAILY_FROM_HOUR {
                continue;
            }
            let today = local.date_naive().to_string();
            let last: Option<(String,)> = db
                .query("select local_date from rfm_boundaries where shop_id = $1")
                .fetch_optional()
                .await?;
            // A shop never scored waits for its first import to finish (which enqueues it).
            if last.is_some_and(|(date,)| date != today) {
                due.push(id);
            }
        }
        let mut tx = ctx.db.begin().await?;
        for id in due {
            let opts = EnqueueOpts::default()
                .shop(id)
                .key(format!("recompute_segments:{}", id.get()));
            enqueue(&mut tx, &ctx.clock, &RecomputeSegments {}, opts).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
