//! GraphQL for Settings › Plan: the plans side by side, the shop's plan and this period's usage
//! against each limit, the usage charge history, and choosing a plan. Thin over
//! [`account`] and [`store`]; scoped by the request's shop handle.

use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::account::{self, Choice, Entitlement, PERIOD};
use super::plans::{Cents, Plan};
use super::status::SubscriptionStatus;
use super::store;
use super::usage::Metric;
use crate::config::BillingMode;
use crate::error::GqlResultExt;
use crate::graphql::RequestCtx;

/// Who creates charges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum BillingModeKind {
    /// The app, through the Billing API.
    BillingApi,
    /// Shopify's hosted plan page (Shopify App Pricing).
    Managed,
}

/// A plan as offered.
#[derive(SimpleObject)]
pub struct PlanOffer {
    /// Stable key, passed to `choosePlan`.
    key: String,
    /// Display name.
    name: String,
    /// Price per 30 days, e.g. "49.00".
    monthly_price: String,
    /// Trial length in days.
    trial_days: u32,
    /// Customers kept in the CRM (null: unlimited).
    customers: Option<u64>,
    /// Marketing emails per period (null: unlimited).
    emails_per_month: Option<u64>,
    /// AI requests per period (null: unlimited).
    ai_requests_per_month: Option<u64>,
    /// Inbox seats (null: unlimited).
    inbox_seats: Option<u64>,
    /// Automations on at once (null: unlimited).
    active_automations: Option<u64>,
    /// Price per 1,000 emails beyond the allowance (null: sends wait instead).
    overage_per_1000_emails: Option<String>,
    /// Most usage charges per period.
    usage_cap: Option<String>,
    /// Whether the shop is on this plan now.
    current: bool,
    /// What would pause if the shop moved to this plan with its current usage.
    downgrade_warnings: Vec<String>,
}

/// A subscription as the merchant sees it.
#[derive(SimpleObject)]
pub struct SubscriptionView {
    /// The plan's key (null for a name plans.toml does not know).
    plan_key: Option<String>,
    /// Name at Shopify.
    name: String,
    /// Shopify's status.
    status: SubscriptionStatus,
    /// A test charge (no money moves).
    test: bool,
    /// When it was created.
    created_at: DateTime<Utc>,
    /// When its trial ends (null without a trial or before activation).
    trial_ends_at: Option<DateTime<Utc>>,
}

/// Usage of one limit this period.
#[derive(SimpleObject)]
pub struct UsageMeter {
    /// `emails` or `ai_requests`.
    metric: String,
    /// What merchants call it.
    label: String,
    /// Used this period.
    used: u64,
    /// The plan's allowance (null: unlimited).
    limit: Option<u64>,
}

/// One usage charge.
#[derive(SimpleObject)]
pub struct UsageChargeView {
    /// What the bill says.
    description: String,
    /// Amount, e.g. "1.00".
    amount: String,
    /// `pending`, `charged` or `refused`.
    status: String,
    /// Shopify's message when refused.
    detail: Option<String>,
    /// When it was decided.
    created_at: DateTime<Utc>,
}

/// Everything Settings › Plan shows.
#[derive(SimpleObject)]
pub struct BillingOverview {
    /// Who creates charges.
    mode: BillingModeKind,
    /// Currency of every amount.
    currency: String,
    /// The plans, cheapest first.
    plans: Vec<PlanOffer>,
    /// The subscription that grants the plan (ACTIVE or FROZEN), if any.
    current: Option<SubscriptionView>,
    /// The newest subscription of any status: what became of the last choice.
    latest: Option<SubscriptionView>,
    /// This period's usage (empty without a plan).
    usage: Vec<UsageMeter>,
    /// Start and end of this billing period.
    period_start: Option<DateTime<Utc>>,
    /// End of this billing period.
    period_end: Option<DateTime<Utc>>,
    /// Usage charges, newest first.
    charges: Vec<UsageChargeView>,
}

/// The answer to `choosePlan`.
#[derive(SimpleObject)]
pub struct PlanChoice {
    /// Where the top frame must go (Shopify's approval or plan page); null when refused.
    redirect_url: Option<String>,
    /// Shopify's reason when it refused.
    refused: Option<String>,
}

fn money(c: Option<Cents>) -> Option<String> {
    c.map(Cents::decimal)
}

fn view(s: store::Subscription) -> SubscriptionView {
    let trial_ends_at = (s.trial_days > 0)
        .then_some(s.activated_at)
        .flatten()
        .map(|a| a + chrono::Duration::days(i64::from(s.trial_days)));
    SubscriptionView {
        status: s.status(),
        plan_key: s.plan_key,
        name: s.name,
        test: s.test,
        created_at: s.created_at,
        trial_ends_at,
    }
}

