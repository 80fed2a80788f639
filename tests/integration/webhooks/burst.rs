//! A burst of concurrent deliveries, stored by the intake's group commit: every one answered
//! 200 only once stored, each stored exactly once with its job, duplicates inside one batch
//! included, and two shops' deliveries never mixed.

use ecomcrm_tests::test_app::TestApp;
use futures::future::join_all;

use super::support::*;

#[tokio::test]
async fn a_burst_of_concurrent_deliveries_is_stored_once_each_with_its_job() {
    let app = TestApp::spawn().await;
    let a = installed_shop(&app, "burst-a").await;
    let b = installed_shop(&app, "burst-b").await;
    let mut sends = Vec::new();
    for i in 0..30 {
        let shop = if i % 3 == 0 { &b } else { &a };
        sends.push(delivery(shop, "orders/create"));
    }
    // Shopify's retries of ten of them, racing the originals.
    let retries: Vec<_> = sends.iter().take(10).cloned().collect();
    sends.extend(retries);

    let outcomes = join_all(sends.iter().map(|d| send(&app, d))).await;

    assert!(outcomes.iter().all(|o| o.status == 200), "{outcomes:?}");
    assert_eq!(deliveries(&app, &a).await.len(), 20);
    assert_eq!(deliveries(&app, &b).await.len(), 10);
    assert_eq!(jobs_of_kind(&app, "process_webhook").await, 30);
    let stats = app.run_jobs().await;
    assert_eq!((stats.dead, stats.retried), (0, 0));
}
