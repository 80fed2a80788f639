//! The Billing API with manual pricing (SHOPIFY.md §8.2–8.4): app subscriptions with a recurring
//! and/or a usage line item, the merchant's approval (`billing_page.rs`), usage records, cancel,
//! and the `app_subscriptions/update` webhook (§7) on every status change.
//!
//! Simplifications, on purpose:
//! - every `replacementBehavior` replaces at once: approving a subscription cancels the shop's
//!   other ACTIVE one (Shopify may defer `APPLY_ON_NEXT_BILLING_CYCLE` to the end of the cycle);
//! - billing periods do not roll over: `balanceUsed` is never reset and `currentPeriodEnd` is
//!   set once, at approval (now + 30 days, or + 365 days for an annual plan);
//! - a PENDING subscription older than two days turns EXPIRED lazily, when the shop is next read.
//!
//! `currentAppInstallation.activeSubscriptions` lists ACTIVE subscriptions only. Shopify documents
//! the field as "the active application subscriptions billed to the shop on a recurring basis";
//! a FROZEN one is on hold for non-payment and not billed, so it is left out (it still shows in
//! `allSubscriptions`).

use std::sync::atomic::Ordering;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value as Json, json};

use super::mutate::MutationEnv;
use super::resolve::Resolved;
use super::state::{RequestRecord, SimShop, SimState};
use super::webhooks::{WebhookDelivery, send_webhook};

/// The webhook topic of status changes.
pub const TOPIC: &str = "app_subscriptions/update";
/// How long a subscription may stay PENDING before Shopify expires it.
const PENDING_LIFETIME_DAYS: i64 = 2;
/// Decimal places kept for amounts (Shopify's `Decimal` allows more than cents for usage).
const SCALE: i64 = 10_000;

/// An amount of money in ten-thousandths of the currency unit: exact, unlike `f64`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(pub i64);

impl Amount {
    /// Reads a GraphQL `Decimal` (a JSON number or string such as `10`, `"10.5"`, `0.001`).
    pub fn parse(value: &Json) -> Option<Self> {
        let text = match value {
            Json::Number(n) => n.to_string(),
            Json::String(s) => s.trim().to_string(),
            _ => return None,
        };
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || whole.len() > 12
        {
            return None;
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let mut fraction = fraction.to_string();
        fraction.truncate(4);
        while fraction.len() < 4 {
            fraction.push('0');
        }
        let units = whole * SCALE + fraction.parse::<i64>().ok()?;
        Some(Self(if negative { -units } else { units }))
    }

    /// Shopify's `Decimal` output: `10.0`, `0.25`, `19.99`.
    pub fn decimal(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.abs();
        let fraction = format!("{:04}", abs % SCALE);
        let trimmed = fraction.trim_end_matches('0');
        let fraction = if trimmed.is_empty() { "0" } else { trimmed };
        format!("{sign}{}.{fraction}", abs / SCALE)
    }

    /// Two decimals, as the webhook's `price` (`10.00`).
    pub fn cents(self) -> String {
        let rounded = (self.0 + if self.0 < 0 { -50 } else { 50 }) / 100;
        let sign = if rounded < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", rounded.abs() / 100, rounded.abs() % 100)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.decimal())
    }
}

/// `MoneyV2`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Money {
    pub amount: Amount,
    pub currency_code: String,
}

impl Money {
    fn parse(value: Option<&Json>) -> Option<Self> {
        let value = value?;
        Some(Self {
            amount: Amount::parse(value.get("amount")?)?,
            currency_code: value.get("currencyCode")?.as_str()?.to_string(),
        })
    }

    fn node(&self) -> Json {
        json!({"__typename": "MoneyV2", "amount": self.amount.decimal(), "currencyCode": self.currency_code})
    }
}

/// A recurring item's optional discount (`AppSubscriptionDiscountInput`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discount {
    pub duration_limit_in_intervals: Option<i64>,
    /// A fixed amount off, in the price's currency...
    pub amount: Option<Amount>,
    /// ... or a percentage (0–1, as Shopify takes it).
    pub percentage: Option<f64>,
}

