//! Raw payloads are kept 30 days after processing, then deleted by the daily retention job;
//! deliveries not yet processed are kept whatever their age.

use chrono::{Duration, Utc};
use ecomcrm::jobs::{EnqueueOpts, enqueue_now};
use ecomcrm::shopify::webhooks::jobs::PruneWebhookDeliveries;
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

#[tokio::test]
async fn retention_deletes_old_processed_deliveries_only() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "tidy-shop").await;
    let old_done = delivery(&shop, "orders/create");
    let recent_done = delivery(&shop, "orders/create");
    // A payload that does not parse: its job fails and retries, so it stays unprocessed.
    let old_pending = delivery_with(&shop, "orders/create", b"{not json".to_vec());
    for d in [&old_done, &recent_done, &old_pending] {
        assert_eq!(send(&app, d).await.status, 200);
    }
    app.run_jobs().await;
    let long_ago = Utc::now() - Duration::days(31);
    backdate(&app, &old_done.webhook_id, long_ago).await;
    backdate(&app, &old_pending.webhook_id, long_ago).await;
    let recent = Utc::now() - Duration::days(29);
    backdate(&app, &recent_done.webhook_id, recent).await;

    enqueue_now(
        &app.state.db,
        &app.state.clock,
        &PruneWebhookDeliveries {},
        EnqueueOpts::default(),
    )
    .await
    .unwrap();
    let stats = app.run_jobs().await;

    assert_eq!(stats.dead, 0);
    let mut left: Vec<_> = deliveries(&app, &shop)
        .await
        .into_iter()
        .map(|d| d.webhook_id)
        .collect();
    left.sort();
    let mut expected = vec![
        recent_done.webhook_id.clone(),
        old_pending.webhook_id.clone(),
    ];
    expected.sort();
    assert_eq!(left, expected);
}
