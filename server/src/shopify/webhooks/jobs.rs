//! The work behind each delivery, run by the job queue: parse the stored payload by topic and
//! act on it. Jobs carry the delivery's id, never the payload (CONVENTIONS rule 6), and are
//! idempotent because the queue may run one twice.

use std::time::Duration;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::payloads::{
    AppUninstalled, CustomersDataRequest, CustomersRedact, ScopesUpdate, ShopRedact, ShopUpdate,
};
use super::store::{self, ComplianceRequest, Delivery};
use crate::db::ShopDb;
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::shopify::jobs::{RefreshShopProfile, SyncGrantedScopes};
use crate::shopify::{billing, gdpr, shops, subscriptions};

/// How long a processed delivery's raw payload is kept (for replays and investigations)
/// before [`PruneShopWebhookDeliveries`] deletes it. Raw payloads hold customers' personal
/// data, so they are not kept longer than that use needs.
pub const RETENTION: chrono::Duration = chrono::Duration::days(30);

/// How often the retention sweep runs.
pub const PRUNE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Processes one stored delivery.
#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessWebhook {
    /// `webhook_deliveries.id` (of the job's shop).
    pub delivery_id: i64,
}

impl Job for ProcessWebhook {
    const KIND: &'static str = "process_webhook";
    /// A payload that does not parse fails every attempt; the queue has no "permanent failure"
    /// yet, so the attempts are few enough that such a delivery reaches the dead letters soon,
    /// and enough to ride out a database restart.
    const MAX_ATTEMPTS: i32 = 5;

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let Some(delivery) = store::find_delivery(db, self.delivery_id).await? else {
            // Erased since (shop/redact) or pruned: nothing left to do.
            tracing::info!(
                delivery_id = self.delivery_id,
                "webhook delivery gone; skipped"
            );
            return Ok(());
        };
        if delivery.processed_at.is_some() {
            return Ok(());
        }
        let now = ctx.clock.now();
        if gdpr::engine::is_redacted(&delivery.payload) {
            // Erased by customers/redact before it ran: nothing is left to act on.
            return finish(db, &delivery, now).await;
        }
        let topic = delivery.topic.as_str();
        match topic {
            "app/uninstalled" => {
                let shop = parse::<AppUninstalled>(&delivery)?;
                let done =
                    shops::mark_uninstalled(&ctx.db, db.shop_id(), delivery.triggered_at, now)
                        .await?;
                if let (Ok(state), Some(shop)) = (
                    ctx.get::<crate::state::AppState>(),
                    shops::find_by_id(&ctx.db, db.shop_id()).await?,
                ) {
                    state.intake.forget(&shop.domain);
                }
                if done {
                    // Nothing runs for the shop any more, except compliance work (§6).
                    let cancelled = gdpr::jobs::after_uninstall(ctx, db).await?;
                    // Shopify deletes the app's subscriptions on uninstall.
                    subscriptions::store::clear(db).await?;
                    tracing::info!(
                        delivery_id = delivery.id,
                        shopify_shop_id = shop.id,
                        jobs_cancelled = cancelled,
                        "shop uninstalled the app"
                    );
                } else {
                    tracing::info!(
                        delivery_id = delivery.id,
                        shopify_shop_id = shop.id,
                        "uninstall older than the last install; ignored"
                    );
                }
                finish(db, &delivery, now).await
            }
            "app/scopes_update" => {
                let update = parse::<ScopesUpdate>(&delivery)?;
                tracing::info!(
                    delivery_id = delivery.id,
                    scopes = %update.current.join(","),
                    "granted scopes changed; re-reading them"
                );
                after(
                    ctx,
                    db,
                    &delivery,
                    &SyncGrantedScopes {},
                    "sync_granted_scopes",
                )
                .await
            }
            "shop/update" => {
                let shop = parse::<ShopUpdate>(&delivery)?;
                tracing::info!(
                    delivery_id = delivery.id,
                    shopify_shop_id = shop.id,
                    "shop changed; re-reading its profile"
                );
                let job = RefreshShopProfile {
                    shop_id: db.shop_id().get(),
                };
                after(ctx, db, &delivery, &job, "refresh_shop_profile").await
            }
            "app_subscriptions/update" => {
                let state = ctx.get::<crate::state::AppState>()?;
                let plans = &state.config.plans;
                let changed =
                    billing::webhook::apply(db, plans, &delivery.payload, delivery.triggered_at)
                        .await
                        .with_context(|| {
                            format!(
                                "webhook delivery {} (app_subscriptions/update): the payload does not parse",
                                delivery.id
                            )
                        })?;
                if let Some(status) = changed {
                    let event = crate::events::DomainEvent::new(
                        db.shop_id().get(),
                        "billing_updated",
                        serde_json::json!({ "status": status.as_str() }),
                        now,
                    );
                    state.events.publish(event).await?;
                }
                finish(db, &delivery, now).await
            }
            "customers/data_request" | "customers/redact" | "shop/redact" => {
                let request = compliance_request(&delivery)?;
                // Recorded, and its job enqueued, in one transaction. The delivery stays
                // unprocessed (so retention keeps the payload) until that job completes it.
                let mut tx = db.begin().await?;
                store::record_compliance(&mut tx, &request, now).await?;
                let customer = request.shopify_customer_id;
                gdpr::jobs::enqueue_for(
                    &mut tx,
                    &ctx.clock,
                    db.shop_id(),
                    topic,
                    delivery.id,
                    customer,
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }
            "bulk_operations/finish" => {
                let mut tx = db.begin().await?;
                crate::sync::full::on_finish_webhook(ctx, &mut tx, &delivery.payload)
                    .await
                    .with_context(|| format!("webhook delivery {}", delivery.id))?;
                store::mark_processed(&mut tx, delivery.id, now).await?;
                tx.commit().await?;
                Ok(())
            }
            topic if crate::sync::live::handles(topic) => {
                let installed_at = shops::find_by_id(&ctx.db, db.shop_id())
                    .await?
                    .and_then(|s| s.installed_at);
                let mut tx = db.begin().await?;
                crate::sync::counters::lock_shop(&mut tx).await?;
                let applied =
                    crate::sync::live::apply(&mut tx, topic, &delivery.payload, now, installed_at)
                        .await
                        .with_context(|| {
                            format!("webhook delivery {} ({topic}) not applied", delivery.id)
                        })?;
                store::mark_processed(&mut tx, delivery.id, now).await?;
                tx.commit().await?;
                crate::crm::rfm::publish_changes(
                    ctx,
                    db.shop_id().get(),
                    &applied.segment_changes,
                    now,
                )
                .await;
                tracing::debug!(
                    delivery_id = delivery.id,
                    kind = applied.kind,
                    changed = applied.changed,
                    "store data updated"
                );
                Ok(())
            }
            _ => {
                // Stored and acknowledged; nothing acts on these topics yet. A payload
                // that is not even JSON still fails here, so it is visible in the dead letters.
                parse::<serde_json::Value>(&delivery)?;
                finish(db, &delivery, now).await
            }
        }
    }
}

