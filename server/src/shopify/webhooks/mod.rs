//! `POST /webhooks`: every Shopify topic arrives here (SHOPIFY.md §5, CONVENTIONS §3.1, rule 3).
//!
//! The handler verifies the signature over the raw body, checks the headers, drops deliveries
//! for shops that are not ours, dedupes on `X-Shopify-Webhook-Id` and on `X-Shopify-Event-Id`
//! (the same event reaching both the app-scoped and a shop-scoped subscription), then stores the
//! delivery and enqueues its [`jobs::ProcessWebhook`] in one transaction and answers 200. No domain work runs
//! here: Shopify gives up after 5 s and a slow or failing handler costs a retry or the
//! subscription, while a stored delivery is never lost.

pub mod intake;
pub mod jobs;
mod payloads;
pub mod store;
pub mod verify;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use tower_http::limit::RequestBodyLimitLayer;

use self::verify::{Rejected, VerifiedWebhook};
use crate::error::AppError;
use crate::http::HttpState;
use crate::state::AppState;

/// The largest delivery accepted (10 MB); larger ones get 413. Shopify's biggest payloads
/// (orders with hundreds of lines) stay far below it.
pub const MAX_BODY: usize = 10 * 1024 * 1024;

/// The GDPR/CPRA topics (SHOPIFY.md §6). Shopify sends `shop/redact` 48 hours *after*
/// uninstall, so these are accepted from uninstalled shops too.
pub const COMPLIANCE_TOPICS: [&str; 3] =
    ["customers/data_request", "customers/redact", "shop/redact"];

/// Topics still accepted after uninstall: the compliance ones, and `app_subscriptions/update`,
/// because Shopify cancels the shop's subscription at uninstall and the app must record that
/// (a reinstall must not find the old plan still active).
fn accepted_after_uninstall(topic: &str) -> bool {
    COMPLIANCE_TOPICS.contains(&topic) || topic == "app_subscriptions/update"
}

/// The route: POST only (other methods get 405), the body read whole up to [`MAX_BODY`].
pub fn route() -> MethodRouter<HttpState> {
    // axum's own 2 MB default would answer 413 first; the explicit layer sets the real limit.
    post(receive)
        .layer::<_, std::convert::Infallible>(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
}

/// What became of a verified delivery (all are answered 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// Stored and its job enqueued.
    Stored,
    /// Already stored under the same webhook id (Shopify redelivered it) or the same event id
    /// (it also came through another subscription).
    Duplicate,
    /// No such shop, or it uninstalled the app: acknowledged so Shopify stops retrying.
    Dropped,
}

async fn receive(State(s): State<HttpState>, headers: HeaderMap, body: Bytes) -> Response {
    let secret = s.app.config.api_secret.expose();
    let hook = match verify::verify(&headers, &body, secret) {
        Ok(hook) => hook,
        Err(rejected) => return rejection(rejected),
    };
    // JSON is UTF-8 (RFC 8259 §8.1); anything else cannot be a Shopify payload, and storing a
    // lossy copy would silently alter signed data.
    let Ok(payload) = std::str::from_utf8(&body) else {
        return rejection(Rejected::BadRequest("body is not UTF-8 JSON"));
    };
    match accept(&s.app, &hook, payload).await {
        Ok(_) => StatusCode::OK.into_response(),
        // A database failure: 500 makes Shopify retry the delivery later.
        Err(e) => e.into_response(),
    }
}

fn rejection(rejected: Rejected) -> Response {
    match rejected {
        Rejected::Unauthorized => {
            tracing::info!("webhook refused: missing or invalid HMAC");
            (StatusCode::UNAUTHORIZED, "invalid webhook signature").into_response()
        }
        Rejected::BadRequest(why) => {
            tracing::info!(reason = why, "webhook refused: bad request");
            (StatusCode::BAD_REQUEST, why).into_response()
        }
    }
}

/// Stores a verified delivery and enqueues its processing, in one transaction.
pub async fn accept(
    app: &AppState,
    hook: &VerifiedWebhook,
    payload: &str,
) -> Result<Received, AppError> {
    let Some(shop) = app.intake.shop(&app.db, &hook.shop).await? else {
        tracing::info!(shop = %hook.shop, topic = %hook.topic, "webhook for an unknown shop dropped");
        return Ok(Received::Dropped);
    };
    if shop.uninstalled_at.is_some() && !accepted_after_uninstall(&hook.topic) {
        tracing::info!(shop = %hook.shop, topic = %hook.topic, "webhook for an uninstalled shop dropped");
        return Ok(Received::Dropped);
    }
    // Stored with its job by the intake's group commit (one statement per delivery on
    // PostgreSQL, one transaction per shop and batch); answered after the commit.
    app.intake
        .store(shop.id, hook, payload, app.clock.now())
        .await
}
