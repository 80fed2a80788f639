//! Settings › Plan: the plans on offer, the shop's subscription and this period's usage, the usage
//! charge history, choosing a plan and re-reading billing from Shopify after its approval page.
//!
//! Hand-written until `schema.graphql` exists to generate response types from (CONVENTIONS §4.6).

use serde::Deserialize;
use serde_json::json;

use super::{ApiError, graphql};

/// Every field the plan page shows; `billing` and `refreshBilling` answer the same shape.
const OVERVIEW_FIELDS: &str = "mode currency \
    plans { key name monthlyPrice trialDays customers emailsPerMonth aiRequestsPerMonth \
            inboxSeats activeAutomations overagePer1000Emails usageCap current downgradeWarnings } \
    current { planKey name status test createdAt trialEndsAt } \
    latest { planKey name status test createdAt trialEndsAt } \
    usage { metric label used limit } \
    periodStart periodEnd \
    charges { description amount status detail createdAt }";

/// Who creates charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingMode {
    /// The app, through the Billing API (Shopify's approval page).
    BillingApi,
    /// Shopify's hosted plan page (Shopify App Pricing).
    Managed,
    /// A value this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// A subscription's status at Shopify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SubscriptionStatus {
    /// Waiting for the merchant on Shopify's approval page.
    Pending,
    /// Approved and billing.
    Active,
    /// The merchant declined it.
    Declined,
    /// Not approved in time.
    Expired,
    /// Shopify could not collect payment.
    Frozen,
    /// Ended.
    Cancelled,
    /// A value this version of the app does not know yet.
    #[serde(other)]
    Unknown,
}

/// A plan as offered.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOffer {
    /// Stable key, passed to `choose_plan`.
    pub key: String,
    /// Display name, e.g. "Growth".
    pub name: String,
    /// Price per 30 days, e.g. "49.00".
    pub monthly_price: String,
    /// Trial length in days.
    pub trial_days: u32,
    /// Customers kept (None: unlimited).
    pub customers: Option<u64>,
    /// Marketing emails per period (None: unlimited).
    pub emails_per_month: Option<u64>,
    /// AI requests per period (None: unlimited).
    pub ai_requests_per_month: Option<u64>,
    /// Inbox seats (None: unlimited).
    pub inbox_seats: Option<u64>,
    /// Automations on at once (None: unlimited).
    pub active_automations: Option<u64>,
    /// Price per 1,000 emails beyond the allowance (None: sends wait instead).
    pub overage_per_1000_emails: Option<String>,
    /// Most usage charges per period.
    pub usage_cap: Option<String>,
    /// The shop is on this plan now.
    pub current: bool,
    /// What would pause if the shop moved to this plan now.
    #[serde(default)]
    pub downgrade_warnings: Vec<String>,
}

/// A subscription as the merchant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView {
    /// The plan's key (None for a plan this server's plans file does not know).
    pub plan_key: Option<String>,
    /// The plan's name at Shopify.
    pub name: String,
    /// Shopify's status.
    pub status: SubscriptionStatus,
    /// A test charge: no money moves.
    pub test: bool,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When the trial ends (RFC 3339).
    pub trial_ends_at: Option<String>,
}

/// This period's use of one limit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageMeter {
    /// `emails` or `ai_requests`.
    pub metric: String,
    /// What merchants call it, e.g. "emails".
    pub label: String,
    /// Used this period.
    pub used: u64,
    /// The allowance (None: unlimited).
    pub limit: Option<u64>,
}

/// One usage charge.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    /// What the bill says.
    pub description: String,
    /// Amount, e.g. "1.00".
    pub amount: String,
    /// `pending`, `charged` or `refused`.
    pub status: String,
    /// Shopify's message when refused.
    pub detail: Option<String>,
    /// When it was decided (RFC 3339).
    pub created_at: String,
}

