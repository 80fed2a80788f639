//! The PostgreSQL side of the event bus: one LISTEN connection per process that fans
//! notifications from every process into the local broadcast channel.
//!
//! The listener has a one-connection pool of its own (same settings as the main pool), so it
//! never holds a slot of the main pool and closing the main pool never waits for it.
//! `PgListener` reconnects by itself after network errors; any other error rebuilds the
//! listener after a short, growing pause. Notifications sent while disconnected are lost,
//! which the bus accepts (events are hints for live views, see `mod.rs`).

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgListener, PgPoolOptions};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::{CHANNEL, DomainEvent, Envelope};

/// The background listener; aborted when dropped (with the last bus handle).
#[derive(Debug)]
pub(super) struct ListenerTask(JoinHandle<()>);

impl Drop for ListenerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl ListenerTask {
    /// LISTENs now (so events published after `start` returns are seen), then keeps
    /// receiving in a spawned task.
    pub async fn start(
        main: &PgPool,
        local: broadcast::Sender<DomainEvent>,
        origin: String,
    ) -> sqlx::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*main.connect_options()).clone());
        let listener = connect(&pool).await?;
        Ok(Self(tokio::spawn(receive(pool, listener, local, origin))))
    }
}

async fn connect(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

async fn receive(
    pool: PgPool,
    mut listener: PgListener,
    local: broadcast::Sender<DomainEvent>,
    origin: String,
) {
    let mut pause = Duration::from_millis(100);
    loop {
        match listener.recv().await {
            Ok(note) => {
                pause = Duration::from_millis(100);
                match serde_json::from_str::<Envelope>(note.payload()) {
                    Ok(env) if env.origin.as_deref() == Some(origin.as_str()) => {}
                    Ok(env) => {
                        let _ = local.send(env.event);
                    }
                    Err(e) => tracing::warn!(error = %e, "ignoring a malformed event notification"),
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "event listener lost its connection; reconnecting");
                loop {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(10));
                    match connect(&pool).await {
                        Ok(l) => break listener = l,
                        Err(e) => tracing::warn!(error = %e, "event listener could not reconnect"),
                    }
                }
            }
        }
    }
}
