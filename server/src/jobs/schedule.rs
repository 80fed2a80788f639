//! Recurring jobs. A schedule fires once per slot of its interval (slots are aligned to the
//! Unix epoch, so every process agrees on them) by enqueuing its job.
//!
//! Several processes may run workers at once. Each slot is claimed by a conditional update of
//! `next_run_at` (it must still hold the value that was read), in the same transaction as the
//! enqueue, so exactly one process fires a slot and a crash between the two loses nothing. The
//! job also carries the unique key `schedule:{name}:{slot}` as a second guard. Missed slots
//! (every worker was down) are not caught up: the next fire is the current slot, once.

use std::time::Duration;

use crate::db::Db;

use super::registry::{Handler, Registry, handler_for};
use super::store::{self, NewJob};
use super::{Conn, Job};

/// A job to enqueue every `interval`.
#[derive(Clone)]
pub struct Schedule {
    pub(super) name: String,
    pub(super) kind: &'static str,
    pub(super) type_name: &'static str,
    queue: &'static str,
    max_attempts: i32,
    /// The payload, or why it could not be serialized (reported when the worker starts).
    payload: Result<String, String>,
    interval_ms: i64,
    pub(super) handler: Handler,
}

impl std::fmt::Debug for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schedule")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("interval_ms", &self.interval_ms)
            .finish()
    }
}

impl Schedule {
    /// Runs `job` every `interval` (at least one second) under a stable `name`. Changing the
    /// interval of an existing name restarts its timing; changing the job only changes what
    /// the next fire enqueues.
    pub fn every<J: Job>(name: impl Into<String>, interval: Duration, job: J) -> Self {
        let interval_ms = i64::try_from(interval.as_millis())
            .unwrap_or(i64::MAX)
            .max(1000);
        Self {
            name: name.into(),
            kind: J::KIND,
            type_name: std::any::type_name::<J>(),
            queue: J::QUEUE,
            max_attempts: J::MAX_ATTEMPTS.max(1),
            payload: serde_json::to_string(&job).map_err(|e| e.to_string()),
            interval_ms,
            handler: handler_for::<J>(),
        }
    }
}

/// The start of the slot holding `now`.
fn slot_start(now: i64, interval_ms: i64) -> i64 {
    now - now.rem_euclid(interval_ms)
}

/// Writes the registry's schedules; idempotent, so every process does it at start. A new
/// schedule is due at once (the current slot); an existing one keeps its timing.
pub(super) async fn upsert_all(db: &Db, now: i64, registry: &Registry) -> anyhow::Result<()> {
    for s in &registry.schedules {
        let payload = s.payload.as_ref().map_err(|e| {
            anyhow::anyhow!("schedule {:?}: its job does not serialize: {e}", s.name)
        })?;
        db.query(
            "insert into job_schedules (name, kind, queue, payload, max_attempts, interval_ms, next_run_at, \
               created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             on conflict (name) do update set kind = excluded.kind, queue = excluded.queue, \
               payload = excluded.payload, max_attempts = excluded.max_attempts, \
               next_run_at = case when job_schedules.interval_ms = excluded.interval_ms \
                 then job_schedules.next_run_at else excluded.next_run_at end, \
               interval_ms = excluded.interval_ms, updated_at = excluded.updated_at",
        )
        .bind(s.name.as_str())
        .bind(s.kind)
        .bind(s.queue)
        .bind(payload.as_str())
        .bind(s.max_attempts)
        .bind(s.interval_ms)
        .bind(slot_start(now, s.interval_ms))
        .bind(now)
        .execute()
        .await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DueRow {
    name: String,
    kind: String,
    queue: String,
    payload: String,
    max_attempts: i32,
    interval_ms: i64,
    next_run_at: i64,
}

/// Fires every due schedule whose kind this process can run; returns how many it fired.
pub(super) async fn fire_due(db: &Db, now: i64, registry: &Registry) -> anyhow::Result<u64> {
    let due: Vec<DueRow> = db
        .query(
            "select name, kind, queue, payload, max_attempts, interval_ms, next_run_at \
             from job_schedules where next_run_at <= $1",
        )
        .bind(now)
        .fetch_all()
        .await?;
    let mut fired = 0;
    // A schedule another deploy registered (or one since removed) is left to processes that
    // know its kind, instead of piling up dead jobs here.
    for row in due.into_iter().filter(|r| registry.knows(&r.kind)) {
        let slot = now.div_euclid(row.interval_ms);
        let mut tx = db.begin().await?;
        let won = tx
            .query(
                "update job_schedules set next_run_at = $2, last_fired_at = $3, updated_at = $3 \
                 where name = $1 and next_run_at = $4",
            )
            .bind(row.name.as_str())
            .bind((slot + 1) * row.interval_ms)
            .bind(now)
            .bind(row.next_run_at)
            .execute()
            .await?;
        if won == 1 {
            let job = NewJob {
                unique_key: Some(format!("schedule:{}:{slot}", row.name)),
                queue: row.queue,
                kind: row.kind,
                payload: row.payload,
                shop_id: None,
                max_attempts: row.max_attempts,
                run_at: now,
            };
            store::insert_job(Conn::Tx(&mut tx), now, job).await?;
            fired += 1;
        }
        tx.commit().await?;
    }
    Ok(fired)
}

#[cfg(test)]
mod tests {
    use super::slot_start;

    #[test]
    fn slots_are_aligned_to_the_epoch() {
        assert_eq!(slot_start(10_500, 1000), 10_000);
        assert_eq!(slot_start(10_000, 1000), 10_000);
        assert_eq!(slot_start(3_599_999, 3_600_000), 0);
    }
}
