//! The full import: one bulk operation per resource, started together (Shopify runs up to five
//! per shop), each finished by the `bulk_operations/finish` webhook or by polling, whichever
//! comes first; then its JSONL file is streamed and written in batches. Each batch commits with
//! the count of file lines it consumed, so an import that dies resumes after the last committed
//! batch, and upserts make a replayed batch harmless.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::admin_calls::{self, Started};
use super::batch::{Batch, Builder};
use super::jsonl::Groups;
use super::records::Resource;
use super::runs::{self, Progress};
use super::{progress, start};
use crate::db::ShopDb;
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::state::AppState;

/// Root records written per transaction.
pub const BATCH: usize = 1_000;

/// How long to wait between polls of running bulk operations.
const POLL_EVERY: Duration = Duration::from_secs(3);

/// Starts the bulk operations of a full run and the poll that watches them.
#[derive(Debug, Serialize, Deserialize)]
pub struct BeginFullImport {
    pub run_id: i64,
}

impl Job for BeginFullImport {
    const KIND: &'static str = "begin_full_import";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let result = self.begin(ctx, state, db).await;
        if let Err(e) = &result
            && ctx.is_last_attempt()
        {
            start::fail_run(
                db,
                &ctx.clock,
                self.run_id,
                None,
                &format!("could not start: {e}"),
            )
            .await?;
        }
        result
    }
}

impl BeginFullImport {
    async fn begin(&self, ctx: &JobCtx, state: &AppState, db: &ShopDb) -> anyhow::Result<()> {
        let shop = db.shop_id();
        let Some(run) = runs::find(db, self.run_id).await? else {
            return Ok(());
        };
        if run.status != "running" {
            return Ok(());
        }
        if let Some(counts) = admin_calls::counts(state, shop).await? {
            let mut tx = db.begin().await?;
            let now = ctx.clock.now();
            for (resource, n) in counts {
                runs::expect(&mut tx, run.id, resource, n).await?;
                // Nothing to export: no bulk operation (a new store has no orders yet). A record
                // created from now on is after the install, so the delta sync brings it.
                if n == 0 {
                    runs::set_status(&mut tx, run.id, resource, "done", None, now).await?;
                }
            }
            tx.commit().await?;
        }
        let mut waiting = false;
        for part in runs::parts(db, run.id).await? {
            let Some(resource) = part.resource() else {
                continue;
            };
            if part.status != "pending" {
                continue;
            }
            let now = ctx.clock.now();
            match admin_calls::start_bulk(state, shop, resource).await? {
                None => return Ok(()),
                Some(Started::Running(op)) => {
                    let mut tx = db.begin().await?;
                    runs::set_status(&mut tx, run.id, resource, "running", Some(&op), now).await?;
                    tx.commit().await?;
                    waiting = true;
                }
                Some(Started::Busy(message)) => {
                    anyhow::bail!("Shopify is running other bulk operations: {message}");
                }
                Some(Started::Refused(message)) => {
                    let mut tx = db.begin().await?;
                    runs::fail_part(&mut tx, run.id, resource, &message, now).await?;
                    let opts = EnqueueOpts::default().shop(shop);
                    enqueue(
                        tx.as_db_tx(),
                        &ctx.clock,
                        &start::FinishSyncRun { run_id: run.id },
                        opts,
                    )
                    .await?;
                    tx.commit().await?;
                    return Ok(());
                }
            }
        }
        let waiting = waiting
            || runs::parts(db, run.id)
                .await?
                .iter()
                .any(|p| p.status == "running");
        let mut tx = db.begin().await?;
        if waiting {
            enqueue_poll(&mut tx, ctx, run.id).await?;
        } else {
            let opts = EnqueueOpts::default().shop(shop);
            enqueue(
                tx.as_db_tx(),
                &ctx.clock,
                &start::FinishSyncRun { run_id: run.id },
                opts,
            )
            .await?;
        }
        tx.commit().await?;
        progress::publish(state, shop, run.id, ctx.clock.now()).await;
        Ok(())
    }
}

async fn enqueue_poll(tx: &mut crate::db::ShopTx, ctx: &JobCtx, run_id: i64) -> anyhow::Result<()> {
    let opts = EnqueueOpts::default()
        .shop(ctx.shop()?.shop_id())
        .after(POLL_EVERY)
        .key(format!("poll_bulk_import:{run_id}"));
    enqueue(tx.as_db_tx(), &ctx.clock, &PollBulkImport { run_id }, opts).await?;
    Ok(())
}

