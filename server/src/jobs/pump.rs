//! One worker loop's moving parts: the claimed jobs in flight, their outcomes, and the
//! periodic upkeep (heartbeats, expired leases, schedules, pruning). [`super::Worker`] decides
//! when to call each piece; this file does the work.

use std::any::Any;
use std::collections::HashMap;

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::task::{Id, JoinError, JoinSet};
use tokio::time::Instant;
use tracing::Instrument;

use crate::db::{ShopDb, ShopId};

use super::runner::{RunStats, Worker};
use super::store::{self, Claimed};
use super::{JobCtx, JobId, admin, backoff, schedule};

/// Rows per completion statement, well under both engines' parameter limits.
const COMPLETE_CHUNK: usize = 500;
/// How often done jobs are pruned.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// What the pump remembers about a running job.
struct Running {
    id: i64,
    kind: String,
    attempt: i32,
    max_attempts: i32,
    shop_id: Option<i64>,
}

type Joined = Result<(Id, anyhow::Result<()>), JoinError>;

pub(super) struct Pump<'w> {
    w: &'w Worker,
    tasks: JoinSet<anyhow::Result<()>>,
    meta: HashMap<Id, Running>,
    /// Finished jobs not yet marked done (one statement marks them all).
    done: Vec<i64>,
    /// Jobs aborted at shutdown, to hand back.
    aborted: Vec<i64>,
    rng: StdRng,
    next_prune: Instant,
    pub stats: RunStats,
}

impl<'w> Pump<'w> {
    pub fn new(w: &'w Worker) -> Self {
        Self {
            w,
            tasks: JoinSet::new(),
            meta: HashMap::new(),
            done: Vec::new(),
            aborted: Vec::new(),
            rng: StdRng::from_os_rng(),
            next_prune: Instant::now(),
            stats: RunStats::default(),
        }
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }

    /// Room for more jobs.
    pub fn free(&self) -> usize {
        self.w.opts.concurrency.saturating_sub(self.tasks.len())
    }

    /// Claims as many due jobs as there is room for (at most a batch) and starts them.
    /// Returns (claimed, asked for): fewer than asked means the queue has nothing more due.
    pub async fn claim(&mut self) -> anyhow::Result<(usize, usize)> {
        let asked = self.free().min(self.w.opts.batch_size);
        if asked == 0 {
            return Ok((0, 0));
        }
        let now = self.w.now_ms();
        let lease_until = now + lease_ms(self.w);
        let (w, queues) = (self.w, &self.w.opts.queues);
        let rows =
            store::claim(&w.db, &w.claim_sql, queues, &w.id, now, lease_until, asked).await?;
        let got = rows.len();
        for row in rows {
            self.start(row).await;
        }
        Ok((got, asked))
    }

    async fn start(&mut self, row: Claimed) {
        let w = self.w;
        let ctx = JobCtx {
            db: w.db.clone(),
            clock: w.clock.clone(),
            // The id was written from a shops row when the job was enqueued.
            shop: row
                .shop_id
                .map(|id| ShopDb::new(w.db.clone(), ShopId::from_db(id))),
            job_id: JobId(row.id),
            attempt: row.attempts,
            max_attempts: row.max_attempts,
            extensions: w.registry.extensions.clone(),
        };
        let started = w.registry.start(&row.kind, &row.payload, ctx);
        let run = Running {
            id: row.id,
            kind: row.kind,
            attempt: row.attempts,
            max_attempts: row.max_attempts,
            shop_id: row.shop_id,
        };
        match started {
            Ok(fut) => {
                let span = tracing::info_span!("job", kind = %run.kind, job_id = run.id, shop_id = ?run.shop_id, attempt = run.attempt);
                let handle = self.tasks.spawn(fut.instrument(span));
                self.meta.insert(handle.id(), run);
            }
            // Retrying cannot fix an unknown kind or a bad payload: dead at once, kept for a human.
            Err(e) => self.bury(run, &e.to_string()).await,
        }
    }

    /// The next job to finish (await it only while something runs).
    pub async fn join_next(&mut self) -> Option<Joined> {
        self.tasks.join_next_with_id().await
    }

    /// Records the outcomes of every job that has already finished.
    pub async fn collect_ready(&mut self) {
        while let Some(res) = self.tasks.try_join_next_with_id() {
            self.collect(res).await;
        }
    }

