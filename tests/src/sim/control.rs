//! The simulator's own JSON control API for tests and `cargo xtask dev` (not part of Shopify):
//! create and inspect shops, read the request log, send webhooks, move the clock, queue faults,
//! revoke tokens, list the webhook subscriptions an app created. Every bad input gets a 4xx with `{"error": "..."}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value as Json, json};
use shared::ShopDomain;

use super::billing;
use super::state::{ShopSpec, SimState, build_shop};
use super::web::{json_response, with_detail};
use super::webhooks::{HmacMode, WebhookDelivery, send_webhook};

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    json_response(status, json!({"error": message.into()}))
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
}

/// `GET /healthz`.
pub async fn healthz() -> Response {
    json_response(StatusCode::OK, json!({"status": "ok"}))
}

/// `POST /_sim/shops` with a [`ShopSpec`]: creates (or replaces) and populates a shop.
pub async fn create_shop(State(state): State<SimState>, body: Bytes) -> Response {
    let spec: ShopSpec = match parse(&body) {
        Ok(spec) => spec,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let config = state.config.clone();
    let now = state.now();
    let detail = json!({"domain": spec.domain, "seed": spec.seed, "orders": spec.orders, "customers": spec.customers});
    let built = tokio::task::spawn_blocking(move || build_shop(&spec, &config, now)).await;
    match built {
        Ok(Ok(shop)) => with_detail(
            json_response(StatusCode::CREATED, json!(state.insert_shop(shop))),
            detail,
        ),
        Ok(Err(message)) => error(StatusCode::BAD_REQUEST, message),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("generating the shop failed: {e}"),
        ),
    }
}

/// `GET /_sim/shops/{shop}`: counts and settings.
pub async fn get_shop(State(state): State<SimState>, Path(shop): Path<String>) -> Response {
    match state.summary(&shop) {
        Some(summary) => json_response(StatusCode::OK, json!(summary)),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no shop {shop}; create it with POST /_sim/shops"),
        ),
    }
}

/// `GET /_sim/shops`: every shop's summary.
pub async fn list_shops(State(state): State<SimState>) -> Response {
    let shops: Vec<Json> = state
        .shop_domains()
        .iter()
        .filter_map(|d| state.summary(d))
        .map(|s| json!(s))
        .collect();
    json_response(StatusCode::OK, json!({"shops": shops}))
}

#[derive(Debug, Deserialize)]
pub struct RequestsQuery {
    shop: Option<String>,
    limit: Option<usize>,
}

/// `GET /_sim/requests?shop=&limit=`: the newest `limit` requests, oldest first.
pub async fn list_requests(
    State(state): State<SimState>,
    Query(query): Query<RequestsQuery>,
) -> Response {
    let mut requests = state.requests(query.shop.as_deref());
    if let Some(limit) = query.limit {
        let skip = requests.len().saturating_sub(limit);
        requests.drain(..skip);
    }
    json_response(StatusCode::OK, json!({"requests": requests}))
}

