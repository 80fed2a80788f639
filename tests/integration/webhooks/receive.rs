//! What `POST /webhooks` answers, and what it stores, for each kind of delivery.

use ecomcrm_tests::sim::HmacMode;
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

#[tokio::test]
async fn a_signed_delivery_is_stored_with_its_job_and_processed() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "signed-shop").await;
    let d = delivery(&shop, "orders/create");

    let outcome = send(&app, &d).await;

    assert_eq!(outcome.status, 200, "{}", outcome.body);
    let stored = deliveries(&app, &shop).await;
    assert_eq!(stored.len(), 1);
    let row = &stored[0];
    assert_eq!(
        (row.topic.as_str(), row.webhook_id.as_str()),
        ("orders/create", d.webhook_id.as_str())
    );
    assert_eq!(
        row.payload.as_bytes(),
        d.body.as_slice(),
        "raw body kept byte for byte"
    );
    assert_eq!(row.api_version, shared::SHOPIFY_API_VERSION);
    assert!(row.processed_at.is_none(), "no work done before the 200");
    assert_eq!(jobs_of_kind(&app, "process_webhook").await, 1);

    let stats = app.run_jobs().await;

    assert_eq!(stats.dead, 0);
    assert!(deliveries(&app, &shop).await[0].processed_at.is_some());
}

#[tokio::test]
async fn a_wrong_or_missing_hmac_is_unauthorized_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "forged-shop").await;

    for mode in [HmacMode::Invalid, HmacMode::Missing] {
        let mut d = delivery(&shop, "customers/redact");
        d.hmac = mode;
        let outcome = send(&app, &d).await;
        assert_eq!(outcome.status, 401, "{mode:?}");
    }

    assert_eq!(all_deliveries(&app).await, 0);
    assert_eq!(jobs_of_kind(&app, "process_webhook").await, 0);
}

#[tokio::test]
async fn a_missing_required_header_is_a_bad_request() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "headless-shop").await;

    for header in [
        "X-Shopify-Topic",
        "X-Shopify-Shop-Domain",
        "X-Shopify-API-Version",
        "X-Shopify-Webhook-Id",
    ] {
        let status = send_without(&app, &delivery(&shop, "orders/create"), header).await;
        assert_eq!(status, 400, "without {header}");
    }

    assert_eq!(all_deliveries(&app).await, 0);
}

#[tokio::test]
async fn a_body_over_10_mb_is_too_large_and_one_under_is_accepted() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "bulky-shop").await;
    let padded = |len: usize| {
        let mut body = br#"{"note":""#.to_vec();
        body.resize(len - 2, b'x');
        body.extend_from_slice(br#""}"#);
        body
    };

    let too_big = send(
        &app,
        &delivery_with(&shop, "orders/create", padded(10 * 1024 * 1024 + 1)),
    )
    .await;
    // Above axum's 2 MB default, which must not be the limit in force.
    let big = send(
        &app,
        &delivery_with(&shop, "orders/create", padded(3 * 1024 * 1024)),
    )
    .await;

    assert_eq!(too_big.status, 413);
    assert_eq!(big.status, 200, "{}", big.body);
    assert_eq!(deliveries(&app, &shop).await.len(), 1);
}

#[tokio::test]
async fn a_delivery_for_an_unknown_shop_is_acknowledged_and_dropped() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("never-installed", "Never Installed").await;

    let outcome = send(&app, &delivery(&shop, "orders/create")).await;

    assert_eq!(outcome.status, 200);
    assert_eq!(all_deliveries(&app).await, 0);
    assert_eq!(jobs_of_kind(&app, "process_webhook").await, 0);
}

#[tokio::test]
async fn a_duplicate_webhook_id_is_acknowledged_and_stored_once() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "twice-shop").await;
    let d = delivery(&shop, "orders/create");

    let first = send(&app, &d).await;
    let again = send(&app, &d).await;

    assert_eq!((first.status, again.status), (200, 200));
    assert_eq!(deliveries(&app, &shop).await.len(), 1);
    assert_eq!(jobs_of_kind(&app, "process_webhook").await, 1);
}

#[tokio::test]
async fn other_methods_are_not_allowed() {
    let app = TestApp::spawn().await;

    let status = app.get("/webhooks").await.status().as_u16();

    assert_eq!(status, 405);
}

#[tokio::test]
async fn the_tenant_role_sees_no_deliveries_without_its_shop() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != ecomcrm::db::Backend::Postgres {
        return; // Row-level security exists on PostgreSQL only.
    }
    let shop = installed_shop(&app, "walled-shop").await;
    send(&app, &delivery(&shop, "orders/create")).await;
    let mut tx = app.state.db.begin().await.unwrap();

    tx.query("set local role ecomcrm_tenant")
        .execute()
        .await
        .unwrap();
    let (visible,): (i64,) = tx
        .query("select count(*) from webhook_deliveries")
        .fetch_one()
        .await
        .unwrap();

    assert_eq!(all_deliveries(&app).await, 1, "the owner sees the row");
    assert_eq!(visible, 0, "no shop set: no rows");
}