/// What a line item charges.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Pricing {
    Recurring {
        price: Money,
        /// `EVERY_30_DAYS` or `ANNUAL`.
        interval: String,
        discount: Option<Discount>,
    },
    Usage {
        capped_amount: Money,
        terms: String,
        balance_used: Money,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimLineItem {
    /// `gid://shopify/AppSubscriptionLineItem/N?v=1&index=I`, query string included.
    pub id: String,
    #[serde(flatten)]
    pub pricing: Pricing,
}

/// One app subscription; also what `GET /_sim/shops/{shop}/billing` lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimAppSubscription {
    /// `gid://shopify/AppSubscription/N`.
    pub id: String,
    /// The `N`: the `charge_id` of the return URL.
    pub number: u64,
    pub name: String,
    /// `AppSubscriptionStatus`, upper case.
    pub status: String,
    pub test: bool,
    pub trial_days: i64,
    pub return_url: String,
    pub replacement_behavior: String,
    pub created_at: DateTime<Utc>,
    /// Strictly increases on every change within a shop, so deliveries can be ordered.
    pub updated_at: DateTime<Utc>,
    pub current_period_end: Option<DateTime<Utc>>,
    pub line_items: Vec<SimLineItem>,
}

/// One `appUsageRecordCreate`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimUsageRecord {
    /// `gid://shopify/AppUsageRecord/N`.
    pub id: String,
    pub subscription_id: String,
    pub line_item_id: String,
    pub description: String,
    pub price: Money,
    pub idempotency_key: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A shop's billing state.
#[derive(Debug, Clone, Default)]
pub struct Billing {
    /// Oldest first.
    pub subscriptions: Vec<SimAppSubscription>,
    /// Oldest first.
    pub usage_records: Vec<SimUsageRecord>,
    /// The last `updatedAt` handed out.
    last_change: Option<DateTime<Utc>>,
    /// `app_subscriptions/update` payloads not sent yet; [`flush`] sends them.
    outbox: Vec<Json>,
}

/// What [`change_status`] refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusChangeError {
    UnknownSubscription,
    /// The subscription is not in a state that allows it; carries the current status.
    NotAllowed(String),
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn iso_millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn user_error(field: Option<&[&str]>, message: impl Into<String>) -> Json {
    json!({"__typename": "UserError", "field": field, "message": message.into()})
}

fn text(value: Option<&Json>) -> Option<String> {
    value.and_then(Json::as_str).map(str::to_string)
}

impl Billing {
    /// The next `updatedAt`: the sim clock, but always after the previous one.
    fn stamp(&mut self, now: DateTime<Utc>) -> DateTime<Utc> {
        let at = match self.last_change {
            Some(last) if now <= last => last + TimeDelta::milliseconds(1),
            _ => now,
        };
        self.last_change = Some(at);
        at
    }

    pub fn find(&self, number: u64) -> Option<&SimAppSubscription> {
        self.subscriptions.iter().find(|s| s.number == number)
    }

    /// ACTIVE subscriptions, oldest first (see the module docs for FROZEN).
    pub fn active(&self) -> impl Iterator<Item = &SimAppSubscription> {
        self.subscriptions.iter().filter(|s| s.status == "ACTIVE")
    }

    /// Sets a status, stamps `updatedAt` and queues the webhook. No checks: callers check.
    fn set_status(&mut self, index: usize, status: &str, shop_id: i64, now: DateTime<Utc>) {
        let at = self.stamp(now);
        let sub = &mut self.subscriptions[index];
        sub.status = status.to_string();
        sub.updated_at = at;
        if status == "ACTIVE" && sub.current_period_end.is_none() {
            let days = if sub.recurring().is_some_and(|(_, i)| i == "ANNUAL") {
                365
            } else {
                30
            };
            sub.current_period_end = Some(now + TimeDelta::days(days));
        }
        let payload = webhook_payload(sub, shop_id);
        self.outbox.push(payload);
    }

    /// PENDING subscriptions older than two days become EXPIRED (with their webhook).
    pub fn expire_stale(&mut self, shop_id: i64, now: DateTime<Utc>) {
        let stale: Vec<usize> = (0..self.subscriptions.len())
            .filter(|&i| {
                let sub = &self.subscriptions[i];
                sub.status == "PENDING"
                    && now - sub.created_at > TimeDelta::days(PENDING_LIFETIME_DAYS)
            })
            .collect();
        for index in stale {
            self.set_status(index, "EXPIRED", shop_id, now);
        }
    }

    /// Whether webhooks are waiting for [`flush`].
    pub fn has_pending_webhooks(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// Uninstalling cancels every live subscription. No webhook: the app is gone.
    pub fn uninstall(&mut self, now: DateTime<Utc>) {
        let at = self.stamp(now);
        for sub in &mut self.subscriptions {
            if matches!(sub.status.as_str(), "PENDING" | "ACTIVE" | "FROZEN") {
                sub.status = "CANCELLED".into();
                sub.updated_at = at;
            }
        }
    }
}

impl SimAppSubscription {
    /// The recurring price and interval, if the subscription has a recurring item.
    pub fn recurring(&self) -> Option<(&Money, &str)> {
        self.line_items.iter().find_map(|item| match &item.pricing {
            Pricing::Recurring {
                price, interval, ..
            } => Some((price, interval.as_str())),
            Pricing::Usage { .. } => None,
        })
    }

