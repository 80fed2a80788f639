//! Putting jobs on the queue: inside the caller's transaction, or on their own.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::db::{Db, DbTx, ShopId};

use super::store::{self, NewJob};
use super::{Conn, Job, JobId};

/// How to enqueue a job. `EnqueueOpts::default()` means: due now, no shop, the job's own key.
#[derive(Debug, Clone, Default)]
pub struct EnqueueOpts {
    /// Due at this instant instead of now.
    pub run_at: Option<DateTime<Utc>>,
    /// Due this long after `run_at` (or now).
    pub delay: Option<Duration>,
    /// The shop the job serves: the runner hands the job a [`crate::db::ShopDb`] for it, and
    /// its log span names it.
    pub shop_id: Option<ShopId>,
    /// Replaces `Job::unique_key()` for this one job.
    pub unique_key: Option<String>,
}

impl EnqueueOpts {
    /// Due at `at`.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// Due after `delay`.
    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// For this shop.
    pub fn shop(mut self, shop: ShopId) -> Self {
        self.shop_id = Some(shop);
        self
    }

    /// With this unique key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
}

fn new_job<J: Job>(job: &J, opts: &EnqueueOpts, now: DateTime<Utc>) -> anyhow::Result<NewJob> {
    let delay = chrono::Duration::from_std(opts.delay.unwrap_or_default())?;
    Ok(NewJob {
        queue: J::QUEUE.to_string(),
        kind: J::KIND.to_string(),
        payload: serde_json::to_string(job)?,
        shop_id: opts.shop_id.map(ShopId::get),
        unique_key: opts.unique_key.clone().or_else(|| job.unique_key()),
        max_attempts: J::MAX_ATTEMPTS.max(1),
        run_at: (opts.run_at.unwrap_or(now) + delay).timestamp_millis(),
    })
}

/// Enqueues `job` inside the caller's transaction: it exists only if that transaction
/// commits. Returns `None` when a pending or running job already holds its unique key.
///
/// Inside a tenant transaction, pass `shop_tx.as_db_tx()`.
pub async fn enqueue<J: Job>(
    tx: &mut DbTx,
    clock: &Clock,
    job: &J,
    opts: EnqueueOpts,
) -> anyhow::Result<Option<JobId>> {
    let now = clock.now();
    let row = new_job(job, &opts, now)?;
    Ok(store::insert_job(Conn::Tx(tx), now.timestamp_millis(), row)
        .await?
        .map(JobId))
}

/// Enqueues `job` in its own statement, for callers with nothing else to commit.
pub async fn enqueue_now<J: Job>(
    db: &Db,
    clock: &Clock,
    job: &J,
    opts: EnqueueOpts,
) -> anyhow::Result<Option<JobId>> {
    let now = clock.now();
    let row = new_job(job, &opts, now)?;
    Ok(store::insert_job(Conn::Db(db), now.timestamp_millis(), row)
        .await?
        .map(JobId))
}

/// Enqueues many jobs of one kind with multi-row inserts (bulk imports, fan-out). Each job
/// uses its own `unique_key()` (a shared `opts.unique_key` would dedupe all but one).
/// Returns how many were inserted.
pub async fn enqueue_many<J: Job>(
    tx: &mut DbTx,
    clock: &Clock,
    jobs: &[J],
    opts: EnqueueOpts,
) -> anyhow::Result<u64> {
    let now = clock.now();
    let opts = EnqueueOpts {
        unique_key: None,
        ..opts
    };
    let rows = jobs
        .iter()
        .map(|j| new_job(j, &opts, now))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(store::insert_jobs(Conn::Tx(tx), now.timestamp_millis(), rows).await?)
}
