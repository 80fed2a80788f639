//! Every SQL statement of the queue (the `jobs` and `job_schedules` tables).
//!
//! The queue is a platform table shared by all shops, so this is one of the few places that
//! uses the unscoped [`Db`]. Times are epoch milliseconds bound from the worker's clock.
//! Updates made by a worker check `locked_by`, so a worker whose lease expired (and whose job
//! another worker took over) can never overwrite the newer outcome.

use super::Conn;
use crate::db::{Backend, Db, placeholders};

/// Longest `last_error` kept; anyhow chains from HTTP clients can be long.
const MAX_ERROR_CHARS: usize = 4000;

/// What the runner needs of a job it just claimed.
#[derive(sqlx::FromRow, Debug)]
pub(super) struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub shop_id: Option<i64>,
    pub attempts: i32,
    pub max_attempts: i32,
}

/// A row to insert.
pub(super) struct NewJob {
    pub queue: String,
    pub kind: String,
    pub payload: String,
    pub shop_id: Option<i64>,
    pub unique_key: Option<String>,
    pub max_attempts: i32,
    pub run_at: i64,
}

/// Inserts one job; `None` when a live job already holds its unique key.
pub(super) async fn insert_job(
    mut conn: Conn<'_>,
    now: i64,
    job: NewJob,
) -> sqlx::Result<Option<i64>> {
    conn.query(
        "insert into jobs (queue, kind, payload, shop_id, unique_key, max_attempts, run_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8) on conflict do nothing returning id",
    )
    .bind(job.queue)
    .bind(job.kind)
    .bind(job.payload)
    .bind(job.shop_id)
    .bind(job.unique_key)
    .bind(job.max_attempts)
    .bind(job.run_at)
    .bind(now)
    .fetch_optional::<(i64,)>()
    .await
    .map(|row| row.map(|(id,)| id))
}

/// Rows per multi-row insert: 9 binds each stays far below both engines' parameter limits.
const INSERT_CHUNK: usize = 500;

/// Inserts many jobs with multi-row statements; returns how many were inserted (not deduped).
pub(super) async fn insert_jobs(
    mut conn: Conn<'_>,
    now: i64,
    jobs: Vec<NewJob>,
) -> sqlx::Result<u64> {
    let mut inserted = 0;
    let mut rest = jobs.into_iter().peekable();
    while rest.peek().is_some() {
        let chunk: Vec<NewJob> = rest.by_ref().take(INSERT_CHUNK).collect();
        let rows: Vec<String> = (0..chunk.len())
            .map(|i| {
                let b = i * 7;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, $1, $1)",
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8
                )
            })
            .collect();
        let sql = format!(
            "insert into jobs (queue, kind, payload, shop_id, unique_key, max_attempts, run_at, created_at, updated_at) \
             values {} on conflict do nothing",
            rows.join(", ")
        );
        let mut q = conn.query(&sql).bind(now);
        for job in chunk {
            q = q
                .bind(job.queue)
                .bind(job.kind)
                .bind(job.payload)
                .bind(job.shop_id)
                .bind(job.unique_key)
                .bind(job.max_attempts)
                .bind(job.run_at);
        }
        inserted += q.execute().await?;
    }
    Ok(inserted)
}

/// The claim statement for a worker serving `queues` queues; built once per worker.
///
/// Binds: `$1` lease end, `$2` worker id, `$3` now, `$4` batch size, `$5..` queue names.
/// PostgreSQL locks the chosen rows with `for update skip locked`, so concurrent workers each
/// take different jobs without waiting. SQLite has one writer at a time, so the single
/// `update … where id in (select …)` statement is atomic on its own.
pub(super) fn claim_sql(backend: Backend, queues: usize) -> String {
    let queue_list = (0..queues)
        .map(|i| format!("${}", i + 5))
        .collect::<Vec<_>>()
        .join(", ");
    let pick = format!(
        "select id from jobs where state = 'pending' and queue in ({queue_list}) and run_at <= $3 \
         order by run_at, id limit $4"
    );
    let set = "state = 'running', attempts = attempts + 1, locked_until = $1, locked_by = $2, updated_at = $3";
    match backend {
        Backend::Postgres => format!(
            "with next as ({pick} for update skip locked) \
             update jobs set {set} from next where jobs.id = next.id \
             returning jobs.id, jobs.kind, jobs.payload, jobs.shop_id, jobs.attempts, jobs.max_attempts"
        ),
        Backend::Sqlite => format!(
            "update jobs set {set} where id in ({pick}) \
             returning id, kind, payload, shop_id, attempts, max_attempts"
        ),
    }
}

