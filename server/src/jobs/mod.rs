//! The durable job queue: jobs live in the same database as the data they work on.
//!
//! Enqueue inside the caller's transaction ([`enqueue`]), so a job exists exactly when the
//! change that asked for it was committed. Workers ([`Worker`]) claim due jobs in batches under
//! a lease, run them concurrently, retry failures with exponential backoff and jitter, and move
//! a job that keeps failing (or cannot be decoded) to the dead letters ([`list_dead`]). A job
//! whose worker died runs again once its lease expires, so handlers must be idempotent and
//! carry ids, not rows (CONVENTIONS rule 6). Recurring work is a [`Schedule`].
//!
//! Wiring: build one [`Registry`] (jobs, schedules and the services jobs need), then
//! `Worker::new(db, registry, clock, WorkerOpts::default()).run(shutdown)`.

mod admin;
mod backoff;
mod ctx;
mod enqueue;
mod pump;
mod registry;
mod runner;
mod schedule;
mod store;

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::{Db, DbTx, Query};

pub use admin::{
    JobRecord, QueueStats, cancel_by_key, cancel_for_shop, find_job, list_dead, prune_finished,
    queue_stats, retry_dead,
};
pub use ctx::{Extensions, JobCtx};
pub use enqueue::{EnqueueOpts, enqueue, enqueue_many, enqueue_now};
pub use registry::Registry;
pub use runner::{RunStats, Worker, WorkerOpts};
pub use schedule::Schedule;

/// A kind of background work. Implement it on a small serializable struct of ids.
///
/// ```ignore
/// #[derive(Serialize, Deserialize)]
/// struct RecomputeRfm { customer_id: i64 }
/// impl Job for RecomputeRfm {
///     const KIND: &'static str = "recompute_rfm";
///     async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> { … }
/// }
/// ```
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stable snake_case name stored with each job. Never rename it: stored jobs would
    /// no longer find their handler and go dead.
    const KIND: &'static str;
    /// The queue it runs on; workers choose which queues they serve.
    const QUEUE: &'static str = "default";
    /// Runs allowed before the job is dead.
    const MAX_ATTEMPTS: i32 = 10;

    /// A key that dedupes: while a pending or running job holds it, enqueuing another with
    /// the same key does nothing. It also names the job for [`cancel_by_key`].
    fn unique_key(&self) -> Option<String> {
        None
    }

    /// Does the work. An error (or a panic) is a failed attempt, retried with backoff.
    fn run(&self, ctx: &JobCtx) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// A job's primary key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

impl std::fmt::Display for JobId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for its `run_at` and a worker.
    Pending,
    /// Leased to a worker.
    Running,
    /// Finished successfully.
    Done,
    /// Out of attempts, or undeliverable (unknown kind, bad payload); kept with its last error.
    Dead,
    /// Cancelled by key before it ran.
    Cancelled,
}

impl JobState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
            JobState::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => JobState::Pending,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "dead" => JobState::Dead,
            "cancelled" => JobState::Cancelled,
            _ => return None,
        })
    }
}

/// Either a pool or an open transaction, so a function can run in the caller's transaction.
pub enum Conn<'a> {
    /// Autocommit on the pool.
    Db(&'a Db),
    /// Inside the caller's transaction.
    Tx(&'a mut DbTx),
}

impl<'a> From<&'a Db> for Conn<'a> {
    fn from(db: &'a Db) -> Self {
        Conn::Db(db)
    }
}

impl<'a> From<&'a mut DbTx> for Conn<'a> {
    fn from(tx: &'a mut DbTx) -> Self {
        Conn::Tx(tx)
    }
}

impl Conn<'_> {
    fn query<'s>(&'s mut self, sql: &'s str) -> Query<'s> {
        match self {
            Conn::Db(db) => db.query(sql),
            Conn::Tx(tx) => tx.query(sql),
        }
    }
}
