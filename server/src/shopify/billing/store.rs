//! SQL for the billing tenant tables (`billing_subscriptions`, `usage_counters`,
//! `usage_charges`), through the shop-scoped handle only.

use chrono::{DateTime, Utc};

use super::status::{SubscriptionStatus, replaces};
use crate::db::{ShopDb, ShopTx};

/// A subscription as the app knows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscription {
    /// Shopify's gid.
    pub shopify_id: String,
    /// The plan's key, when the name matches one of plans.toml.
    pub plan_key: Option<String>,
    /// The name Shopify holds.
    pub name: String,
    /// `AppSubscriptionStatus`.
    pub status: String,
    /// When Shopify last changed the status.
    pub status_at: DateTime<Utc>,
    /// A test charge (no money moves).
    pub test: bool,
    /// Trial length.
    pub trial_days: i32,
    /// When it first became active.
    pub activated_at: Option<DateTime<Utc>>,
    /// End of the current period, as Shopify reported it.
    pub current_period_end: Option<DateTime<Utc>>,
    /// The usage line item's id.
    pub usage_line_item_id: Option<String>,
    /// The usage cap, in cents.
    pub capped_amount_cents: Option<i64>,
    /// When the app first saw it.
    pub created_at: DateTime<Utc>,
}

impl Subscription {
    /// The parsed status (unknown values read as pending, which grants nothing).
    pub fn status(&self) -> SubscriptionStatus {
        SubscriptionStatus::parse(&self.status).unwrap_or(SubscriptionStatus::Pending)
    }
}

const COLUMNS: &str = "shopify_id, plan_key, name, status, status_at, test, trial_days, \
    activated_at, current_period_end, usage_line_item_id, capped_amount_cents, created_at";

/// Applies what Shopify says about a subscription: inserts it, or updates it when the change
/// is newer (see [`replaces`]). Fields Shopify did not send (`None`) keep their stored value.
/// Returns whether anything changed.
pub async fn apply(tx: &mut ShopTx, incoming: &Subscription) -> sqlx::Result<bool> {
    let sql = format!(
        "select {COLUMNS} from billing_subscriptions where shop_id = $1 and shopify_id = $2"
    );
    let stored: Option<Subscription> = tx
        .query(&sql)
        .bind(incoming.shopify_id.as_str())
        .fetch_optional()
        .await?;
    let now_status = incoming.status();
    let Some(stored) = stored else {
        let activated = (now_status == SubscriptionStatus::Active)
            .then_some(incoming.activated_at.unwrap_or(incoming.status_at));
        let sql = format!(
            "insert into billing_subscriptions (shop_id, {COLUMNS}) values \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        tx.query(&sql)
            .bind(incoming.shopify_id.as_str())
            .bind(incoming.plan_key.as_deref())
            .bind(incoming.name.as_str())
            .bind(now_status.as_str())
            .bind(incoming.status_at)
            .bind(incoming.test)
            .bind(incoming.trial_days)
            .bind(activated)
            .bind(incoming.current_period_end)
            .bind(incoming.usage_line_item_id.as_deref())
            .bind(incoming.capped_amount_cents)
            .bind(incoming.created_at)
            .execute()
            .await?;
        return Ok(true);
    };
    if !replaces(
        Some((stored.status(), stored.status_at)),
        (now_status, incoming.status_at),
    ) {
        return Ok(false);
    }
    let activated = stored.activated_at.or_else(|| {
        (now_status == SubscriptionStatus::Active)
            .then_some(incoming.activated_at.unwrap_or(incoming.status_at))
    });
    tx.query(
        "update billing_subscriptions set status = $3, status_at = $4, activated_at = $5, \
         current_period_end = coalesce($6, current_period_end), \
         usage_line_item_id = coalesce($7, usage_line_item_id), \
         capped_amount_cents = coalesce($8, capped_amount_cents), \
         plan_key = coalesce(plan_key, $9) where shop_id = $1 and shopify_id = $2",
    )
    .bind(incoming.shopify_id.as_str())
    .bind(now_status.as_str())
    .bind(incoming.status_at.max(stored.status_at))
    .bind(activated)
    .bind(incoming.current_period_end)
    .bind(incoming.usage_line_item_id.as_deref())
    .bind(incoming.capped_amount_cents)
    .bind(incoming.plan_key.as_deref())
    .execute()
    .await?;
    Ok(stored.status() != now_status)
}

/// The shop's subscriptions, newest first.
pub async fn list(db: &ShopDb) -> sqlx::Result<Vec<Subscription>> {
    let sql = format!(
        "select {COLUMNS} from billing_subscriptions where shop_id = $1 \
         order by created_at desc, shopify_id desc"
    );
    db.query(&sql).fetch_all().await
}

/// The subscription that grants the shop its plan: the newest ACTIVE or FROZEN one.
pub async fn current(db: &ShopDb) -> sqlx::Result<Option<Subscription>> {
    let sql = format!(
        "select {COLUMNS} from billing_subscriptions where shop_id = $1 \
         and status in ('ACTIVE', 'FROZEN') order by status_at desc, shopify_id desc limit 1"
    );
    db.query(&sql).fetch_optional().await
}

/// Adds `n` to a counter and returns the new total.
pub async fn add_usage(
    tx: &mut ShopTx,
    period_start: DateTime<Utc>,
    metric: &str,
    n: i64,
) -> sqlx::Result<i64> {
    let (used,): (i64,) = tx
        .query(
            "insert into usage_counters (shop_id, period_start, metric, used) values ($1, $2, $3, $4) \
             on conflict (shop_id, period_start, metric) do update set used = usage_counters.used + excluded.used \
             returning used",
        )
        .bind(period_start)
        .bind(metric)
        .bind(n)
        .fetch_one()
        .await?;
    Ok(used)
}

/// A counter's value (0 when nothing was used).
pub async fn usage(db: &ShopDb, period_start: DateTime<Utc>, metric: &str) -> sqlx::Result<i64> {
    let row: Option<(i64,)> = db
        .query("select used from usage_counters where shop_id = $1 and period_start = $2 and metric = $3")
        .bind(period_start)
        .bind(metric)
        .fetch_optional()
        .await?;
    Ok(row.map_or(0, |(n,)| n))
}

/// A usage charge.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UsageCharge {
    /// The idempotency key (also the row's key).
    pub idempotency_key: String,
    /// The subscription charged.
    pub subscription_id: String,
    /// The period it belongs to.
    pub period_start: DateTime<Utc>,
    /// What the merchant sees on the bill.
    pub description: String,
    /// Amount in cents.
    pub amount_cents: i64,
    /// `pending`, `charged` or `refused`.
    pub status: String,
    /// Shopify's usage record gid.
    pub shopify_id: Option<String>,
    /// Shopify's message when refused.
    pub detail: Option<String>,
    /// When it was decided to charge.
    pub created_at: DateTime<Utc>,
    /// When Shopify accepted it.
    pub charged_at: Option<DateTime<Utc>>,
}

