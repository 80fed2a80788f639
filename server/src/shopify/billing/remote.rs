//! The Billing API calls (SHOPIFY.md §8.2–8.4) and the mapping of Shopify's answers onto the
//! stored [`Subscription`].

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared::ShopDomain;

use super::plans::{Cents, Plan, Plans};
use super::status::SubscriptionStatus;
use super::store::Subscription;
use crate::shopify::admin_client::{
    APP_SUBSCRIPTION_CREATE, APP_SUBSCRIPTIONS, APP_USAGE_RECORD_CREATE, AdminClient, ShopifyError,
};

/// A subscription as the Admin API returns it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteSubscription {
    id: String,
    name: String,
    test: bool,
    status: String,
    trial_days: i32,
    created_at: DateTime<Utc>,
    current_period_end: Option<DateTime<Utc>>,
    #[serde(default)]
    line_items: Vec<LineItem>,
}

#[derive(Debug, Deserialize)]
struct LineItem {
    id: String,
    plan: LinePlan,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinePlan {
    pricing_details: PricingDetails,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PricingDetails {
    #[serde(rename = "__typename")]
    typename: String,
    capped_amount: Option<MoneyV2>,
}

#[derive(Debug, Deserialize)]
struct MoneyV2 {
    amount: serde_json::Value,
}

/// Shopify's `Decimal` arrives as a string ("20.0") — or a number from some clients.
fn cents(v: &serde_json::Value) -> Option<i64> {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Cents::from_shopify(&text).map(|c| c.0)
}

impl RemoteSubscription {
    /// The stored form, observed at `seen_at` (the API has no change time of its own).
    pub fn into_subscription(self, plans: &Plans, seen_at: DateTime<Utc>) -> Subscription {
        let usage = self
            .line_items
            .into_iter()
            .find(|l| l.plan.pricing_details.typename == "AppUsagePricing");
        let capped = usage
            .as_ref()
            .and_then(|l| l.plan.pricing_details.capped_amount.as_ref())
            .and_then(|m| cents(&m.amount));
        let status = SubscriptionStatus::parse(&self.status).unwrap_or(SubscriptionStatus::Pending);
        Subscription {
            plan_key: plans.by_name(&self.name).map(|p| p.key.clone()),
            shopify_id: self.id,
            name: self.name,
            status: status.as_str().to_string(),
            status_at: seen_at,
            test: self.test,
            trial_days: self.trial_days,
            activated_at: None,
            current_period_end: self.current_period_end,
            usage_line_item_id: usage.map(|l| l.id),
            capped_amount_cents: capped,
            created_at: self.created_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserError {
    message: String,
}

fn joined(errors: Vec<UserError>) -> String {
    let text = errors
        .into_iter()
        .map(|e| e.message)
        .collect::<Vec<_>>()
        .join("; ");
    if text.is_empty() {
        "Shopify refused the request without a reason".into()
    } else {
        text.chars().take(500).collect()
    }
}

/// What `appSubscriptionCreate` gave.
#[derive(Debug)]
pub enum Created {
    /// Waiting for the merchant at `confirmation_url`.
    Pending {
        /// Where the top frame must go.
        confirmation_url: String,
        /// The new subscription (PENDING).
        subscription: RemoteSubscription,
    },
    /// Shopify refused it; the message is Shopify's.
    Refused(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateData {
    app_subscription_create: CreatePayload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreatePayload {
    app_subscription: Option<RemoteSubscription>,
    confirmation_url: Option<String>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

/// Creates the plan's subscription: a 30-day recurring item plus, when the plan has overage, a
/// usage item capped at the plan's cap. `STANDARD` replacement lets Shopify decide whether an
/// upgrade applies now and a downgrade at the next cycle (SHOPIFY.md §8.2).
pub async fn create(
    admin: &AdminClient,
    shop: &ShopDomain,
    token: &str,
    plans: &Plans,
    plan: &Plan,
    return_url: &str,
    test: bool,
) -> Result<Created, ShopifyError> {
    let money = |c: Cents| json!({"amount": c.decimal(), "currencyCode": plans.currency});
    let mut line_items = vec![json!({"plan": {"appRecurringPricingDetails": {
        "interval": "EVERY_30_DAYS", "price": money(plan.monthly_price)}}})];
    if let (Some(per_1000), Some(cap)) = (plan.overage_per_1000_emails, plan.usage_cap) {
        let terms = format!(
            "{} {} per 1,000 emails beyond {} a month",
            per_1000.decimal(),
            plans.currency,
            plan.limits.emails_per_month.unwrap_or(0)
        );
        line_items.push(json!({"plan": {"appUsagePricingDetails": {"terms": terms, "cappedAmount": money(cap)}}}));
    }
    let variables = json!({
        "name": plan.name,
        "returnUrl": return_url,
        "test": test,
        "trialDays": plan.trial_days,
        "replacementBehavior": "STANDARD",
        "lineItems": line_items,
    });
    let payload = admin
        .graphql::<CreateData>(shop, token, APP_SUBSCRIPTION_CREATE, variables)
        .await?
        .data
        .app_subscription_create;
    match (payload.app_subscription, payload.confirmation_url) {
        (Some(subscription), Some(confirmation_url)) if payload.user_errors.is_empty() => {
            Ok(Created::Pending {
                confirmation_url,
                subscription,
            })
        }
        _ => Ok(Created::Refused(joined(payload.user_errors))),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListData {
    current_app_installation: Installation,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Installation {
    all_subscriptions: Nodes,
}

#[derive(Deserialize)]
struct Nodes {
    nodes: Vec<RemoteSubscription>,
}

/// The installation's subscriptions, newest first (25 are plenty: older ones are final).
pub async fn list(
    admin: &AdminClient,
    shop: &ShopDomain,
    token: &str,
) -> Result<Vec<RemoteSubscription>, ShopifyError> {
    Ok(admin
        .graphql::<ListData>(shop, token, APP_SUBSCRIPTIONS, json!({}))
        .await?
        .data
        .current_app_installation
        .all_subscriptions
        .nodes)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageData {
    app_usage_record_create: UsagePayload,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsagePayload {
    app_usage_record: Option<UsageRecord>,
    #[serde(default)]
    user_errors: Vec<UserError>,
}

#[derive(Deserialize)]
struct UsageRecord {
    id: String,
}

/// Shopify's answer to a usage charge.
#[derive(Debug, PartialEq, Eq)]
pub enum Charged {
    /// Recorded (or recorded before under the same key).
    Recorded(String),
    /// Refused, e.g. over the cap; Shopify's message.
    Refused(String),
}

/// Records a usage charge under `idempotency_key`, so a retry cannot charge twice.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; every argument is a field of the record"
)]
pub async fn charge_usage(
    admin: &AdminClient,
    shop: &ShopDomain,
    token: &str,
    line_item_id: &str,
    amount: Cents,
    currency: &str,
    description: &str,
    idempotency_key: &str,
) -> Result<Charged, ShopifyError> {
    let variables = json!({
        "subscriptionLineItemId": line_item_id,
        "price": {"amount": amount.decimal(), "currencyCode": currency},
        "description": description,
        "idempotencyKey": idempotency_key,
    });
    let payload = admin
        .graphql::<UsageData>(shop, token, APP_USAGE_RECORD_CREATE, variables)
        .await?
        .data
        .app_usage_record_create;
    Ok(match payload.app_usage_record {
        Some(record) if payload.user_errors.is_empty() => Charged::Recorded(record.id),
        _ => Charged::Refused(joined(payload.user_errors)),
    })
}
