//! Test jobs and helpers shared by the job queue tests.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use chrono::DateTime;
use ecomcrm::clock::Clock;
use ecomcrm::db::Db;
use ecomcrm::jobs::{Job, JobCtx, Registry, WorkerOpts};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

/// 2026-01-01T00:00:00Z, a round instant so schedule slots are easy to reason about.
pub fn fixed_clock() -> Clock {
    Clock::fixed(DateTime::from_timestamp(1_767_225_600, 0).expect("valid instant"))
}

/// The table jobs write their runs to (no unique constraint, so a double run shows up).
pub async fn create_runs_table(db: &Db) -> anyhow::Result<()> {
    db.query("create table job_runs (job_id bigint not null, tag text not null, attempt bigint not null)")
        .execute()
        .await?;
    Ok(())
}

/// (runs, distinct jobs that ran).
pub async fn runs(db: &Db) -> anyhow::Result<(i64, i64)> {
    Ok(db
        .query(
            "select cast(count(*) as bigint), cast(count(distinct job_id) as bigint) from job_runs",
        )
        .fetch_one()
        .await?)
}

async fn record(ctx: &JobCtx, tag: &str) -> anyhow::Result<()> {
    ctx.db
        .query("insert into job_runs (job_id, tag, attempt) values ($1, $2, $3)")
        .bind(ctx.job_id.0)
        .bind(tag)
        .bind(ctx.attempt)
        .execute()
        .await
        .context("recording the run")?;
    Ok(())
}

/// Records one run.
#[derive(Serialize, Deserialize)]
pub struct Record {
    pub tag: String,
}

impl Job for Record {
    const KIND: &'static str = "test_record";
    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        record(ctx, &self.tag).await
    }
}

/// An older shape of `Record` (same KIND, other fields): its stored payload no longer decodes.
#[derive(Serialize, Deserialize)]
pub struct RecordV0 {
    pub label: i64,
}

impl Job for RecordV0 {
    const KIND: &'static str = "test_record";
    async fn run(&self, _: &JobCtx) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Dedupes on its customer id through `Job::unique_key`.
#[derive(Serialize, Deserialize)]
pub struct RecomputeCustomer {
    pub customer_id: i64,
}

impl Job for RecomputeCustomer {
    const KIND: &'static str = "test_recompute_customer";
    fn unique_key(&self) -> Option<String> {
        Some(format!("recompute_customer:{}", self.customer_id))
    }
    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        record(ctx, &self.customer_id.to_string()).await
    }
}

/// Fails every time.
#[derive(Serialize, Deserialize)]
pub struct AlwaysFail;

impl Job for AlwaysFail {
    const KIND: &'static str = "test_always_fail";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        anyhow::bail!("upstream said no (attempt {})", ctx.attempt)
    }
}

/// Panics every time.
#[derive(Serialize, Deserialize)]
pub struct Panics;

impl Job for Panics {
    const KIND: &'static str = "test_panics";
    const MAX_ATTEMPTS: i32 = 1;
    async fn run(&self, _: &JobCtx) -> anyhow::Result<()> {
        panic!("index out of bounds in a handler")
    }
}

/// Never registered with any worker.
#[derive(Serialize, Deserialize)]
pub struct Unregistered;

impl Job for Unregistered {
    const KIND: &'static str = "test_unregistered";
    async fn run(&self, _: &JobCtx) -> anyhow::Result<()> {
        Ok(())
    }
}

/// Lets a test see a job start and hold it running.
#[derive(Default)]
pub struct Signals {
    pub started: Notify,
}

/// Signals its start, then hangs forever on its first attempt (a worker that dies
/// mid-job); on later attempts it records a run and succeeds.
#[derive(Serialize, Deserialize)]
pub struct HangOnFirstAttempt;

impl Job for HangOnFirstAttempt {
    const KIND: &'static str = "test_hang_on_first_attempt";
    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        ctx.get::<Arc<Signals>>()?.started.notify_one();
        if ctx.attempt == 1 {
            std::future::pending::<()>().await;
        }
        record(ctx, "recovered").await
    }
}

/// Signals its start, works for `millis` of real time, then records a run.
#[derive(Serialize, Deserialize)]
pub struct Slow {
    pub millis: u64,
}

impl Job for Slow {
    const KIND: &'static str = "test_slow";
    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        ctx.get::<Arc<Signals>>()?.started.notify_one();
        tokio::time::sleep(Duration::from_millis(self.millis)).await;
        record(ctx, "slow").await
    }
}

/// Every test job except `Unregistered`, plus the signals they use.
pub fn registry(signals: Arc<Signals>) -> Registry {
    Registry::new()
        .register::<Record>()
        .register::<RecomputeCustomer>()
        .register::<AlwaysFail>()
        .register::<Panics>()
        .register::<HangOnFirstAttempt>()
        .register::<Slow>()
        .provide(signals)
}

/// Options for tests: short polls so `run` reacts fast.
pub fn opts() -> WorkerOpts {
    WorkerOpts {
        poll_interval: Duration::from_millis(20),
        ..WorkerOpts::default()
    }
}

/// Waits for a job to signal its start, failing the test after a while instead of hanging.
pub async fn wait_started(signals: &Signals) -> anyhow::Result<()> {
    tokio::time::timeout(Duration::from_secs(20), signals.started.notified())
        .await
        .context("the job never started")
}
