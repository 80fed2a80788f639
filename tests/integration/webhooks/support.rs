//! Helpers for the webhook tests: installed shops, official fixture payloads, signed deliveries
//! sent with chosen headers, and reads of what the app stored.
//!
//! The fixtures are Shopify's documented example payloads (API 2026-04) copied from the
//! handbook's `fixtures/shopify` (SHOPIFY.md §12), so nothing here reads outside the repository.

use chrono::{DateTime, Utc};
use ecomcrm::shopify::shops::{self, Shop};
use ecomcrm::shopify::webhooks::store::{self, Delivery};
use ecomcrm_tests::sim::{WebhookDelivery, WebhookOutcome};
use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

/// An official example payload, with the documented `{shop}` placeholder filled in.
pub fn fixture(topic: &str, shop: &str) -> Vec<u8> {
    let raw = match topic {
        "app/uninstalled" => include_str!("../../fixtures/shopify/app_uninstalled.json"),
        "customers/data_request" => {
            include_str!("../../fixtures/shopify/customers_data_request.json")
        }
        "customers/redact" => include_str!("../../fixtures/shopify/customers_redact.json"),
        "shop/redact" => include_str!("../../fixtures/shopify/shop_redact.json"),
        "orders/create" => include_str!("../../fixtures/shopify/orders_create.json"),
        other => panic!("no fixture for {other}"),
    };
    raw.replace("{shop}.myshopify.com", shop).into_bytes()
}

/// A shop that opened the app once, so it is installed with a token, and is on a plan.
pub async fn installed_shop(app: &TestApp, handle: &str) -> String {
    let shop = app.add_shop(handle, "Webhook Shop").await;
    open_app(app, &shop).await;
    app.activate_plan(&shop, "starter").await;
    shop
}

/// Opens the app as the merchant (a GraphQL call), asserting it answers the shop's name.
pub async fn open_app(app: &TestApp, shop: &str) {
    let body: serde_json::Value = app
        .graphql(shop, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .expect("graphql json");
    assert_eq!(body["data"]["shop"]["name"], "Webhook Shop", "{body}");
}

/// A fresh signed delivery of the topic's fixture, triggered now.
pub fn delivery(shop: &str, topic: &str) -> WebhookDelivery {
    delivery_with(shop, topic, fixture(topic, shop))
}

/// A fresh signed delivery with a given body.
pub fn delivery_with(shop: &str, topic: &str, body: Vec<u8>) -> WebhookDelivery {
    WebhookDelivery::new(shop, topic, body, shared::SHOPIFY_API_VERSION, Utc::now())
}

/// Sends a delivery as Shopify would and returns the app's answer.
pub async fn send(app: &TestApp, d: &WebhookDelivery) -> WebhookOutcome {
    app.sim.deliver(d).await.expect("delivery sent")
}

/// Sends a correctly signed delivery with one header left out; returns the status.
pub async fn send_without(app: &TestApp, d: &WebhookDelivery, left_out: &str) -> u16 {
    let mut req = app
        .http
        .post(format!("{}/webhooks", app.base))
        .body(d.body.clone());
    for (name, value) in d.headers(&app.api_secret) {
        if !name.eq_ignore_ascii_case(left_out) {
            req = req.header(name, value);
        }
    }
    req.send().await.expect("post").status().as_u16()
}

/// The shop as the app's registry holds it.
pub async fn shop_row(app: &TestApp, shop: &str) -> Shop {
    let domain = shared::ShopDomain::parse(shop).expect("domain");
    shops::find_by_domain(&app.state.db, &domain)
        .await
        .expect("db")
        .expect("shop row")
}

/// The shop's stored deliveries, oldest first.
pub async fn deliveries(app: &TestApp, shop: &str) -> Vec<Delivery> {
    let db = shop_row(app, shop).await.db(&app.state.db);
    store::list_deliveries(&db).await.expect("deliveries")
}

/// Every stored delivery of every shop (the test connection owns the table).
pub async fn all_deliveries(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .state
        .db
        .query("select cast(count(*) as bigint) from webhook_deliveries")
        .fetch_one()
        .await
        .expect("count");
    n
}

/// Jobs of a kind, in any state.
pub async fn jobs_of_kind(app: &TestApp, kind: &str) -> i64 {
    let (n,): (i64,) = app
        .state
        .db
        .query("select cast(count(*) as bigint) from jobs where kind = $1")
        .bind(kind)
        .fetch_one()
        .await
        .expect("count");
    n
}

/// Whether the shop still holds an encrypted access or refresh token.
pub async fn has_tokens(app: &TestApp, shop: &str) -> bool {
    let (access, refresh) = app.sealed_tokens(shop).await;
    access.is_some() || refresh.is_some()
}

/// Makes every retry due now, standing in for the backoff's wait (the test app runs on the
/// system clock, so time cannot be moved).
pub async fn make_retries_due(app: &TestApp) {
    app.state
        .db
        .query("update jobs set run_at = 0 where state = 'pending'")
        .execute()
        .await
        .expect("make due");
}

/// Backdates when a delivery was received, as if it had sat in the table that long.
pub async fn backdate(app: &TestApp, webhook_id: &str, received_at: DateTime<Utc>) {
    app.state
        .db
        .query("update webhook_deliveries set received_at = $1 where webhook_id = $2")
        .bind(received_at)
        .bind(webhook_id)
        .execute()
        .await
        .expect("backdate");
}
