//! `POST /_sim/shops/{shop}/orders` (control API, see `changes.rs`): creates or changes an order
//! (cancel, refund, financial status, fulfil) and keeps its buyer's counters as Shopify does:
//! `numberOfOrders` counts every order (cancelled ones too), `amountSpent` is net of refunds
//! without cancelled or voided orders, `lastOrder` is the newest order, and the customer's
//! `updated_at` moves to the change's stamp (no `customers/update` is sent for it).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::changes::{
    DeliveryMode, delivery, error, intern, new_id, parse_amount, respond, schedule, stamp,
};
use super::demo::{
    CancelReason, Customer, FinancialStatus, FulfillmentStatus, LineItem, Minor, Order,
    OrderSource, Refund, Span,
};
use super::records::{OverlayOrder, Records};
use super::rest::{order_rest, refund_rest};
use super::state::{SimShop, SimState};

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
    fulfill: bool,
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

/// What an order adds to its buyer's `amountSpent`: nothing once cancelled or voided, else its
/// total net of refunds (as the generator counts).
fn spent(order: &Order, refunds: &[Refund]) -> Minor {
    if order.cancelled_at.is_some() || order.financial_status == FinancialStatus::Voided {
        return 0;
    }
    order.total_price() - refunds.iter().map(|r| r.amount).sum::<Minor>()
}

/// The newest order of a customer by `(created_at, id)`, leaving out `except`; scans every order,
/// so it only runs when an order moves to another customer.
fn newest_order(records: &Records, customer_id: i64, except: i64) -> Option<i64> {
    let base_index = records
        .store
        .customers
        .binary_search_by_key(&customer_id, |c| c.id)
        .ok()
        .map(|i| i as u32);
    let base = records.store.orders.iter().filter(|o| {
        base_index.is_some()
            && o.customer == base_index
            && o.id != except
            && !records.overlay.orders.contains_key(&o.id)
    });
    let overlay = records
        .overlay
        .orders
        .values()
        .filter(|o| o.customer_id == Some(customer_id) && o.order.id != except)
        .map(|o| &o.order);
    base.chain(overlay)
        .max_by_key(|o| (o.created_at, o.id))
        .map(|o| o.id)
}

/// An order's buyer and spend, before or after a change.
#[derive(Debug, Clone, Copy)]
struct Share {
    customer_id: Option<i64>,
    spent: Minor,
}

/// Moves the buyers' counters from `before` (`None` for a new order) to `after`, writing changed
/// customers to the overlay with `updated_at` = `at`. Deleted customers are left alone.
fn settle_buyers(shop: &mut SimShop, order: &Order, before: Option<Share>, after: Share, at: i64) {
    let records = shop.records.clone();
    let mut changed: BTreeMap<i64, Customer> = BTreeMap::new();
    let moved = before.is_none_or(|b| b.customer_id != after.customer_id);
    if let Some(b) = before
        && let Some(id) = b.customer_id
        && let Some(c) = records.customer(id)
    {
        let mut c = c.clone();
        c.amount_spent -= b.spent;
        if moved {
            c.orders_count = c.orders_count.saturating_sub(1);
            if c.last_order == Some(order.id) {
                c.last_order = newest_order(&records, id, order.id);
            }
        }
        changed.insert(id, c);
    }
    if let Some(id) = after.customer_id
        && let Some(c) = changed.get(&id).or_else(|| records.customer(id))
    {
        let mut c = c.clone();
        c.amount_spent += after.spent;
        if moved {
            c.orders_count += 1;
        }
        let newer = c
            .last_order
            .and_then(|last| records.order(last))
            .is_none_or(|last| {
                (order.created_at, order.id) >= (last.order.created_at, last.order.id)
            });
        if newer {
            c.last_order = Some(order.id);
        }
        changed.insert(id, c);
    }
    for (id, mut c) in changed {
        let unchanged = records.customer(id).is_some_and(|old| {
            (old.orders_count, old.amount_spent, old.last_order)
                == (c.orders_count, c.amount_spent, c.last_order)
        });
        if !unchanged {
            c.updated_at = at;
            Arc::make_mut(&mut shop.records.overlay)
                .customers
                .insert(id, c);
        }
    }
}

/// `POST /_sim/shops/{shop}/orders` `{id?, customer_id?, cancel?, financial_status?, refund?:
/// {amount, note?}, fulfill?, delivery?}`: creates an order (no `id`; paid, one line of the first
/// variant when the shop has products) or changes one. Sends `orders/create` or `orders/updated`,
/// then `orders/paid` (when a change moves the financial status to paid), `orders/fulfilled`
/// (when `fulfill` makes it FULFILLED), `orders/cancelled` (when cancelling) and
/// `refunds/create` (when refunding). Answers `{"order": <REST payload>, "webhooks": [outcomes]}`.
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
        let before = (!created).then(|| Share {
            customer_id: records.order(entry.order.id).and_then(|v| v.customer_id),
            spent: spent(&entry.order, &entry.refunds),
        });
        let was_paid = entry.order.financial_status == FinancialStatus::Paid;
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
        let fulfilled =
            change.fulfill && entry.order.fulfillment_status != FulfillmentStatus::Fulfilled;
        if fulfilled {
            entry.order.fulfillment_status = FulfillmentStatus::Fulfilled;
        }
        let paid = !created && !was_paid && entry.order.financial_status == FinancialStatus::Paid;
        let after = Share {
            customer_id: entry.customer_id,
            spent: spent(&entry.order, &entry.refunds),
        };
        settle_buyers(s, &entry.order, before, after, at);
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
        if paid {
            fresh.push(delivery(&state, &shop, "orders/paid", &payload, clock));
        }
        if fulfilled {
            fresh.push(delivery(&state, &shop, "orders/fulfilled", &payload, clock));
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
    respond(&state, &shop, "order", change.delivery, changed).await
}
