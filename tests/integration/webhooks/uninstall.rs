//! `app/uninstalled`: the shop is marked uninstalled and its tokens dropped, a reinstall
//! restores it, and a stale uninstall cannot undo a newer install.

use chrono::Utc;
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

/// Revokes the shop's tokens in the simulator, as uninstalling does at Shopify.
async fn uninstall_at_shopify(app: &TestApp, shop: &str) {
    let url = format!("{}/_sim/shops/{shop}/uninstall", app.sim.base_url);
    let res = app.http.post(url).send().await.expect("sim uninstall");
    assert!(res.status().is_success());
}

#[tokio::test]
async fn app_uninstalled_marks_the_shop_uninstalled_and_a_new_session_gets_a_new_token() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "leaving-shop").await;
    uninstall_at_shopify(&app, &shop).await;

    let outcome = send(&app, &delivery(&shop, "app/uninstalled")).await;
    let stats = app.run_jobs().await;

    assert_eq!(outcome.status, 200);
    assert_eq!(stats.dead, 0);
    let row = shop_row(&app, &shop).await;
    assert!(row.uninstalled_at.is_some(), "marked uninstalled");
    assert!(!has_tokens(&app, &shop).await, "tokens dropped");
    assert!(deliveries(&app, &shop).await[0].processed_at.is_some());

    // Reinstall: the revoked token is not reused; a fresh exchange restores service.
    open_app(&app, &shop).await;

    assert_eq!(app.sim_token_exchanges(&shop).await, 2);
    let row = shop_row(&app, &shop).await;
    assert!(row.uninstalled_at.is_none() && row.installed_at.is_some());
}

#[tokio::test]
async fn a_second_app_uninstalled_delivery_changes_nothing() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "twice-leaving").await;
    send(&app, &delivery(&shop, "app/uninstalled")).await;
    app.run_jobs().await;
    let first = shop_row(&app, &shop).await.uninstalled_at;

    // Shopify may redeliver under a new id; the shop is already uninstalled, so it is dropped.
    let outcome = send(&app, &delivery(&shop, "app/uninstalled")).await;
    let stats = app.run_jobs().await;

    assert_eq!((outcome.status, stats.dead), (200, 0));
    assert_eq!(shop_row(&app, &shop).await.uninstalled_at, first);
    assert_eq!(deliveries(&app, &shop).await.len(), 1);
}

#[tokio::test]
async fn a_late_uninstall_triggered_before_a_reinstall_is_ignored() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "returning-shop").await;
    send(&app, &delivery(&shop, "app/uninstalled")).await;
    app.run_jobs().await;
    let before_reinstall = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    open_app(&app, &shop).await;

    // A delivery of the first uninstall that Shopify only now gets through.
    let mut late = delivery(&shop, "app/uninstalled");
    late.triggered_at = before_reinstall - chrono::Duration::seconds(1);
    let outcome = send(&app, &late).await;
    let stats = app.run_jobs().await;

    assert_eq!((outcome.status, stats.dead), (200, 0));
    let row = shop_row(&app, &shop).await;
    assert!(row.uninstalled_at.is_none(), "still installed");
    assert!(has_tokens(&app, &shop).await, "tokens kept");
    open_app(&app, &shop).await;
    assert_eq!(app.sim_token_exchanges(&shop).await, 2, "no third exchange");
}
