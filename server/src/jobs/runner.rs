//! The worker: claims due jobs in batches, runs them concurrently, records the outcomes.
//!
//! One loop per [`Worker::run`]: claim up to `batch_size` jobs while fewer than `concurrency`
//! run, spawn each as a task in its own tracing span, and mark finished ones done in one
//! statement per pass. A panic in a job surfaces as the task's `JoinError` and counts as a
//! failed attempt. Every `poll_interval` it also extends the leases of its running jobs,
//! returns expired leases of dead workers to the queue and fires due schedules.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use crate::clock::Clock;
use crate::db::Db;

use super::pump::Pump;
use super::registry::Registry;
use super::{schedule, store};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOpts {
    /// Jobs run at once by this worker.
    pub concurrency: usize,
    /// How long a claimed job stays leased without a heartbeat; after that another worker
    /// may run it again. Heartbeats every `lease / 3` keep long jobs leased.
    pub lease: Duration,
    /// How often an idle worker looks for due jobs, schedules and expired leases.
    pub poll_interval: Duration,
    /// Jobs claimed (and marked done) per statement.
    pub batch_size: usize,
    /// The queues this worker serves.
    pub queues: Vec<String>,
    /// How long a stopping worker waits for running jobs before handing them back.
    pub shutdown_grace: Duration,
    /// How long done and cancelled jobs are kept before the worker prunes them (None: never).
    pub keep_done: Option<Duration>,
}

impl Default for WorkerOpts {
    fn default() -> Self {
        Self {
            concurrency: 16,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(500),
            batch_size: 32,
            queues: vec!["default".to_string()],
            shutdown_grace: Duration::from_secs(30),
            keep_done: Some(Duration::from_secs(7 * 24 * 3600)),
        }
    }
}

/// What a worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Jobs that succeeded.
    pub done: u64,
    /// Failed attempts put back with a backoff.
    pub retried: u64,
    /// Jobs moved to the dead letters (out of attempts, unknown kind, bad payload).
    pub dead: u64,
    /// Jobs handed back unfinished at shutdown.
    pub released: u64,
    /// Schedule slots this worker fired.
    pub schedules_fired: u64,
}

/// A job runner. Several may run in one process or many; they share nothing but the database.
#[derive(Debug)]
pub struct Worker {
    pub(super) db: Db,
    pub(super) registry: Arc<Registry>,
    pub(super) clock: Clock,
    pub(super) opts: WorkerOpts,
    pub(super) id: String,
    pub(super) claim_sql: String,
}

impl Worker {
    /// A worker with its own id (written to `locked_by` of the jobs it holds).
    pub fn new(db: Db, registry: Registry, clock: Clock, mut opts: WorkerOpts) -> Self {
        opts.concurrency = opts.concurrency.max(1);
        opts.batch_size = opts.batch_size.clamp(1, 1000);
        if opts.queues.is_empty() {
            opts.queues.push("default".to_string());
        }
        let uuid = uuid::Uuid::new_v4().simple().to_string();
        let id = format!("worker-{}-{}", std::process::id(), &uuid[..12]);
        let claim_sql = store::claim_sql(db.backend(), opts.queues.len());
        Self {
            db,
            registry: Arc::new(registry),
            clock,
            opts,
            id,
            claim_sql,
        }
    }

    /// This worker's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(super) fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// Writes the registry's schedules (idempotent; every process does it at start).
    pub async fn sync_schedules(&self) -> anyhow::Result<()> {
        schedule::upsert_all(&self.db, self.now_ms(), &self.registry).await
    }

    /// Runs until `shutdown` completes, then stops claiming, lets running jobs finish (up to
    /// `shutdown_grace`; the rest go back to the queue) and returns.
    ///
    /// Database errors never end the loop: they are logged and retried on the next poll,
    /// so a database restart only pauses the worker.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> RunStats {
        let mut shutdown = pin!(shutdown);
        let mut pump = Pump::new(self);
        let poll = self.opts.poll_interval;
        let maintain_every = poll.min(self.opts.lease / 3);
        let threshold = (self.opts.batch_size.min(self.opts.concurrency) / 2).max(1);
        let (mut idle, mut next_poll, mut next_maintain) = (false, Instant::now(), Instant::now());
        let mut schedules_synced = false;
        let mut stop_by: Option<Instant> = None;
        tracing::info!(worker = %self.id, queues = ?self.opts.queues, "job worker started");
        loop {
            let now = Instant::now();
            if stop_by.is_none() {
                if now >= next_maintain {
                    if !schedules_synced {
                        schedules_synced =
                            self.sync_schedules().await.inspect_err(log_error).is_ok();
                    }
                    let _ = pump.maintain().await.inspect_err(log_error);
                    next_maintain = now + maintain_every;
                }
                if pump.free() >= threshold && (!idle || now >= next_poll) {
                    match pump.claim().await {
                        Ok((got, asked)) => idle = got < asked,
                        Err(e) => {
                            log_error(&e);
                            idle = true;
                        }
                    }
                    if idle {
                        next_poll = Instant::now() + poll;
                    }
                }
            }
            if stop_by.is_some() && pump.running() == 0 {
                break;
            }
            let wake = match stop_by {
                Some(deadline) => deadline,
                None if pump.free() >= threshold && !idle => Instant::now(),
                None if pump.free() >= threshold => next_poll.min(next_maintain),
                None => next_maintain,
            };
            tokio::select! {
                biased;
                Some(res) = pump.join_next(), if pump.running() > 0 => pump.collect(res).await,
                () = &mut shutdown, if stop_by.is_none() => {
                    tracing::info!(worker = %self.id, running = pump.running(), "job worker stopping");
                    stop_by = Some(Instant::now() + self.opts.shutdown_grace);
                }
                () = sleep_until(wake) => {
                    if stop_by.is_some_and(|d| Instant::now() >= d) {
                        pump.abandon().await;
                    }
                }
            }
            pump.collect_ready().await;
            let _ = pump.flush().await.inspect_err(log_error);
        }
        // A failed flush keeps its ids; one last try before leaving.
        let _ = pump.flush().await.inspect_err(log_error);
        tracing::info!(worker = %self.id, stats = ?pump.stats, "job worker stopped");
        pump.stats
    }

    /// Runs every due job (and the jobs those enqueue, when due) until none is left, then
    /// returns. For tests and one-off commands; errors are returned, not retried.
    pub async fn drain(&self) -> anyhow::Result<RunStats> {
        self.sync_schedules().await?;
        let mut pump = Pump::new(self);
        loop {
            pump.maintain().await?;
            let (claimed, _) = pump.claim().await?;
            if pump.running() == 0 {
                if claimed == 0 {
                    break;
                }
            } else if let Some(res) = pump.join_next().await {
                pump.collect(res).await;
            }
            pump.collect_ready().await;
            pump.flush().await?;
        }
        Ok(pump.stats)
    }
}

fn log_error(e: &anyhow::Error) {
    tracing::warn!(error = %format!("{e:#}"), "job worker: database error; will retry");
}
