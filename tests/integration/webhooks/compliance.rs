//! The compliance topics (SHOPIFY.md §6) are verified, stored and recorded without personal
//! data; carrying them out is later work, so they stay visibly unfinished.

use ecomcrm::shopify::webhooks::store;
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

const TOPICS: [&str; 3] = ["customers/data_request", "customers/redact", "shop/redact"];

#[tokio::test]
async fn compliance_requests_are_recorded_and_their_payloads_kept() {
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
                "received"
            ),
            ("customers/redact", Some(191167), None, 3, "received"),
            ("shop/redact", None, None, 0, "received"),
        ]
    );
    // Not carried out yet, so not processed: retention must not delete what erasure will need.
    assert!(
        deliveries(&app, &shop)
            .await
            .iter()
            .all(|d| d.processed_at.is_none())
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
    app.run_jobs().await;

    assert_eq!((redact.status, order.status), (200, 200));
    let topics: Vec<_> = deliveries(&app, &shop)
        .await
        .into_iter()
        .map(|d| d.topic)
        .collect();
    assert_eq!(topics, ["app/uninstalled", "shop/redact"]);
    let db = shop_row(&app, &shop).await.db(&app.state.db);
    assert_eq!(store::list_compliance(&db).await.unwrap().len(), 1);
}
