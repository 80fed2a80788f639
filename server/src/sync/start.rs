//! Starting and ending sync runs. One run at a time per shop (a partial unique index holds
//! that even under concurrent starts). A run's work is jobs: a full import's bulk operations
//! ([`super::full`]) or a delta's pages ([`super::delta`]); [`FinishSyncRun`] closes it once
//! every resource is done.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::runs::{self, Run, RunKind, Trigger};
use super::{counters, progress};
use crate::clock::Clock;
use crate::crm::predictions::RefitPredictions;
use crate::crm::rfm::RecomputeSegments;
use crate::db::ShopDb;
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::shopify::shops;
use crate::state::AppState;

/// How often the scheduled delta sync runs for every installed shop.
pub const DELTA_EVERY: Duration = Duration::from_secs(15 * 60);

/// A run with no progress for this long is taken as interrupted (its jobs were lost, e.g. the
/// shop was uninstalled mid-import) and a new start replaces it.
const STALLED_AFTER: chrono::Duration = chrono::Duration::minutes(30);

/// Starts a run unless one is in progress; returns the run that is now in progress. A delta
/// asked for before any run succeeded becomes a full import. Orders created before
/// `history_ends` (the install) are historical.
pub async fn start_run(
    db: &ShopDb,
    clock: &Clock,
    kind: RunKind,
    trigger: Trigger,
    history_ends: Option<DateTime<Utc>>,
) -> anyhow::Result<Run> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some(run) = runs::running_in(&mut tx).await? {
        let last = runs::last_progress_in(&mut tx, run.id)
            .await?
            .unwrap_or(run.started_at);
        if now - last < STALLED_AFTER {
            return Ok(run);
        }
        runs::finish(
            &mut tx,
            run.id,
            Some("interrupted: no progress for 30 minutes"),
            now,
        )
        .await?;
        tracing::warn!(run_id = run.id, "stalled sync run closed");
    }
    let state = runs::state_in(&mut tx).await?;
    let kind = if kind == RunKind::Delta && state.last_success_at.is_none() {
        RunKind::Full
    } else {
        kind
    };
    let id = match runs::create(&mut tx, kind, trigger, now).await {
        Ok(id) => id,
        Err(e) if is_unique_violation(&e) => {
            // Another start won the race: report its run.
            drop(tx);
            return runs::running(db)
                .await?
                .ok_or_else(|| anyhow::anyhow!("sync run vanished"));
        }
        Err(e) => return Err(e.into()),
    };
    let opts = EnqueueOpts::default().shop(db.shop_id());
    match kind {
        RunKind::Full => {
            runs::mark_history(&mut tx, history_ends.unwrap_or(now)).await?;
            enqueue(
                tx.as_db_tx(),
                clock,
                &super::full::BeginFullImport { run_id: id },
                opts,
            )
            .await?;
        }
        RunKind::Delta => {
            enqueue(
                tx.as_db_tx(),
                clock,
                &super::delta::RunDelta { run_id: id },
                opts,
            )
            .await?;
        }
    }
    let run = runs::running_in(&mut tx).await?;
    tx.commit().await?;
    tracing::info!(
        run_id = id,
        kind = kind.as_str(),
        trigger = trigger.as_str(),
        "sync run started"
    );
    run.ok_or_else(|| anyhow::anyhow!("sync run {id} not found after insert"))
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// Starts a run from a job (install, schedule).
#[derive(Debug, Serialize, Deserialize)]
pub struct StartSync {
    pub kind: RunKind,
    pub trigger: Trigger,
}

impl Job for StartSync {
    const KIND: &'static str = "start_sync";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let Some(shop) = shops::find_by_id(&ctx.db, db.shop_id()).await? else {
            return Ok(());
        };
        if shop.uninstalled_at.is_some() {
            return Ok(());
        }
        let run = start_run(db, &ctx.clock, self.kind, self.trigger, shop.installed_at).await?;
        if let Ok(state) = ctx.get::<AppState>() {
            progress::publish(state, db.shop_id(), run.id, ctx.clock.now()).await;
        }
        Ok(())
    }
}

/// Enqueues the first full import of a shop, in the install's transaction.
pub async fn enqueue_after_install(
    tx: &mut crate::db::DbTx,
    clock: &Clock,
    shop: crate::db::ShopId,
) -> anyhow::Result<()> {
    let job = StartSync {
        kind: RunKind::Full,
        trigger: Trigger::Install,
    };
    let opts = EnqueueOpts::default()
        .shop(shop)
        .key(format!("start_sync:{}", shop.get()));
    enqueue(tx, clock, &job, opts).await?;
    Ok(())
}

/// Fans out a scheduled delta sync to every installed shop whose store has been imported once
/// (run by a schedule; the first import is the install's or the merchant's to start).
#[derive(Debug, Serialize, Deserialize)]
pub struct ScheduleDeltaSyncs {}

