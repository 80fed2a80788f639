//! `POST /_sim/shops/{shop}/customers` (control API, see `changes.rs`): creates, changes or deletes
//! a customer and sends `customers/create`, `customers/update` or `customers/delete`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::changes::{DeliveryMode, delivery, error, intern, new_id, respond, schedule, stamp};
use super::demo::words::CUSTOMER_TAGS;
use super::demo::{
    Consent, Customer, CustomerState, EmailMarketingState, OptInLevel, SmsMarketingState, TagSet,
};
use super::rest::{customer_delete_rest, customer_rest};
use super::state::SimState;

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
    delete: bool,
    #[serde(default)]
    delivery: DeliveryMode,
}

impl CustomerChange {
    /// Whether the change sets any field (a delete may not).
    fn sets_fields(&self) -> bool {
        self.first_name.is_some()
            || self.last_name.is_some()
            || self.email.is_some()
            || self.phone.is_some()
            || self.tags.is_some()
    }
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

/// A new customer with nothing set yet (no email, consent not subscribed, no orders).
fn blank_customer(id: i64) -> Customer {
    Customer {
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
    }
}

/// `POST /_sim/shops/{shop}/customers` `{id?, first_name?, last_name?, email?, phone?, tags?,
/// delivery?}`: creates a customer (no `id`) or changes one, and sends `customers/create` or
/// `customers/update`; `{id, delete: true, delivery?}` deletes one (from queries, `node`, bulk
/// files and `customersCount`; its orders stay with a null customer) and sends `customers/delete`
/// with Shopify's stub payload. Answers `{"customer": <REST payload>, "webhooks": [outcomes]}`.
pub async fn post_customer(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Response {
    let change: CustomerChange = match serde_json::from_slice(&body) {
        Ok(change) => change,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")),
    };
    if change.delete && (change.id.is_none() || change.sets_fields()) {
        return error(
            StatusCode::BAD_REQUEST,
            "a delete takes `id` (and `delivery`) only",
        );
    }
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
                Some(c) if change.delete => (c.clone(), "customers/delete"),
                Some(c) => (c.clone(), "customers/update"),
                None => {
                    return Err((StatusCode::NOT_FOUND, format!("no customer {id} on {shop}")));
                }
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
                    .max(
                        records
                            .overlay
                            .deleted_customers
                            .last()
                            .copied()
                            .unwrap_or(0),
                    )
                    .max(7_000_000_000_000);
                (blank_customer(new_id(&state, highest)), "customers/create")
            }
        };
        if change.delete {
            let overlay = Arc::make_mut(&mut s.records.overlay);
            overlay.customers.remove(&customer.id);
            overlay.deleted_customers.insert(customer.id);
            let payload = customer_delete_rest(customer.id);
            let fresh = vec![delivery(&state, &shop, topic, &payload, clock)];
            return Ok((
                payload,
                vec![topic.to_string()],
                schedule(s, fresh, change.delivery),
            ));
        }
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
            // Only customers with a phone have an SMS consent; a new number starts unsubscribed.
            customer.sms_consent = match (&customer.phone, customer.sms_consent) {
                (None, _) => None,
                (Some(_), Some(consent)) => Some(consent),
                (Some(_), None) => Some(Consent {
                    state: SmsMarketingState::NotSubscribed,
                    opt_in_level: OptInLevel::SingleOptIn,
                    updated_at: None,
                }),
            };
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
        Ok((
            payload,
            vec![topic.to_string()],
            schedule(s, fresh, change.delivery),
        ))
    });
    respond(&state, &shop, "customer", change.delivery, changed).await
}