/// Everything the plan page shows.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingOverview {
    /// Who creates charges.
    pub mode: BillingMode,
    /// Currency of every amount, e.g. "USD".
    pub currency: String,
    /// The plans, cheapest first.
    pub plans: Vec<PlanOffer>,
    /// The subscription that grants the plan (ACTIVE or FROZEN); None without a plan.
    pub current: Option<SubscriptionView>,
    /// The newest subscription of any status: what became of the last choice.
    pub latest: Option<SubscriptionView>,
    /// This period's usage (empty without a plan).
    #[serde(default)]
    pub usage: Vec<UsageMeter>,
    /// Start of this billing period (RFC 3339).
    pub period_start: Option<String>,
    /// End of this billing period (RFC 3339).
    pub period_end: Option<String>,
    /// Usage charges, newest first.
    #[serde(default)]
    pub charges: Vec<Charge>,
}

impl BillingOverview {
    /// The plan offer the shop is on now.
    pub fn current_plan(&self) -> Option<&PlanOffer> {
        self.plans.iter().find(|p| p.current)
    }
}

/// The answer to `choose_plan`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanChoice {
    /// Where the top frame must go (Shopify's approval or plan page).
    pub redirect_url: Option<String>,
    /// Shopify's reason when it refused.
    pub refused: Option<String>,
}

#[derive(Deserialize)]
struct BillingData {
    billing: BillingOverview,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshData {
    refresh_billing: BillingOverview,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChooseData {
    choose_plan: PlanChoice,
}

#[derive(Deserialize)]
struct CurrentOnly {
    current: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct CurrentData {
    billing: CurrentOnly,
}

/// The plan page's data as stored.
pub async fn billing() -> Result<BillingOverview, ApiError> {
    let query = format!("query Billing {{ billing {{ {OVERVIEW_FIELDS} }} }}");
    let data: BillingData = graphql(&query, json!({})).await?;
    Ok(data.billing)
}

/// Re-reads the shop's subscriptions from Shopify, then answers the plan page's data.
pub async fn refresh_billing() -> Result<BillingOverview, ApiError> {
    let query = format!("mutation RefreshBilling {{ refreshBilling {{ {OVERVIEW_FIELDS} }} }}");
    let data: RefreshData = graphql(&query, json!({})).await?;
    Ok(data.refresh_billing)
}

/// Whether the shop has a plan (an ACTIVE or FROZEN subscription): the app's gate.
pub async fn has_plan() -> Result<bool, ApiError> {
    let data: CurrentData = graphql(
        "query HasPlan { billing { current { status } } }",
        json!({}),
    )
    .await?;
    Ok(data.billing.current.is_some())
}

/// Starts moving the shop to `plan` (a plan key).
pub async fn choose_plan(plan: &str) -> Result<PlanChoice, ApiError> {
    let data: ChooseData = graphql(
        "mutation ChoosePlan($plan: String!) { choosePlan(plan: $plan) { redirectUrl refused } }",
        json!({ "plan": plan }),
    )
    .await?;
    Ok(data.choose_plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overview_without_a_plan_decodes() {
        let overview: BillingOverview = serde_json::from_value(json!({
            "mode": "BILLING_API", "currency": "USD",
            "plans": [{
                "key": "growth", "name": "Growth", "monthlyPrice": "49.00", "trialDays": 14,
                "customers": 10000, "emailsPerMonth": 60000, "aiRequestsPerMonth": 1000,
                "inboxSeats": 5, "activeAutomations": null, "overagePer1000Emails": "0.90",
                "usageCap": "150.00", "current": false, "downgradeWarnings": []
            }],
            "current": null,
            "latest": { "planKey": "growth", "name": "Growth", "status": "SOMETHING_NEW",
                        "test": true, "createdAt": "2025-03-05T14:04:00Z", "trialEndsAt": null },
            "usage": [], "periodStart": null, "periodEnd": null, "charges": []
        }))
        .unwrap();
        assert_eq!(overview.mode, BillingMode::BillingApi);
        assert_eq!(overview.plans[0].active_automations, None);
        assert_eq!(
            overview.latest.as_ref().map(|l| l.status),
            Some(SubscriptionStatus::Unknown)
        );
        assert!(overview.current_plan().is_none());
    }
}