    /// The usage cap and terms, if the subscription has a usage item.
    pub fn usage(&self) -> Option<(&Money, &str, &Money)> {
        self.line_items.iter().find_map(|item| match &item.pricing {
            Pricing::Usage {
                capped_amount,
                terms,
                balance_used,
            } => Some((capped_amount, terms.as_str(), balance_used)),
            Pricing::Recurring { .. } => None,
        })
    }

    fn currency(&self) -> String {
        self.recurring()
            .map(|(price, _)| price.currency_code.clone())
            .or_else(|| self.usage().map(|(cap, _, _)| cap.currency_code.clone()))
            .unwrap_or_else(|| "USD".into())
    }
}

/// The `app_subscriptions/update` body (SHOPIFY.md §7). `updated_at` carries milliseconds, so
/// two changes within one second still order.
pub fn webhook_payload(sub: &SimAppSubscription, shop_id: i64) -> Json {
    let recurring = sub.recurring();
    json!({"app_subscription": {
        "admin_graphql_api_id": sub.id,
        "name": sub.name,
        "status": sub.status,
        "admin_graphql_api_shop_id": format!("gid://shopify/Shop/{shop_id}"),
        "created_at": iso_millis(sub.created_at),
        "updated_at": iso_millis(sub.updated_at),
        "currency": sub.currency(),
        "capped_amount": sub.usage().map(|(cap, _, _)| cap.amount.decimal()),
        "price": recurring.map_or_else(|| "0.00".to_string(), |(price, _)| price.amount.cents()),
        "interval": recurring.map_or("every_30_days".to_string(), |(_, interval)| interval.to_ascii_lowercase()),
        "plan_handle": Json::Null,
    }})
}

fn line_item_node(item: &SimLineItem) -> Json {
    let details = match &item.pricing {
        Pricing::Recurring {
            price,
            interval,
            discount,
        } => {
            let discount = discount.as_ref().map(|d| {
                let (value, after) = match (d.amount, d.percentage) {
                    (Some(off), _) => (
                        json!({"__typename": "AppSubscriptionDiscountAmount",
                            "amount": Money { amount: off, currency_code: price.currency_code.clone() }.node()}),
                        Amount((price.amount.0 - off.0).max(0)),
                    ),
                    (None, Some(percentage)) => (
                        json!({"__typename": "AppSubscriptionDiscountPercentage", "percentage": percentage}),
                        Amount((price.amount.0 as f64 * (1.0 - percentage)).round() as i64),
                    ),
                    (None, None) => (Json::Null, price.amount),
                };
                json!({
                    "__typename": "AppSubscriptionDiscount",
                    "durationLimitInIntervals": d.duration_limit_in_intervals,
                    "remainingDurationInIntervals": d.duration_limit_in_intervals,
                    "priceAfterDiscount": Money { amount: after, currency_code: price.currency_code.clone() }.node(),
                    "value": value,
                })
            });
            json!({
                "__typename": "AppRecurringPricing",
                "price": price.node(),
                "interval": interval,
                "discount": discount,
                "planHandle": Json::Null,
            })
        }
        Pricing::Usage {
            capped_amount,
            terms,
            balance_used,
        } => json!({
            "__typename": "AppUsagePricing",
            "balanceUsed": balance_used.node(),
            "cappedAmount": capped_amount.node(),
            "terms": terms,
            "interval": "EVERY_30_DAYS",
        }),
    };
    json!({
        "__typename": "AppSubscriptionLineItem",
        "id": item.id,
        "plan": {"__typename": "AppPlanV2", "pricingDetails": details},
    })
}

/// The `AppSubscription` object.
pub fn subscription_node(sub: &SimAppSubscription) -> Json {
    json!({
        "__typename": "AppSubscription",
        "id": sub.id,
        "name": sub.name,
        "status": sub.status,
        "test": sub.test,
        "trialDays": sub.trial_days,
        "returnUrl": sub.return_url,
        "createdAt": iso(sub.created_at),
        "currentPeriodEnd": sub.current_period_end.map(iso),
        "lineItems": sub.line_items.iter().map(line_item_node).collect::<Vec<_>>(),
    })
}

fn usage_record_node(record: &SimUsageRecord, subscriptions: &[SimAppSubscription]) -> Json {
    let line_item = subscriptions
        .iter()
        .flat_map(|s| &s.line_items)
        .find(|item| item.id == record.line_item_id)
        .map_or(Json::Null, line_item_node);
    json!({
        "__typename": "AppUsageRecord",
        "id": record.id,
        "description": record.description,
        "idempotencyKey": record.idempotency_key,
        "price": record.price.node(),
        "createdAt": iso(record.created_at),
        "subscriptionLineItem": line_item,
    })
}

/// Why Shopify would refuse `url` as a return URL, if it would.
fn return_url_error(url: &str) -> Option<&'static str> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Some("Return URL is invalid");
    };
    let Some(host) = parsed.host_str() else {
        return Some("Return URL is invalid");
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => None,
        // Shopify wants HTTPS. The sim also takes plain HTTP to loopback hosts, where the app
        // listens in dev and in tests (as for webhook addresses in subscriptions.rs).
        "http" if loopback => None,
        _ => Some("Return URL must be an HTTPS URL"),
    }
}

