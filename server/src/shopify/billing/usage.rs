//! Usage metering and enforcement: counters per shop and billing period, refusals that name
//! the limit, its numbers and the plan that lifts it, and overage turned into capped,
//! idempotent Shopify usage charges (sent by [`ChargeUsage`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::account::{Entitlement, PERIOD};
use super::plans::{Cents, Limits, Plan, Plans};
use super::remote::{self, Charged};
use super::store::{self, UsageCharge};
use crate::db::ShopDb;
use crate::error::AppError;
use crate::jobs::{EnqueueOpts, Job, JobCtx, enqueue};
use crate::shopify::jobs::shop_with_token;
use crate::state::AppState;

/// What is metered per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Marketing emails sent.
    Emails,
    /// AI requests (suggested replies, insights).
    AiRequests,
}

impl Metric {
    /// The counter's name.
    pub fn key(self) -> &'static str {
        match self {
            Metric::Emails => "emails",
            Metric::AiRequests => "ai_requests",
        }
    }

    /// What merchants call it.
    pub fn label(self) -> &'static str {
        match self {
            Metric::Emails => "marketing emails",
            Metric::AiRequests => "AI requests",
        }
    }

    /// The plan's allowance per period.
    pub fn limit(self, limits: &Limits) -> Option<u64> {
        match self {
            Metric::Emails => limits.emails_per_month,
            Metric::AiRequests => limits.ai_requests_per_month,
        }
    }
}

/// Emails per overage block: overage is priced per 1,000.
const BLOCK: u64 = 1_000;

/// How a consumption went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Consumed {
    /// Within the plan's allowance.
    Within,
    /// Beyond it, covered by this many new usage charges.
    Overage {
        /// New 1,000-email blocks charged.
        blocks: u64,
    },
}

fn limit_refusal(
    plans: &Plans,
    plan: &Plan,
    metric: Metric,
    used: u64,
    limit: u64,
    then: &str,
) -> AppError {
    let lifting = plans
        .lifting(&plan.key, |l| metric.limit(l), used)
        .map(|p| match metric.limit(&p.limits) {
            Some(l) => format!(" The {} plan allows {l}.", p.name),
            None => format!(" The {} plan has no limit.", p.name),
        })
        .unwrap_or_default();
    AppError::Plan {
        code: "PLAN_LIMIT",
        message: format!(
            "Your {} plan includes {limit} {} per 30-day period and {used} are used; {then}{lifting}",
            plan.name,
            metric.label()
        ),
    }
}

fn date(t: DateTime<Utc>) -> String {
    t.format("%B %-d, %Y").to_string()
}

/// Counts `n` units of `metric` for the shop, or refuses them. Emails beyond the allowance
/// become usage charges when the plan has overage and the cap allows; otherwise they wait for
/// the next period. The counter and the charges commit together, so a refused or failed
/// consumption counts nothing.
pub async fn consume(
    state: &AppState,
    db: &ShopDb,
    metric: Metric,
    n: u64,
) -> Result<Consumed, AppError> {
    let plans = &state.config.plans;
    let now = state.clock.now();
    let entitlement = Entitlement::of(db, plans).await?;
    let plan = entitlement.require_write()?.clone();
    let (Some(period), Some(subscription)) = (
        entitlement.period_start(now),
        entitlement.subscription.clone(),
    ) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "entitled without a subscription"
        )));
    };
    let next_period = period + PERIOD;
    let units = i64::try_from(n).map_err(|_| AppError::BadRequest("too many units".into()))?;
    let mut tx = db.begin().await?;
    // The upsert locks the counter row, so concurrent consumers are counted one after another.
    let total =
        u64::try_from(store::add_usage(&mut tx, period, metric.key(), units).await?).unwrap_or(0);
    let before = total.saturating_sub(n);
    let Some(limit) = metric.limit(&plan.limits) else {
        tx.commit().await?;
        return Ok(Consumed::Within);
    };
    if total <= limit {
        tx.commit().await?;
        return Ok(Consumed::Within);
    }
    let overage = match (
        metric,
        plan.overage_per_1000_emails,
        subscription.usage_line_item_id.as_deref(),
    ) {
        (Metric::Emails, Some(price), Some(_)) => price,
        (Metric::Emails, ..) => {
            let then = format!(
                "more sends wait until the next period on {}.",
                date(next_period)
            );
            return Err(limit_refusal(plans, &plan, metric, before, limit, &then));
        }
        (Metric::AiRequests, ..) => {
            let then = format!("AI requests resume on {}.", date(next_period));
            return Err(limit_refusal(plans, &plan, metric, before, limit, &then));
        }
    };
    let blocks_before = before.saturating_sub(limit).div_ceil(BLOCK);
    let blocks_after = total.saturating_sub(limit).div_ceil(BLOCK);
    let blocks = blocks_after - blocks_before;
    let cost = i64::try_from(blocks)
        .unwrap_or(i64::MAX)
        .saturating_mul(overage.0);
    let cap = subscription
        .capped_amount_cents
        .or(plan.usage_cap.map(|c| c.0))
        .unwrap_or(0);
    let charged = store::charged_in_period(&mut tx, period).await?;
    if charged.saturating_add(cost) > cap {
        let then = format!(
            "the usage cap of {} {} for this period is reached, so more sends wait until {}.",
            Cents(cap).decimal(),
            plans.currency,
            date(next_period)
        );
        return Err(limit_refusal(plans, &plan, metric, before, limit, &then));
    }
    let sub_number = subscription
        .shopify_id
        .rsplit('/')
        .next()
        .unwrap_or("0")
        .to_string();
    for block in blocks_before + 1..=blocks_after {
        let key = format!("{sub_number}-{}-emails-{block}", period.timestamp());
        let charge = UsageCharge {
            idempotency_key: key.clone(),
            subscription_id: subscription.shopify_id.clone(),
            period_start: period,
            description: format!("1,000 marketing emails beyond {limit} (block {block})"),
            amount_cents: overage.0,
            status: "pending".into(),
            shopify_id: None,
            detail: None,
            created_at: now,
            charged_at: None,
        };
        if store::insert_charge(&mut tx, &charge).await? {
            let opts = EnqueueOpts::default()
                .shop(db.shop_id())
                .key(format!("charge_usage:{key}"));
            enqueue(tx.as_db_tx(), &state.clock, &ChargeUsage { key }, opts).await?;
        }
    }
    tx.commit().await?;
    Ok(Consumed::Overage { blocks })
}