    /// Records one finished job.
    pub async fn collect(&mut self, res: Joined) {
        match res {
            Ok((tid, outcome)) => {
                let Some(run) = self.meta.remove(&tid) else {
                    return;
                };
                match outcome {
                    Ok(()) => self.done.push(run.id),
                    Err(e) => self.fail(run, &format!("{e:#}")).await,
                }
            }
            Err(err) => {
                let Some(run) = self.meta.remove(&err.id()) else {
                    return;
                };
                if err.is_panic() {
                    let msg = panic_message(err.into_panic());
                    self.fail(run, &format!("job panicked: {msg}")).await;
                } else {
                    self.aborted.push(run.id);
                }
            }
        }
    }

    async fn fail(&mut self, run: Running, error: &str) {
        if run.attempt >= run.max_attempts {
            return self.bury(run, error).await;
        }
        let now = self.w.now_ms();
        let delay = backoff::delay(run.attempt, &mut self.rng);
        let retry_at = now + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
        tracing::warn!(kind = %run.kind, job_id = run.id, shop_id = ?run.shop_id, attempt = run.attempt,
            retry_in_ms = retry_at - now, error, "job failed; will retry");
        match store::retry_later(&self.w.db, &self.w.id, run.id, now, retry_at, error).await {
            Ok(_) => self.stats.retried += 1,
            // The lease runs out and the job comes back anyway.
            Err(e) => {
                tracing::error!(job_id = run.id, error = %e, "could not record a job failure")
            }
        }
    }

    async fn bury(&mut self, run: Running, error: &str) {
        tracing::error!(kind = %run.kind, job_id = run.id, shop_id = ?run.shop_id, attempt = run.attempt,
            error, "job is dead");
        match store::bury(&self.w.db, &self.w.id, run.id, self.w.now_ms(), error).await {
            Ok(_) => self.stats.dead += 1,
            Err(e) => tracing::error!(job_id = run.id, error = %e, "could not record a dead job"),
        }
    }

    /// Marks every finished job done, a chunk per statement. On error the ids are kept for
    /// the next flush.
    pub async fn flush(&mut self) -> anyhow::Result<()> {
        let now = self.w.now_ms();
        while !self.done.is_empty() {
            let n = self.done.len().min(COMPLETE_CHUNK);
            self.stats.done +=
                store::complete(&self.w.db, &self.w.id, now, &self.done[..n]).await?;
            self.done.drain(..n);
        }
        Ok(())
    }

    /// Aborts jobs still running after the shutdown grace and hands them back to the queue.
    pub async fn abandon(&mut self) {
        tracing::warn!(
            running = self.tasks.len(),
            "shutdown grace over; handing running jobs back"
        );
        self.tasks.abort_all();
        while let Some(res) = self.tasks.join_next_with_id().await {
            self.collect(res).await;
        }
        let ids = std::mem::take(&mut self.aborted);
        match store::release(&self.w.db, &self.w.id, self.w.now_ms(), &ids).await {
            Ok(n) => self.stats.released += n,
            Err(e) => {
                tracing::error!(error = %e, "could not hand jobs back; their leases will expire")
            }
        }
    }

    /// Heartbeats, expired leases, due schedules and pruning.
    pub async fn maintain(&mut self) -> anyhow::Result<()> {
        let (w, now) = (self.w, self.w.now_ms());
        if !self.tasks.is_empty() {
            store::heartbeat(&w.db, &w.id, now + lease_ms(w)).await?;
        }
        let reclaimed = store::reclaim_expired(&w.db, now).await?;
        if reclaimed > 0 {
            tracing::warn!(
                reclaimed,
                "jobs whose worker stopped were returned to the queue"
            );
        }
        self.stats.schedules_fired += schedule::fire_due(&w.db, now, &w.registry).await?;
        if let Some(keep) = w.opts.keep_done
            && Instant::now() >= self.next_prune
        {
            admin::prune_finished(&w.db, w.clock.now() - chrono::Duration::from_std(keep)?).await?;
            self.next_prune = Instant::now() + PRUNE_EVERY;
        }
        Ok(())
    }
}

fn lease_ms(w: &Worker) -> i64 {
    i64::try_from(w.opts.lease.as_millis()).unwrap_or(i64::MAX / 4)
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