/// Reads and checks `lineItems`; the line items (without ids) or the user errors.
fn parse_line_items(value: Option<&Json>) -> Result<Vec<Pricing>, Vec<Json>> {
    let items = value.and_then(Json::as_array).cloned().unwrap_or_default();
    let field: &[&str] = &["lineItems"];
    if items.is_empty() {
        return Err(vec![user_error(
            Some(field),
            "Line items must contain at least one line item",
        )]);
    }
    let mut errors = Vec::new();
    let mut pricings = Vec::new();
    for item in &items {
        let plan = item.get("plan");
        let recurring = plan
            .and_then(|p| p.get("appRecurringPricingDetails"))
            .filter(|v| !v.is_null());
        let usage = plan
            .and_then(|p| p.get("appUsagePricingDetails"))
            .filter(|v| !v.is_null());
        match (recurring, usage) {
            (Some(details), None) => {
                let Some(price) = Money::parse(details.get("price")) else {
                    errors.push(user_error(Some(field), "Price is invalid"));
                    continue;
                };
                let interval =
                    text(details.get("interval")).unwrap_or_else(|| "EVERY_30_DAYS".into());
                let discount = details
                    .get("discount")
                    .filter(|d| !d.is_null())
                    .map(|d| Discount {
                        duration_limit_in_intervals: d
                            .get("durationLimitInIntervals")
                            .and_then(Json::as_i64),
                        amount: d
                            .get("value")
                            .and_then(|v| v.get("amount"))
                            .and_then(Amount::parse),
                        percentage: d
                            .get("value")
                            .and_then(|v| v.get("percentage"))
                            .and_then(Json::as_f64),
                    });
                pricings.push(Pricing::Recurring {
                    price,
                    interval,
                    discount,
                });
            }
            (None, Some(details)) => {
                let Some(cap) = Money::parse(details.get("cappedAmount")) else {
                    errors.push(user_error(Some(field), "Capped amount is invalid"));
                    continue;
                };
                let terms = text(details.get("terms")).unwrap_or_default();
                if terms.trim().is_empty() {
                    errors.push(user_error(Some(field), "Terms can't be blank"));
                }
                let zero = Money {
                    amount: Amount(0),
                    currency_code: cap.currency_code.clone(),
                };
                pricings.push(Pricing::Usage {
                    capped_amount: cap,
                    terms,
                    balance_used: zero,
                });
            }
            _ => errors.push(user_error(
                Some(field),
                "Each line item needs exactly one of appRecurringPricingDetails or appUsagePricingDetails",
            )),
        }
    }
    let recurring: Vec<(&Money, &str)> = pricings
        .iter()
        .filter_map(|p| match p {
            Pricing::Recurring {
                price, interval, ..
            } => Some((price, interval.as_str())),
            Pricing::Usage { .. } => None,
        })
        .collect();
    let caps: Vec<&Money> = pricings
        .iter()
        .filter_map(|p| match p {
            Pricing::Usage { capped_amount, .. } => Some(capped_amount),
            Pricing::Recurring { .. } => None,
        })
        .collect();
    if recurring.len() > 1 {
        errors.push(user_error(
            Some(field),
            "Only one recurring line item is allowed",
        ));
    }
    if caps.len() > 1 {
        errors.push(user_error(
            Some(field),
            "Only one usage line item is allowed",
        ));
    }
    // SHOPIFY.md §8.2: usage line items only together with a 30-day recurring item.
    if !caps.is_empty() && !recurring.iter().any(|(_, i)| *i == "EVERY_30_DAYS") {
        errors.push(user_error(
            Some(field),
            "A usage line item requires a recurring line item with the EVERY_30_DAYS interval",
        ));
    }
    if recurring.iter().any(|(price, _)| price.amount.0 <= 0) {
        errors.push(user_error(Some(field), "Price must be greater than 0"));
    }
    if caps.iter().any(|cap| cap.amount.0 <= 0) {
        errors.push(user_error(
            Some(field),
            "Capped amount must be greater than 0",
        ));
    }
    let mut currencies: Vec<&str> = recurring
        .iter()
        .map(|(p, _)| p.currency_code.as_str())
        .chain(caps.iter().map(|c| c.currency_code.as_str()))
        .collect();
    currencies.dedup();
    if currencies.len() > 1 {
        errors.push(user_error(
            Some(field),
            "All line items must use the same currency",
        ));
    }
    if errors.is_empty() {
        Ok(pricings)
    } else {
        Err(errors)
    }
}