impl Job for ScheduleDeltaSyncs {
    const KIND: &'static str = "schedule_delta_syncs";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let installed = shops::list_installed(&ctx.db).await?;
        let mut imported = Vec::new();
        for shop in installed {
            if runs::state(&shop.db(&ctx.db))
                .await?
                .last_success_at
                .is_some()
            {
                imported.push(shop);
            }
        }
        let mut tx = ctx.db.begin().await?;
        for shop in &imported {
            let job = StartSync {
                kind: RunKind::Delta,
                trigger: Trigger::Schedule,
            };
            let opts = EnqueueOpts::default()
                .shop(shop.id)
                .key(format!("start_sync:{}", shop.id.get()));
            enqueue(&mut tx, &ctx.clock, &job, opts).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Closes a run once all its parts are done (or one failed). Enqueued by every part that ends,
/// without a unique key, so the last part's copy always sees every part's commit.
#[derive(Debug, Serialize, Deserialize)]
pub struct FinishSyncRun {
    pub run_id: i64,
}

impl Job for FinishSyncRun {
    const KIND: &'static str = "finish_sync_run";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let parts = runs::parts(db, self.run_id).await?;
        let failed = parts.iter().find(|p| p.status == "failed");
        let all_done = parts.iter().all(|p| p.status == "done");
        if failed.is_none() && !all_done {
            return Ok(());
        }
        let Some(run) = runs::find(db, self.run_id).await? else {
            return Ok(());
        };
        if run.status != "running" {
            return Ok(());
        }
        let now = ctx.clock.now();
        let mut tx = db.begin().await?;
        let error =
            failed.map(|p| format!("{}: {}", p.resource, p.error.as_deref().unwrap_or("failed")));
        if error.is_none() && run.kind == RunKind::Full.as_str() {
            let n = counters::refresh_all(&mut tx).await?;
            tracing::info!(
                run_id = run.id,
                customers = n,
                "customer counters recomputed"
            );
            // Fresh counters: score every customer now rather than at the next local morning.
            let opts = EnqueueOpts::default()
                .shop(db.shop_id())
                .key(format!("recompute_segments:{}", db.shop_id().get()));
            enqueue(tx.as_db_tx(), &ctx.clock, &RecomputeSegments {}, opts).await?;
            // And predictions from the imported history (scheduled refits wait for a new day).
            let refit = crate::crm::predictions::refit_opts(db.shop_id());
            enqueue(tx.as_db_tx(), &ctx.clock, &RefitPredictions {}, refit).await?;
        }
        runs::finish(&mut tx, run.id, error.as_deref(), now).await?;
        tx.commit().await?;
        tracing::info!(
            run_id = run.id,
            error = error.as_deref().unwrap_or(""),
            "sync run finished"
        );
        if let Ok(state) = ctx.get::<AppState>() {
            progress::publish(state, db.shop_id(), run.id, now).await;
        }
        Ok(())
    }
}

/// Ends a run as failed (a part's job ran out of attempts), with the reason.
pub async fn fail_run(
    db: &ShopDb,
    clock: &Clock,
    run_id: i64,
    resource: Option<super::records::Resource>,
    error: &str,
) -> anyhow::Result<()> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    if let Some(resource) = resource {
        runs::fail_part(&mut tx, run_id, resource, error, now).await?;
    }
    runs::finish(&mut tx, run_id, Some(error), now).await?;
    tx.commit().await?;
    Ok(())
}

/// A run's job outcome: on its last attempt a failure ends the run as failed (with the reason
/// the merchant sees), so a run never stays "running" after its work went to the dead letters.
pub async fn fail_on_last_attempt(
    ctx: &JobCtx,
    run_id: i64,
    resource: Option<super::records::Resource>,
    result: anyhow::Result<()>,
) -> anyhow::Result<()> {
    if let Err(e) = &result
        && ctx.is_last_attempt()
    {
        fail_run(
            ctx.shop()?,
            &ctx.clock,
            run_id,
            resource,
            &merchant_reason(e),
        )
        .await?;
    }
    result
}

/// What the run history may show of a failure: Shopify's own refusals as they are; anything
/// else (a database or file error) only as a generic line, its details staying in the logs.
fn merchant_reason(e: &anyhow::Error) -> String {
    use crate::shopify::admin_client::ShopifyError;
    match e.downcast_ref::<ShopifyError>() {
        Some(shopify) => shopify.to_string(),
        None => match e.downcast_ref::<super::jsonl::FileError>() {
            Some(file) => file.to_string(),
            None => {
                tracing::error!(error = %format!("{e:#}"), "sync run failed");
                "internal error; the details are in the server log".to_string()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::merchant_reason;
    use crate::shopify::admin_client::ShopifyError;

    #[test]
    fn a_failed_run_shows_shopify_refusals_but_never_internal_details() {
        let shopify = anyhow::Error::from(ShopifyError::Throttled);
        assert_eq!(merchant_reason(&shopify), "Shopify throttled the request");
        let db = anyhow::Error::from(sqlx::Error::Protocol("relation sync_runs secret".into()));
        let shown = merchant_reason(&db);
        assert!(!shown.contains("sync_runs"), "{shown}");
        assert!(shown.contains("server log"));
    }
}
