//! The CRM views: the customer list (page, chips, search, sort), one customer's 360 profile and
//! the dashboard.
//!
//! Hand-written until `schema.graphql` exists to generate response types from (CONVENTIONS §4.6).

use serde::Deserialize;
use serde_json::json;

use super::{ApiError, graphql};

/// An exact amount as the server sends it: a decimal string and its currency.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    pub amount: String,
    pub currency_code: String,
}

/// A segment with its customers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SegmentCount {
    pub segment: String,
    pub label: String,
    pub count: i64,
}

/// RFM scores 1–5.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Scores {
    pub recency: i64,
    pub frequency: i64,
    pub monetary: i64,
}

/// A customer in the list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerItem {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub orders_count: i64,
    pub total_spent: Money,
    pub last_order_at: Option<String>,
    pub segment: String,
    pub segment_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A page of customers.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerPage {
    pub nodes: Vec<CustomerItem>,
    pub page_info: PageInfo,
    pub total_count: i64,
    pub segment_counts: Vec<SegmentCount>,
}

/// What the list asks for; every field lives in the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub search: String,
    pub segment: String,
    /// `SPENT`, `ORDERS`, `LAST_ORDER` or `CHURN_RISK`.
    pub sort: String,
    pub after: String,
}

#[derive(Deserialize)]
struct CustomersData {
    customers: CustomerPage,
}

/// One page of the list.
pub async fn customers(q: ListQuery) -> Result<CustomerPage, ApiError> {
    let none_if_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let data: CustomersData = graphql(
        "query Customers($after: String, $query: String, $segment: String, $sort: CustomerSort) { \
           customers(first: 25, after: $after, query: $query, segment: $segment, sort: $sort) { \
             nodes { id displayName email ordersCount totalSpent { amount currencyCode } \
               lastOrderAt segment segmentLabel } \
             pageInfo { hasNextPage endCursor } totalCount \
             segmentCounts { segment label count } } }",
        json!({
            "after": none_if_empty(&q.after),
            "query": none_if_empty(&q.search),
            "segment": none_if_empty(&q.segment),
            "sort": none_if_empty(&q.sort).unwrap_or_else(|| "SPENT".into()),
        }),
    )
    .await?;
    Ok(data.customers)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExportData {
    export_customers: ExportLink,
}

#[derive(Deserialize)]
struct ExportLink {
    url: String,
}

/// A short-lived download link for the whole list under `q`'s search, segment and sort.
pub async fn export_customers(q: &ListQuery) -> Result<String, ApiError> {
    let none_if_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let data: ExportData = graphql(
        "mutation Export($query: String, $segment: String, $sort: CustomerSort) { \
           exportCustomers(query: $query, segment: $segment, sort: $sort) { url } }",
        json!({
            "query": none_if_empty(&q.search),
            "segment": none_if_empty(&q.segment),
            "sort": none_if_empty(&q.sort).unwrap_or_else(|| "SPENT".into()),
        }),
    )
    .await?;
    Ok(data.export_customers.url)
}

/// A recorded change of segment.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentChange {
    pub customer_id: String,
    pub customer_name: Option<String>,
    pub from_label: String,
    pub to_label: String,
    pub to_segment: String,
    pub changed_at: String,
    pub reason: String,
    pub value: Money,
}

/// An order line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub title: String,
    pub variant_title: Option<String>,
    pub quantity: i64,
    pub total: Money,
}

/// An order on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineOrder {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub total: Money,
    pub refunded: Money,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub cancelled_at: Option<String>,
    pub lines: Vec<OrderLine>,
    pub admin_url: String,
}

/// What the purchase models expect of a customer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prediction {
    #[serde(rename = "probabilityOrder365d")]
    pub probability_order_365d: f64,
    #[serde(rename = "expectedOrders90d")]
    pub expected_orders_90d: f64,
    #[serde(rename = "expectedOrders365d")]
    pub expected_orders_365d: f64,
    pub next_order_at: Option<String>,
    #[serde(rename = "clv365d")]
    pub clv_365d: Money,
    pub method: String,
    pub reason: String,
}

/// The customer 360 profile.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub state: String,
    pub email_marketing: Option<String>,
    pub sms_marketing: Option<String>,
    pub tags: Vec<String>,
    pub created_at: String,
    pub orders_count: i64,
    pub total_spent: Money,
    pub average_order_value: Option<Money>,
    pub first_order_at: Option<String>,
    pub last_order_at: Option<String>,
    pub segment: String,
    pub segment_label: String,
    pub segment_since: Option<String>,
    pub scores: Option<Scores>,
    pub prediction: Option<Prediction>,
    pub lifecycle_stage: String,
    pub segment_history: Vec<SegmentChange>,
    pub orders: Vec<TimelineOrder>,
    pub admin_url: String,
    pub redacted: bool,
}

