//! Taking turns between this process's SQLite writers.
//!
//! SQLite allows one writer at a time. Without this, concurrent `BEGIN IMMEDIATE`s wait in
//! SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and wastes most of the
//! time under load. Here writers queue on an async FIFO lock per database file instead, so the
//! next one starts the moment the previous commits. The wait is bounded: a task that opens a
//! second transaction while holding one (or a writer in another process) falls back to SQLite's
//! own busy handling after [`MAX_WAIT`], so this can never deadlock.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// Held for the life of a SQLite write transaction.
pub type Turn = OwnedMutexGuard<()>;

/// How long a writer queues before leaving it to SQLite's busy handler.
const MAX_WAIT: Duration = Duration::from_secs(2);

static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<AsyncMutex<()>>>>> =
    LazyLock::new(Default::default);

/// Waits for this database's write turn (bounded by [`MAX_WAIT`]).
pub async fn wait(pool: &SqlitePool) -> Option<Turn> {
    let file = pool.connect_options().get_filename().to_path_buf();
    let lock = {
        let mut turns = TURNS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        turns.entry(file).or_default().clone()
    };
    tokio::time::timeout(MAX_WAIT, lock.lock_owned()).await.ok()
}
