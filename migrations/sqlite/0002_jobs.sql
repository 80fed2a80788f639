-- The durable job queue and its recurring schedules (server/src/jobs). Platform tables, not
-- tenant tables: a job may serve a shop (shop_id) but the queue is shared by every shop.
-- Times are epoch milliseconds (INTEGER) so both engines compare them the same, fast way.

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL DEFAULT 'default',
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- No foreign key: a shop/redact job must outlive the shop row it deletes.
    shop_id INTEGER,
    unique_key TEXT,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'running', 'done', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    locked_until INTEGER,
    locked_by TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);

-- At most one live (pending or running) job per unique key; finished ones don't block a new one.
CREATE UNIQUE INDEX jobs_unique_key_live ON jobs (unique_key) WHERE state IN ('pending', 'running');
-- The claim path: due pending jobs of a queue in run_at order.
CREATE INDEX jobs_claim ON jobs (queue, run_at, id) WHERE state = 'pending';
-- Lease expiry and heartbeats look only at running jobs.
CREATE INDEX jobs_running ON jobs (locked_until) WHERE state = 'running';
-- Dead-letter listing and pruning of finished jobs.
CREATE INDEX jobs_finished ON jobs (state, finished_at) WHERE state IN ('done', 'dead', 'cancelled');

CREATE TABLE job_schedules (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    queue TEXT NOT NULL,
    payload TEXT NOT NULL,
    max_attempts INTEGER NOT NULL,
    interval_ms INTEGER NOT NULL CHECK (interval_ms > 0),
    -- Claimed by a conditional update (where next_run_at = the value read), so only one
    -- process fires each slot.
    next_run_at INTEGER NOT NULL,
    last_fired_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
