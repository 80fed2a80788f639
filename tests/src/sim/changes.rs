//! Control API to change the shop's records and send the matching webhooks (not part of Shopify):
//! `POST /_sim/shops/{shop}/customers` and `POST /_sim/shops/{shop}/orders` create or change a
//! record in the shop's [`Overlay`](super::records::Overlay) (so paginated queries, bulk
//! operations and `node` show it), bump its `updated_at` to the simulated clock (strictly
//! increasing per shop) and send REST-style webhooks like Shopify's (`customers/create`,
//! `customers/update`, `orders/create`, `orders/updated`, `orders/cancelled`, `refunds/create`).
//!
//! `delivery` picks how the webhooks go out, for reconciliation tests: `normal` (once), `drop`
//! (never: only queries show the change), `duplicate` (twice, with the same
//! `X-Shopify-Webhook-Id`) or `reorder` (held back and sent after the next change's deliveries for
//! the shop, or on `POST /_sim/shops/{shop}/webhooks/flush`). Deliveries are sent after the shop
//! lock is released, and logged in the request log as `WEBHOOK` entries.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::demo::words::CUSTOMER_TAGS;
use super::demo::{
    CancelReason, Consent, Customer, CustomerState, EmailMarketingState, FinancialStatus,
    FulfillmentStatus, LineItem, OptInLevel, Order, OrderSource, Refund, Span, TagSet,
};
use super::records::{OrderView, OverlayOrder, Records, gid, iso};
use super::state::{RequestRecord, SimShop, SimState};
use super::web::{json_response, with_detail};
use super::webhooks::{WebhookDelivery, send_webhook};

/// How a change's webhooks are delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    /// Once.
    #[default]
    Normal,
    /// Never; the change is only visible to queries.
    Drop,
    /// Twice, with the same webhook id.
    Duplicate,
    /// Held back until after the next change's deliveries (or a flush).
    Reorder,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, json!({"error": message.into()}))
}

