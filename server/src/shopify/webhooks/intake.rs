//! Group commit for webhook intake: deliveries that arrive together are stored in one tenant
//! transaction per shop, so one commit (one WAL flush on PostgreSQL, one write turn on SQLite)
//! serves many deliveries. Each delivery is still answered only after the transaction holding
//! it committed, so "stored before the 200" holds for every one of them.
//!
//! A few writer tasks take turns draining the queue: while one commits, the next batch forms.
//! If a batch fails, its deliveries are stored one by one, so one bad delivery cannot fail the
//! others.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::Received;
use super::store;
use super::verify::VerifiedWebhook;
use crate::db::{Db, ShopDb, ShopId};
use crate::error::AppError;
use crate::shopify::shops::{self, Shop};
use shared::ShopDomain;

/// Most deliveries stored in one transaction.
const MAX_BATCH: usize = 64;
/// Writer tasks: enough to overlap one batch's commit with the next batch's statements.
const WRITERS: usize = 4;
/// Deliveries waiting for a writer before new ones wait for room (back-pressure).
const QUEUE: usize = 1024;

struct Item {
    shop: ShopId,
    hook: VerifiedWebhook,
    payload: String,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<Received, AppError>>,
}

/// How long a shop lookup is reused. Shopify's deliveries already race the app's own
/// processing of `app/uninstalled` (a job), so half a second of reuse widens no window that
/// matters, and it saves the registry lookup for every delivery of a busy shop.
const SHOP_TTL: Duration = Duration::from_millis(500);

/// The intake queue and its writers.
#[derive(Clone)]
pub struct Intake {
    queue: mpsc::Sender<Item>,
    shops: Arc<std::sync::Mutex<ShopCache>>,
}

/// Shop domain → when it was looked up and what the registry held (`None`: no such shop).
type ShopCache = HashMap<String, (Instant, Option<Shop>)>;

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake").finish_non_exhaustive()
    }
}

impl Intake {
    /// Starts the writers; they stop when every [`Intake`] handle is dropped.
    pub fn start(db: Db) -> Intake {
        let (queue, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..WRITERS {
            tokio::spawn(write_batches(db.clone(), Arc::clone(&rx)));
        }
        Intake {
            queue,
            shops: Arc::default(),
        }
    }

    /// The registry's row for a delivery's shop (`None`: not a shop of ours), reused for
    /// [`SHOP_TTL`].
    pub async fn shop(&self, db: &Db, domain: &ShopDomain) -> sqlx::Result<Option<Shop>> {
        if let Ok(cache) = self.shops.lock()
            && let Some((at, shop)) = cache.get(domain.as_str())
            && at.elapsed() < SHOP_TTL
        {
            return Ok(shop.clone());
        }
        let shop = shops::find_by_domain(db, domain).await?;
        if let Ok(mut cache) = self.shops.lock() {
            if cache.len() > 10_000 {
                cache.retain(|_, (at, _)| at.elapsed() < SHOP_TTL);
            }
            cache.insert(domain.as_str().to_string(), (Instant::now(), shop.clone()));
        }
        Ok(shop)
    }

    /// Drops a reused lookup after the shop's registry row changed (uninstall, erasure,
    /// install), so this process sees the change at once; other processes see it within
    /// [`SHOP_TTL`].
    pub fn forget(&self, domain: &ShopDomain) {
        if let Ok(mut cache) = self.shops.lock() {
            cache.remove(domain.as_str());
        }
    }

    /// Stores the delivery and its job; answers once they are committed.
    pub async fn store(
        &self,
        shop: ShopId,
        hook: &VerifiedWebhook,
        payload: &str,
        now: DateTime<Utc>,
    ) -> Result<Received, AppError> {
        let (reply, answer) = oneshot::channel();
        let item = Item {
            shop,
            hook: hook.clone(),
            payload: payload.to_string(),
            now,
            reply,
        };
        self.queue
            .send(item)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("webhook intake stopped")))?;
        answer
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("webhook intake dropped a delivery")))?
    }
}

async fn write_batches(db: Db, rx: Arc<Mutex<mpsc::Receiver<Item>>>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else {
                return;
            };
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
        }
        // One transaction per shop, in arrival order (tenant transactions serve one shop).
        while !batch.is_empty() {
            let shop = batch[0].shop;
            let (group, rest): (Vec<Item>, Vec<Item>) =
                batch.into_iter().partition(|i| i.shop == shop);
            batch = rest;
            store_group(&db, shop, group).await;
        }
    }
}

async fn store_group(db: &Db, shop: ShopId, group: Vec<Item>) {
    let handle = ShopDb::new(db.clone(), shop);
    match store_together(&handle, &group).await {
        Ok(outcomes) => {
            for (item, outcome) in group.into_iter().zip(outcomes) {
                let _ = item.reply.send(Ok(outcome));
            }
        }
        Err(e) if group.len() > 1 => {
            tracing::warn!(error = %e, deliveries = group.len(), "batch failed; storing one by one");
            for item in group {
                let outcome = store_together(&handle, std::slice::from_ref(&item))
                    .await
                    .map(|mut o| o.pop().unwrap_or(Received::Duplicate));
                let _ = item.reply.send(outcome.map_err(AppError::from));
            }
        }
        Err(e) => {
            for item in group {
                let _ = item.reply.send(Err(AppError::Internal(anyhow::anyhow!(
                    "storing a webhook failed: {e}"
                ))));
            }
        }
    }
}

async fn store_together(db: &ShopDb, items: &[Item]) -> sqlx::Result<Vec<Received>> {
    let mut tx = db.begin().await?;
    let mut outcomes = Vec::with_capacity(items.len());
    for item in items {
        let stored =
            store::insert_delivery_and_job(&mut tx, &item.hook, &item.payload, item.now).await?;
        outcomes.push(match stored {
            Some(_) => Received::Stored,
            None => {
                tracing::info!(shop = %item.hook.shop, topic = %item.hook.topic,
                    webhook_id = %item.hook.webhook_id,
                    event_id = item.hook.event_id.as_deref().unwrap_or(""),
                    "duplicate webhook delivery ignored");
                Received::Duplicate
            }
        });
    }
    tx.commit().await?;
    Ok(outcomes)
}