/// `appSubscriptionCreate(name:, returnUrl:, test:, trialDays:, replacementBehavior:, lineItems:)`.
pub fn create(env: &MutationEnv<'_>, shop: &mut SimShop, args: &Map<String, Json>) -> Resolved {
    let failed = |errors: Vec<Json>| {
        Resolved::Value(json!({
            "__typename": "AppSubscriptionCreatePayload",
            "appSubscription": null,
            "confirmationUrl": null,
            "userErrors": errors,
        }))
    };
    let name = text(args.get("name")).unwrap_or_default();
    let return_url = text(args.get("returnUrl")).unwrap_or_default();
    let trial_days = args.get("trialDays").and_then(Json::as_i64).unwrap_or(0);
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(user_error(Some(&["name"]), "Name can't be blank"));
    }
    if let Some(message) = return_url_error(&return_url) {
        errors.push(user_error(Some(&["returnUrl"]), message));
    }
    if trial_days < 0 {
        errors.push(user_error(
            Some(&["trialDays"]),
            "Trial days must be greater than or equal to 0",
        ));
    }
    let pricings = match parse_line_items(args.get("lineItems")) {
        Ok(pricings) => pricings,
        Err(more) => {
            errors.extend(more);
            Vec::new()
        }
    };
    if !errors.is_empty() {
        return failed(errors);
    }
    let number = env.ids.fetch_add(1, Ordering::Relaxed);
    let item_number = env.ids.fetch_add(1, Ordering::Relaxed);
    let at = shop.billing.stamp(env.now);
    let subscription = SimAppSubscription {
        id: format!("gid://shopify/AppSubscription/{number}"),
        number,
        name,
        status: "PENDING".into(),
        test: args.get("test").and_then(Json::as_bool).unwrap_or(false),
        trial_days,
        return_url,
        replacement_behavior: text(args.get("replacementBehavior"))
            .unwrap_or_else(|| "STANDARD".into()),
        created_at: at,
        updated_at: at,
        current_period_end: None,
        line_items: pricings
            .into_iter()
            .enumerate()
            .map(|(index, pricing)| SimLineItem {
                id: format!(
                    "gid://shopify/AppSubscriptionLineItem/{item_number}?v=1&index={index}"
                ),
                pricing,
            })
            .collect(),
    };
    let node = subscription_node(&subscription);
    let confirmation = confirmation_url(env.base_url, shop.info.domain.as_str(), number);
    shop.billing.subscriptions.push(subscription);
    Resolved::Value(json!({
        "__typename": "AppSubscriptionCreatePayload",
        "appSubscription": node,
        "confirmationUrl": confirmation,
        "userErrors": [],
    }))
}

/// Where the merchant approves charge `number`: a page on the sim (`billing_page.rs`).
pub fn confirmation_url(base_url: &str, domain: &str, number: u64) -> String {
    format!(
        "{}{}",
        base_url.trim_end_matches('/'),
        confirmation_path(domain, number)
    )
}

/// The path of the confirmation page.
pub fn confirmation_path(domain: &str, number: u64) -> String {
    format!("/shops/{domain}/admin/charges/{number}/confirm")
}

/// Statuses from which nothing moves any more.
fn is_terminal(status: &str) -> bool {
    matches!(status, "CANCELLED" | "DECLINED" | "EXPIRED")
}

/// `appSubscriptionCancel(id:, prorate:)`.
pub fn cancel(env: &MutationEnv<'_>, shop: &mut SimShop, args: &Map<String, Json>) -> Resolved {
    let id = text(args.get("id")).unwrap_or_default();
    let shop_id = shop.info.id;
    let billing = &mut shop.billing;
    let index = billing.subscriptions.iter().position(|s| s.id == id);
    let error = match index {
        None => Some(user_error(Some(&["id"]), "Couldn't find app subscription")),
        Some(i) if is_terminal(&billing.subscriptions[i].status) => Some(user_error(
            Some(&["id"]),
            format!(
                "Cannot cancel a subscription with status {}",
                billing.subscriptions[i].status
            ),
        )),
        Some(_) => None,
    };
    let node = match (index, error) {
        (Some(i), None) => {
            billing.set_status(i, "CANCELLED", shop_id, env.now);
            subscription_node(&billing.subscriptions[i])
        }
        (_, Some(error)) => {
            return Resolved::Value(json!({
                "__typename": "AppSubscriptionCancelPayload",
                "appSubscription": null,
                "userErrors": [error],
            }));
        }
        (None, None) => Json::Null,
    };
    Resolved::Value(json!({
        "__typename": "AppSubscriptionCancelPayload",
        "appSubscription": node,
        "userErrors": [],
    }))
}