/// Customer names are `&'static str` in the generated model; changed ones are interned so each
/// distinct string leaks once at most (the simulator lives as long as the test process).
fn intern(text: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = names.get(text) {
        return found;
    }
    let leaked: &'static str = Box::leak(text.to_string().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// The next `updated_at` for a change on this shop: the simulated clock, but always after the
/// shop's previous change and the record's own `updated_at`.
fn stamp(shop: &mut SimShop, now: i64, previous: i64) -> i64 {
    let at = now.max(shop.last_change_at + 1).max(previous + 1);
    shop.last_change_at = at;
    at
}

/// A fresh id above every existing one of the kind, drawn from the sim's id counter.
fn new_id(state: &SimState, highest: i64) -> i64 {
    highest + state.ids.fetch_add(1, Ordering::Relaxed) as i64
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerChange {
    id: Option<i64>,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    tags: Option<Vec<String>>,
    #[serde(default)]
    delivery: DeliveryMode,
}

fn tag_set(tags: &[String]) -> Result<TagSet, String> {
    let mut bits = 0u16;
    for tag in tags {
        let i = CUSTOMER_TAGS
            .iter()
            .position(|t| t.eq_ignore_ascii_case(tag.trim()))
            .ok_or_else(|| format!("tag `{tag}` is not one of {}", CUSTOMER_TAGS.join(", ")))?;
        bits |= 1 << i;
    }
    Ok(TagSet(bits))
}

/// The REST `customer` object of webhooks (`customers/create`, `customers/update`, and inside
/// orders).
pub fn customer_rest(records: &Records, c: &Customer) -> Json {
    let address = c.address.map(|a| {
        json!({
            "id": c.id + 1,
            "customer_id": c.id,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "company": Json::Null,
            "address1": a.address1(),
            "address2": Json::Null,
            "city": a.city.name,
            "province": a.city.province,
            "country": a.city.country,
            "zip": a.zip(),
            "phone": c.phone.as_deref(),
            "name": format!("{} {}", c.first_name, c.last_name),
            "province_code": a.city.province_code,
            "country_code": a.city.country_code,
            "country_name": a.city.country,
            "default": true,
        })
    });
    json!({
        "id": c.id,
        "email": c.email.as_deref(),
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "state": match c.state {
            CustomerState::Disabled => "disabled",
            CustomerState::Invited => "invited",
            CustomerState::Enabled => "enabled",
            CustomerState::Declined => "declined",
        },
        "note": Json::Null,
        "verified_email": c.verified_email,
        "multipass_identifier": Json::Null,
        "tax_exempt": false,
        "phone": c.phone.as_deref(),
        "tags": c.tags.names().join(", "),
        "currency": records.currency().code(),
        "addresses": address.iter().cloned().collect::<Vec<_>>(),
        "tax_exemptions": [],
        "admin_graphql_api_id": gid("Customer", c.id),
        "default_address": address,
    })
}

/// A prepared delivery for a change.
/// Called under the shop lock, so it takes the time rather than reading the clock (which locks).
fn delivery(
    state: &SimState,
    shop: &str,
    topic: &str,
    payload: &Json,
    at: DateTime<Utc>,
) -> WebhookDelivery {
    WebhookDelivery::new(
        shop,
        topic,
        payload.to_string(),
        &state.config.webhook_api_version,
        at,
    )
}

/// Under the shop lock: what to send now for `fresh` deliveries in `mode`, including deliveries a
/// previous `reorder` change held back (sent after these).
fn schedule(
    shop: &mut SimShop,
    fresh: Vec<WebhookDelivery>,
    mode: DeliveryMode,
) -> Vec<WebhookDelivery> {
    let held = std::mem::take(&mut shop.held_webhooks);
    let mut out = match mode {
        DeliveryMode::Normal => fresh,
        DeliveryMode::Drop => Vec::new(),
        DeliveryMode::Duplicate => fresh.into_iter().flat_map(|d| [d.clone(), d]).collect(),
        DeliveryMode::Reorder => {
            shop.held_webhooks = fresh;
            Vec::new()
        }
    };
    out.extend(held);
    out
}

/// Sends deliveries in order (outside the shop lock), logging each; their outcomes as JSON.
async fn send_all(state: &SimState, domain: &str, deliveries: Vec<WebhookDelivery>) -> Vec<Json> {
    let config = &state.config;
    let url = config.webhook_url();
    let mut outcomes = Vec::new();
    for delivery in deliveries {
        let result = send_webhook(&state.http, &url, &config.api_secret, &delivery).await;
        let (status, delivered, error) = match &result {
            Ok(outcome) => (outcome.status, outcome.delivered, None),
            Err(e) => (0, false, Some(e.to_string())),
        };
        if !delivered {
            tracing::warn!(
                "shopify-sim: {} to {url} for {domain} failed: status {status} {}",
                delivery.topic,
                error.as_deref().unwrap_or("")
            );
        }
        let outcome = json!({
            "topic": delivery.topic,
            "webhook_id": delivery.webhook_id,
            "event_id": delivery.event_id,
            "status": status,
            "delivered": delivered,
            "error": error,
        });
        state.record_request(RequestRecord {
            id: 0,
            at: state.now(),
            method: "WEBHOOK".into(),
            path: url.clone(),
            query: None,
            shop: Some(domain.to_ascii_lowercase()),
            status,
            detail: Some(
                json!({"webhook": delivery.topic, "webhook_id": delivery.webhook_id,
                "delivered": delivered, "error": outcome["error"]}),
            ),
        });
        outcomes.push(outcome);
    }
    outcomes
}

/// `POST /_sim/shops/{shop}/customers` `{id?, first_name?, last_name?, email?, phone?, tags?,
/// delivery?}`: creates a customer (no `id`) or changes one, and sends `customers/create` or
/// `customers/update`. Answers `{"customer": <REST payload>, "webhooks": [outcomes]}`.
pub async fn post_customer(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Response {
    let change: CustomerChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")),
    };
    let tags = match change.tags.as_deref().map(tag_set).transpose() {
        Ok(tags) => tags,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let clock = state.now();
    let now = clock.timestamp();
    let changed = state.with_shop(&shop, |s| {
        let records = s.records.clone();
        let (mut customer, topic) = match change.id {
            Some(id) => match records.customer(id) {
                Some(c) => (c.clone(), "customers/update"),
                None => return Err(format!("no customer {id} on {shop}")),
            },
            None => {
                let highest = records
                    .store
                    .customers
                    .last()
                    .map_or(0, |c| c.id)
                    .max(
                        records
                            .overlay
                            .customers
                            .keys()
                            .last()
                            .copied()
                            .unwrap_or(0),
                    )
                    .max(7_000_000_000_000);
                let id = new_id(&state, highest);
                let customer = Customer {
                    id,
                    first_name: "",
                    last_name: "",
                    email: None,
                    phone: None,
                    created_at: 0,
                    updated_at: 0,
                    state: CustomerState::Disabled,
                    verified_email: true,
                    tags: TagSet::default(),
                    email_consent: Consent {
                        state: EmailMarketingState::NotSubscribed,
                        opt_in_level: OptInLevel::SingleOptIn,
                        updated_at: None,
                    },
                    sms_consent: None,
                    address: None,
                    locale: "en",
                    orders_count: 0,
                    amount_spent: 0,
                    last_order: None,
                };
                (customer, "customers/create")
            }
        };
        if let Some(name) = &change.first_name {
            customer.first_name = intern(name);
        }
        if let Some(name) = &change.last_name {
            customer.last_name = intern(name);
        }
        if let Some(email) = &change.email {
            customer.email = (!email.is_empty()).then(|| email.clone().into_boxed_str());
        }
        if let Some(phone) = &change.phone {
            customer.phone = (!phone.is_empty()).then(|| phone.clone().into_boxed_str());
        }
        if let Some(tags) = tags {
            customer.tags = tags;
        }
        let at = stamp(s, now, customer.updated_at);
        if topic == "customers/create" {
            customer.created_at = at;
        }
        customer.updated_at = at;
        Arc::make_mut(&mut s.records.overlay)
            .customers
            .insert(customer.id, customer.clone());
        let payload = customer_rest(&s.records, &customer);
        let fresh = vec![delivery(&state, &shop, topic, &payload, clock)];
        Ok((payload, topic, schedule(s, fresh, change.delivery)))
    });
    match changed {
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
        Some(Err(message)) => error(StatusCode::NOT_FOUND, message),
        Some(Ok((payload, topic, deliveries))) => {
            let webhooks = send_all(&state, &shop, deliveries).await;
            with_detail(
                json_response(
                    StatusCode::OK,
                    json!({"customer": payload, "webhooks": webhooks}),
                ),
                json!({"topic": topic, "id": payload["id"], "delivery": format!("{:?}", change.delivery)}),
            )
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RefundChange {
    amount: String,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderChange {
    id: Option<i64>,
    customer_id: Option<i64>,
    #[serde(default)]
    cancel: bool,
    financial_status: Option<String>,
    refund: Option<RefundChange>,
    #[serde(default)]
    delivery: DeliveryMode,
}

fn financial_status(text: &str) -> Option<FinancialStatus> {
    Some(match text.to_ascii_lowercase().as_str() {
        "pending" => FinancialStatus::Pending,
        "authorized" => FinancialStatus::Authorized,
        "paid" => FinancialStatus::Paid,
        "partially_refunded" => FinancialStatus::PartiallyRefunded,
        "refunded" => FinancialStatus::Refunded,
        "voided" => FinancialStatus::Voided,
        _ => return None,
    })
}

fn financial_rest(status: FinancialStatus) -> &'static str {
    match status {
        FinancialStatus::Pending => "pending",
        FinancialStatus::Authorized => "authorized",
        FinancialStatus::Paid => "paid",
        FinancialStatus::PartiallyRefunded => "partially_refunded",
        FinancialStatus::Refunded => "refunded",
        FinancialStatus::Voided => "voided",
    }
}

/// A decimal amount (`"5.00"`) in minor units of a currency with `exponent` decimals.
fn parse_amount(text: &str, exponent: u32) -> Option<i64> {
    let text = text.trim();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > exponent as usize
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let scale = 10i64.checked_pow(exponent)?;
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>().ok()? * 10i64.pow(exponent - frac.len() as u32)
    };
    whole.checked_mul(scale)?.checked_add(frac_value)
}

fn money_set(records: &Records, amount: i64) -> Json {
    let c = records.currency();
    let money = json!({"amount": c.format(amount), "currency_code": c.code()});
    json!({"shop_money": money, "presentment_money": money})
}

/// The REST `refund` object (`refunds/create`, and inside orders).
pub fn refund_rest(records: &Records, order_id: i64, r: &Refund) -> Json {
    let c = records.currency();
    json!({
        "id": r.id,
        "order_id": order_id,
        "created_at": iso(r.created_at),
        "processed_at": iso(r.created_at),
        "note": r.note,
        "restock": r.restock,
        "user_id": Json::Null,
        "admin_graphql_api_id": gid("Refund", r.id),
        "refund_line_items": [],
        "transactions": [{
            "id": r.id + 1,
            "order_id": order_id,
            "kind": "refund",
            "gateway": "bogus",
            "status": "success",
            "amount": c.format(r.amount),
            "currency": c.code(),
            "created_at": iso(r.created_at),
            "admin_graphql_api_id": gid("OrderTransaction", r.id + 1),
        }],
        "order_adjustments": [],
    })
}

/// The REST `order` object of `orders/*` webhooks.
pub fn order_rest(records: &Records, view: OrderView<'_>) -> Json {
    let o = view.order;
    let c = records.currency();
    let customer = view.customer_id.and_then(|id| records.customer(id));
    let refunded: i64 = view.refunds.iter().map(|r| r.amount).sum();
    let total = o.total_price();
    let lines: Vec<Json> = view
        .lines
        .iter()
        .map(|l| {
            let variant = records.store.variants.get(l.variant as usize);
            let product = variant.and_then(|v| records.store.products.get(v.product as usize));
            json!({
                "id": l.id,
                "admin_graphql_api_id": gid("LineItem", l.id),
                "variant_id": variant.map(|v| v.id),
                "product_id": product.map(|p| p.id),
                "title": product.map_or("", |p| p.title.as_str()),
                "variant_title": variant.map(|v| v.title.as_str()),
                "name": product.map_or("", |p| p.title.as_str()),
                "sku": variant.map(|v| v.sku.as_str()),
                "vendor": product.map(|p| p.vendor),
                "quantity": l.quantity,
                "current_quantity": l.quantity,
                "price": c.format(l.unit_price),
                "price_set": money_set(records, l.unit_price),
                "total_discount": c.format(0),
                "gift_card": false,
                "taxable": true,
                "requires_shipping": true,
                "product_exists": product.is_some(),
            })
        })
        .collect();
    let email = customer.and_then(|c| c.email.as_deref());
    let mut out = json!({
        "id": o.id,
        "admin_graphql_api_id": gid("Order", o.id),
        "name": o.name(),
        "number": o.number.saturating_sub(1000),
        "order_number": o.number,
        "email": email,
        "contact_email": email,
        "phone": Json::Null,
        "created_at": iso(o.created_at),
        "processed_at": iso(o.created_at),
        "updated_at": iso(o.updated_at),
        "cancelled_at": o.cancelled_at.map(iso),
        "cancel_reason": o.cancel_reason.map(|r| match r {
            CancelReason::Customer => "customer",
            CancelReason::Declined => "declined",
            CancelReason::Fraud => "fraud",
            CancelReason::Inventory => "inventory",
            CancelReason::Staff => "staff",
            CancelReason::Other => "other",
        }),
        "closed_at": o.cancelled_at.map(iso),
        "confirmed": true,
        "test": false,
        "currency": c.code(),
        "presentment_currency": o.presentment_currency.code(),
        "financial_status": financial_rest(o.financial_status),
        "fulfillment_status": match o.fulfillment_status {
            FulfillmentStatus::Unfulfilled => Json::Null,
            FulfillmentStatus::PartiallyFulfilled => json!("partial"),
            FulfillmentStatus::Fulfilled => json!("fulfilled"),
            FulfillmentStatus::Restocked => json!("restocked"),
        },
    });
    let more = json!({
        "source_name": match o.source {
            OrderSource::Web => "web",
            OrderSource::ShopifyDraftOrder => "shopify_draft_order",
            OrderSource::Pos => "pos",
            OrderSource::ShopApp => "shop",
        },
        "subtotal_price": c.format(o.subtotal),
        "subtotal_price_set": money_set(records, o.subtotal),
        "total_line_items_price": c.format(o.subtotal),
        "total_discounts": c.format(o.total_discounts),
        "total_discounts_set": money_set(records, o.total_discounts),
        "total_tax": c.format(o.tax),
        "total_tax_set": money_set(records, o.tax),
        "total_shipping_price_set": money_set(records, o.shipping),
        "total_price": c.format(total),
        "total_price_set": money_set(records, total),
        "current_subtotal_price": c.format(o.subtotal),
        "current_total_price": c.format(total - refunded),
        "current_total_price_set": money_set(records, total - refunded),
        "current_total_discounts": c.format(o.total_discounts),
        "current_total_tax": c.format(o.tax),
        "total_outstanding": c.format(0),
        "discount_codes": o.discount_code.map(|code| json!([{"code": code, "amount": c.format(o.total_discounts), "type": "fixed_amount"}])).unwrap_or(json!([])),
        "tags": "",
        "note": Json::Null,
        "customer": customer.map(|cu| customer_rest(records, cu)),
        "line_items": lines,
        "refunds": view.refunds.iter().map(|r| refund_rest(records, o.id, r)).collect::<Vec<_>>(),
        "fulfillments": [],
        "shipping_lines": [],
    });
    if let (Some(out), Json::Object(more)) = (out.as_object_mut(), more) {
        out.extend(more);
    }
    out
}

/// `POST /_sim/shops/{shop}/orders` `{id?, customer_id?, cancel?, financial_status?, refund?:
/// {amount, note?}, delivery?}`: creates an order (no `id`; one line of the first variant when the
/// shop has products) or changes one, sending `orders/create`, or `orders/updated` plus
/// `orders/cancelled` (when cancelling) and `refunds/create` (when refunding). Answers
/// `{"order": <REST payload>, "webhooks": [outcomes]}`.
pub async fn post_order(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Response {
    let change: OrderChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")),
    };
    let status = match change
        .financial_status
        .as_deref()
        .map(|s| financial_status(s).ok_or_else(|| format!("unknown financial_status `{s}`")))
    {
        None => None,
        Some(Ok(status)) => Some(status),
        Some(Err(message)) => return error(StatusCode::BAD_REQUEST, message),
    };
    let clock = state.now();
    let now = clock.timestamp();
    let changed = state.with_shop(&shop, |s| {
        let records = s.records.clone();
        let exponent = records.currency().exponent();
        let refund_amount = match &change.refund {
            Some(r) => Some(
                parse_amount(&r.amount, exponent)
                    .filter(|a| *a > 0)
                    .ok_or_else(|| {
                        (
                            StatusCode::BAD_REQUEST,
                            format!("bad refund amount `{}`", r.amount),
                        )
                    })?,
            ),
            None => None,
        };
        if let Some(id) = change
            .customer_id
            .filter(|id| records.customer(*id).is_none())
        {
            return Err((StatusCode::NOT_FOUND, format!("no customer {id} on {shop}")));
        }
        let (mut entry, created) = match change.id {
            Some(id) => match records.order(id) {
                Some(view) => (
                    OverlayOrder {
                        order: *view.order,
                        customer_id: change.customer_id.or(view.customer_id),
                        lines: view.lines.to_vec(),
                        refunds: view.refunds.to_vec(),
                    },
                    false,
                ),
                None => return Err((StatusCode::NOT_FOUND, format!("no order {id} on {shop}"))),
            },
            None => {
                let highest = records
                    .store
                    .orders
                    .last()
                    .map_or(0, |o| o.id)
                    .max(records.overlay.orders.keys().last().copied().unwrap_or(0))
                    .max(5_000_000_000_000);
                let id = new_id(&state, highest);
                let number = records
                    .store
                    .orders
                    .iter()
                    .map(|o| o.number)
                    .chain(records.overlay.orders.values().map(|o| o.order.number))
                    .max()
                    .unwrap_or(1000)
                    + 1;
                let lines: Vec<LineItem> = records
                    .store
                    .variants
                    .first()
                    .map(|v| LineItem {
                        id: new_id(&state, 9_000_000_000_000),
                        variant: 0,
                        quantity: 1,
                        unit_price: v.price,
                    })
                    .into_iter()
                    .collect();
                let subtotal = lines
                    .iter()
                    .map(|l| l.unit_price * i64::from(l.quantity))
                    .sum();
                let order = Order {
                    id,
                    number,
                    customer: None,
                    created_at: 0,
                    updated_at: 0,
                    cancelled_at: None,
                    cancel_reason: None,
                    financial_status: FinancialStatus::Paid,
                    fulfillment_status: FulfillmentStatus::Unfulfilled,
                    presentment_currency: records.currency(),
                    subtotal,
                    total_discounts: 0,
                    shipping: 0,
                    tax: 0,
                    discount_code: None,
                    source: OrderSource::Web,
                    line_items: Span::default(),
                    refunds: Span::default(),
                };
                (
                    OverlayOrder {
                        order,
                        customer_id: change.customer_id,
                        lines,
                        refunds: Vec::new(),
                    },
                    true,
                )
            }
        };
        let at = stamp(s, now, entry.order.updated_at);
        if created {
            entry.order.created_at = at;
        }
        entry.order.updated_at = at;
        if let Some(status) = status {
            entry.order.financial_status = status;
        }
        let cancelled = change.cancel && entry.order.cancelled_at.is_none();
        if cancelled {
            entry.order.cancelled_at = Some(at);
            entry.order.cancel_reason = Some(CancelReason::Customer);
        }
        let refund = refund_amount.map(|amount| {
            let refund = Refund {
                id: new_id(&state, 8_000_000_000_000),
                order: 0,
                created_at: at,
                amount,
                line_item: None,
                quantity: 0,
                restock: false,
                note: change
                    .refund
                    .as_ref()
                    .and_then(|r| r.note.as_deref())
                    .map_or("", intern),
            };
            entry.refunds.push(refund);
            let refunded: i64 = entry.refunds.iter().map(|r| r.amount).sum();
            if status.is_none() {
                entry.order.financial_status = if refunded >= entry.order.total_price() {
                    FinancialStatus::Refunded
                } else {
                    FinancialStatus::PartiallyRefunded
                };
            }
            refund
        });
        let id = entry.order.id;
        Arc::make_mut(&mut s.records.overlay)
            .orders
            .insert(id, entry);
        let records = s.records.clone();
        let Some(view) = records.order(id) else {
            return Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "the order vanished".into(),
            ));
        };
        let payload = order_rest(&records, view);
        let mut fresh = Vec::new();
        if created {
            fresh.push(delivery(&state, &shop, "orders/create", &payload, clock));
        } else {
            fresh.push(delivery(&state, &shop, "orders/updated", &payload, clock));
        }
        if cancelled {
            fresh.push(delivery(&state, &shop, "orders/cancelled", &payload, clock));
        }
        if let Some(refund) = &refund {
            let body = refund_rest(&records, id, refund);
            fresh.push(delivery(&state, &shop, "refunds/create", &body, clock));
        }
        let topics: Vec<String> = fresh.iter().map(|d| d.topic.clone()).collect();
        Ok((payload, topics, schedule(s, fresh, change.delivery)))
    });
    match changed {
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
        Some(Err((status, message))) => error(status, message),
        Some(Ok((payload, topics, deliveries))) => {
            let webhooks = send_all(&state, &shop, deliveries).await;
            with_detail(
                json_response(
                    StatusCode::OK,
                    json!({"order": payload, "webhooks": webhooks}),
                ),
                json!({"topics": topics, "id": payload["id"], "delivery": format!("{:?}", change.delivery)}),
            )
        }
    }
}

/// `POST /_sim/shops/{shop}/webhooks/flush`: sends the deliveries a `reorder` change held back.
/// Answers `{"webhooks": [outcomes]}`.
pub async fn flush_held(State(state): State<SimState>, Path(shop): Path<String>) -> Response {
    match state.with_shop(&shop, |s| std::mem::take(&mut s.held_webhooks)) {
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
        Some(held) => {
            let webhooks = send_all(&state, &shop, held).await;
            json_response(StatusCode::OK, json!({"webhooks": webhooks}))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_amount;

    #[test]
    fn amounts_parse_into_minor_units() {
        assert_eq!(parse_amount("5.00", 2), Some(500));
        assert_eq!(parse_amount("5.5", 2), Some(550));
        assert_eq!(parse_amount("12", 2), Some(1200));
        assert_eq!(parse_amount("1500", 0), Some(1500));
        assert_eq!(parse_amount("1.234", 2), None);
        assert_eq!(parse_amount("-1", 2), None);
        assert_eq!(parse_amount("abc", 2), None);
        assert_eq!(parse_amount(".", 2), None);
    }
}
