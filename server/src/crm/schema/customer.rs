//! The customer 360: contact and consent, RFM scores and segment with its history, lifetime
//! figures, tags and lifecycle stage, and the orders timeline linking into the Shopify admin.
//! Later issues add email history and tickets as further fields of the same object.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};

use super::list::{Scores, scores};
use super::loaders::{HistoryOf, OrdersOf, PredictionOf};
use super::types::{Money, SegmentChange, display_name, label};
use crate::crm::customers::{self, OrderRow, Profile};
use crate::crm::predictions::StoredPrediction;
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;
use crate::sync::full::shop_currency;
use crate::sync::records::LineItem;

/// A line of an order.
#[derive(SimpleObject, Clone, Debug)]
pub struct OrderLine {
    pub title: String,
    pub variant_title: Option<String>,
    pub quantity: i64,
    /// After discounts.
    pub total: Money,
}

/// An order on the timeline.
#[derive(SimpleObject, Clone, Debug)]
pub struct TimelineOrder {
    pub id: ID,
    /// `#1001`.
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub total: Money,
    pub refunded: Money,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub lines: Vec<OrderLine>,
    /// The order in the Shopify admin.
    pub admin_url: String,
}

/// What the purchase models expect of the customer, with the reason in numbers.
#[derive(SimpleObject, Clone, Debug)]
pub struct CustomerPrediction {
    /// Probability of at least one order in the next 365 days (0–1).
    #[graphql(name = "probabilityOrder365d")]
    pub probability_order_365d: f64,
    /// Probability the customer is still active by the BG/NBD model (1 for one-time buyers).
    pub probability_active: f64,
    /// 1 − probability of an order within a year: what the list's churn sort ranks by.
    pub churn_risk: f64,
    #[graphql(name = "expectedOrders90d")]
    pub expected_orders_90d: f64,
    #[graphql(name = "expectedOrders365d")]
    pub expected_orders_365d: f64,
    /// When a next order is as likely as not (null beyond a year or when unlikely).
    pub next_order_at: Option<DateTime<Utc>>,
    /// Expected spend over the next 365 days, net of refunds.
    #[graphql(name = "clv365d")]
    pub clv_365d: Money,
    /// `fitted`, `small_shop_prior` or `cadence`.
    pub method: String,
    pub reason: String,
    pub computed_at: DateTime<Utc>,
}

/// A plain-language insight about the customer, grounded only in their own data.
#[derive(SimpleObject, Clone, Debug)]
pub struct CustomerInsight {
    pub text: String,
    /// `openai` (an OpenAI-compatible endpoint) or `deterministic`.
    pub provider: String,
    pub model: Option<String>,
}

impl CustomerPrediction {
    /// The GraphQL view of a stored prediction, in the shop currency.
    pub fn of(x: StoredPrediction, currency: &str) -> Self {
        CustomerPrediction {
            churn_risk: x.churn_risk(),
            probability_order_365d: x.probability_order_365d,
            probability_active: x.probability_active,
            expected_orders_90d: x.expected_orders_90d,
            expected_orders_365d: x.expected_orders_365d,
            next_order_at: x.next_order_at,
            clv_365d: Money::of(x.clv_365d, currency),
            method: x.method.as_str().to_string(),
            reason: x.reason,
            computed_at: x.computed_at,
        }
    }
}

/// A customer's prediction through the request's loader (batched across a list).
pub async fn prediction_of(
    ctx: &async_graphql::Context<'_>,
    customer_id: i64,
    currency: &str,
) -> async_graphql::Result<Option<CustomerPrediction>> {
    let rc = RequestCtx::of(ctx)?;
    let found = rc.loaders.load_one(PredictionOf(customer_id)).await?;
    Ok(found.flatten().map(|x| CustomerPrediction::of(x, currency)))
}

/// The customer 360 profile.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Customer {
    #[graphql(skip)]
    pub customer_id: i64,
    #[graphql(skip)]
    pub currency: String,
    #[graphql(skip)]
    pub admin_base: String,
    pub id: ID,
    pub display_name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// One line, from the default address.
    pub address: Option<String>,
    pub locale: Option<String>,
    /// Shopify account state (ENABLED, DISABLED, INVITED, DECLINED).
    pub state: String,
    /// Email marketing consent as Shopify reports it (SUBSCRIBED, NOT_SUBSCRIBED, …).
    pub email_marketing: Option<String>,
    pub sms_marketing: Option<String>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub orders_count: i64,
    pub total_spent: Money,
    pub average_order_value: Option<Money>,
    pub first_order_at: Option<DateTime<Utc>>,
    pub last_order_at: Option<DateTime<Utc>>,
    pub segment: String,
    pub segment_label: String,
    pub segment_since: Option<DateTime<Utc>>,
    pub scores: Option<Scores>,
    /// Prospect, first-time buyer, repeat buyer or lapsed.
    pub lifecycle_stage: String,
    /// The customer in the Shopify admin.
    pub admin_url: String,
    /// Personal data was erased on the shop's request (customers/redact).
    pub redacted: bool,
}