/// Enqueues the import of a part whose bulk operation completed (deduped per part).
pub async fn enqueue_import(
    tx: &mut crate::db::ShopTx,
    ctx: &JobCtx,
    run_id: i64,
    resource: Resource,
) -> anyhow::Result<()> {
    let opts = EnqueueOpts::default()
        .shop(ctx.shop()?.shop_id())
        .key(format!("import_bulk_part:{run_id}:{}", resource.as_str()));
    enqueue(
        tx.as_db_tx(),
        &ctx.clock,
        &ImportBulkPart { run_id, resource },
        opts,
    )
    .await?;
    Ok(())
}

/// Watches a run's bulk operations until each has completed (then its import is enqueued) or
/// failed (then the run fails). Re-enqueues itself while any is still running.
#[derive(Debug, Serialize, Deserialize)]
pub struct PollBulkImport {
    pub run_id: i64,
}

impl Job for PollBulkImport {
    const KIND: &'static str = "poll_bulk_import";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let Some(run) = runs::find(db, self.run_id).await? else {
            return Ok(());
        };
        if run.status != "running" {
            return Ok(());
        }
        let mut waiting = false;
        for part in runs::parts(db, run.id).await? {
            let (Some(resource), Some(op_id)) =
                (part.resource(), part.bulk_operation_id.as_deref())
            else {
                continue;
            };
            if part.status != "running" {
                continue;
            }
            let Some(op) = admin_calls::bulk_operation(state, db.shop_id(), op_id).await? else {
                return Ok(());
            };
            let mut tx = db.begin().await?;
            match op {
                Some(op) if op.status == "COMPLETED" => {
                    enqueue_import(&mut tx, ctx, run.id, resource).await?;
                }
                Some(op) if op.failed() => {
                    let why = format!(
                        "bulk operation {} ({})",
                        op.status.to_lowercase(),
                        op.error_code.as_deref().unwrap_or("no error code")
                    );
                    part_failed(&mut tx, ctx, run.id, resource, &why).await?;
                }
                Some(_) => waiting = true,
                None => {
                    part_failed(&mut tx, ctx, run.id, resource, "bulk operation not found").await?;
                }
            }
            tx.commit().await?;
        }
        if waiting {
            let mut tx = db.begin().await?;
            enqueue_poll(&mut tx, ctx, run.id).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

async fn part_failed(
    tx: &mut crate::db::ShopTx,
    ctx: &JobCtx,
    run_id: i64,
    resource: Resource,
    why: &str,
) -> anyhow::Result<()> {
    runs::fail_part(tx, run_id, resource, why, ctx.clock.now()).await?;
    let opts = EnqueueOpts::default().shop(ctx.shop()?.shop_id());
    enqueue(
        tx.as_db_tx(),
        &ctx.clock,
        &start::FinishSyncRun { run_id },
        opts,
    )
    .await?;
    Ok(())
}

/// `bulk_operations/finish`: the part running that operation gets its import (or fails).
pub async fn on_finish_webhook(
    ctx: &JobCtx,
    tx: &mut crate::db::ShopTx,
    payload: &str,
) -> anyhow::Result<()> {
    #[derive(Deserialize)]
    struct Finish {
        admin_graphql_api_id: String,
        status: String,
        error_code: Option<String>,
    }
    let finish: Finish = serde_json::from_str(payload).context("bulk_operations/finish payload")?;
    let Some(part) = runs::part_by_operation(tx, &finish.admin_graphql_api_id).await? else {
        return Ok(());
    };
    let Some(resource) = part.resource() else {
        return Ok(());
    };
    if part.status != "running" {
        return Ok(());
    }
    if finish.status.eq_ignore_ascii_case("completed") {
        enqueue_import(tx, ctx, part.run_id, resource).await
    } else {
        let why = format!(
            "bulk operation {} ({})",
            finish.status.to_lowercase(),
            finish.error_code.as_deref().unwrap_or("no error code")
        );
        part_failed(tx, ctx, part.run_id, resource, &why).await
    }
}

/// Streams one completed bulk operation's file into the store.
#[derive(Debug, Serialize, Deserialize)]
pub struct ImportBulkPart {
    pub run_id: i64,
    pub resource: Resource,
}

impl Job for ImportBulkPart {
    const KIND: &'static str = "import_bulk_part";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let result = self.import(ctx).await;
        if let Err(e) = &result
            && ctx.is_last_attempt()
        {
            start::fail_run(
                db,
                &ctx.clock,
                self.run_id,
                Some(self.resource),
                &e.to_string(),
            )
            .await?;
        }
        result
    }
}