/// `DELETE /_sim/requests`.
pub async fn clear_requests(State(state): State<SimState>) -> Response {
    state.clear_requests();
    json_response(StatusCode::OK, json!({"cleared": true}))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookRequest {
    shop: String,
    topic: String,
    /// Serialised compactly; use `body` to control the exact bytes.
    payload: Option<Json>,
    body: Option<String>,
    api_version: Option<String>,
    #[serde(default)]
    hmac: HmacMode,
    name: Option<String>,
}

/// `POST /_sim/webhooks` `{shop, topic, payload}`: sends one signed delivery to the app and
/// answers with the app's status.
pub async fn post_webhook(State(state): State<SimState>, body: Bytes) -> Response {
    let request: WebhookRequest = match parse(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let Ok(shop) = ShopDomain::parse(&request.shop) else {
        return error(
            StatusCode::BAD_REQUEST,
            format!("`{}` is not a shop domain", request.shop),
        );
    };
    if request.topic.is_empty() || !request.topic.contains('/') {
        return error(
            StatusCode::BAD_REQUEST,
            "topic must look like `orders/create`",
        );
    }
    let bytes = match (request.body, request.payload) {
        (Some(raw), _) => raw.into_bytes(),
        (None, Some(payload)) => payload.to_string().into_bytes(),
        (None, None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "give `payload` (JSON) or `body` (exact text)",
            );
        }
    };
    let config = &state.config;
    let version = request
        .api_version
        .unwrap_or_else(|| config.webhook_api_version.clone());
    let mut delivery =
        WebhookDelivery::new(shop.as_str(), &request.topic, bytes, &version, state.now());
    delivery.hmac = request.hmac;
    delivery.name = request.name;
    let detail =
        json!({"topic": request.topic, "webhook_id": delivery.webhook_id, "hmac": request.hmac});
    match send_webhook(
        &state.http,
        &config.webhook_url(),
        &config.api_secret,
        &delivery,
    )
    .await
    {
        Ok(outcome) => with_detail(json_response(StatusCode::OK, json!(outcome)), detail),
        Err(e) => with_detail(error(StatusCode::BAD_GATEWAY, e.to_string()), detail),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockRequest {
    advance_seconds: i64,
}

/// `POST /_sim/clock` `{advance_seconds}`: moves the simulated clock forward.
pub async fn advance_clock(State(state): State<SimState>, body: Bytes) -> Response {
    match parse::<ClockRequest>(&body) {
        Ok(request) if request.advance_seconds >= 0 => {
            let now = state.advance_clock(request.advance_seconds);
            json_response(StatusCode::OK, json!({"now": now}))
        }
        Ok(_) => error(StatusCode::BAD_REQUEST, "the clock only moves forward"),
        Err(message) => error(StatusCode::BAD_REQUEST, message),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    /// Status for the next Admin API calls (401, 402, 403, 423, 429, 500, 503, ...).
    status: Option<u16>,
    #[serde(default = "one")]
    count: usize,
    /// Empty the rate-limit bucket so the next query is THROTTLED.
    #[serde(default)]
    drain_bucket: bool,
}

fn one() -> usize {
    1
}

/// `POST /_sim/shops/{shop}/faults` `{status, count, drain_bucket}`: failures on demand.
pub async fn queue_faults(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Response {
    let request: FaultRequest = match parse(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    if request.status.is_some_and(|s| !(400..600).contains(&s)) || request.count > 1_000 {
        return error(
            StatusCode::BAD_REQUEST,
            "status must be 4xx or 5xx and count at most 1000",
        );
    }
    let now_ms = state.now().timestamp_millis();
    let queued = state.with_shop(&shop, |s| {
        if let Some(status) = request.status {
            s.faults.extend(std::iter::repeat_n(status, request.count));
        }
        if request.drain_bucket {
            s.bucket.drain(now_ms);
        }
        s.faults.len()
    });
    match queued {
        Some(queued) => json_response(StatusCode::OK, json!({"queued": queued})),
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
    }
}

/// `POST /_sim/shops/{shop}/uninstall`: revokes every token, deletes the shop's webhook
/// subscriptions and cancels its app subscriptions (without a webhook: the app is gone), as
/// uninstalling does on Shopify.
pub async fn uninstall(State(state): State<SimState>, Path(shop): Path<String>) -> Response {
    let now = state.now();
    let uninstalled = state.with_shop(&shop, |s| {
        s.tokens.revoke_all();
        s.billing.uninstall(now);
        let deleted = s.webhook_subscriptions.len();
        s.webhook_subscriptions.clear();
        deleted
    });
    match uninstalled {
        Some(deleted) => json_response(
            StatusCode::OK,
            json!({"revoked": true, "webhook_subscriptions_deleted": deleted}),
        ),
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
    }
}

/// `GET /_sim/shops/{shop}/webhook_subscriptions`: `{"webhook_subscriptions": [...]}`, oldest
/// first, so tests can check what the app registered without going through GraphQL.
pub async fn list_webhook_subscriptions(
    State(state): State<SimState>,
    Path(shop): Path<String>,
) -> Response {
    match state.with_shop(&shop, |s| s.webhook_subscriptions.clone()) {
        Some(list) => json_response(StatusCode::OK, json!({"webhook_subscriptions": list})),
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
    }
}

/// `GET /_sim/shops/{shop}/billing`: `{"subscriptions": [...], "usage_records": [...]}`, oldest
/// first, amounts as decimal strings.
pub async fn get_billing(State(state): State<SimState>, Path(shop): Path<String>) -> Response {
    let now = state.now();
    let view = state.with_shop(&shop, |s| {
        s.billing.expire_stale(s.info.id, now);
        billing::control_view(&s.billing)
    });
    billing::flush(&state, &shop).await;
    match view {
        Some(view) => json_response(StatusCode::OK, view),
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BillingStatusRequest {
    status: String,
}

/// `POST /_sim/shops/{shop}/billing/{N}/status` `{"status": "FROZEN"|"ACTIVE"|"EXPIRED"|"CANCELLED"}`:
/// drives a subscription as Shopify would (non-payment, payment resumed, ...) and sends
/// `app_subscriptions/update` before answering `{"changed", "subscription", "webhooks"}`.
pub async fn set_billing_status(
    State(state): State<SimState>,
    Path((shop, number)): Path<(String, u64)>,
    body: Bytes,
) -> Response {
    let request: BillingStatusRequest = match parse(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let status = request.status.to_ascii_uppercase();
    if !["FROZEN", "ACTIVE", "EXPIRED", "CANCELLED"].contains(&status.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            "status must be one of FROZEN, ACTIVE, EXPIRED, CANCELLED",
        );
    }
    let now = state.now();
    let changed = state.with_shop(&shop, |s| {
        let changed = billing::force_status(s, number, &status, now);
        let view = s.billing.find(number).cloned();
        changed.map(|changed| (changed, view))
    });
    let webhooks = billing::flush(&state, &shop).await;
    match changed {
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
        Some(Err(_)) => error(
            StatusCode::NOT_FOUND,
            format!("no app subscription {number} on {shop}"),
        ),
        Some(Ok((changed, subscription))) => with_detail(
            json_response(
                StatusCode::OK,
                json!({"changed": changed, "subscription": subscription, "webhooks": webhooks}),
            ),
            json!({"charge": number, "status": status, "changed": changed}),
        ),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManagedPlanRequest {
    /// The plan's name as the Partner Dashboard defines it.
    name: String,
    /// Price per 30 days, e.g. "49.00".
    price: String,
    #[serde(default = "usd")]
    currency: String,
}

fn usd() -> String {
    "USD".into()
}

/// `POST /_sim/shops/{shop}/billing` `{name, price}`: the merchant picks a plan on Shopify's
/// hosted plan page (Shopify App Pricing). Shopify creates and activates the subscription
/// itself, so it is created here already approved, replacing the shop's active one.
pub async fn managed_subscribe(
    State(state): State<SimState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Response {
    let request: ManagedPlanRequest = match parse(&body) {
        Ok(request) => request,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let now = state.now();
    let ids = Arc::clone(&state.ids);
    let base = state.config.app_url.clone();
    let created = state.with_shop(&shop, |s| {
        let env = crate::sim::mutate::MutationEnv {
            scopes: "",
            now,
            webhook_api_version: "",
            ids: &ids,
            base_url: &base,
        };
        let args = json!({
            "name": request.name,
            "returnUrl": "https://admin.shopify.com/apps",
            "test": true,
            "lineItems": [{"plan": {"appRecurringPricingDetails": {
                "price": {"amount": request.price, "currencyCode": request.currency}}}}],
        });
        let args = args.as_object().cloned().unwrap_or_default();
        let node = match billing::create(&env, s, &args) {
            crate::sim::resolve::Resolved::Value(node) => node,
            _ => return Err("could not create".to_string()),
        };
        if let Some(errors) = node["userErrors"].as_array().filter(|e| !e.is_empty()) {
            return Err(Json::Array(errors.clone()).to_string());
        }
        let number = s
            .billing
            .subscriptions
            .last()
            .map(|sub| sub.number)
            .unwrap_or(0);
        billing::approve(s, number, now).map_err(|e| format!("{e:?}"))?;
        Ok(s.billing.find(number).cloned())
    });
    billing::flush(&state, &shop).await;
    match created {
        None => error(StatusCode::NOT_FOUND, format!("no shop {shop}")),
        Some(Err(message)) => error(StatusCode::BAD_REQUEST, message),
        Some(Ok(subscription)) => {
            json_response(StatusCode::OK, json!({ "subscription": subscription }))
        }
    }
}
