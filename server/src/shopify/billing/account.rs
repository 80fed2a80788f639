//! A shop's billing account: which plan it is on, what it may do (its entitlement), choosing a
//! plan, and keeping the stored subscriptions in step with Shopify.

use chrono::{DateTime, Duration, Utc};
use shared::ShopDomain;

use super::plans::{Plan, Plans};
use super::remote::{self, Created};
use super::status::SubscriptionStatus;
use super::store::{self, Subscription};
use crate::config::{BillingMode, Config, Env, REAL_SHOPIFY};
use crate::db::ShopDb;
use crate::error::AppError;
use crate::shopify::{jobs::shop_with_token, profile};
use crate::state::AppState;

/// Length of a billing period (Shopify bills every 30 days from activation).
pub const PERIOD: Duration = Duration::days(30);

/// What the shop may do now.
#[derive(Debug, Clone)]
pub struct Entitlement {
    /// The subscription granting it (ACTIVE or FROZEN), if any.
    pub subscription: Option<Subscription>,
    /// Its plan from plans.toml.
    pub plan: Option<Plan>,
}

impl Entitlement {
    /// The shop's entitlement from its stored subscriptions.
    pub async fn of(db: &ShopDb, plans: &Plans) -> sqlx::Result<Entitlement> {
        let subscription = store::current(db).await?;
        let plan = subscription
            .as_ref()
            .and_then(|s| {
                s.plan_key
                    .as_deref()
                    .and_then(|k| plans.get(k))
                    .or_else(|| plans.by_name(&s.name))
            })
            .cloned();
        Ok(Entitlement { subscription, plan })
    }

    /// The status of the granting subscription.
    pub fn status(&self) -> Option<SubscriptionStatus> {
        self.subscription.as_ref().map(Subscription::status)
    }

    /// Refuses reads without a plan.
    pub fn require_read(&self) -> Result<&Plan, AppError> {
        self.plan.as_ref().ok_or_else(|| AppError::Plan {
            code: "PLAN_REQUIRED",
            message: "Choose a plan in Settings › Plan to use EcomCRM.".into(),
        })
    }

    /// Refuses changes without a plan or while Shopify has frozen the subscription.
    pub fn require_write(&self) -> Result<&Plan, AppError> {
        let plan = self.require_read()?;
        if self.status() == Some(SubscriptionStatus::Frozen) {
            return Err(AppError::Plan {
                code: "READ_ONLY",
                message: "Your EcomCRM subscription is frozen because Shopify could not collect \
                          payment; the app is read-only until your Shopify bill is paid."
                    .into(),
            });
        }
        Ok(plan)
    }

    /// Start of the billing period containing `now` (periods of 30 days from activation).
    pub fn period_start(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let s = self.subscription.as_ref()?;
        let start = s.activated_at.unwrap_or(s.created_at);
        let elapsed = (now - start).num_seconds().max(0);
        let periods = elapsed / PERIOD.num_seconds();
        Some(start + Duration::seconds(periods * PERIOD.num_seconds()))
    }
}

/// Where Shopify sends the merchant after the approval page: the app's plan page inside the
/// admin; against the simulator (local development and tests), the standalone app.
pub fn return_url(config: &Config, shop: &ShopDomain) -> String {
    if config.shop_base_url == REAL_SHOPIFY {
        format!(
            "https://admin.shopify.com/store/{}/apps/{}/settings/plan?billing=return",
            shop.handle(),
            config.api_key
        )
    } else {
        format!(
            "{}/settings/plan?shop={}&billing=return",
            config.app_url,
            shop.as_str()
        )
    }
}

/// Shopify's hosted plan page (managed pricing, SHOPIFY.md §8.5).
pub fn managed_plan_page(config: &Config, shop: &ShopDomain) -> Option<String> {
    let handle = config.app_handle.as_deref()?;
    Some(format!(
        "https://admin.shopify.com/store/{}/charges/{handle}/pricing_plans",
        shop.handle()
    ))
}

/// Whether charges are tests: always, except in production for a store that pays Shopify
/// (development and partner stores cannot be charged).
async fn test_charge(state: &AppState, db: &ShopDb) -> sqlx::Result<bool> {
    if state.config.env != Env::Production {
        return Ok(true);
    }
    let plan = profile::find(db)
        .await?
        .and_then(|p| p.plan_name)
        .unwrap_or_default();
    let plan = plan.to_ascii_lowercase();
    Ok(
        ["development", "developer", "partner", "affiliate", "staff"]
            .iter()
            .any(|word| plan.contains(word)),
    )
}

/// Where choosing a plan leads.
#[derive(Debug)]
pub enum Choice {
    /// Send the top frame here to approve (Billing API) or pick a plan (managed pricing).
    Redirect(String),
    /// Shopify refused; its message.
    Refused(String),
}

/// Starts the switch to `plan_key`.
pub async fn choose(state: &AppState, db: &ShopDb, plan_key: &str) -> Result<Choice, AppError> {
    let config = &state.config;
    let plan = config
        .plans
        .get(plan_key)
        .ok_or_else(|| AppError::BadRequest(format!("there is no plan `{plan_key}`")))?;
    let Some((shop, token)) = shop_with_token(state, db.shop_id()).await? else {
        return Err(AppError::Unauthorized);
    };
    if config.billing_mode == BillingMode::Managed {
        let page = managed_plan_page(config, &shop.domain).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "managed billing without SHOPIFY_APP_HANDLE"
            ))
        })?;
        return Ok(Choice::Redirect(page));
    }
    let test = test_charge(state, db).await?;
    let return_to = return_url(config, &shop.domain);
    let created = remote::create(
        &state.admin,
        &shop.domain,
        &token,
        &config.plans,
        plan,
        &return_to,
        test,
    )
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    match created {
        Created::Pending {
            confirmation_url,
            subscription,
        } => {
            let now = state.clock.now();
            let mut tx = db.begin().await?;
            store::apply(&mut tx, &subscription.into_subscription(&config.plans, now)).await?;
            tx.commit().await?;
            tracing::info!(shop = %shop.domain, plan = plan.key, test, "plan chosen; awaiting approval");
            Ok(Choice::Redirect(confirmation_url))
        }
        Created::Refused(message) => {
            tracing::warn!(shop = %shop.domain, plan = plan.key, %message, "subscription refused");
            Ok(Choice::Refused(message))
        }
    }
}

/// Reads the shop's subscriptions from Shopify and applies them (the return from the approval
/// page, and the source of truth in managed pricing). Returns whether anything changed.
pub async fn sync(state: &AppState, db: &ShopDb) -> anyhow::Result<bool> {
    let Some((shop, token)) = shop_with_token(state, db.shop_id()).await? else {
        return Ok(false);
    };
    let remote = remote::list(&state.admin, &shop.domain, &token).await?;
    let now = state.clock.now();
    let mut changed = false;
    let mut tx = db.begin().await?;
    for s in remote {
        changed |= store::apply(&mut tx, &s.into_subscription(&state.config.plans, now)).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Re-reads the shop's subscriptions from Shopify ([`sync`]) as a job: after every install, so a
/// reinstalled shop never finds a plan Shopify cancelled while the app was gone.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct SyncBilling {}

impl crate::jobs::Job for SyncBilling {
    const KIND: &'static str = "sync_billing";

    async fn run(&self, ctx: &crate::jobs::JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let changed = sync(state, ctx.shop()?).await?;
        tracing::info!(changed, "billing synced with Shopify");
        Ok(())
    }
}
