//! Jobs that keep predictions current: the whole-shop refit, and the fan-out that runs it once
//! a day per shop, in the shop's early morning after the RFM recompute.

use chrono::Timelike;
use serde::{Deserialize, Serialize};

use super::refit::refit_all;
use crate::crm::shop_time;
use crate::db::ShopId;
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};

/// How often the fan-out looks for shops whose day has turned.
pub const SCHEDULE_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The shop-local hour from which the day's refit may run: after the RFM recompute (03:00),
/// still in most stores' quiet hours.
const DAILY_FROM_HOUR: u32 = 4;

/// How to enqueue [`RefitPredictions`] for a shop: bound to it, with one pending copy per shop.
pub fn refit_opts(shop: ShopId) -> EnqueueOpts {
    EnqueueOpts::default()
        .shop(shop)
        .key(format!("refit_predictions:{}", shop.get()))
}

/// Refits one shop's model and re-predicts every customer with purchases. Safe to run any
/// number of times: it derives everything from the orders.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RefitPredictions {}

impl Job for RefitPredictions {
    const KIND: &'static str = "refit_predictions";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let now = ctx.clock.now();
        let zone = shop_time::zone(db).await?;
        let local_date = shop_time::local_date(zone, now).to_string();
        let done = refit_all(db, zone, now, &local_date).await?;
        tracing::info!(
            method = done.method.as_str(),
            customers = done.customers,
            repeaters = done.repeaters,
            written = done.written,
            removed = done.removed,
            load_ms = done.load_ms as u64,
            fit_ms = done.fit_ms as u64,
            write_ms = done.write_ms as u64,
            "predictions refitted"
        );
        Ok(())
    }
}

/// Whether a shop's refit is due: it has been scored by RFM (so its first import finished),
/// and it has no model yet (at any hour: a new shop should not wait a day for predictions) or
/// its model is from an earlier local date and the local day has reached [`DAILY_FROM_HOUR`].
fn is_due(scored: bool, model_date: Option<&str>, today: &str, local_hour: u32) -> bool {
    match model_date {
        _ if !scored => false,
        None => true,
        Some(date) => date != today && local_hour >= DAILY_FROM_HOUR,
    }
}

/// Enqueues the day's refit for every installed shop where [`is_due`] says so (run by a
/// schedule; the unique key keeps one pending copy per shop).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ScheduleRefits {}

impl Job for ScheduleRefits {
    const KIND: &'static str = "schedule_prediction_refits";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let mut due = Vec::new();
        for (id, db, local) in shop_time::installed_shops_local(&ctx.db, ctx.clock.now()).await? {
            let (scored, model_date): (i64, Option<String>) = db
                .query(
                    "select (select count(*) from rfm_boundaries where shop_id = $1), \
                       (select local_date from shop_models where shop_id = $1)",
                )
                .fetch_one()
                .await?;
            let today = local.date_naive().to_string();
            if is_due(scored > 0, model_date.as_deref(), &today, local.hour()) {
                due.push(id);
            }
        }
        let mut tx = ctx.db.begin().await?;
        for id in due {
            enqueue(&mut tx, &ctx.clock, &RefitPredictions {}, refit_opts(id)).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shop_is_refitted_once_a_local_day_after_four_and_at_once_when_new() {
        let today = "2026-06-01";
        assert!(
            !is_due(false, None, today, 12),
            "not imported and scored yet"
        );
        assert!(is_due(true, None, today, 1), "first model: any hour");
        assert!(!is_due(true, Some("2026-05-31"), today, 3), "before 04:00");
        assert!(is_due(true, Some("2026-05-31"), today, 4));
        assert!(!is_due(true, Some(today), today, 23), "already today");
    }
}