fn parse<T: DeserializeOwned>(delivery: &Delivery) -> anyhow::Result<T> {
    serde_json::from_str(&delivery.payload).with_context(|| {
        format!(
            "webhook delivery {} ({}, API {}): the payload does not parse",
            delivery.id, delivery.topic, delivery.api_version
        )
    })
}

fn compliance_request(delivery: &Delivery) -> anyhow::Result<ComplianceRequest> {
    let (shopify_shop_id, customer, data_request, orders) = match delivery.topic.as_str() {
        "customers/data_request" => {
            let p: CustomersDataRequest = parse(delivery)?;
            (
                p.shop_id,
                p.customer.id,
                Some(p.data_request.id),
                p.orders_requested.len(),
            )
        }
        "customers/redact" => {
            let p: CustomersRedact = parse(delivery)?;
            (p.shop_id, p.customer.id, None, p.orders_to_redact.len())
        }
        _ => (parse::<ShopRedact>(delivery)?.shop_id, None, None, 0),
    };
    tracing::info!(
        delivery_id = delivery.id,
        shopify_shop_id,
        "compliance request parsed"
    );
    Ok(ComplianceRequest {
        delivery_id: delivery.id,
        topic: delivery.topic.clone(),
        shopify_customer_id: customer,
        data_request_id: data_request,
        orders_count: i32::try_from(orders).unwrap_or(i32::MAX),
        status: "received".to_string(),
    })
}

/// Enqueues `job` (which re-reads the current state from the Admin API, so late, repeated and
/// out-of-order deliveries all end the same) and marks the delivery processed, in one
/// transaction. `key` keeps one pending run per shop: ten updates in a burst need one read.
async fn after<J: Job>(
    ctx: &JobCtx,
    db: &ShopDb,
    delivery: &Delivery,
    job: &J,
    key: &str,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let shop = db.shop_id();
    let opts = EnqueueOpts::default()
        .shop(shop)
        .key(format!("{key}:{}", shop.get()));
    enqueue(tx.as_db_tx(), &ctx.clock, job, opts).await?;
    store::mark_processed(&mut tx, delivery.id, ctx.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks the delivery processed, which starts its retention period.
async fn finish(
    db: &ShopDb,
    delivery: &Delivery,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    store::mark_processed(&mut tx, delivery.id, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Fans out one [`PruneShopWebhookDeliveries`] per shop (run daily by a schedule), so each
/// shop's delete runs under its own tenant handle and one failure does not hold up the rest.
#[derive(Debug, Serialize, Deserialize)]
pub struct PruneWebhookDeliveries {}

impl Job for PruneWebhookDeliveries {
    const KIND: &'static str = "prune_webhook_deliveries";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        // Every shop, uninstalled ones included: their old payloads expire too.
        let shops = shops::list_ids(&ctx.db).await?;
        let mut tx = ctx.db.begin().await?;
        for shop in shops {
            let id = shop.get();
            let opts = EnqueueOpts::default()
                .shop(shop)
                .key(format!("prune_webhook_deliveries:{id}"));
            enqueue(&mut tx, &ctx.clock, &PruneShopWebhookDeliveries {}, opts).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Deletes one shop's processed deliveries older than [`RETENTION`].
#[derive(Debug, Serialize, Deserialize)]
pub struct PruneShopWebhookDeliveries {}

impl Job for PruneShopWebhookDeliveries {
    const KIND: &'static str = "prune_shop_webhook_deliveries";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let db = ctx.shop()?;
        let n = store::prune_processed(db, ctx.clock.now() - RETENTION).await?;
        if n > 0 {
            tracing::info!(deleted = n, "old webhook deliveries pruned");
        }
        Ok(())
    }
}
