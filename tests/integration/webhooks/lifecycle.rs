//! `shop/update` and `app/scopes_update`: the app re-reads the shop's current state from
//! Shopify, so the merchant's changes show up and late or out-of-order deliveries end in the
//! same state as ordered ones.

use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

use super::support::*;
use super::topics::topic_states;

async fn shop_name(app: &TestApp, shop: &str) -> Value {
    let body: Value = app
        .graphql(shop, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .expect("graphql json");
    body["data"]["shop"]["name"].clone()
}

fn scopes_update(shop: &str, previous: &[&str], current: &[&str]) -> Vec<u8> {
    json!({
        "id": 1_029_266_954_i64,
        "shop_id": 548_380_009_i64,
        "previous": previous,
        "current": current,
        "updated_at": "2026-11-22T10:00:00Z",
        "shop_domain": shop,
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn a_store_renamed_in_shopify_shows_its_new_name_after_shop_update() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "renaming-shop").await;
    app.run_jobs().await;
    app.sim
        .state
        .with_shop(&shop, |s| s.info.name = "Renamed Outdoors".into())
        .expect("sim shop");

    // Shopify sends the Shop object; the app re-reads the profile rather than trusting order.
    let body = fixture("app/uninstalled", &shop);
    let outcome = send(&app, &delivery_with(&shop, "shop/update", body)).await;
    let stats = app.run_jobs().await;

    assert_eq!((outcome.status, stats.dead, stats.retried), (200, 0, 0));
    assert_eq!(shop_name(&app, &shop).await, "Renamed Outdoors");
    assert!(
        deliveries(&app, &shop)
            .await
            .iter()
            .all(|d| d.processed_at.is_some())
    );
}

#[tokio::test]
async fn a_burst_of_shop_updates_reads_the_profile_once() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "busy-shop").await;
    app.run_jobs().await;
    let profile_reads = |app: &TestApp| {
        app.sim
            .requests()
            .iter()
            .filter(|r| r.shop.as_deref() == Some(shop.as_str()))
            .filter(|r| {
                r.detail
                    .as_ref()
                    .and_then(|d| d["query"].as_str())
                    .is_some_and(|q| q.contains("ShopProfile"))
            })
            .count()
    };
    let before = profile_reads(&app);

    for _ in 0..3 {
        let body = fixture("app/uninstalled", &shop);
        send(&app, &delivery_with(&shop, "shop/update", body)).await;
    }
    // The three deliveries are processed in one pass; their refreshes share one unique key.
    app.run_jobs().await;

    assert_eq!(profile_reads(&app) - before, 1);
}

#[tokio::test]
async fn scope_updates_in_any_order_end_with_the_scopes_shopify_grants_now() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "rescoped-shop").await;
    app.run_jobs().await;
    // The merchant revoked order access; Shopify's two notices arrive newest first.
    let now_granted = "read_customers,write_customers,read_checkouts";
    app.sim
        .state
        .with_shop(&shop, |s| s.tokens.set_granted_scopes(now_granted))
        .expect("sim shop");
    let newer = scopes_update(
        &shop,
        &["read_customers", "read_orders"],
        &["read_customers", "write_customers", "read_checkouts"],
    );
    let older = scopes_update(
        &shop,
        &["read_customers"],
        &["read_customers", "read_orders"],
    );
    send(&app, &delivery_with(&shop, "app/scopes_update", newer)).await;
    send(&app, &delivery_with(&shop, "app/scopes_update", older)).await;

    let first = app.run_jobs().await;
    let second = app.run_jobs().await; // The reconcile the scope sync enqueued.

    assert_eq!(
        (first.dead + second.dead, first.retried + second.retried),
        (0, 0)
    );
    assert_eq!(shop_row(&app, &shop).await.scopes, now_granted);
    let states = topic_states(&app, &shop).await;
    assert!(
        states
            .iter()
            .all(|s| s["checkedAt"].is_string() || s["status"] == "APP_CONFIG")
    );
}
