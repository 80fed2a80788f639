//! SQL for the compliance work on tenant tables, through the shop-scoped handle only: the
//! `data_exports` table, closing requests in the `compliance_requests` audit log, and the
//! delivery payloads requests carry. (The platform side of shop/redact is in `shops.rs`.)

use chrono::{DateTime, Utc};

use crate::db::{ShopDb, ShopTx};

/// A stored data export (the document itself only when asked for).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DataExport {
    /// Row key.
    pub id: i64,
    /// Shopify's id of the customer (absent when the request named an email only).
    pub customer_shopify_id: Option<i64>,
    /// `pending`, `completed` or `redacted`.
    pub status: String,
    /// When the request was recorded.
    pub created_at: DateTime<Utc>,
    /// When the export was stored.
    pub completed_at: Option<DateTime<Utc>>,
    /// The JSON document.
    pub export_json: Option<String>,
}

/// Creates the pending export of a data request (once per delivery).
pub async fn insert_pending_export(
    tx: &mut ShopTx,
    delivery_id: i64,
    customer: Option<i64>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query(
        "insert into data_exports (shop_id, delivery_id, customer_shopify_id, status, created_at) \
         values ($1, $2, $3, 'pending', $4) on conflict (shop_id, delivery_id) do nothing",
    )
    .bind(delivery_id)
    .bind(customer)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// Stores the document of a pending export (or marks it `redacted` with no document).
pub async fn complete_export(
    tx: &mut ShopTx,
    delivery_id: i64,
    status: &str,
    json: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query(
        "update data_exports set status = $3, export_json = $4, completed_at = $5 \
         where shop_id = $1 and delivery_id = $2 and status = 'pending'",
    )
    .bind(delivery_id)
    .bind(status)
    .bind(json)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

const EXPORT_LIST: &str = "select id, customer_shopify_id, status, created_at, completed_at, \
     cast(null as text) as export_json from data_exports where shop_id = $1 order by id desc";

/// The shop's exports, newest first, without their documents.
pub async fn list_exports(db: &ShopDb) -> sqlx::Result<Vec<DataExport>> {
    db.query(EXPORT_LIST).fetch_all().await
}

/// One export of this shop, with its document.
pub async fn find_export(db: &ShopDb, id: i64) -> sqlx::Result<Option<DataExport>> {
    db.query(
        "select id, customer_shopify_id, status, created_at, completed_at, export_json \
         from data_exports where shop_id = $1 and id = $2",
    )
    .bind(id)
    .fetch_optional()
    .await
}

/// A compliance request's progress as the jobs need it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestState {
    /// `received`, `completed` or `skipped`.
    pub status: String,
}

/// The recorded request of a delivery.
pub async fn request_state(
    tx: &mut ShopTx,
    delivery_id: i64,
) -> sqlx::Result<Option<RequestState>> {
    tx.query("select status from compliance_requests where shop_id = $1 and delivery_id = $2")
        .bind(delivery_id)
        .fetch_optional()
        .await
}

/// Closes a request in the audit log with how many rows it touched (counts only), and marks its
/// delivery processed so retention may delete the payload.
pub async fn complete_request(
    tx: &mut ShopTx,
    delivery_id: i64,
    status: &str,
    rows_affected: u64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query(
        "update compliance_requests set status = $3, rows_affected = $4, completed_at = $5 \
         where shop_id = $1 and delivery_id = $2",
    )
    .bind(delivery_id)
    .bind(status)
    .bind(i64::try_from(rows_affected).unwrap_or(i64::MAX))
    .bind(now)
    .execute()
    .await?;
    tx.query(
        "update webhook_deliveries set processed_at = coalesce(processed_at, $3) \
         where shop_id = $1 and id = $2",
    )
    .bind(delivery_id)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// The raw payload of one of the shop's deliveries.
pub async fn delivery_payload(tx: &mut ShopTx, delivery_id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = tx
        .query("select payload from webhook_deliveries where shop_id = $1 and id = $2")
        .bind(delivery_id)
        .fetch_optional()
        .await?;
    Ok(row.map(|(p,)| p))
}

/// Replaces one delivery's payload (with the redaction marker).
pub async fn replace_payload(tx: &mut ShopTx, delivery_id: i64, payload: &str) -> sqlx::Result<()> {
    tx.query("update webhook_deliveries set payload = $3 where shop_id = $1 and id = $2")
        .bind(delivery_id)
        .bind(payload)
        .execute()
        .await?;
    Ok(())
}

/// When Shopify triggered a delivery.
pub async fn triggered_at(db: &ShopDb, delivery_id: i64) -> sqlx::Result<Option<DateTime<Utc>>> {
    let row: Option<(DateTime<Utc>,)> = db
        .query("select triggered_at from webhook_deliveries where shop_id = $1 and id = $2")
        .bind(delivery_id)
        .fetch_optional()
        .await?;
    Ok(row.map(|(t,)| t))
}

/// Compliance deliveries not yet processed and not yet recorded as requests: their processing
/// job has not run (or was cancelled before it could).
pub async fn unrecorded_compliance_deliveries(
    tx: &mut ShopTx,
    topics: &[&str],
) -> sqlx::Result<Vec<i64>> {
    let placeholders: Vec<String> = (0..topics.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "select d.id from webhook_deliveries d where d.shop_id = $1 and d.processed_at is null \
         and d.topic in ({}) and not exists (select 1 from compliance_requests c \
         where c.shop_id = $1 and c.delivery_id = d.id) order by d.id",
        placeholders.join(", ")
    );
    let mut q = tx.query(&sql);
    for t in topics {
        q = q.bind(*t);
    }
    let rows: Vec<(i64,)> = q.fetch_all().await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
