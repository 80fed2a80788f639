//! Shared steps: an app aimed at the local LLM endpoint, a demo store imported and on a plan, a
//! customer with personal data and orders applied in the app, and the plan's AI counter.

use std::time::{Duration, Instant};

use ecomcrm::db::ShopDb;
use ecomcrm_tests::llm_server::LlmServer;
use ecomcrm_tests::test_app::{Options, TestApp};
use serde_json::{Value, json};

use crate::sync::support::{change, id_of, installed_store, shop_db, until_run_ends};

/// The API key the app is given (and must send as a bearer token).
pub const KEY: &str = "sk-test-insights-4f1c9a";
/// The model the app is given.
pub const MODEL: &str = "insight-test-model";

/// The app with `LLM_BASE_URL`, `LLM_API_KEY` and `LLM_MODEL` aimed at the local endpoint.
pub async fn app_with_llm(llm: &LlmServer) -> TestApp {
    let vars = [
        ("LLM_BASE_URL", llm.base_url.as_str()),
        ("LLM_API_KEY", KEY),
        ("LLM_MODEL", MODEL),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    TestApp::spawn_with(Options {
        vars,
        ..Options::default()
    })
    .await
}

/// A small demo store, imported and scored; on the Starter plan (200 AI requests) when `plan`.
pub async fn store(app: &TestApp, handle: &str, customers: u32, plan: bool) -> (String, ShopDb) {
    let shop = installed_store(app, handle, customers, customers * 2).await;
    let run = until_run_ends(app, &shop).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    app.run_jobs().await;
    if plan {
        app.activate_plan(&shop, "starter").await;
    }
    let db = shop_db(app, &shop).await;
    (shop, db)
}

/// A new customer with a surname, email and phone (none of which may reach the LLM) and
/// `orders` orders, applied and scored in the app.
pub async fn customer(
    app: &TestApp,
    shop: &str,
    db: &ShopDb,
    first_name: &str,
    orders: i64,
) -> i64 {
    let answer = change(
        app,
        shop,
        "customers",
        json!({
            "first_name": first_name,
            "last_name": "Lovelace",
            "email": format!("{}.private@example.com", first_name.to_lowercase()),
            "phone": "+14155550123",
        }),
    )
    .await;
    let id = id_of(&answer, "customer");
    for _ in 0..orders {
        change(app, shop, "orders", json!({ "customer_id": id })).await;
    }
    until_orders(app, db, id, orders).await;
    id
}

/// Places one more order for a customer and waits until the app has applied it; returns the
/// order's id.
pub async fn order(app: &TestApp, shop: &str, db: &ShopDb, customer_id: i64) -> i64 {
    let before = orders_count(db, customer_id).await;
    let answer = change(app, shop, "orders", json!({ "customer_id": customer_id })).await;
    until_orders(app, db, customer_id, before + 1).await;
    id_of(&answer, "order")
}

/// Refunds part of an order and waits until the app holds the refund.
pub async fn refund(app: &TestApp, shop: &str, db: &ShopDb, order_id: i64) {
    change(
        app,
        shop,
        "orders",
        json!({ "id": order_id, "refund": { "amount": "1.00" } }),
    )
    .await;
    until(app, "the refund", || async {
        let (n,): (i64,) = db
            .query("select count(*) from refunds where shop_id = $1 and order_id = $2")
            .bind(order_id)
            .fetch_one()
            .await
            .expect("refunds");
        n > 0
    })
    .await;
}

async fn orders_count(db: &ShopDb, customer_id: i64) -> i64 {
    let row: Option<(i64,)> = db
        .query("select orders_count from customers where shop_id = $1 and id = $2")
        .bind(customer_id)
        .fetch_optional()
        .await
        .expect("customer");
    row.map_or(0, |(n,)| n)
}

/// Webhook intake stores deliveries in the background, so jobs run until the customer row
/// holds `orders` orders (the same commit rescores the customer).
async fn until_orders(app: &TestApp, db: &ShopDb, customer_id: i64, orders: i64) {
    until(app, "the orders", || async {
        orders_count(db, customer_id).await == orders
    })
    .await;
}

async fn until<F, Fut>(app: &TestApp, what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.run_jobs().await;
        if done().await {
            app.run_jobs().await;
            return;
        }
        assert!(Instant::now() < deadline, "{what} never arrived");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The plan page's AI requests used this period.
pub async fn ai_used(app: &TestApp, shop: &str) -> i64 {
    let body: Value = app
        .graphql(shop, "{ billing { usage { metric used } } }", json!({}))
        .await
        .json()
        .await
        .expect("json");
    body["data"]["billing"]["usage"]
        .as_array()
        .unwrap_or_else(|| panic!("no usage: {body}"))
        .iter()
        .find(|m| m["metric"] == "ai_requests")
        .and_then(|m| m["used"].as_i64())
        .unwrap_or_else(|| panic!("no ai_requests: {body}"))
}