/// `appUsageRecordCreate(subscriptionLineItemId:, price:, description:, idempotencyKey:)`.
pub fn create_usage_record(
    env: &MutationEnv<'_>,
    shop: &mut SimShop,
    args: &Map<String, Json>,
) -> Resolved {
    let answer = |record: Json, errors: Vec<Json>| {
        Resolved::Value(json!({
            "__typename": "AppUsageRecordCreatePayload",
            "appUsageRecord": record,
            "userErrors": errors,
        }))
    };
    let failed =
        |field: &[&str], message: &str| answer(Json::Null, vec![user_error(Some(field), message)]);
    let line_item_id = text(args.get("subscriptionLineItemId")).unwrap_or_default();
    let description = text(args.get("description")).unwrap_or_default();
    let key = text(args.get("idempotencyKey"));
    let billing = &mut shop.billing;
    // The exact id, query string included; an id without it names the same line item.
    let found = billing
        .subscriptions
        .iter()
        .enumerate()
        .find_map(|(s, sub)| {
            sub.line_items
                .iter()
                .position(|item| {
                    item.id == line_item_id
                        || item.id.split('?').next() == Some(line_item_id.as_str())
                })
                .map(|i| (s, i))
        });
    let Some((s, i)) = found else {
        return failed(
            &["subscriptionLineItemId"],
            "Subscription line item not found",
        );
    };
    let item_id = billing.subscriptions[s].line_items[i].id.clone();
    if key.as_ref().is_some_and(|k| k.chars().count() > 255) {
        return failed(
            &["idempotencyKey"],
            "Idempotency key is too long (maximum is 255 characters)",
        );
    }
    if let Some(key) = &key
        && let Some(existing) = billing
            .usage_records
            .iter()
            .find(|r| r.line_item_id == item_id && r.idempotency_key.as_ref() == Some(key))
    {
        return answer(usage_record_node(existing, &billing.subscriptions), vec![]);
    }
    let sub = &billing.subscriptions[s];
    let Pricing::Usage {
        capped_amount,
        balance_used,
        ..
    } = &sub.line_items[i].pricing
    else {
        return failed(
            &["subscriptionLineItemId"],
            "Subscription line item must have usage pricing",
        );
    };
    if sub.status != "ACTIVE" {
        return failed(
            &["subscriptionLineItemId"],
            "The app subscription is not active",
        );
    }
    if description.trim().is_empty() {
        return failed(&["description"], "Description can't be blank");
    }
    let Some(price) = Money::parse(args.get("price")) else {
        return failed(&["price"], "Price is invalid");
    };
    if price.amount.0 <= 0 {
        return failed(&["price"], "Price must be greater than 0");
    }
    if price.currency_code != capped_amount.currency_code {
        return failed(
            &["price"],
            "Currency code must match the capped amount's currency",
        );
    }
    if balance_used.amount.0 + price.amount.0 > capped_amount.amount.0 {
        return failed(&["price"], "Total price exceeds balance remaining");
    }
    let subscription_id = sub.id.clone();
    if let Pricing::Usage { balance_used, .. } = &mut billing.subscriptions[s].line_items[i].pricing
    {
        balance_used.amount.0 += price.amount.0;
    }
    let number = env.ids.fetch_add(1, Ordering::Relaxed);
    let record = SimUsageRecord {
        id: format!("gid://shopify/AppUsageRecord/{number}"),
        subscription_id,
        line_item_id: item_id,
        description,
        price,
        idempotency_key: key,
        created_at: env.now,
    };
    let node = usage_record_node(&record, &billing.subscriptions);
    billing.usage_records.push(record);
    answer(node, vec![])
}

/// The merchant approves charge `number` on the confirmation page: ACTIVE, and the shop's other
/// ACTIVE subscription is replaced (CANCELLED). Returns where to send the merchant.
pub fn approve(
    shop: &mut SimShop,
    number: u64,
    now: DateTime<Utc>,
) -> Result<String, StatusChangeError> {
    let shop_id = shop.info.id;
    let billing = &mut shop.billing;
    billing.expire_stale(shop_id, now);
    let index = pending_index(billing, number)?;
    let replaced: Vec<usize> = (0..billing.subscriptions.len())
        .filter(|&i| i != index && billing.subscriptions[i].status == "ACTIVE")
        .collect();
    for i in replaced {
        billing.set_status(i, "CANCELLED", shop_id, now);
    }
    billing.set_status(index, "ACTIVE", shop_id, now);
    Ok(return_with_charge(&billing.subscriptions[index]))
}

