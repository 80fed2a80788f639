//! Running the predictions: the whole-shop refit (load every buyer, fit warm-started from the
//! stored model, predict everyone, store) and the re-prediction of a few customers with the
//! stored model after their orders changed.

use std::time::Instant;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::load::{self, Summaries};
use super::store;
use crate::crm::models::shop::refit_shop;
use crate::crm::models::{Method, Prediction, predict};
use crate::crm::shop_time;
use crate::db::{ShopDb, ShopTx};

/// Predictions per write transaction of a refit: short transactions, so live order writes
/// (SQLite has one writer) wait for one batch, not for the whole shop.
const BATCH: usize = 1_000;

/// What a whole-shop refit did, for the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Refitted {
    /// How the model was obtained.
    pub method: Method,
    /// Customers with purchases (all of them were predicted).
    pub customers: usize,
    /// Of those, customers with a repeat purchase day.
    pub repeaters: usize,
    /// Prediction rows written.
    pub written: u64,
    /// Stale predictions removed (customers without purchases any more).
    pub removed: u64,
    /// Milliseconds spent loading the orders.
    pub load_ms: u128,
    /// Milliseconds spent fitting.
    pub fit_ms: u128,
    /// Milliseconds spent predicting and writing.
    pub write_ms: u128,
}

/// Refits the shop's model as of `now` and re-predicts every customer with purchases, storing
/// the model with the shop-local date `local_date`. Idempotent: it derives everything from the
/// orders, and the previous model only changes where the optimiser starts.
pub async fn refit_all(
    db: &ShopDb,
    zone: Tz,
    now: DateTime<Utc>,
    local_date: &str,
) -> anyhow::Result<Refitted> {
    let started = Instant::now();
    let previous = store::find_model(db).await?.map(|m| m.model);
    let Summaries {
        customer_ids,
        summaries,
    } = load::summaries_of(db, zone, now).await?;
    let load_ms = started.elapsed().as_millis();

    // Seconds of CPU for a large shop: keep it off the async workers.
    let started = Instant::now();
    let (model, summaries) = tokio::task::spawn_blocking(move || {
        let model = refit_shop(&summaries, previous.as_ref());
        (model, summaries)
    })
    .await?;
    let fit_ms = started.elapsed().as_millis();

    let started = Instant::now();
    let mut written = 0;
    for (ids, chunk) in customer_ids.chunks(BATCH).zip(summaries.chunks(BATCH)) {
        let rows: Vec<(i64, Prediction)> = ids
            .iter()
            .zip(chunk)
            .map(|(id, s)| (*id, predict(&model, s)))
            .collect();
        let mut tx = db.begin().await?;
        written += store::upsert_predictions(&mut tx, &rows, now).await?;
        tx.commit().await?;
    }
    // The model goes last: its local date marks the day's refit as done.
    let mut tx = db.begin().await?;
    let removed = store::delete_older_than(&mut tx, now).await?;
    store::upsert_model(&mut tx, &model, now, local_date).await?;
    tx.commit().await?;
    Ok(Refitted {
        method: model.method,
        customers: model.customers,
        repeaters: model.repeaters,
        written,
        removed,
        load_ms,
        fit_ms,
        write_ms: started.elapsed().as_millis(),
    })
}

/// Re-predicts these customers (after their orders changed) with the shop's stored model, as
/// of `now`, in the caller's transaction; a customer left without purchases loses their
/// prediction. Does nothing before the shop's first refit (there is no model yet).
pub async fn predict_customers(
    tx: &mut ShopTx,
    customer_ids: &[i64],
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let Some(stored) = store::find_model_tx(tx).await? else {
        return Ok(());
    };
    let mut ids = customer_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let zone = zone_in(tx).await?;
    let found = load::summaries_for(tx, zone, now, &ids).await?;
    for (chunk_ids, chunk) in found
        .customer_ids
        .chunks(BATCH)
        .zip(found.summaries.chunks(BATCH))
    {
        let rows: Vec<(i64, Prediction)> = chunk_ids
            .iter()
            .zip(chunk)
            .map(|(id, s)| (*id, predict(&stored.model, s)))
            .collect();
        store::upsert_predictions(tx, &rows, now).await?;
    }
    // Both lists are sorted, so the customers without purchases are a merge away.
    let gone: Vec<i64> = ids
        .into_iter()
        .filter(|id| found.customer_ids.binary_search(id).is_err())
        .collect();
    store::delete_customers(tx, &gone).await?;
    Ok(())
}

/// The shop's time zone read in the caller's transaction (`shop_time::zone` takes a `ShopDb`).
async fn zone_in(tx: &mut ShopTx) -> sqlx::Result<Tz> {
    let row: Option<(String,)> = tx
        .query("select iana_timezone from shop_profiles where shop_id = $1")
        .fetch_optional()
        .await?;
    Ok(row.map_or(Tz::UTC, |(name,)| shop_time::parse_zone(&name)))
}