const CHANGE_FIELDS: &str = "customerId customerName fromLabel toLabel toSegment changedAt \
    reason value { amount currencyCode }";

#[derive(Deserialize)]
struct CustomerData {
    customer: Option<Customer>,
}

/// One customer (none when the id is not this shop's).
pub async fn customer(id: String) -> Result<Option<Customer>, ApiError> {
    let query = format!(
        "query Customer($id: ID!) {{ customer(id: $id) {{ id displayName email phone address \
           state emailMarketing smsMarketing tags createdAt ordersCount \
           totalSpent {{ amount currencyCode }} averageOrderValue {{ amount currencyCode }} \
           firstOrderAt lastOrderAt segment segmentLabel segmentSince \
           scores {{ recency frequency monetary }} lifecycleStage \
           prediction {{ probabilityOrder365d expectedOrders90d expectedOrders365d nextOrderAt \
             clv365d {{ amount currencyCode }} method reason }} \
           segmentHistory {{ {CHANGE_FIELDS} }} \
           orders {{ id name createdAt total {{ amount currencyCode }} \
             refunded {{ amount currencyCode }} financialStatus fulfillmentStatus cancelledAt \
             lines {{ title variantTitle quantity total {{ amount currencyCode }} }} adminUrl }} \
           adminUrl redacted }} }}"
    );
    let data: CustomerData = graphql(&query, json!({ "id": id })).await?;
    Ok(data.customer)
}

/// The KPI cards.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Kpis {
    pub customers: i64,
    #[serde(rename = "newCustomers30d")]
    pub new_customers_30d: i64,
    pub revenue: Money,
    pub previous_revenue: Money,
    pub orders: i64,
    pub previous_orders: i64,
    #[serde(rename = "emailsSent30d")]
    pub emails_sent_30d: i64,
}

/// One bucket of the revenue chart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RevenuePoint {
    pub start: String,
    pub revenue: Money,
    pub previous: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RevenueSeries {
    pub grain: String,
    pub points: Vec<RevenuePoint>,
}

/// A line of the activity feed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityItem {
    pub kind: String,
    pub at: String,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub title: String,
    pub amount: Option<Money>,
}

/// Everything on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub time_zone: String,
    pub currency_code: String,
    pub kpis: Kpis,
    pub segments: Vec<SegmentCount>,
    pub revenue: RevenueSeries,
    pub churn_alerts: Vec<SegmentChange>,
    pub activity: Vec<ActivityItem>,
}

#[derive(Deserialize)]
struct DashboardData {
    dashboard: Dashboard,
}

/// The dashboard for `range` (`LAST_7_DAYS`, `LAST_30_DAYS`, `LAST_90_DAYS`, `LAST_365_DAYS`).
pub async fn dashboard(range: String) -> Result<Dashboard, ApiError> {
    let query = format!(
        "query Dashboard($range: DashboardRange) {{ dashboard(range: $range) {{ timeZone \
           currencyCode kpis {{ customers newCustomers30d revenue {{ amount currencyCode }} \
             previousRevenue {{ amount currencyCode }} orders previousOrders emailsSent30d }} \
           segments {{ segment label count }} \
           revenue {{ grain points {{ start revenue {{ amount currencyCode }} \
             previous {{ amount currencyCode }} }} }} \
           churnAlerts {{ {CHANGE_FIELDS} }} \
           activity {{ kind at customerId customerName title amount {{ amount currencyCode }} }} \
         }} }}"
    );
    let data: DashboardData = graphql(&query, json!({ "range": range })).await?;
    Ok(data.dashboard)
}

/// A plain-language insight about one customer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Insight {
    pub text: String,
    /// `openai` or `deterministic`.
    pub provider: String,
}

#[derive(Deserialize)]
struct InsightCustomer {
    insight: Option<Insight>,
}

#[derive(Deserialize)]
struct InsightData {
    customer: Option<InsightCustomer>,
}

/// The customer's insight, loaded apart from the profile (an LLM may take a few seconds).
pub async fn customer_insight(id: String) -> Result<Option<Insight>, ApiError> {
    let data: InsightData = graphql(
        "query CustomerInsight($id: ID!) { customer(id: $id) { insight { text provider } } }",
        json!({ "id": id }),
    )
    .await?;
    Ok(data.customer.and_then(|c| c.insight))
}