/// The merchant declines charge `number`: DECLINED. Shopify sends a declining merchant back to
/// the admin, where the app loads again; the sim sends them to the return URL (with `charge_id`)
/// instead, which lands on the same app without simulating the admin.
pub fn decline(
    shop: &mut SimShop,
    number: u64,
    now: DateTime<Utc>,
) -> Result<String, StatusChangeError> {
    let shop_id = shop.info.id;
    let billing = &mut shop.billing;
    billing.expire_stale(shop_id, now);
    let index = pending_index(billing, number)?;
    billing.set_status(index, "DECLINED", shop_id, now);
    Ok(return_with_charge(&billing.subscriptions[index]))
}

fn pending_index(billing: &Billing, number: u64) -> Result<usize, StatusChangeError> {
    let index = billing
        .subscriptions
        .iter()
        .position(|s| s.number == number)
        .ok_or(StatusChangeError::UnknownSubscription)?;
    let status = &billing.subscriptions[index].status;
    if status == "PENDING" {
        Ok(index)
    } else {
        Err(StatusChangeError::NotAllowed(status.clone()))
    }
}

/// The return URL with `charge_id={N}` appended to whatever query it has.
fn return_with_charge(sub: &SimAppSubscription) -> String {
    match reqwest::Url::parse(&sub.return_url) {
        Ok(mut url) => {
            url.query_pairs_mut()
                .append_pair("charge_id", &sub.number.to_string());
            url.to_string()
        }
        Err(_) => sub.return_url.clone(),
    }
}

/// The control API's status change (`POST /_sim/shops/{shop}/billing/{N}/status`). Any of
/// `ACTIVE`, `FROZEN`, `EXPIRED`, `CANCELLED`; `Ok(false)` when the status is already that.
pub fn force_status(
    shop: &mut SimShop,
    number: u64,
    status: &str,
    now: DateTime<Utc>,
) -> Result<bool, StatusChangeError> {
    let shop_id = shop.info.id;
    let billing = &mut shop.billing;
    let index = billing
        .subscriptions
        .iter()
        .position(|s| s.number == number)
        .ok_or(StatusChangeError::UnknownSubscription)?;
    if billing.subscriptions[index].status == status {
        return Ok(false);
    }
    billing.set_status(index, status, shop_id, now);
    Ok(true)
}

/// `currentAppInstallation.activeSubscriptions`.
pub fn active_nodes(subscriptions: &[SimAppSubscription]) -> Json {
    Json::Array(
        subscriptions
            .iter()
            .filter(|s| s.status == "ACTIVE")
            .map(subscription_node)
            .collect(),
    )
}

/// `node(id:)` for an `AppSubscription` gid.
pub fn find_node(subscriptions: &[SimAppSubscription], id: &str) -> Json {
    subscriptions
        .iter()
        .find(|s| s.id == id)
        .map_or(Json::Null, subscription_node)
}

fn cursor(sub: &SimAppSubscription) -> String {
    BASE64.encode(json!({"last_id": sub.number, "last_value": iso(sub.created_at)}).to_string())
}

fn decode_cursor(raw: &str) -> Option<u64> {
    let bytes = BASE64.decode(raw).ok()?;
    let json: Json = serde_json::from_slice(&bytes).ok()?;
    json.get("last_id")?.as_u64()
}

/// `allSubscriptions(first:, after:, last:, before:, reverse:, sortKey:)`: oldest first (ids and
/// creation times grow together, so both sort keys give the same order).
pub fn connection(
    subscriptions: &[SimAppSubscription],
    args: &Map<String, Json>,
) -> Result<Json, String> {
    let count = |name: &str| {
        args.get(name)
            .and_then(Json::as_i64)
            .map(|n| usize::try_from(n).unwrap_or(0))
    };
    let (first, last) = (count("first"), count("last"));
    if first.is_none() && last.is_none() {
        return Err("you must provide one of first or last".into());
    }
    let reverse = args.get("reverse").and_then(Json::as_bool) == Some(true);
    let mut items: Vec<&SimAppSubscription> = subscriptions.iter().collect();
    items.sort_by_key(|s| s.number);
    if reverse {
        items.reverse();
    }
    let precedes = |n: u64, at: u64| if reverse { n > at } else { n < at };
    let (mut lo, mut hi) = (0, items.len());
    for (name, is_after) in [("after", true), ("before", false)] {
        let Some(raw) = text(args.get(name)) else {
            continue;
        };
        let at =
            decode_cursor(&raw).ok_or_else(|| format!("Invalid cursor for `{name}`: {raw}"))?;
        let position =
            items.partition_point(|s| precedes(s.number, at) || (is_after && s.number == at));
        if is_after {
            lo = position;
        } else {
            hi = position.max(lo);
        }
    }
    if let Some(first) = first {
        hi = hi.min(lo + first);
    }
    if let Some(last) = last {
        lo = lo.max(hi.saturating_sub(last));
    }
    let page = &items[lo..hi];
    Ok(json!({
        "__typename": "AppSubscriptionConnection",
        "edges": page.iter().map(|s| json!({"__typename": "AppSubscriptionEdge", "cursor": cursor(s), "node": subscription_node(s)})).collect::<Vec<_>>(),
        "nodes": page.iter().map(|s| subscription_node(s)).collect::<Vec<_>>(),
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": hi < items.len(),
            "hasPreviousPage": lo > 0,
            "startCursor": page.first().map(|s| cursor(s)),
            "endCursor": page.last().map(|s| cursor(s)),
        },
    }))
}

