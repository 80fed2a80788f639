//! Looking at and repairing the queue: one job, dead letters, counts, cancellation, pruning.
//!
//! Unscoped SQL on the platform `jobs` table, like `store.rs`; the runner's hot path is there.

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::db::{Db, ShopId};

use super::{Conn, JobId, JobState};

/// A job as stored, for admin screens, tests and the dead-letter list.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRecord {
    /// The job's id.
    pub id: JobId,
    /// The queue it runs on.
    pub queue: String,
    /// The stable `Job::KIND`.
    pub kind: String,
    /// The JSON payload as stored (kept as text: it may be one that no longer deserializes).
    pub payload: String,
    /// The shop the job serves, if any.
    pub shop_id: Option<i64>,
    /// Its dedupe/cancellation key, if any.
    pub unique_key: Option<String>,
    /// Where it is in its life.
    pub state: JobState,
    /// Runs started so far.
    pub attempts: i32,
    /// Runs allowed before it is dead.
    pub max_attempts: i32,
    /// When it is (or was) due.
    pub run_at: DateTime<Utc>,
    /// The lease end while running.
    pub locked_until: Option<DateTime<Utc>>,
    /// The worker that holds (or last finished) it.
    pub locked_by: Option<String>,
    /// The error of the last failed run.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it became done, dead or cancelled.
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    id: i64,
    queue: String,
    kind: String,
    payload: String,
    shop_id: Option<i64>,
    unique_key: Option<String>,
    state: String,
    attempts: i32,
    max_attempts: i32,
    run_at: i64,
    locked_until: Option<i64>,
    locked_by: Option<String>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

const JOB_COLUMNS: &str = "id, queue, kind, payload, shop_id, unique_key, state, attempts, max_attempts, \
     run_at, locked_until, locked_by, last_error, created_at, updated_at, finished_at";

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl TryFrom<JobRow> for JobRecord {
    type Error = sqlx::Error;

    fn try_from(r: JobRow) -> Result<Self, Self::Error> {
        let state = JobState::parse(&r.state).ok_or_else(|| {
            sqlx::Error::Decode(format!("unknown job state {:?}", r.state).into())
        })?;
        Ok(JobRecord {
            id: JobId(r.id),
            queue: r.queue,
            kind: r.kind,
            payload: r.payload,
            shop_id: r.shop_id,
            unique_key: r.unique_key,
            state,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            run_at: time(r.run_at),
            locked_until: r.locked_until.map(time),
            locked_by: r.locked_by,
            last_error: r.last_error,
            created_at: time(r.created_at),
            updated_at: time(r.updated_at),
            finished_at: r.finished_at.map(time),
        })
    }
}

/// One job by id.
pub async fn find_job(db: &Db, id: JobId) -> sqlx::Result<Option<JobRecord>> {
    let sql = format!("select {JOB_COLUMNS} from jobs where id = $1");
    db.query(&sql)
        .bind(id.0)
        .fetch_optional::<JobRow>()
        .await?
        .map(JobRecord::try_from)
        .transpose()
}

/// Dead jobs (the dead letters), newest first.
pub async fn list_dead(db: &Db, limit: i64) -> sqlx::Result<Vec<JobRecord>> {
    let sql = format!(
        "select {JOB_COLUMNS} from jobs where state = 'dead' order by finished_at desc, id desc limit $1"
    );
    let rows = db.query(&sql).bind(limit).fetch_all::<JobRow>().await?;
    rows.into_iter().map(JobRecord::try_from).collect()
}

/// Gives a dead job a fresh set of attempts, due now; its last error stays until it runs.
///
/// Returns false when the job is not dead, or when another live job holds the same unique key
/// (the retried copy would only duplicate it).
pub async fn retry_dead(db: &Db, clock: &Clock, id: JobId) -> sqlx::Result<bool> {
    let n = db
        .query(
            "update jobs set state = 'pending', attempts = 0, run_at = $2, finished_at = null, \
             locked_by = null, locked_until = null, updated_at = $2 \
             where id = $1 and state = 'dead' and (unique_key is null or not exists ( \
               select 1 from jobs live where live.unique_key = jobs.unique_key \
               and live.state in ('pending', 'running')))",
        )
        .bind(id.0)
        .bind(clock.now().timestamp_millis())
        .execute()
        .await?;
    Ok(n == 1)
}

/// Cancels the pending jobs holding `key`, on the pool or inside the caller's transaction
/// (`cancel_by_key(&db, …)` or `cancel_by_key(&mut tx, …)`). Running ones are left to finish,
/// since they may be half done; returns how many were cancelled.
pub async fn cancel_by_key<'a>(
    conn: impl Into<Conn<'a>>,
    clock: &Clock,
    key: &str,
) -> sqlx::Result<u64> {
    let mut conn = conn.into();
    conn.query(
        "update jobs set state = 'cancelled', finished_at = $2, updated_at = $2 \
         where unique_key = $1 and state = 'pending'",
    )
    .bind(key)
    .bind(clock.now().timestamp_millis())
    .execute()
    .await
}

/// Cancels every pending job of a shop except the kinds in `keep` (uninstall keeps compliance
/// work; shop/redact keeps nothing). Running ones are left to finish, as in [`cancel_by_key`];
/// returns how many were cancelled.
pub async fn cancel_for_shop<'a>(
    conn: impl Into<Conn<'a>>,
    clock: &Clock,
    shop: ShopId,
    keep: &[&str],
) -> sqlx::Result<u64> {
    let mut conn = conn.into();
    // Placeholders, not the kinds themselves, so no text reaches the SQL.
    let keep_sql: String = (0..keep.len())
        .map(|i| format!(" and kind <> ${}", i + 3))
        .collect();
    let sql = format!(
        "update jobs set state = 'cancelled', finished_at = $2, updated_at = $2 \
         where shop_id = $1 and state = 'pending'{keep_sql}"
    );
    let mut q = conn
        .query(&sql)
        .bind(shop.get())
        .bind(clock.now().timestamp_millis());
    for kind in keep {
        q = q.bind(*kind);
    }
    q.execute().await
}

/// How many jobs are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Waiting (due or not).
    pub pending: i64,
    /// Leased to a worker.
    pub running: i64,
    /// Finished successfully (until pruned).
    pub done: i64,
    /// Out of attempts or undeliverable.
    pub dead: i64,
    /// Cancelled by key.
    pub cancelled: i64,
}

/// Counts jobs per state (tests assert an empty, failure-free queue with it).
pub async fn queue_stats(db: &Db) -> sqlx::Result<QueueStats> {
    let rows: Vec<(String, i64)> = db
        .query("select state, cast(count(*) as bigint) from jobs group by state")
        .fetch_all()
        .await?;
    let mut stats = QueueStats::default();
    for (state, n) in rows {
        match JobState::parse(&state) {
            Some(JobState::Pending) => stats.pending = n,
            Some(JobState::Running) => stats.running = n,
            Some(JobState::Done) => stats.done = n,
            Some(JobState::Dead) => stats.dead = n,
            Some(JobState::Cancelled) => stats.cancelled = n,
            None => {}
        }
    }
    Ok(stats)
}

/// Deletes done and cancelled jobs finished before `before`; dead ones stay until handled.
pub async fn prune_finished(db: &Db, before: DateTime<Utc>) -> sqlx::Result<u64> {
    db.query("delete from jobs where state in ('done', 'cancelled') and finished_at < $1")
        .bind(before.timestamp_millis())
        .execute()
        .await
}