/// Claims up to `limit` due jobs for `worker`, leasing them until `lease_until`.
pub(super) async fn claim(
    db: &Db,
    sql: &str,
    queues: &[String],
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: usize,
) -> sqlx::Result<Vec<Claimed>> {
    let mut q = db
        .query(sql)
        .bind(lease_until)
        .bind(worker)
        .bind(now)
        .bind(limit as i64);
    for queue in queues {
        q = q.bind(queue.as_str());
    }
    q.fetch_all().await
}

/// Marks many jobs done in one statement (the batch completion that makes throughput).
pub(super) async fn complete(db: &Db, worker: &str, now: i64, ids: &[i64]) -> sqlx::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "update jobs set state = 'done', finished_at = $1, updated_at = $1, locked_until = null \
         where state = 'running' and locked_by = $2 and id in ({})",
        placeholders(3, ids.len())
    );
    db.query(&sql)
        .bind(now)
        .bind(worker)
        .bind_all(ids.iter().copied())
        .execute()
        .await
}

fn clip(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

/// Puts a failed job back to pending, due again at `run_at`, keeping its error.
pub(super) async fn retry_later(
    db: &Db,
    worker: &str,
    id: i64,
    now: i64,
    run_at: i64,
    error: &str,
) -> sqlx::Result<u64> {
    db.query(
        "update jobs set state = 'pending', run_at = $3, last_error = $4, locked_until = null, \
         locked_by = null, updated_at = $2 where id = $1 and state = 'running' and locked_by = $5",
    )
    .bind(id)
    .bind(now)
    .bind(run_at)
    .bind(clip(error))
    .bind(worker)
    .execute()
    .await
}

/// Moves a job `worker` holds to the dead letters, keeping its error.
pub(super) async fn bury(
    db: &Db,
    worker: &str,
    id: i64,
    now: i64,
    error: &str,
) -> sqlx::Result<u64> {
    db.query(
        "update jobs set state = 'dead', last_error = $3, finished_at = $2, updated_at = $2, \
         locked_until = null where id = $1 and state = 'running' and locked_by = $4",
    )
    .bind(id)
    .bind(now)
    .bind(clip(error))
    .bind(worker)
    .execute()
    .await
}

/// Hands jobs a stopping worker could not finish back to the queue at once, without counting
/// the interrupted attempt.
pub(super) async fn release(db: &Db, worker: &str, now: i64, ids: &[i64]) -> sqlx::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "update jobs set state = 'pending', attempts = attempts - 1, locked_until = null, locked_by = null, \
         updated_at = $1 where state = 'running' and locked_by = $2 and id in ({})",
        placeholders(3, ids.len())
    );
    db.query(&sql)
        .bind(now)
        .bind(worker)
        .bind_all(ids.iter().copied())
        .execute()
        .await
}

/// Extends the lease of every job `worker` is running, so long jobs are not taken over.
pub(super) async fn heartbeat(db: &Db, worker: &str, lease_until: i64) -> sqlx::Result<u64> {
    db.query("update jobs set locked_until = $1 where state = 'running' and locked_by = $2")
        .bind(lease_until)
        .bind(worker)
        .execute()
        .await
}

/// Returns jobs whose lease ran out (their worker died or stalled) to the queue; a job that
/// already used all its attempts that way is dead, so a job that kills its worker every time
/// cannot loop forever.
pub(super) async fn reclaim_expired(db: &Db, now: i64) -> sqlx::Result<u64> {
    db.query(
        "update jobs set \
           state = case when attempts >= max_attempts then 'dead' else 'pending' end, \
           finished_at = case when attempts >= max_attempts then $1 else null end, \
           last_error = 'lease expired: the worker running it stopped or stalled', \
           locked_until = null, locked_by = null, updated_at = $1 \
         where state = 'running' and locked_until < $1",
    )
    .bind(now)
    .execute()
    .await
}