/// What `GET /_sim/shops/{shop}/billing` answers.
pub fn control_view(billing: &Billing) -> Json {
    json!({"subscriptions": billing.subscriptions, "usage_records": billing.usage_records})
}

/// Sends the shop's queued `app_subscriptions/update` deliveries to the app, in order, signed,
/// without holding the shop lock. Every delivery goes into the request log (method `WEBHOOK`,
/// path = the webhook URL, status 0 when the app could not be reached); a failure never
/// propagates. Returns what happened to each, for the control API.
pub async fn flush(state: &SimState, domain: &str) -> Vec<Json> {
    let pending = state
        .with_shop(domain, |shop| std::mem::take(&mut shop.billing.outbox))
        .unwrap_or_default();
    let config = &state.config;
    let url = config.webhook_url();
    let mut outcomes = Vec::new();
    for payload in pending {
        let now = state.now();
        let delivery = WebhookDelivery::new(
            domain,
            TOPIC,
            payload.to_string(),
            &config.webhook_api_version,
            now,
        );
        let result = send_webhook(&state.http, &url, &config.api_secret, &delivery).await;
        let (status, delivered, error) = match &result {
            Ok(outcome) => (outcome.status, outcome.delivered, None),
            Err(e) => (0, false, Some(e.to_string())),
        };
        if !delivered {
            tracing::warn!(
                "shopify-sim: {TOPIC} to {url} for {domain} failed: status {status} {}",
                error.as_deref().unwrap_or("")
            );
        }
        let detail = json!({
            "webhook": TOPIC,
            "webhook_id": delivery.webhook_id,
            "subscription": payload["app_subscription"]["admin_graphql_api_id"],
            "subscription_status": payload["app_subscription"]["status"],
            "delivered": delivered,
            "error": error,
        });
        state.record_request(RequestRecord {
            id: 0,
            at: now,
            method: "WEBHOOK".into(),
            path: url.clone(),
            query: None,
            shop: Some(domain.to_ascii_lowercase()),
            status,
            detail: Some(detail.clone()),
        });
        outcomes.push(json!({"status": status, "delivered": delivered, "error": detail["error"],
            "subscription": detail["subscription"], "subscription_status": detail["subscription_status"]}));
    }
    outcomes
}

/// [`flush`] in the background: for GraphQL mutations, whose caller (the app) should not wait
/// for its own webhook to be delivered back to it before it gets its answer.
pub fn flush_later(state: &SimState, domain: &str) {
    let state = state.clone();
    let domain = domain.to_string();
    tokio::spawn(async move {
        flush(&state, &domain).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_print_like_decimals() {
        let parse = |v: Json| Amount::parse(&v).map(Amount::decimal);
        assert_eq!(parse(json!(10.0)).as_deref(), Some("10.0"));
        assert_eq!(parse(json!("19.99")).as_deref(), Some("19.99"));
        assert_eq!(parse(json!(20)).as_deref(), Some("20.0"));
        assert_eq!(parse(json!("0.005")).as_deref(), Some("0.005"));
        assert_eq!(parse(json!("-1")).as_deref(), Some("-1.0"));
        assert_eq!(parse(json!("abc")), None);
        assert_eq!(
            Amount::parse(&json!(10)).map(Amount::cents).as_deref(),
            Some("10.00")
        );
        assert_eq!(
            return_url_error("https://admin.shopify.com/store/x/apps/y"),
            None
        );
        assert_eq!(return_url_error("http://127.0.0.1:8080/billing"), None);
        assert!(return_url_error("http://app.example.com/billing").is_some());
        assert!(return_url_error("nope").is_some());
    }
}
