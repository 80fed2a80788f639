//! `app_subscriptions/update` (SHOPIFY.md §7): Shopify's notice of a subscription's new status,
//! applied with the newest-wins rule so repeated and out-of-order deliveries end the same.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::plans::Plans;
use super::status::SubscriptionStatus;
use super::store::{self, Subscription};
use crate::db::ShopDb;

#[derive(Debug, Deserialize)]
struct Payload {
    app_subscription: Notice,
}

#[derive(Debug, Deserialize)]
struct Notice {
    admin_graphql_api_id: String,
    name: String,
    status: String,
    created_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    capped_amount: Option<String>,
}

/// Parses and applies one delivery; `Err` when the payload is not an `app_subscriptions/update`
/// (the job then fails visibly). Returns the new status when it changed.
pub async fn apply(
    db: &ShopDb,
    plans: &Plans,
    payload: &str,
    triggered_at: DateTime<Utc>,
) -> anyhow::Result<Option<SubscriptionStatus>> {
    let notice = serde_json::from_str::<Payload>(payload)?.app_subscription;
    let status = SubscriptionStatus::parse(&notice.status)
        .ok_or_else(|| anyhow::anyhow!("unknown subscription status `{}`", notice.status))?;
    let changed_at = notice.updated_at.unwrap_or(triggered_at);
    let capped = notice
        .capped_amount
        .as_deref()
        .and_then(super::plans::Cents::from_shopify);
    let incoming = Subscription {
        shopify_id: notice.admin_graphql_api_id,
        plan_key: plans.by_name(&notice.name).map(|p| p.key.clone()),
        name: notice.name,
        status: status.as_str().to_string(),
        status_at: changed_at,
        // Not in the payload; a subscription first seen here was created outside the app.
        test: false,
        trial_days: 0,
        activated_at: None,
        current_period_end: None,
        usage_line_item_id: None,
        capped_amount_cents: capped.map(|c| c.0),
        created_at: notice.created_at.unwrap_or(changed_at),
    };
    let mut tx = db.begin().await?;
    let changed = store::apply(&mut tx, &incoming).await?;
    tx.commit().await?;
    Ok(changed.then_some(status))
}
