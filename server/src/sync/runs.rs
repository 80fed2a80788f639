//! SQL for the sync's bookkeeping: the shop's sync state (watermarks, when history ends), its
//! runs and each run's per-resource parts. Tenant tables, reached through the shop handle only.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::records::Resource;
use crate::db::{ShopDb, ShopTx};

/// What kind of run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// Everything, by bulk operations.
    Full,
    /// Records changed since the watermarks, by paginated queries.
    Delta,
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Install,
    Schedule,
    Manual,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Full => "full",
            RunKind::Delta => "delta",
        }
    }
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Install => "install",
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
        }
    }
}

/// The shop's sync state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    /// Orders created before this are historical.
    pub historical_before: Option<DateTime<Utc>>,
    /// Newest `updated_at` applied per resource by a completed run.
    pub watermarks: BTreeMap<String, DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// A run.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Run {
    pub id: i64,
    pub kind: String,
    pub trigger: String,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One resource of a run.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Part {
    pub run_id: i64,
    pub resource: String,
    /// `pending`, `running`, `importing`, `done` or `failed`.
    pub status: String,
    pub bulk_operation_id: Option<String>,
    pub lines_done: i64,
    pub rows_done: i64,
    pub rows_expected: Option<i64>,
    pub max_updated_at: Option<DateTime<Utc>>,
    pub cursor: Option<String>,
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl Part {
    pub fn resource(&self) -> Option<Resource> {
        Resource::parse(&self.resource)
    }
}

const RUN_COLUMNS: &str = "id, kind, trigger, status, error, started_at, finished_at";
const PART_COLUMNS: &str = "run_id, resource, status, bulk_operation_id, lines_done, rows_done, \
    rows_expected, max_updated_at, cursor, error, updated_at";

#[derive(sqlx::FromRow)]
struct StateRow {
    historical_before: Option<DateTime<Utc>>,
    watermarks: String,
    last_success_at: Option<DateTime<Utc>>,
}

fn decode_state(row: Option<StateRow>) -> SyncState {
    row.map_or_else(SyncState::default, |r| SyncState {
        historical_before: r.historical_before,
        watermarks: serde_json::from_str(&r.watermarks).unwrap_or_default(),
        last_success_at: r.last_success_at,
    })
}

/// The shop's state (defaults before its first run).
pub async fn state(db: &ShopDb) -> sqlx::Result<SyncState> {
    let row: Option<StateRow> = db
        .query("select historical_before, watermarks, last_success_at from sync_states where shop_id = $1")
        .fetch_optional()
        .await?;
    Ok(decode_state(row))
}

/// The state, read in a transaction.
pub async fn state_in(tx: &mut ShopTx) -> sqlx::Result<SyncState> {
    let row: Option<StateRow> = tx
        .query("select historical_before, watermarks, last_success_at from sync_states where shop_id = $1")
        .fetch_optional()
        .await?;
    Ok(decode_state(row))
}

/// Creates the state row if missing and sets where history ends, once.
pub async fn mark_history(tx: &mut ShopTx, before: DateTime<Utc>) -> sqlx::Result<()> {
    tx.query(
        "insert into sync_states (shop_id, historical_before, watermarks) values ($1, $2, '{}') \
         on conflict (shop_id) do update set historical_before = \
         coalesce(sync_states.historical_before, excluded.historical_before)",
    )
    .bind(before)
    .execute()
    .await?;
    Ok(())
}

/// The run in progress, if any.
pub async fn running(db: &ShopDb) -> sqlx::Result<Option<Run>> {
    let sql = format!(
        "select {RUN_COLUMNS} from sync_runs where shop_id = $1 and status = 'running' \
         order by id desc limit 1"
    );
    db.query(&sql).fetch_optional().await
}

/// The running run, read in a transaction.
pub async fn running_in(tx: &mut ShopTx) -> sqlx::Result<Option<Run>> {
    let sql = format!(
        "select {RUN_COLUMNS} from sync_runs where shop_id = $1 and status = 'running' \
         order by id desc limit 1"
    );
    tx.query(&sql).fetch_optional().await
}

/// A run by id.
pub async fn find(db: &ShopDb, id: i64) -> sqlx::Result<Option<Run>> {
    let sql = format!("select {RUN_COLUMNS} from sync_runs where shop_id = $1 and id = $2");
    db.query(&sql).bind(id).fetch_optional().await
}

/// The newest runs first.
pub async fn recent(db: &ShopDb, limit: i64) -> sqlx::Result<Vec<Run>> {
    let sql =
        format!("select {RUN_COLUMNS} from sync_runs where shop_id = $1 order by id desc limit $2");
    db.query(&sql).bind(limit).fetch_all().await
}

/// Starts a run with a pending part per resource; returns its id.
pub async fn create(
    tx: &mut ShopTx,
    kind: RunKind,
    trigger: Trigger,
    now: DateTime<Utc>,
) -> sqlx::Result<i64> {
    let (id,): (i64,) = tx
        .query(
            "insert into sync_runs (shop_id, kind, trigger, status, started_at) \
             values ($1, $2, $3, 'running', $4) returning id",
        )
        .bind(kind.as_str())
        .bind(trigger.as_str())
        .bind(now)
        .fetch_one()
        .await?;
    for resource in Resource::ALL {
        tx.query(
            "insert into sync_run_parts (shop_id, run_id, resource, status, updated_at) \
             values ($1, $2, $3, 'pending', $4)",
        )
        .bind(id)
        .bind(resource.as_str())
        .bind(now)
        .execute()
        .await?;
    }
    Ok(id)
}

/// A run's parts, in import order.
pub async fn parts(db: &ShopDb, run_id: i64) -> sqlx::Result<Vec<Part>> {
    let sql =
        format!("select {PART_COLUMNS} from sync_run_parts where shop_id = $1 and run_id = $2");
    let mut parts: Vec<Part> = db.query(&sql).bind(run_id).fetch_all().await?;
    parts.sort_by_key(|p| p.resource().map(|r| r as u8));
    Ok(parts)
}

/// One part, read in a transaction.
pub async fn part_in(
    tx: &mut ShopTx,
    run_id: i64,
    resource: Resource,
) -> sqlx::Result<Option<Part>> {
    let sql = format!(
        "select {PART_COLUMNS} from sync_run_parts where shop_id = $1 and run_id = $2 and resource = $3"
    );
    tx.query(&sql)
        .bind(run_id)
        .bind(resource.as_str())
        .fetch_optional()
        .await
}

/// Sets how many rows a part should bring.
pub async fn expect(
    tx: &mut ShopTx,
    run_id: i64,
    resource: Resource,
    rows: i64,
) -> sqlx::Result<()> {
    tx.query(
        "update sync_run_parts set rows_expected = $4 where shop_id = $1 and run_id = $2 and resource = $3",
    )
    .bind(run_id)
    .bind(resource.as_str())
    .bind(rows)
    .execute()
    .await?;
    Ok(())
}

/// Moves a part to `status`, recording its bulk operation when given.
pub async fn set_status(
    tx: &mut ShopTx,
    run_id: i64,
    resource: Resource,
    status: &str,
    bulk_operation_id: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query(
        "update sync_run_parts set status = $4, bulk_operation_id = coalesce($5, bulk_operation_id), \
         updated_at = $6 where shop_id = $1 and run_id = $2 and resource = $3",
    )
    .bind(run_id)
    .bind(resource.as_str())
    .bind(status)
    .bind(bulk_operation_id)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// Progress committed with a batch: lines of the file (or the page cursor) consumed, rows
/// written and the newest `updated_at` seen.
pub struct Progress<'a> {
    pub lines: i64,
    pub rows: i64,
    pub max_updated_at: Option<DateTime<Utc>>,
    pub cursor: Option<&'a str>,
}

/// Adds a batch's progress to a part.
pub async fn advance(
    tx: &mut ShopTx,
    run_id: i64,
    resource: Resource,
    p: &Progress<'_>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query(
        "update sync_run_parts set lines_done = lines_done + $4, rows_done = rows_done + $5, \
         max_updated_at = case when max_updated_at is null or max_updated_at < $6 then $6 \
           else max_updated_at end, \
         cursor = coalesce($7, cursor), updated_at = $8 \
         where shop_id = $1 and run_id = $2 and resource = $3",
    )
    .bind(run_id)
    .bind(resource.as_str())
    .bind(p.lines)
    .bind(p.rows)
    .bind(p.max_updated_at)
    .bind(p.cursor)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// Fails a part with a message for the merchant's history.
pub async fn fail_part(
    tx: &mut ShopTx,
    run_id: i64,
    resource: Resource,
    error: &str,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    tx.query(
        "update sync_run_parts set status = 'failed', error = $4, updated_at = $5 \
         where shop_id = $1 and run_id = $2 and resource = $3",
    )
    .bind(run_id)
    .bind(resource.as_str())
    .bind(error)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// Ends a running run. On success the parts' newest `updated_at`s become the watermarks and
/// the state records the time. Returns false when the run had already ended.
pub async fn finish(
    tx: &mut ShopTx,
    run_id: i64,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<bool> {
    let status = if error.is_some() {
        "failed"
    } else {
        "succeeded"
    };
    let ended = tx
        .query(
            "update sync_runs set status = $3, error = $4, finished_at = $5 \
             where shop_id = $1 and id = $2 and status = 'running'",
        )
        .bind(run_id)
        .bind(status)
        .bind(error)
        .bind(now)
        .execute()
        .await?;
    if ended == 0 || error.is_some() {
        return Ok(ended > 0);
    }
    let sql =
        format!("select {PART_COLUMNS} from sync_run_parts where shop_id = $1 and run_id = $2");
    let parts: Vec<Part> = tx.query(&sql).bind(run_id).fetch_all().await?;
    let mut state = state_in(tx).await?;
    for p in parts {
        if let Some(at) = p.max_updated_at {
            let mark = state.watermarks.entry(p.resource).or_insert(at);
            if *mark < at {
                *mark = at;
            }
        }
    }
    let marks = serde_json::to_string(&state.watermarks).unwrap_or_else(|_| "{}".into());
    tx.query(
        "insert into sync_states (shop_id, watermarks, last_success_at) values ($1, $2, $3) \
         on conflict (shop_id) do update set watermarks = excluded.watermarks, \
         last_success_at = excluded.last_success_at",
    )
    .bind(marks)
    .bind(now)
    .execute()
    .await?;
    Ok(true)
}

/// When any part of a run last moved.
pub async fn last_progress_in(tx: &mut ShopTx, run_id: i64) -> sqlx::Result<Option<DateTime<Utc>>> {
    let row: Option<(Option<DateTime<Utc>>,)> = tx
        .query("select max(updated_at) from sync_run_parts where shop_id = $1 and run_id = $2")
        .bind(run_id)
        .fetch_optional()
        .await?;
    Ok(row.and_then(|r| r.0))
}

/// The part running a bulk operation.
pub async fn part_by_operation(tx: &mut ShopTx, operation: &str) -> sqlx::Result<Option<Part>> {
    let sql = format!(
        "select {PART_COLUMNS} from sync_run_parts where shop_id = $1 and bulk_operation_id = $2 \
         order by run_id desc limit 1"
    );
    tx.query(&sql).bind(operation).fetch_optional().await
}

/// Records held: customers (deleted ones left out), orders, products, abandoned checkouts.
pub async fn counts(db: &ShopDb) -> sqlx::Result<(i64, i64, i64, i64)> {
    db.query(
        "select (select count(*) from customers where shop_id = $1 and deleted_at is null), \
         (select count(*) from orders where shop_id = $1), \
         (select count(*) from products where shop_id = $1), \
         (select count(*) from abandoned_checkouts where shop_id = $1)",
    )
    .fetch_one()
    .await
}