#[async_graphql::ComplexObject]
impl Customer {
    /// Null until the shop's models have been fitted (or for customers without orders).
    async fn prediction(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<CustomerPrediction>> {
        prediction_of(ctx, self.customer_id, &self.currency).await
    }

    /// Segment changes, newest first (at most 100).
    async fn segment_history(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Vec<SegmentChange>> {
        let rc = RequestCtx::of(ctx)?;
        let rows = rc.loaders.load_one(HistoryOf(self.customer_id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|r| SegmentChange::from_row(r, &self.currency))
            .collect())
    }

    /// Orders, newest first (at most 50).
    async fn orders(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Vec<TimelineOrder>> {
        let rc = RequestCtx::of(ctx)?;
        let rows = rc.loaders.load_one(OrdersOf(self.customer_id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|o| timeline(o, &self.admin_base))
            .collect())
    }

    /// The insight, written only when asked for (it may call the configured LLM, which is
    /// rate-limited and counted against the plan; any failure falls back to plain facts).
    async fn insight(
        &self,
        ctx: &async_graphql::Context<'_>,
    ) -> async_graphql::Result<Option<CustomerInsight>> {
        let rc = RequestCtx::of(ctx)?;
        let insight = crate::ai::service::insight(&rc.app, &rc.db, self.customer_id)
            .await
            .gql()?;
        Ok(insight.map(|i| CustomerInsight {
            text: i.text,
            provider: i.provider,
            model: i.model,
        }))
    }
}

fn lifecycle(p: &Profile) -> &'static str {
    match (p.orders_count, p.segment.as_str()) {
        (0, _) => "Prospect",
        (_, "hibernating" | "lost") => "Lapsed",
        (1, _) => "First-time buyer",
        _ => "Repeat buyer",
    }
}

/// The default address as one line (street, city, region, zip, country).
fn address_line(json: Option<&str>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json?).ok()?;
    let parts: Vec<&str> = ["address1", "city", "province", "zip", "country"]
        .iter()
        .filter_map(|k| v.get(*k).and_then(|x| x.as_str()))
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn timeline(o: OrderRow, admin: &str) -> TimelineOrder {
    let lines: Vec<LineItem> = serde_json::from_str(&o.line_items).unwrap_or_default();
    TimelineOrder {
        id: ID(o.id.to_string()),
        admin_url: format!("{admin}/orders/{}", o.id),
        name: o.name,
        created_at: o.created_at,
        total: Money::of(o.total_price, &o.currency),
        refunded: Money::of(o.refunded, &o.currency),
        financial_status: o.financial_status,
        fulfillment_status: o.fulfillment_status,
        cancelled_at: o.cancelled_at,
        lines: lines
            .into_iter()
            .map(|l| OrderLine {
                title: l.title,
                variant_title: l.variant_title,
                quantity: l.quantity,
                total: Money::of(l.total, &o.currency),
            })
            .collect(),
    }
}

pub async fn load(rc: &RequestCtx, id: i64) -> async_graphql::Result<Option<Customer>> {
    let db = &rc.db;
    let Some(p) = customers::profile(db, id).await.gql()? else {
        return Ok(None);
    };
    let currency = shop_currency(db).await.gql()?;
    let admin = format!("https://admin.shopify.com/store/{}", rc.shop.handle());
    let tags: Vec<String> = serde_json::from_str(&p.tags).unwrap_or_default();
    Ok(Some(Customer {
        customer_id: p.id,
        id: ID(p.id.to_string()),
        display_name: display_name(
            p.first_name.clone(),
            p.last_name.clone(),
            p.email.as_deref(),
        )
        .unwrap_or_else(|| format!("Customer {}", p.id)),
        address: address_line(p.default_address.as_deref()),
        lifecycle_stage: lifecycle(&p).to_string(),
        average_order_value: (p.orders_count > 0)
            .then(|| Money::of(p.total_spent / p.orders_count, &currency)),
        total_spent: Money::of(p.total_spent, &currency),
        segment_label: label(&p.segment),
        scores: scores(p.r_score, p.f_score, p.m_score),
        admin_url: format!("{admin}/customers/{}", p.id),
        admin_base: admin,
        currency,
        redacted: p.redacted_at.is_some(),
        first_name: p.first_name,
        last_name: p.last_name,
        email: p.email,
        phone: p.phone,
        locale: p.locale,
        state: p.state,
        email_marketing: p.email_marketing_state,
        sms_marketing: p.sms_marketing_state,
        tags,
        created_at: p.created_at,
        orders_count: p.orders_count,
        first_order_at: p.first_order_at,
        last_order_at: p.last_order_at,
        segment: p.segment,
        segment_since: p.segment_since,
    }))
}