impl ImportBulkPart {
    async fn import(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let shop = db.shop_id();
        let mut tx = db.begin().await?;
        let part = runs::part_in(&mut tx, self.run_id, self.resource).await?;
        drop(tx);
        let Some(part) = part else { return Ok(()) };
        if !matches!(part.status.as_str(), "running" | "importing") {
            return Ok(());
        }
        let op_id = part
            .bulk_operation_id
            .clone()
            .context("part has no bulk operation")?;
        let Some(op) = admin_calls::bulk_operation(state, shop, &op_id).await? else {
            return Ok(());
        };
        let Some(op) = op.filter(|op| op.status == "COMPLETED") else {
            anyhow::bail!("bulk operation {op_id} has not completed");
        };
        let now = ctx.clock.now();
        let mut tx = db.begin().await?;
        runs::set_status(&mut tx, self.run_id, self.resource, "importing", None, now).await?;
        if let Some(n) = op.roots() {
            runs::expect(&mut tx, self.run_id, self.resource, n).await?;
        }
        tx.commit().await?;
        progress::publish(state, shop, self.run_id, now).await;
        if let Some(url) = op.url.as_deref() {
            self.stream(ctx, state, db, url, part.lines_done).await?;
        }
        let mut tx = db.begin().await?;
        runs::set_status(
            &mut tx,
            self.run_id,
            self.resource,
            "done",
            None,
            ctx.clock.now(),
        )
        .await?;
        let opts = EnqueueOpts::default().shop(shop);
        enqueue(
            tx.as_db_tx(),
            &ctx.clock,
            &start::FinishSyncRun {
                run_id: self.run_id,
            },
            opts,
        )
        .await?;
        tx.commit().await?;
        progress::publish(state, shop, self.run_id, ctx.clock.now()).await;
        Ok(())
    }

    /// Reads the file after the committed lines, writing batches while the next one parses.
    async fn stream(
        &self,
        ctx: &JobCtx,
        state: &AppState,
        db: &ShopDb,
        url: &str,
        skip: i64,
    ) -> anyhow::Result<()> {
        let response = state
            .http
            .get(url)
            .timeout(Duration::from_secs(6 * 3600))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("bulk result download: {}", e.without_url()))?;
        anyhow::ensure!(
            response.status().is_success(),
            "bulk result download: HTTP {}",
            response.status()
        );
        let mut groups = Groups::new(response);
        groups.skip(skip).await?;
        let history = runs::state(db).await?.historical_before;
        let currency = shop_currency(db).await?;
        let mut builder = Builder::new(self.resource, currency);
        let mut writing: Option<tokio::task::JoinHandle<anyhow::Result<()>>> = None;
        let mut throttle = progress::Throttle::new(Duration::from_millis(250));
        loop {
            let group = groups.next_group().await?;
            let end = group.is_none();
            if let Some(group) = group {
                builder.add(group)?;
            }
            if builder.len() < BATCH && !end {
                continue;
            }
            let batch = builder.take();
            if let Some(previous) = writing.take() {
                previous.await??;
                if throttle.due() {
                    progress::publish(state, db.shop_id(), self.run_id, ctx.clock.now()).await;
                }
            }
            if !batch.is_empty() {
                let job = WriteBatch {
                    db: db.clone(),
                    run_id: self.run_id,
                    resource: self.resource,
                    history,
                    now: ctx.clock.now(),
                };
                writing = Some(tokio::spawn(job.write(batch)));
            }
            if end {
                break;
            }
        }
        if let Some(previous) = writing.take() {
            previous.await??;
        }
        if builder.skipped > 0 {
            tracing::warn!(
                run_id = self.run_id,
                resource = self.resource.as_str(),
                skipped = builder.skipped,
                first = builder.first_error.as_deref().unwrap_or(""),
                "records that did not parse were skipped"
            );
        }
        Ok(())
    }
}

/// One batch's write, run beside the parsing of the next.
struct WriteBatch {
    db: ShopDb,
    run_id: i64,
    resource: Resource,
    history: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
}

impl WriteBatch {
    async fn write(self, batch: Batch) -> anyhow::Result<()> {
        let mut tx = self.db.begin().await?;
        let rows = batch.write(&mut tx, self.history).await?;
        let p = Progress {
            lines: batch.lines,
            rows,
            max_updated_at: batch.max_updated_at,
            cursor: None,
        };
        runs::advance(&mut tx, self.run_id, self.resource, &p, self.now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The shop currency (variant prices carry no currency of their own).
pub async fn shop_currency(db: &ShopDb) -> sqlx::Result<String> {
    let row: Option<(String,)> = db
        .query("select currency_code from shop_profiles where shop_id = $1")
        .fetch_optional()
        .await?;
    Ok(row.map_or_else(|| "USD".to_string(), |r| r.0))
}
