//! `POST /_sim/shops/{shop}/checkouts` (control API, see `changes.rs`): creates or changes an
//! abandoned checkout, found by its token, and sends `checkouts/create` or `checkouts/update`
//! with the REST payload (`rest::checkout_rest`, keyed by `token`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rand::RngCore;
use serde::Deserialize;

use super::changes::{DeliveryMode, delivery, error, new_id, respond, schedule, stamp};
use super::demo::{AbandonedCheckout, LineItem, Span};
use super::records::OverlayCheckout;
use super::rest::checkout_rest;
use super::state::SimState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckoutChange {
    token: Option<String>,
    customer_id: Option<i64>,
    email: Option<String>,
    quantity: Option<u16>,
    #[serde(default)]
    complete: bool,
    #[serde(default)]
    delivery: DeliveryMode,
}

/// `POST /_sim/shops/{shop}/checkouts` `{token?, customer_id?, email?, quantity?, complete?,
/// delivery?}`: creates an abandoned checkout (no `token`: a fresh 16-byte token and id, one line
/// of the first variant, `quantity` of it, default 1) or changes the one whose token (32 hex
/// digits) is given: `customer_id` sets the buyer, `email` the typed email (`""` clears it),
/// `quantity` the first line's quantity, `complete` marks it completed (recovered). Sends
/// `checkouts/create` or `checkouts/update`. Answers `{"checkout": <REST payload>, "webhooks":
/// [outcomes]}`.
pub async fn post_checkout(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Response {
    let change: CheckoutChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")),
    };
    if change.quantity == Some(0) {
        return error(StatusCode::BAD_REQUEST, "quantity must be at least 1");
    }
    let clock = state.now();
    let now = clock.timestamp();
    let changed = state.with_shop(&shop, |s| {
        let records = s.records.clone();
        if let Some(id) = change
            .customer_id
            .filter(|id| records.customer(*id).is_none())
        {
            return Err((StatusCode::NOT_FOUND, format!("no customer {id} on {shop}")));
        }
        let (mut entry, topic) = match &change.token {
            Some(token) => match records.checkout_by_token(token) {
                Some(view) => (
                    OverlayCheckout {
                        checkout: AbandonedCheckout {
                            // The overlay names the buyer by id; the generated index is unused.
                            customer: None,
                            ..view.checkout.clone()
                        },
                        customer_id: change.customer_id.or(view.customer_id),
                        lines: view.lines.to_vec(),
                    },
                    "checkouts/update",
                ),
                None => {
                    return Err((
                        StatusCode::NOT_FOUND,
                        format!("no checkout with token {token} on {shop}"),
                    ));
                }
            },
            None => {
                let highest = records
                    .store
                    .abandoned_checkouts
                    .last()
                    .map_or(0, |c| c.id)
                    .max(
                        records
                            .overlay
                            .checkouts
                            .keys()
                            .last()
                            .copied()
                            .unwrap_or(0),
                    )
                    .max(31_300_000_000_000);
                let mut token = [0u8; 16];
                rand::rng().fill_bytes(&mut token);
                let lines: Vec<LineItem> = records
                    .store
                    .variants
                    .first()
                    .map(|v| LineItem {
                        id: new_id(&state, 53_000_000_000_000),
                        variant: 0,
                        quantity: 1,
                        unit_price: v.price,
                    })
                    .into_iter()
                    .collect();
                let checkout = AbandonedCheckout {
                    id: new_id(&state, highest),
                    token,
                    customer: None,
                    email: None,
                    created_at: 0,
                    updated_at: 0,
                    completed_at: None,
                    presentment_currency: records.currency(),
                    subtotal: 0,
                    line_items: Span::default(),
                };
                (
                    OverlayCheckout {
                        checkout,
                        customer_id: change.customer_id,
                        lines,
                    },
                    "checkouts/create",
                )
            }
        };
        if let Some(email) = &change.email {
            entry.checkout.email = (!email.is_empty()).then(|| email.clone().into_boxed_str());
        }
        if let (Some(quantity), Some(line)) = (change.quantity, entry.lines.first_mut()) {
            line.quantity = quantity;
        }
        entry.checkout.subtotal = entry
            .lines
            .iter()
            .map(|l| l.unit_price * i64::from(l.quantity))
            .sum();
        let at = stamp(s, now, entry.checkout.updated_at);
        if topic == "checkouts/create" {
            entry.checkout.created_at = at;
        }
        entry.checkout.updated_at = at;
        if change.complete && entry.checkout.completed_at.is_none() {
            entry.checkout.completed_at = Some(at);
        }
        let id = entry.checkout.id;
        Arc::make_mut(&mut s.records.overlay)
            .checkouts
            .insert(id, entry);
        let records = s.records.clone();
        let Some(view) = records.checkout(id) else {
            return Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "the checkout vanished".into(),
            ));
        };
        let payload = checkout_rest(&records, view);
        let fresh = vec![delivery(&state, &shop, topic, &payload, clock)];
        Ok((
            payload,
            vec![topic.to_string()],
            schedule(s, fresh, change.delivery),
        ))
    });
    respond(&state, &shop, "checkout", change.delivery, changed).await
}
