//! SQL for the `webhook_deliveries` and `compliance_requests` tenant tables, through the
//! shop-scoped handle only (`$1` is always the shop).

use chrono::{DateTime, Utc};

use super::verify::VerifiedWebhook;
use crate::db::{ShopDb, ShopTx};

/// A stored delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    /// The row's key (what [`super::jobs::ProcessWebhook`] carries).
    pub id: i64,
    /// `X-Shopify-Webhook-Id`.
    pub webhook_id: String,
    /// `X-Shopify-Topic`.
    pub topic: String,
    /// `X-Shopify-API-Version`.
    pub api_version: String,
    /// `X-Shopify-Triggered-At`, or the receive time when it was absent.
    pub triggered_at: DateTime<Utc>,
    /// The raw body.
    pub payload: String,
    /// When the app stored it.
    pub received_at: DateTime<Utc>,
    /// When its processing finished with the payload (retention starts then).
    pub processed_at: Option<DateTime<Utc>>,
}

/// Stores a delivery; `None` when the shop already has one with this webhook id (a Shopify
/// retry or duplicate), which the caller acknowledges without enqueuing anything.
pub async fn insert_delivery(
    tx: &mut ShopTx,
    hook: &VerifiedWebhook,
    payload: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = tx
        .query(
            "insert into webhook_deliveries (shop_id, webhook_id, topic, api_version, triggered_at, \
             payload, received_at) values ($1, $2, $3, $4, $5, $6, $7) \
             on conflict (shop_id, webhook_id) do nothing returning id",
        )
        .bind(hook.webhook_id.as_str())
        .bind(hook.topic.as_str())
        .bind(hook.api_version.as_str())
        .bind(hook.triggered_at.unwrap_or(now))
        .bind(payload)
        .bind(now)
        .fetch_optional()
        .await?;
    Ok(row.map(|(id,)| id))
}

const DELIVERY_COLUMNS: &str =
    "id, webhook_id, topic, api_version, triggered_at, payload, received_at, processed_at";

/// One delivery of this shop.
pub async fn find_delivery(db: &ShopDb, id: i64) -> sqlx::Result<Option<Delivery>> {
    let sql =
        format!("select {DELIVERY_COLUMNS} from webhook_deliveries where shop_id = $1 and id = $2");
    db.query(&sql).bind(id).fetch_optional().await
}

/// The shop's deliveries, oldest first (tests and, later, an admin view).
pub async fn list_deliveries(db: &ShopDb) -> sqlx::Result<Vec<Delivery>> {
    let sql =
        format!("select {DELIVERY_COLUMNS} from webhook_deliveries where shop_id = $1 order by id");
    db.query(&sql).fetch_all().await
}

/// Marks a delivery processed, which starts its retention period.
pub async fn mark_processed(tx: &mut ShopTx, id: i64, now: DateTime<Utc>) -> sqlx::Result<()> {
    tx.query(
        "update webhook_deliveries set processed_at = coalesce(processed_at, $3) \
         where shop_id = $1 and id = $2",
    )
    .bind(id)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// Deletes processed deliveries received before `before`; unprocessed ones (failed jobs,
/// pending compliance requests) are kept whatever their age. Returns how many went.
pub async fn prune_processed(db: &ShopDb, before: DateTime<Utc>) -> sqlx::Result<u64> {
    db.query(
        "delete from webhook_deliveries where shop_id = $1 and processed_at is not null \
         and received_at < $2",
    )
    .bind(before)
    .execute()
    .await
}

/// A compliance request as recorded (no personal data).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ComplianceRequest {
    /// The delivery that carried it.
    pub delivery_id: i64,
    /// `customers/data_request`, `customers/redact` or `shop/redact`.
    pub topic: String,
    /// Shopify's id of the customer concerned, when the payload names one.
    pub shopify_customer_id: Option<i64>,
    /// `data_request.id` of a `customers/data_request`.
    pub data_request_id: Option<i64>,
    /// How many orders the request lists.
    pub orders_count: i32,
    /// `received` until carried out.
    pub status: String,
}

/// Records a compliance request once per delivery (a rerun of the job changes nothing).
pub async fn record_compliance(
    tx: &mut ShopTx,
    req: &ComplianceRequest,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query(
        "insert into compliance_requests (shop_id, delivery_id, topic, shopify_customer_id, \
         data_request_id, orders_count, status, received_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
         on conflict (shop_id, delivery_id) do nothing",
    )
    .bind(req.delivery_id)
    .bind(req.topic.as_str())
    .bind(req.shopify_customer_id)
    .bind(req.data_request_id)
    .bind(req.orders_count)
    .bind(req.status.as_str())
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// The shop's compliance requests, oldest first.
pub async fn list_compliance(db: &ShopDb) -> sqlx::Result<Vec<ComplianceRequest>> {
    db.query(
        "select delivery_id, topic, shopify_customer_id, data_request_id, orders_count, status \
         from compliance_requests where shop_id = $1 order by id",
    )
    .fetch_all()
    .await
}
