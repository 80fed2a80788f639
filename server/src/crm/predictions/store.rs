//! The SQL of predictions: the shop's stored model (`shop_models`) and the customers' stored
//! predictions (`customer_predictions`), through the shop-scoped handle only.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::crm::models::{Method, Prediction, ShopModel};
use crate::db::{Arg, Backend, ShopDb, ShopTx};

/// A shop's model as the last refit stored it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredModel {
    /// The fitted model.
    pub model: ShopModel,
    /// When it was fitted (its as-of instant).
    pub fitted_at: DateTime<Utc>,
    /// The shop-local date of that refit (YYYY-MM-DD).
    pub local_date: String,
}

/// One customer's stored prediction, for the customer profile and lists.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoredPrediction {
    /// Shopify's customer id.
    pub customer_id: i64,
    /// Which method produced it (the shop model's method).
    pub method: Method,
    /// Probability the customer is still active (1 for one-time buyers, by the model).
    pub probability_active: f64,
    /// Probability of at least one order in the next 365 days.
    pub probability_order_365d: f64,
    /// Expected orders in the next 90 days.
    pub expected_orders_90d: f64,
    /// Expected orders in the next 365 days.
    pub expected_orders_365d: f64,
    /// When the customer has even odds of having ordered again; `None` when that is more
    /// than a year away or they have more likely dropped out.
    pub next_order_at: Option<DateTime<Utc>>,
    /// Expected spend in the next 365 days, minor units of the shop currency.
    pub clv_365d: i64,
    /// One sentence with numbers explaining the prediction.
    pub reason: String,
    /// The as-of instant of the prediction.
    pub computed_at: DateTime<Utc>,
}

impl StoredPrediction {
    /// The churn risk the CRM ranks by: the probability of *no* order within a year (see the
    /// module doc of `predictions` for why not `1 − probability_active`).
    pub fn churn_risk(&self) -> f64 {
        1.0 - self.probability_order_365d
    }
}

const MODEL_SQL: &str = "select model, fitted_at, local_date from shop_models where shop_id = $1";

/// The shop's stored model, if a refit has stored one that this version can read.
pub async fn find_model(db: &ShopDb) -> sqlx::Result<Option<StoredModel>> {
    let row = db.query(MODEL_SQL).fetch_optional().await?;
    Ok(row.and_then(decode_model))
}

/// As [`find_model`], in the caller's transaction.
pub(super) async fn find_model_tx(tx: &mut ShopTx) -> sqlx::Result<Option<StoredModel>> {
    let row = tx.query(MODEL_SQL).fetch_optional().await?;
    Ok(row.and_then(decode_model))
}

fn decode_model(
    (json, fitted_at, local_date): (String, DateTime<Utc>, String),
) -> Option<StoredModel> {
    match serde_json::from_str::<ShopModel>(&json) {
        Ok(model) => Some(StoredModel {
            model,
            fitted_at,
            local_date,
        }),
        // A model stored by another version of the code: the next refit replaces it, and
        // until then there is no model rather than a failing job.
        Err(e) => {
            tracing::warn!(error = %e, "stored shop model not readable; ignoring it");
            None
        }
    }
}

/// Stores the shop's model (replacing the previous one).
pub(super) async fn upsert_model(
    tx: &mut ShopTx,
    model: &ShopModel,
    fitted_at: DateTime<Utc>,
    local_date: &str,
) -> anyhow::Result<()> {
    let json = serde_json::to_string(model)?;
    tx.query(
        "insert into shop_models (shop_id, method, model, customers, repeaters, fitted_at, \
           local_date) values ($1, $2, $3, $4, $5, $6, $7) \
         on conflict (shop_id) do update set method = excluded.method, model = excluded.model, \
           customers = excluded.customers, repeaters = excluded.repeaters, \
           fitted_at = excluded.fitted_at, local_date = excluded.local_date",
    )
    .bind(model.method.as_str())
    .bind(json)
    .bind(i64::try_from(model.customers).unwrap_or(i64::MAX))
    .bind(i64::try_from(model.repeaters).unwrap_or(i64::MAX))
    .bind(fitted_at)
    .bind(local_date)
    .execute()
    .await?;
    Ok(())
}

/// The stored columns, in the order of the JSON rows below.
const COLUMNS: &str = "customer_id, probability_active, probability_order_365d, \
    expected_orders_90d, expected_orders_365d, next_order_at, clv_365d, method, reason, \
    computed_at";

/// `insert … select` from one JSON array of rows bound as `$2` (one bind per batch: binding is
/// what costs on SQLite, as in `sync::upsert`). A stored prediction newer than the incoming one
/// is kept: the re-prediction after a live order may land while a refit that read the orders
/// before it is still writing.
fn upsert_sql(backend: Backend) -> String {
    let select = match backend {
        Backend::Sqlite => {
            "select $1, value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, \
               value->>6, value->>7, value->>8, value->>9 from json_each($2) where true"
        }
        Backend::Postgres => {
            "select $1, cast(v->>0 as bigint), cast(v->>1 as double precision), \
               cast(v->>2 as double precision), cast(v->>3 as double precision), \
               cast(v->>4 as double precision), cast(v->>5 as timestamptz), \
               cast(v->>6 as bigint), v->>7, v->>8, cast(v->>9 as timestamptz) \
             from jsonb_array_elements(cast($2 as jsonb)) as e(v)"
        }
    };
    let updates: Vec<String> = COLUMNS
        .split(", ")
        .map(str::trim)
        .filter(|c| *c != "customer_id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "insert into customer_predictions (shop_id, {COLUMNS}) {select} \
         on conflict (shop_id, customer_id) do update set {} \
         where excluded.computed_at >= customer_predictions.computed_at",
        updates.join(", ")
    )
}

