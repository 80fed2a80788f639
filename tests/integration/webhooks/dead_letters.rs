//! A payload that does not parse is never lost: the delivery is acknowledged and kept, and its
//! job ends in the dead letters with the parse error.

use ecomcrm::jobs::list_dead;
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

#[tokio::test]
async fn an_unparseable_payload_becomes_a_dead_job_and_the_delivery_is_kept() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "garbled-shop").await;
    let body = br#"{"shop_id":"not a number","customer":{"id":1}}"#.to_vec();

    let outcome = send(
        &app,
        &delivery_with(&shop, "customers/redact", body.clone()),
    )
    .await;
    let mut dead = 0;
    for _ in 0..10 {
        dead += app.run_jobs().await.dead;
        if dead > 0 {
            break;
        }
        make_retries_due(&app).await;
    }

    assert_eq!(outcome.status, 200);
    assert_eq!(dead, 1);
    let jobs = list_dead(&app.state.db, 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "process_webhook");
    let error = jobs[0].last_error.as_deref().unwrap_or_default();
    assert!(
        error.contains("customers/redact") && error.contains("does not parse"),
        "{error}"
    );
    let kept = deliveries(&app, &shop).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].payload.as_bytes(), body.as_slice());
    assert!(kept[0].processed_at.is_none());
}
