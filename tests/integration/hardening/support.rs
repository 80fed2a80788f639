//! Shared steps for the hardening tests: an installed shop and signed deliveries.

use chrono::Utc;
use ecomcrm_tests::sim::{WebhookDelivery, WebhookOutcome};
use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

/// The shop name every hardening shop gets.
pub const SHOP_NAME: &str = "Hardening Shop";

/// Creates a shop in the simulator and installs it (token exchange on its first GraphQL call).
pub async fn installed_shop(app: &TestApp, handle: &str) -> String {
    let shop = app.add_shop(handle, SHOP_NAME).await;
    let token = app.session_token(&shop);
    install_with(app, &shop, &token).await;
    shop
}

/// Installs with a given session token (so a test can look for that token afterwards).
pub async fn install_with(app: &TestApp, shop: &str, token: &str) {
    let body: serde_json::Value = app
        .graphql_with_token(token, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .expect("graphql json");
    assert_eq!(body["data"]["shop"]["name"], SHOP_NAME, "{shop}: {body}");
}

/// A signed `orders/create` delivery with a fresh webhook id.
pub fn order_delivery(shop: &str) -> WebhookDelivery {
    let body = include_str!("../../fixtures/shopify/orders_create.json")
        .replace("{shop}.myshopify.com", shop);
    WebhookDelivery::new(
        shop,
        "orders/create",
        body,
        shared::SHOPIFY_API_VERSION,
        Utc::now(),
    )
}

/// Sends a delivery as Shopify would.
pub async fn send(app: &TestApp, d: &WebhookDelivery) -> WebhookOutcome {
    app.sim.deliver(d).await.expect("delivery sent")
}
