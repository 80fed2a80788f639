//! Control API to change the shop's records and send the matching webhooks (not part of Shopify).
//! Each change lands in the shop's [`Overlay`](super::records::Overlay) (so paginated queries,
//! counts, bulk operations and `node` show it), bumps the record's `updated_at` to the simulated
//! clock (strictly increasing per shop: [`stamp`]) and sends REST-style webhooks like Shopify's
//! (payloads in `rest.rs`):
//!
//! - `POST /_sim/shops/{shop}/customers` (`changes_customers.rs`): create, change or delete a
//!   customer; `customers/create`, `customers/update`, `customers/delete`.
//! - `POST /_sim/shops/{shop}/orders` (`changes_orders.rs`): create, cancel, refund, pay or fulfil
//!   an order; `orders/create`, `orders/updated`, `orders/paid`, `orders/fulfilled`,
//!   `orders/cancelled`, `refunds/create`. The buyer's `numberOfOrders`, `amountSpent` and
//!   `lastOrder` follow (without a customer webhook, as on Shopify).
//! - `POST /_sim/shops/{shop}/checkouts` (`changes_checkouts.rs`): create or change an abandoned
//!   checkout, found by token; `checkouts/create`, `checkouts/update`.
//! - `POST /_sim/shops/{shop}/webhooks/flush` (here): send the deliveries `reorder` held back.
//!
//! `delivery` picks how a change's webhooks go out, for reconciliation tests: `normal` (once),
//! `drop` (never: only queries show the change), `duplicate` (twice, with the same
//! `X-Shopify-Webhook-Id`) or `reorder` (held back and sent after the next change's deliveries for
//! the shop, or on `POST /_sim/shops/{shop}/webhooks/flush`). Deliveries are sent after the shop
//! lock is released, and logged in the request log as `WEBHOOK` entries. Every change answers
//! `{"<record>": <REST payload>, "webhooks": [outcomes]}`, an outcome being `{topic, webhook_id,
//! event_id, status, delivered, error}`; errors answer `{"error": message}` with 400 or 404.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, OnceLock};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value as Json, json};

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

pub(super) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, json!({"error": message.into()}))
}

/// Customer names are `&'static str` in the generated model; changed ones are interned so each
/// distinct string leaks once at most (the simulator lives as long as the test process).
pub(super) fn intern(text: &str) -> &'static str {
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
pub(super) fn stamp(shop: &mut SimShop, now: i64, previous: i64) -> i64 {
    let at = now.max(shop.last_change_at + 1).max(previous + 1);
    shop.last_change_at = at;
    at
}

/// A fresh id above every existing one of the kind, drawn from the sim's id counter.
pub(super) fn new_id(state: &SimState, highest: i64) -> i64 {
    highest + state.ids.fetch_add(1, Ordering::Relaxed) as i64
}

/// A prepared delivery for a change.
/// Called under the shop lock, so it takes the time rather than reading the clock (which locks).
pub(super) fn delivery(
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
pub(super) fn schedule(
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

/// What a change made under the shop lock: the record's REST payload, the topics it sends and the
/// deliveries to send now.
pub(super) type Changed = (Json, Vec<String>, Vec<WebhookDelivery>);

/// Sends a change's deliveries and answers `{key: payload, "webhooks": [outcomes]}`, or the error.
pub(super) async fn respond(
    state: &SimState,
    shop: &str,
    key: &str,
    mode: DeliveryMode,
    changed: Option<Result<Changed, (StatusCode, String)>>,
) -> Response {
    match changed {
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
        Some(Err((status, message))) => error(status, message),
        Some(Ok((payload, topics, deliveries))) => {
            let webhooks = send_all(state, shop, deliveries).await;
            let id = payload.get("id").or_else(|| payload.get("token")).cloned();
            with_detail(
                json_response(StatusCode::OK, json!({key: payload, "webhooks": webhooks})),
                json!({"topics": topics, "id": id, "delivery": format!("{mode:?}")}),
            )
        }
    }
}

/// A decimal amount (`"5.00"`) in minor units of a currency with `exponent` decimals.
pub(super) fn parse_amount(text: &str, exponent: u32) -> Option<i64> {
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
