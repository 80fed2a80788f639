//! `app/uninstalled` cancels the shop's pending jobs (nothing more runs for it), except the
//! compliance work Shopify still expects after uninstall; other shops' jobs are untouched.

use ecomcrm_tests::test_app::TestApp;

use super::support::*;

async fn park_job(app: &TestApp, shop_id: i64, kind: &str) -> i64 {
    let (id,): (i64,) = app
        .state
        .db
        .query(
            "insert into jobs (kind, payload, shop_id, state, max_attempts, run_at, created_at, \
             updated_at) values ($1, '{}', $2, 'pending', 1, $3, 0, 0) returning id",
        )
        .bind(kind)
        .bind(shop_id)
        .bind(i64::MAX / 2)
        .fetch_one()
        .await
        .expect("park job");
    id
}

async fn state_of(app: &TestApp, id: i64) -> String {
    let (s,): (String,) = app
        .state
        .db
        .query("select state from jobs where id = $1")
        .bind(id)
        .fetch_one()
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn uninstall_cancels_the_shops_pending_jobs_but_not_compliance_work() {
    let app = TestApp::spawn().await;
    let a = installed_shop(&app, "leaving").await;
    let b = installed_shop(&app, "staying").await;
    let (a_id, b_id) = (app.shop_id(&a).await.get(), app.shop_id(&b).await.get());
    let a_refresh = park_job(&app, a_id, "refresh_shop_profile").await;
    let a_export = park_job(&app, a_id, "gdpr_export_customer_data").await;
    let b_refresh = park_job(&app, b_id, "refresh_shop_profile").await;

    send(
        &app,
        &a,
        "app/uninstalled",
        format!(r#"{{"id":954889,"domain":"{a}"}}"#).into_bytes(),
    )
    .await;
    assert_eq!(app.run_jobs().await.dead, 0);

    assert_eq!(state_of(&app, a_refresh).await, "cancelled");
    assert_eq!(state_of(&app, a_export).await, "pending");
    assert_eq!(state_of(&app, b_refresh).await, "pending");
}

#[tokio::test]
async fn a_compliance_delivery_whose_job_an_uninstall_cancelled_is_still_carried_out() {
    let app = TestApp::spawn().await;
    let shop = shop_with_customers(&app, "racing").await;
    send(&app, &shop, "customers/redact", X.redact(954_889, &shop)).await;
    // As if an uninstall had cancelled its processing before it was recorded.
    app.state
        .db
        .query("update jobs set state = 'cancelled' where kind = 'process_webhook' and state = 'pending'")
        .execute()
        .await
        .unwrap();

    send(
        &app,
        &shop,
        "app/uninstalled",
        format!(r#"{{"id":954889,"domain":"{shop}"}}"#).into_bytes(),
    )
    .await;
    assert_eq!(app.run_jobs().await.dead, 0);

    let status = compliance_status(&app.state.db, "customers/redact").await;
    assert_eq!(status, "completed");
    assert!(find_text(&app.state.db, X.email).await.is_empty());
}
