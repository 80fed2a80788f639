//! SQL for the `webhook_deliveries` and `compliance_requests` tenant tables (and the job each
//! stored delivery enqueues), through the shop-scoped handle only (`$1` is always the shop).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};

use super::jobs::ProcessWebhook;
use super::verify::VerifiedWebhook;
use crate::db::{Backend, ShopDb, ShopTx};
use crate::jobs::Job;

/// A stored delivery.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    /// The row's key (what [`super::jobs::ProcessWebhook`] carries).
    pub id: i64,
    /// `X-Shopify-Webhook-Id`.
    pub webhook_id: String,
    /// `X-Shopify-Event-Id`, when the delivery carried one.
    pub event_id: Option<String>,
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

/// The delivery insert shared by both engines. `on conflict do nothing` has no target, so it
/// covers both unique keys: `(shop_id, webhook_id)` (a Shopify retry of the same delivery) and
/// `(shop_id, topic, event_id)` (the same event delivered through a second subscription).
const INSERT_DELIVERY: &str = "insert into webhook_deliveries (shop_id, webhook_id, event_id, \
    topic, api_version, triggered_at, payload, received_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
    on conflict do nothing returning id";

/// The job row, column for column what `jobs::enqueue` writes for a [`ProcessWebhook`] with
/// `EnqueueOpts::default().shop(shop)`: the job's queue, kind and attempts, its payload
/// (`{"delivery_id":N}`, serde's compact form), the shop, no unique key (the job has none), due
/// now, created and updated now (epoch milliseconds). `state` and `attempts` take the table's
/// defaults. `tests/integration/webhook_events.rs` checks the row against one written by
/// `enqueue` on both engines, and that the worker runs it.
const JOB_COLUMNS: &str =
    "queue, kind, payload, shop_id, unique_key, max_attempts, run_at, created_at, updated_at";

/// The PostgreSQL statement of [`insert_delivery_and_job`]. Binds: `$1` shop, `$2..$8` as in
/// [`INSERT_DELIVERY`], then `$9` queue, `$10` kind, `$11` max attempts, `$12` now (ms). The
/// job insert has no conflict clause: the job has no unique key, and a delivery must never be
/// kept without its job, so any conflict there fails the transaction instead.
static PG_INSERT_DELIVERY_AND_JOB: LazyLock<String> = LazyLock::new(|| {
    format!(
        "with d as ({INSERT_DELIVERY}), \
         j as (insert into jobs ({JOB_COLUMNS}) \
               select $9, $10, '{{\"delivery_id\":' || d.id || '}}', $1, null, $11, $12, $12, $12 \
               from d returning id) \
         select d.id, j.id from d left join j on true"
    )
});

/// Stores a delivery; `None` when the shop already has it under this webhook id or this event
/// (a Shopify retry, or the same event through a second subscription), which the caller
/// acknowledges without enqueuing anything.
pub async fn insert_delivery(
    tx: &mut ShopTx,
    hook: &VerifiedWebhook,
    payload: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = tx
        .query(INSERT_DELIVERY)
        .bind(hook.webhook_id.as_str())
        .bind(hook.event_id.as_deref())
        .bind(hook.topic.as_str())
        .bind(hook.api_version.as_str())
        .bind(hook.triggered_at.unwrap_or(now))
        .bind(payload)
        .bind(now)
        .fetch_optional()
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Stores a delivery and enqueues its [`ProcessWebhook`] job in the caller's tenant
/// transaction; `None` (and no job) when it is a duplicate, as for [`insert_delivery`].
///
/// On PostgreSQL this is one statement, so one round trip: a data-modifying CTE inserts the
/// delivery and, only when that inserted a row, the job. Both inserts run in the tenant
/// transaction as `ecomcrm_tenant` with `app.shop_id` set, so row-level security checks both
/// rows (the `jobs` policy applies to that role), and both commit or neither does. SQLite
/// cannot put an `insert` in a `with`, and has no round trips to save: two statements.
pub async fn insert_delivery_and_job(
    tx: &mut ShopTx,
    hook: &VerifiedWebhook,
    payload: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<i64>> {
    let now_ms = now.timestamp_millis();
    if tx.as_db_tx().backend() == Backend::Postgres {
        let row: Option<(i64, Option<i64>)> = tx
            .query(&PG_INSERT_DELIVERY_AND_JOB)
            .bind(hook.webhook_id.as_str())
            .bind(hook.event_id.as_deref())
            .bind(hook.topic.as_str())
            .bind(hook.api_version.as_str())
            .bind(hook.triggered_at.unwrap_or(now))
            .bind(payload)
            .bind(now)
            .bind(ProcessWebhook::QUEUE)
            .bind(ProcessWebhook::KIND)
            .bind(ProcessWebhook::MAX_ATTEMPTS.max(1))
            .bind(now_ms)
            .fetch_optional()
            .await?;
        return match row {
            None => Ok(None),
            Some((delivery_id, Some(_job))) => Ok(Some(delivery_id)),
            // Cannot happen (the job insert has no conflict clause, so it inserts or fails);
            // if it ever did, failing rolls the delivery back rather than keep it without work.
            Some((_, None)) => Err(sqlx::Error::Protocol(
                "webhook delivery stored without its job".into(),
            )),
        };
    }
    let Some(delivery_id) = insert_delivery(tx, hook, payload, now).await? else {
        return Ok(None);
    };
    let job = serde_json::to_string(&ProcessWebhook { delivery_id })
        .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let sql =
        format!("insert into jobs ({JOB_COLUMNS}) values ($2, $3, $4, $1, null, $5, $6, $6, $6)");
    tx.query(&sql)
        .bind(ProcessWebhook::QUEUE)
        .bind(ProcessWebhook::KIND)
        .bind(job)
        .bind(ProcessWebhook::MAX_ATTEMPTS.max(1))
        .bind(now_ms)
        .execute()
        .await?;
    Ok(Some(delivery_id))
}

const DELIVERY_COLUMNS: &str = "id, webhook_id, event_id, topic, api_version, triggered_at, \
    payload, received_at, processed_at";

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