/// Refuses assigning work to more staff than the plan's inbox seats.
pub fn require_seat(
    plans: &Plans,
    entitlement: &Entitlement,
    seats_in_use: u64,
) -> Result<(), AppError> {
    let plan = entitlement.require_write()?;
    match plan.limits.inbox_seats {
        Some(seats) if seats_in_use >= seats => Err(seat_refusal(plans, plan, seats_in_use, seats)),
        _ => Ok(()),
    }
}

fn seat_refusal(plans: &Plans, plan: &Plan, in_use: u64, seats: u64) -> AppError {
    let lifting = plans
        .lifting(&plan.key, |l| l.inbox_seats, in_use)
        .map(|p| {
            format!(
                " The {} plan has {} seats.",
                p.name,
                p.limits
                    .inbox_seats
                    .map_or("unlimited".to_string(), |s| s.to_string())
            )
        })
        .unwrap_or_default();
    AppError::Plan {
        code: "PLAN_LIMIT",
        message: format!(
            "Your {} plan includes {seats} inbox seats and {in_use} are assigned.{lifting}",
            plan.name
        ),
    }
}

/// Sends one pending usage charge to Shopify under its idempotency key. Safe to run twice: a
/// settled charge is skipped, and Shopify answers a repeated key with the first record.
#[derive(Debug, Serialize, Deserialize)]
pub struct ChargeUsage {
    /// The charge's idempotency key.
    pub key: String,
}

impl Job for ChargeUsage {
    const KIND: &'static str = "charge_usage";

    async fn run(&self, ctx: &JobCtx) -> anyhow::Result<()> {
        let state = ctx.get::<AppState>()?;
        let db = ctx.shop()?;
        let Some(charge) = store::find_charge(db, &self.key).await? else {
            return Ok(());
        };
        if charge.status != "pending" {
            return Ok(());
        }
        let subscription = store::list(db)
            .await?
            .into_iter()
            .find(|s| s.shopify_id == charge.subscription_id);
        let Some(line_item) = subscription.and_then(|s| s.usage_line_item_id) else {
            let detail = "the subscription has no usage line item";
            store::settle_charge(
                db,
                &self.key,
                "refused",
                None,
                Some(detail),
                ctx.clock.now(),
            )
            .await?;
            return Ok(());
        };
        let Some((shop, token)) = shop_with_token(state, db.shop_id()).await? else {
            return Ok(());
        };
        let answer = remote::charge_usage(
            &state.admin,
            &shop.domain,
            &token,
            &line_item,
            Cents(charge.amount_cents),
            &state.config.plans.currency,
            &charge.description,
            &charge.idempotency_key,
        )
        .await?;
        let now = ctx.clock.now();
        match answer {
            Charged::Recorded(id) => {
                store::settle_charge(db, &self.key, "charged", Some(&id), None, now).await?;
                tracing::info!(shop = %shop.domain, key = self.key, "usage charge recorded");
            }
            Charged::Refused(message) => {
                store::settle_charge(db, &self.key, "refused", None, Some(&message), now).await?;
                tracing::warn!(shop = %shop.domain, key = self.key, %message, "usage charge refused");
            }
        }
        Ok(())
    }
}
