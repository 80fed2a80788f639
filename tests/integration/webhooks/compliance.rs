//! The compliance topics (SHOPIFY.md §6) are verified, stored, recorded without personal data
//! and carried out (the work itself is tested in tests/integration/gdpr).

use ecomcrm::shopify::webhooks::store;
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

const TOPICS: [&str; 3] = ["customers/data_request", "customers/redact", "shop/redact"];

#[tokio::test]
async fn compliance_requests_are_recorded_and_carried_out() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "privacy-shop").await;

    for topic in TOPICS {
        let outcome = send(&app, &delivery(&shop, topic)).await;
        assert_eq!(outcome.status, 200, "{topic}");
    }
    let stats = app.run_jobs().await;

    assert_eq!(stats.dead, 0);
    let db = shop_row(&app, &shop).await.db(&app.state.db);
    let recorded = store::list_compliance(&db).await.unwrap();
    // Jobs run concurrently, so record order is not delivery order.
    let mut summary: Vec<_> = recorded
        .iter()
        .map(|r| {
            (
                r.topic.as_str(),
                r.shopify_customer_id,
                r.data_request_id,
                r.orders_count,
                r.status.as_str(),
            )
        })
        .collect();
    summary.sort();
    assert_eq!(
        summary,
        vec![
            (
                "customers/data_request",
                Some(191167),
                Some(9999),
                3,
                "completed"
            ),
            ("customers/redact", Some(191167), None, 3, "completed"),
            // The shop is installed: Shopify would not send it, and erasing a live shop is refused.
            ("shop/redact", None, None, 0, "skipped"),
        ]
    );
    // Carried out, so processed: retention may now delete the payloads.
    assert!(
        deliveries(&app, &shop)
            .await
            .iter()
            .all(|d| d.processed_at.is_some())
    );
}

#[tokio::test]
async fn after_uninstall_only_compliance_topics_are_accepted() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "gone-shop").await;
    send(&app, &delivery(&shop, "app/uninstalled")).await;
    app.run_jobs().await;

    // shop/redact comes 48 hours after uninstall: it must be kept; an order must not.
    let redact = send(&app, &delivery(&shop, "shop/redact")).await;
    let order = send(&app, &delivery(&shop, "orders/create")).await;

    assert_eq!((redact.status, order.status), (200, 200));
    let topics: Vec<_> = deliveries(&app, &shop)
        .await
        .into_iter()
        .map(|d| d.topic)
        .collect();
    assert_eq!(topics, ["app/uninstalled", "shop/redact"]);
    // Carried out: the shop is erased, registry row included (tests/integration/gdpr).
    assert_eq!(app.run_jobs().await.dead, 0);
    assert_eq!(all_deliveries(&app).await, 0);
}
