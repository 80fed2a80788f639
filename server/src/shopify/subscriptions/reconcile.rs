//! Per-shop webhook reconciliation: read the shop's API-created subscriptions and create the
//! missing ones, then record each topic's state for Settings (ADR 0006).
//!
//! Idempotent by construction: a topic already subscribed at the app's address is left alone,
//! and "already taken" from Shopify (a concurrent run got there first) counts as subscribed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::ShopDomain;

use super::store::{self, SubscriptionState};
use super::topics::{self, Topic};
use crate::clock::Clock;
use crate::db::{DbTx, ShopId};
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::shopify::admin_client::{
    AdminClient, ShopifyError, WEBHOOK_SUBSCRIPTION_CREATE, WEBHOOK_SUBSCRIPTIONS,
};
use crate::shopify::{jobs::shop_with_token, shops};
use crate::state::AppState;

/// Reconciles one shop's subscriptions.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReconcileWebhooks {}

impl Job for ReconcileWebhooks {
    const KIND: &'static str = "reconcile_webhooks";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let Some((shop, token)) = shop_with_token(state, db.shop_id()).await? else {
            return Ok(());
        };
        let address = format!("{}/webhooks", state.config.app_url.trim_end_matches('/'));
        let existing = list_existing(&state.admin, &shop.domain, &token).await?;
        let mut created = 0;
        for topic in topics::subscribed() {
            let found = existing
                .iter()
                .find(|s| s.topic == topic.graphql_enum() && s.uri == address);
            let outcome = match found {
                Some(s) => Outcome::Subscribed(Some(s.id.clone())),
                None => {
                    created += 1;
                    create(&state.admin, &shop.domain, &token, topic, &address).await?
                }
            };
            store::record(db, &outcome.state(topic, ctx.clock.now())).await?;
        }
        tracing::info!(
            shop = %shop.domain,
            existing = existing.len(),
            created,
            "webhook subscriptions reconciled"
        );
        Ok(())
    }
}

/// Enqueues a reconciliation of `shop`, in the caller's transaction (the install's, so a shop
/// that is installed always gets one). One pending run per shop is enough.
pub async fn enqueue_for(tx: &mut DbTx, clock: &Clock, shop: ShopId) -> anyhow::Result<()> {
    let opts = EnqueueOpts::default()
        .shop(shop)
        .key(format!("reconcile_webhooks:{}", shop.get()));
    enqueue(tx, clock, &ReconcileWebhooks {}, opts).await?;
    Ok(())
}

/// Fans out one [`ReconcileWebhooks`] per installed shop (run daily by a schedule), which
/// repairs subscriptions deleted by hand or lost to an outage and picks up new topics after a
/// deploy.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReconcileAllWebhooks {}

impl Job for ReconcileAllWebhooks {
    const KIND: &'static str = "reconcile_all_webhooks";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let installed = shops::list_installed(&ctx.db).await?;
        let mut tx = ctx.db.begin().await?;
        for shop in &installed {
            enqueue_for(&mut tx, &ctx.clock, shop.id).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// One subscription as Shopify lists it.
#[derive(Debug, Deserialize)]
struct Existing {
    id: String,
    topic: String,
    #[serde(default)]
    uri: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListData {
    webhook_subscriptions: Connection,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection {
    nodes: Vec<Existing>,
    page_info: PageInfo,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

/// Pages cap: 100 per page and a few dozen topics, so more pages than this means a loop.
const MAX_PAGES: usize = 50;

async fn list_existing(
    admin: &AdminClient,
    shop: &ShopDomain,
    token: &str,
) -> Result<Vec<Existing>, ShopifyError> {
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = admin
            .graphql::<ListData>(
                shop,
                token,
                WEBHOOK_SUBSCRIPTIONS,
                json!({ "after": after }),
            )
            .await?
            .data
            .webhook_subscriptions;
        all.extend(page.nodes);
        match page.page_info.end_cursor {
            Some(cursor) if page.page_info.has_next_page => after = Some(cursor),
            _ => break,
        }
    }
    Ok(all)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateData {
    webhook_subscription_create: CreatePayload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePayload {
    webhook_subscription: Option<Created>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct UserError {
    message: String,
}

/// What became of one topic.
enum Outcome {
    Subscribed(Option<String>),
    Failed(String),
}

impl Outcome {
    fn state(self, topic: &Topic, now: DateTime<Utc>) -> SubscriptionState {
        let (status, shopify_id, detail) = match self {
            Outcome::Subscribed(id) => ("subscribed", id, None),
            Outcome::Failed(message) => ("failed", None, Some(message)),
        };
        SubscriptionState {
            topic: topic.name.to_string(),
            status: status.to_string(),
            shopify_id,
            detail,
            checked_at: now,
        }
    }
}

/// Longest Shopify message kept for Settings.
const MAX_DETAIL: usize = 500;

async fn create(
    admin: &AdminClient,
    shop: &ShopDomain,
    token: &str,
    topic: &Topic,
    address: &str,
) -> Result<Outcome, ShopifyError> {
    let variables = json!({
        "topic": topic.graphql_enum(),
        "webhookSubscription": { "uri": address },
    });
    let payload = admin
        .graphql::<CreateData>(shop, token, WEBHOOK_SUBSCRIPTION_CREATE, variables)
        .await?
        .data
        .webhook_subscription_create;
    if let Some(created) = payload.webhook_subscription {
        return Ok(Outcome::Subscribed(Some(created.id)));
    }
    let message = payload
        .user_errors
        .into_iter()
        .map(|e| e.message)
        .collect::<Vec<_>>()
        .join("; ");
    // A concurrent run (or an earlier one whose answer was lost) created it already.
    if message.contains("already been taken") {
        return Ok(Outcome::Subscribed(None));
    }
    tracing::warn!(shop = %shop, topic = topic.name, %message, "webhook subscription refused");
    let message = if message.is_empty() {
        "Shopify refused the subscription without a reason".to_string()
    } else {
        message.chars().take(MAX_DETAIL).collect()
    };
    Ok(Outcome::Failed(message))
}