/// The text sqlx's SQLite encoder writes for an instant, so JSON-carried times compare with
/// bound ones (PostgreSQL parses it as a `timestamptz`).
fn time_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// One prediction as a JSON row in [`COLUMNS`] order. Probabilities are clamped to [0, 1] and
/// counts to ≥ 0 against floating-point noise; money is rounded to minor units.
fn json_row(customer_id: i64, p: &Prediction, now: DateTime<Utc>) -> serde_json::Value {
    let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
    let probability = |v: f64| finite(v).clamp(0.0, 1.0);
    let count = |v: f64| finite(v).max(0.0);
    let next_order_at = p
        .next_order_in_days
        .filter(|d| d.is_finite() && *d >= 0.0)
        .map(|d| {
            time_text(now + chrono::Duration::milliseconds((d * 86_400_000.0).round() as i64))
        });
    serde_json::json!([
        customer_id,
        probability(p.probability_active),
        probability(p.probability_order_365d),
        count(p.expected_orders_90d),
        count(p.expected_orders_365d),
        next_order_at,
        count(p.clv_365d).round() as i64,
        p.method.as_str(),
        p.reason,
        time_text(now),
    ])
}

/// Upserts these customers' predictions made at `now`; returns the rows written.
pub(super) async fn upsert_predictions(
    tx: &mut ShopTx,
    rows: &[(i64, Prediction)],
    now: DateTime<Utc>,
) -> sqlx::Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let json: Vec<serde_json::Value> = rows.iter().map(|(id, p)| json_row(*id, p, now)).collect();
    let text = serde_json::Value::Array(json).to_string();
    let sql = upsert_sql(tx.backend());
    tx.query(&sql).bind(Arg::Text(Some(text))).execute().await
}

/// Deletes predictions made before `before`: customers a whole-shop refit at `before` no longer
/// predicts (their orders were cancelled, or they were deleted).
pub(super) async fn delete_older_than(tx: &mut ShopTx, before: DateTime<Utc>) -> sqlx::Result<u64> {
    tx.query("delete from customer_predictions where shop_id = $1 and computed_at < $2")
        .bind(before)
        .execute()
        .await
}

/// Deletes these customers' predictions.
pub(super) async fn delete_customers(tx: &mut ShopTx, ids: &[i64]) -> sqlx::Result<u64> {
    let mut deleted = 0;
    for chunk in ids.chunks(400) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "delete from customer_predictions where shop_id = $1 and customer_id in ({})",
            list.join(", ")
        );
        let mut q = tx.query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        deleted += q.execute().await?;
    }
    Ok(deleted)
}

#[derive(sqlx::FromRow)]
struct PredictionRow {
    customer_id: i64,
    method: String,
    probability_active: f64,
    probability_order_365d: f64,
    expected_orders_90d: f64,
    expected_orders_365d: f64,
    next_order_at: Option<DateTime<Utc>>,
    clv_365d: i64,
    reason: String,
    computed_at: DateTime<Utc>,
}

/// A customer's stored prediction; `None` before the shop's first refit, for a customer
/// without purchases, or for one with a prediction written by a newer method this version
/// does not know.
pub async fn for_customer(db: &ShopDb, customer_id: i64) -> sqlx::Result<Option<StoredPrediction>> {
    Ok(for_customers(db, &[customer_id]).await?.pop())
}

/// The stored predictions of several customers in one query (absent ones are left out).
pub async fn for_customers(db: &ShopDb, ids: &[i64]) -> sqlx::Result<Vec<StoredPrediction>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "select {COLUMNS} from customer_predictions where shop_id = $1 and customer_id in ({})",
        crate::db::placeholders(2, ids.len())
    );
    let rows: Vec<PredictionRow> = db
        .query(&sql)
        .bind_all(ids.iter().copied())
        .fetch_all()
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let method =
                serde_json::from_value::<Method>(serde_json::Value::String(r.method)).ok()?;
            Some(StoredPrediction {
                customer_id: r.customer_id,
                method,
                probability_active: r.probability_active,
                probability_order_365d: r.probability_order_365d,
                expected_orders_90d: r.expected_orders_90d,
                expected_orders_365d: r.expected_orders_365d,
                next_order_at: r.next_order_at,
                clv_365d: r.clv_365d,
                reason: r.reason,
                computed_at: r.computed_at,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_stored_prediction_is_never_overwritten() {
        let sql = upsert_sql(Backend::Sqlite);
        assert!(sql.ends_with("where excluded.computed_at >= customer_predictions.computed_at"));
        assert!(sql.contains("reason = excluded.reason, computed_at = excluded.computed_at"));
        assert!(!sql.contains("customer_id = excluded"));
    }
}
