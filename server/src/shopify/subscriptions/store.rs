//! SQL for the `webhook_subscriptions` tenant table, through the shop-scoped handle only.

use chrono::{DateTime, Utc};

use crate::db::ShopDb;

/// What the last reconciliation found for one topic.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubscriptionState {
    /// `orders/create` style.
    pub topic: String,
    /// `subscribed` or `failed`.
    pub status: String,
    /// Shopify's gid of the subscription, when known.
    pub shopify_id: Option<String>,
    /// Shopify's message when it failed.
    pub detail: Option<String>,
    /// When it was checked.
    pub checked_at: DateTime<Utc>,
}

/// Records one topic's state (replacing the previous one).
pub async fn record(db: &ShopDb, state: &SubscriptionState) -> sqlx::Result<()> {
    db.query(
        "insert into webhook_subscriptions (shop_id, topic, status, shopify_id, detail, checked_at) \
         values ($1, $2, $3, $4, $5, $6) on conflict (shop_id, topic) do update set \
         status = excluded.status, shopify_id = excluded.shopify_id, detail = excluded.detail, \
         checked_at = excluded.checked_at",
    )
    .bind(state.topic.as_str())
    .bind(state.status.as_str())
    .bind(state.shopify_id.as_deref())
    .bind(state.detail.as_deref())
    .bind(state.checked_at)
    .execute()
    .await?;
    Ok(())
}

/// Every recorded state of the shop.
pub async fn list(db: &ShopDb) -> sqlx::Result<Vec<SubscriptionState>> {
    db.query(
        "select topic, status, shopify_id, detail, checked_at from webhook_subscriptions \
         where shop_id = $1 order by topic",
    )
    .fetch_all()
    .await
}

/// Forgets the shop's states: Shopify deletes an app's subscriptions when it is uninstalled, so
/// after a reinstall every topic is reconciled from scratch.
pub async fn clear(db: &ShopDb) -> sqlx::Result<u64> {
    db.query("delete from webhook_subscriptions where shop_id = $1")
        .execute()
        .await
}
