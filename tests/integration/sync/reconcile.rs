//! Live webhooks and the delta sync: whatever Shopify's deliveries do (arrive, get lost, arrive
//! twice, arrive out of order), the store ends exact once the delta sync has run.

use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

use super::support::*;

#[tokio::test]
async fn lost_doubled_and_reordered_webhooks_end_exact_after_the_delta_sync() {
    let app = TestApp::spawn().await;
    let shop = installed_store(&app, "sync-repair", 60, 200).await;
    let first = until_run_ends(&app, &shop).await;
    assert_eq!(first["status"], "SUCCEEDED", "{first}");
    let db = shop_db(&app, &shop).await;

    // A new customer arrives normally, then their rename is lost.
    let ada = change(
        &app,
        &shop,
        "customers",
        json!({"first_name": "Ada", "email": "ada@example.com"}),
    )
    .await;
    let ada = id_of(&ada, "customer");
    change(
        &app,
        &shop,
        "customers",
        json!({"id": ada, "last_name": "Lovelace", "delivery": "drop"}),
    )
    .await;
    // Her first order arrives twice; her second is held back behind later changes.
    let one = change(
        &app,
        &shop,
        "orders",
        json!({"customer_id": ada, "delivery": "duplicate"}),
    )
    .await;
    let one = id_of(&one, "order");
    let two = change(
        &app,
        &shop,
        "orders",
        json!({"customer_id": ada, "delivery": "reorder"}),
    )
    .await;
    let two = id_of(&two, "order");
    // The first order is refunded (lost) and paid then fulfilled (arrives); the second cancelled.
    change(
        &app,
        &shop,
        "orders",
        json!({"id": one, "refund": {"amount": "1.50"}, "delivery": "drop"}),
    )
    .await;
    change(&app, &shop, "orders", json!({"id": one, "fulfill": true})).await;
    change(
        &app,
        &shop,
        "orders",
        json!({"id": two, "cancel": true, "delivery": "reorder"}),
    )
    .await;
    // An existing order of the generated store changes status without a webhook.
    let (old,): (i64,) = db
        .query(
            "select id from orders where shop_id = $1 and cancelled_at is null order by id limit 1",
        )
        .fetch_one()
        .await
        .unwrap();
    change(
        &app,
        &shop,
        "orders",
        json!({"id": old, "financial_status": "refunded", "delivery": "drop"}),
    )
    .await;
    // A checkout is created without its webhook, then updated with it; a customer is deleted twice.
    let cart = change(
        &app,
        &shop,
        "checkouts",
        json!({"customer_id": ada, "delivery": "drop"}),
    )
    .await;
    let token = cart["checkout"]["token"].as_str().unwrap().to_string();
    change(
        &app,
        &shop,
        "checkouts",
        json!({"token": token, "quantity": 3}),
    )
    .await;
    let (gone,): (i64,) = db
        .query(
            "select id from customers where shop_id = $1 and orders_count = 0 order by id limit 1",
        )
        .fetch_one()
        .await
        .unwrap();
    change(
        &app,
        &shop,
        "customers",
        json!({"id": gone, "delete": true, "delivery": "duplicate"}),
    )
    .await;
    let flush = format!("{}/_sim/shops/{shop}/webhooks/flush", app.sim.base_url);
    assert!(
        app.http
            .post(flush)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    app.run_jobs().await;

    // Webhooks alone leave the store wrong: the lost refund and status are missing.
    assert_ne!(
        app_orders(&db).await,
        store_orders(&app, &shop),
        "webhooks were lost"
    );

    let run = start_sync(&app, &shop).await;
    assert_eq!(run["kind"], "DELTA", "{run}");
    let run = until_run_ends(&app, &shop).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(app_orders(&db).await, store_orders(&app, &shop));
    assert_eq!(app_customers(&db).await, store_customers(&app, &shop));
    assert_eq!(app_catalogue(&db).await, store_catalogue(&app, &shop));
    let (last_name, lines): (Option<String>, String) = db
        .query(
            "select c.last_name, k.line_items from customers c join abandoned_checkouts k \
             on k.shop_id = c.shop_id and k.customer_id = c.id where c.shop_id = $1 and c.id = $2",
        )
        .bind(ada)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(last_name.as_deref(), Some("Lovelace"));
    assert!(lines.contains("\"quantity\":3"), "{lines}");
    let (new_orders,): (i64,) = db
        .query("select count(*) from orders where shop_id = $1 and not historical")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(
        new_orders, 2,
        "orders placed after install are not historical"
    );

    // Replaying every delivery again changes nothing.
    let before = (app_orders(&db).await, app_customers(&db).await);
    let again = start_sync(&app, &shop).await;
    assert_eq!(again["kind"], "DELTA");
    until_run_ends(&app, &shop).await;
    assert_eq!((app_orders(&db).await, app_customers(&db).await), before);
    app.stop().await;
}