fn warnings(plan: &Plan, usage: &[UsageMeter]) -> Vec<String> {
    usage
        .iter()
        .filter_map(|m| {
            let metric = if m.metric == Metric::Emails.key() { Metric::Emails } else { Metric::AiRequests };
            let limit = metric.limit(&plan.limits)?;
            (m.used > limit).then(|| {
                format!(
                    "{} {} are used this period; {} includes {limit}, so more wait for the next period{}.",
                    m.used,
                    m.label,
                    plan.name,
                    if metric == Metric::Emails && plan.overage_per_1000_emails.is_some() {
                        " or are charged as overage"
                    } else {
                        ""
                    }
                )
            })
        })
        .collect()
}

/// Billing queries.
#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// The plan page's data. Open to every installed shop: it is how a shop without a plan
    /// gets one.
    async fn billing(&self, ctx: &Context<'_>) -> async_graphql::Result<BillingOverview> {
        let rc = RequestCtx::of(ctx)?;
        let app = &rc.app;
        let plans = &app.config.plans;
        let now = app.clock.now();
        let entitlement = Entitlement::of(&rc.db, plans).await.gql()?;
        let period_start = entitlement.period_start(now);
        let mut usage = Vec::new();
        if let (Some(start), Some(plan)) = (period_start, entitlement.plan.as_ref()) {
            for metric in [Metric::Emails, Metric::AiRequests] {
                let used = store::usage(&rc.db, start, metric.key()).await.gql()?;
                usage.push(UsageMeter {
                    metric: metric.key().into(),
                    label: metric.label().into(),
                    used: u64::try_from(used).unwrap_or(0),
                    limit: metric.limit(&plan.limits),
                });
            }
        }
        let current_key = entitlement.plan.as_ref().map(|p| p.key.clone());
        let offers = plans
            .plans
            .iter()
            .map(|p| PlanOffer {
                key: p.key.clone(),
                name: p.name.clone(),
                monthly_price: p.monthly_price.decimal(),
                trial_days: p.trial_days,
                customers: p.limits.customers,
                emails_per_month: p.limits.emails_per_month,
                ai_requests_per_month: p.limits.ai_requests_per_month,
                inbox_seats: p.limits.inbox_seats,
                active_automations: p.limits.active_automations,
                overage_per_1000_emails: money(p.overage_per_1000_emails),
                usage_cap: money(p.usage_cap),
                current: current_key.as_deref() == Some(p.key.as_str()),
                downgrade_warnings: warnings(p, &usage),
            })
            .collect();
        let latest = store::list(&rc.db)
            .await
            .gql()?
            .into_iter()
            .next()
            .map(view);
        let charges = store::list_charges(&rc.db, 50)
            .await
            .gql()?
            .into_iter()
            .map(|c| UsageChargeView {
                description: c.description,
                amount: Cents(c.amount_cents).decimal(),
                status: c.status,
                detail: c.detail,
                created_at: c.created_at,
            })
            .collect();
        Ok(BillingOverview {
            mode: match app.config.billing_mode {
                BillingMode::BillingApi => BillingModeKind::BillingApi,
                BillingMode::Managed => BillingModeKind::Managed,
            },
            currency: plans.currency.clone(),
            plans: offers,
            current: entitlement.subscription.map(view),
            latest,
            usage,
            period_start,
            period_end: period_start.map(|s| s + PERIOD),
            charges,
        })
    }
}

/// Billing mutations.
#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Starts moving the shop to `plan`: answers the URL the top frame must open (Shopify's
    /// approval page, or its hosted plan page in managed pricing).
    async fn choose_plan(
        &self,
        ctx: &Context<'_>,
        plan: String,
    ) -> async_graphql::Result<PlanChoice> {
        let rc = RequestCtx::of(ctx)?;
        Ok(match account::choose(&rc.app, &rc.db, &plan).await.gql()? {
            Choice::Redirect(url) => PlanChoice {
                redirect_url: Some(url),
                refused: None,
            },
            Choice::Refused(message) => PlanChoice {
                redirect_url: None,
                refused: Some(message),
            },
        })
    }

    /// Re-reads the shop's subscriptions from Shopify (after the approval page, or to pick up
    /// a plan chosen on Shopify's hosted page) and answers the refreshed plan page.
    async fn refresh_billing(&self, ctx: &Context<'_>) -> async_graphql::Result<BillingOverview> {
        let rc = RequestCtx::of(ctx)?;
        account::sync(&rc.app, &rc.db)
            .await
            .map_err(crate::error::AppError::Internal)
            .gql()?;
        BillingQuery.billing(ctx).await
    }
}