const CHARGE_COLUMNS: &str = "idempotency_key, subscription_id, period_start, description, \
    amount_cents, status, shopify_id, detail, created_at, charged_at";

/// Records a pending charge; `false` when one with this key exists (nothing is charged twice).
pub async fn insert_charge(tx: &mut ShopTx, c: &UsageCharge) -> sqlx::Result<bool> {
    let sql = format!(
        "insert into usage_charges (shop_id, {CHARGE_COLUMNS}) values \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (shop_id, idempotency_key) do nothing"
    );
    let n = tx
        .query(&sql)
        .bind(c.idempotency_key.as_str())
        .bind(c.subscription_id.as_str())
        .bind(c.period_start)
        .bind(c.description.as_str())
        .bind(c.amount_cents)
        .bind(c.status.as_str())
        .bind(c.shopify_id.as_deref())
        .bind(c.detail.as_deref())
        .bind(c.created_at)
        .bind(c.charged_at)
        .execute()
        .await?;
    Ok(n == 1)
}

/// One charge.
pub async fn find_charge(db: &ShopDb, key: &str) -> sqlx::Result<Option<UsageCharge>> {
    let sql = format!(
        "select {CHARGE_COLUMNS} from usage_charges where shop_id = $1 and idempotency_key = $2"
    );
    db.query(&sql).bind(key).fetch_optional().await
}

/// Settles a charge with Shopify's answer.
pub async fn settle_charge(
    db: &ShopDb,
    key: &str,
    status: &str,
    shopify_id: Option<&str>,
    detail: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    db.query(
        "update usage_charges set status = $3, shopify_id = $4, detail = $5, \
         charged_at = case when $3 = 'charged' then $6 else charged_at end \
         where shop_id = $1 and idempotency_key = $2",
    )
    .bind(key)
    .bind(status)
    .bind(shopify_id)
    .bind(detail)
    .bind(now)
    .execute()
    .await?;
    Ok(())
}

/// The shop's charges, newest first.
pub async fn list_charges(db: &ShopDb, limit: i64) -> sqlx::Result<Vec<UsageCharge>> {
    let sql = format!(
        "select {CHARGE_COLUMNS} from usage_charges where shop_id = $1 \
         order by created_at desc, idempotency_key desc limit $2"
    );
    db.query(&sql).bind(limit).fetch_all().await
}

/// Cents charged or pending in a period (what counts against the cap).
pub async fn charged_in_period(tx: &mut ShopTx, period_start: DateTime<Utc>) -> sqlx::Result<i64> {
    let (n,): (i64,) = tx
        .query(
            "select cast(coalesce(sum(amount_cents), 0) as bigint) from usage_charges \
             where shop_id = $1 and period_start = $2 and status <> 'refused'",
        )
        .bind(period_start)
        .fetch_one()
        .await?;
    Ok(n)
}
