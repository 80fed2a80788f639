//! The domain event bus: "segment changed", "order created", "ticket updated"…, for live
//! views such as GraphQL subscriptions.
//!
//! Events are hints for live UIs, not durable work: a subscriber that is not connected misses
//! them, and work that must happen goes through the job queue. In one process the bus is a
//! tokio broadcast channel. On PostgreSQL every event is also sent with `NOTIFY` and each
//! process LISTENs (see `pg.rs`), so a subscription served by one `ecomcrm serve` process sees
//! events published by another. Payloads carry ids, not rows: NOTIFY refuses more than
//! 8000 bytes, and the same limit is enforced on SQLite so code that works there works on PG.

mod pg;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::{Stream, StreamExt};

use crate::db::{Db, DbTx};

/// The NOTIFY channel every process listens on.
pub const CHANNEL: &str = "ecomcrm_events";
/// The largest encoded event (PostgreSQL's NOTIFY payload limit is 8000 bytes).
pub const MAX_EVENT_BYTES: usize = 7999;
/// Events a slow subscriber may fall behind by before it starts missing some.
const CAPACITY: usize = 1024;

/// Something that happened in a shop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    /// The shop it happened in; subscribers filter on it.
    pub shop_id: i64,
    /// What happened, a stable snake_case name (`order_created`).
    pub kind: String,
    /// Ids and small facts, never rows.
    pub payload: serde_json::Value,
    /// When it happened (from the publisher's clock).
    pub at: DateTime<Utc>,
}

impl DomainEvent {
    /// An event of `kind` in shop `shop_id`.
    pub fn new(
        shop_id: i64,
        kind: impl Into<String>,
        payload: serde_json::Value,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            shop_id,
            kind: kind.into(),
            payload,
            at,
        }
    }
}

/// Why an event was not published.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// The encoded event is over [`MAX_EVENT_BYTES`].
    #[error(
        "event {kind:?} is {size} bytes encoded, over the {MAX_EVENT_BYTES}-byte limit; publish ids, not rows"
    )]
    TooLarge {
        /// The event's kind.
        kind: String,
        /// Its encoded size.
        size: usize,
    },
    /// The event could not be encoded.
    #[error("event does not encode: {0}")]
    Encode(#[from] serde_json::Error),
    /// NOTIFY failed.
    #[error("could not publish event: {0}")]
    Db(#[from] sqlx::Error),
}

/// The wire form of an event on the NOTIFY channel. `origin` names the publishing bus when
/// it already delivered the event locally, so its own listener skips the echo; events sent
/// inside a transaction carry no origin, as their local delivery must wait for the commit.
#[derive(Serialize, Deserialize)]
struct Envelope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<String>,
    event: DomainEvent,
}

/// Publishes and subscribes to domain events. Cheap to clone; one per process.
#[derive(Clone, Debug)]
pub struct EventBus {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    db: Db,
    local: broadcast::Sender<DomainEvent>,
    origin: String,
    /// The PostgreSQL listener task, stopped when the last handle goes.
    listener: Option<pg::ListenerTask>,
}

impl EventBus {
    /// Starts the bus. On PostgreSQL this LISTENs before returning (an error here means the
    /// database is unreachable), then keeps listening in the background, reconnecting as
    /// needed. Needs a tokio runtime.
    pub async fn start(db: Db) -> anyhow::Result<EventBus> {
        let (local, _) = broadcast::channel(CAPACITY);
        let origin = uuid::Uuid::new_v4().simple().to_string();
        let listener = match &db {
            Db::Postgres(pool) => {
                Some(pg::ListenerTask::start(pool, local.clone(), origin.clone()).await?)
            }
            Db::Sqlite(_) => None,
        };
        Ok(EventBus {
            inner: Arc::new(Inner {
                db,
                local,
                origin,
                listener,
            }),
        })
    }

    /// Publishes now: subscribers in this process get it at once, other processes (on
    /// PostgreSQL) through NOTIFY.
    pub async fn publish(&self, event: DomainEvent) -> Result<(), EventError> {
        if self.inner.listener.is_some() {
            let wire = encode(&Envelope {
                origin: Some(self.inner.origin.clone()),
                event: event.clone(),
            })?;
            self.inner
                .db
                .query("select pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(wire)
                .execute()
                .await?;
        } else {
            encode(&Envelope {
                origin: None,
                event: event.clone(),
            })?;
        }
        // No receiver is not an error: nobody is watching right now.
        let _ = self.inner.local.send(event);
        Ok(())
    }

    /// Publishes an event that must only be seen if `tx` commits.
    ///
    /// On PostgreSQL the NOTIFY is sent inside `tx`: PostgreSQL delivers it at commit (to
    /// this process too) and drops it on rollback. SQLite has no such hook, so the event is
    /// held in the returned [`AfterCommit`]: call [`AfterCommit::committed`] after
    /// `tx.commit()` succeeds, and drop it on rollback. Calling it on PostgreSQL does nothing,
    /// so callers write the same code for both engines.
    pub async fn publish_in_tx(
        &self,
        tx: &mut DbTx,
        event: DomainEvent,
    ) -> Result<AfterCommit, EventError> {
        let wire = encode(&Envelope {
            origin: None,
            event,
        })?;
        match tx {
            DbTx::Postgres(_) => {
                tx.query("select pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(wire.as_str())
                    .execute()
                    .await?;
                Ok(AfterCommit {
                    bus: self.clone(),
                    event: None,
                })
            }
            DbTx::Sqlite(..) => {
                let Envelope { event, .. } = serde_json::from_str(&wire)?;
                Ok(AfterCommit {
                    bus: self.clone(),
                    event: Some(event),
                })
            }
        }
    }

    /// Every event, from now on.
    pub fn subscribe(&self) -> impl Stream<Item = DomainEvent> + Send + Unpin + 'static {
        BroadcastStream::new(self.inner.local.subscribe()).filter_map(|item| match item {
            Ok(event) => Some(event),
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                tracing::warn!(missed, "event subscriber fell behind and missed events");
                None
            }
        })
    }

    /// Events of one shop, from now on (what a shop's GraphQL subscription uses).
    pub fn subscribe_shop(
        &self,
        shop_id: i64,
    ) -> impl Stream<Item = DomainEvent> + Send + Unpin + 'static {
        self.subscribe().filter(move |e| e.shop_id == shop_id)
    }
}

/// An event held until its transaction commits (SQLite); see [`EventBus::publish_in_tx`].
#[must_use = "call .committed() after the transaction commits, or the event is never delivered"]
#[derive(Debug)]
pub struct AfterCommit {
    bus: EventBus,
    event: Option<DomainEvent>,
}

impl AfterCommit {
    /// Delivers the held event; call it once the transaction has committed.
    pub fn committed(self) {
        if let Some(event) = self.event {
            let _ = self.bus.inner.local.send(event);
        }
    }
}

fn encode(envelope: &Envelope) -> Result<String, EventError> {
    let wire = serde_json::to_string(envelope)?;
    if wire.len() > MAX_EVENT_BYTES {
        return Err(EventError::TooLarge {
            kind: envelope.event.kind.clone(),
            size: wire.len(),
        });
    }
    Ok(wire)
}
