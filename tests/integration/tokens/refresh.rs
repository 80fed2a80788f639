//! Expiring offline tokens are refreshed before they expire, the rotated refresh token is kept,
//! concurrent requests refresh once, and a dead refresh token falls back to token exchange.

use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

use super::support::{
    installed, near_expiry, redeem_at_sim, refresh_token_expired, refreshes, shop_name_ok,
    stored_refresh_token,
};

#[tokio::test]
async fn a_nearly_expired_token_is_refreshed_and_the_rotated_refresh_token_stored() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "refresh-rotates").await;
    let old_refresh = stored_refresh_token(&app, &shop).await;
    near_expiry(&app, &shop).await;

    shop_name_ok(&app, &shop).await;

    assert_eq!(refreshes(&app, &shop), 1, "refreshed, not exchanged");
    assert_eq!(app.sim_token_exchanges(&shop).await, 1);
    let new_refresh = stored_refresh_token(&app, &shop).await;
    assert_ne!(
        new_refresh, old_refresh,
        "the rotated refresh token is stored"
    );
    assert_eq!(
        redeem_at_sim(&app, &shop, &old_refresh).await,
        400,
        "Shopify retired the old refresh token"
    );
    shop_name_ok(&app, &shop).await;
    assert_eq!(refreshes(&app, &shop), 1, "the new token is used as is");
}

#[tokio::test]
async fn concurrent_requests_refresh_once_and_keep_a_working_refresh_token() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "refresh-busy").await;
    near_expiry(&app, &shop).await;

    let calls = (0..5).map(|_| app.graphql(&shop, "{ shop { name } }", json!({})));
    for r in futures::future::join_all(calls).await {
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["data"]["shop"]["name"], "Token Shop", "{body}");
    }
    assert_eq!(refreshes(&app, &shop), 1, "one refresh under the shop lock");

    // The stored refresh token is the live one: the next cycle refreshes again, no exchange.
    near_expiry(&app, &shop).await;
    shop_name_ok(&app, &shop).await;
    assert_eq!(refreshes(&app, &shop), 2);
    assert_eq!(app.sim_token_exchanges(&shop).await, 1);
}

#[tokio::test]
async fn an_expired_refresh_token_leads_to_token_exchange() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "refresh-expired").await;
    near_expiry(&app, &shop).await;
    refresh_token_expired(&app, &shop).await;

    shop_name_ok(&app, &shop).await;

    assert_eq!(
        refreshes(&app, &shop),
        0,
        "a dead refresh token is not sent"
    );
    assert_eq!(app.sim_token_exchanges(&shop).await, 2, "exchanged again");
    near_expiry(&app, &shop).await;
    shop_name_ok(&app, &shop).await;
    assert_eq!(refreshes(&app, &shop), 1, "the new pair refreshes normally");
}

#[tokio::test]
async fn a_refused_refresh_token_leads_to_token_exchange() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "refresh-refused").await;
    let stored = stored_refresh_token(&app, &shop).await;
    // Someone else used it (a lost response, another deployment): Shopify has retired it.
    assert_eq!(redeem_at_sim(&app, &shop, &stored).await, 200);
    near_expiry(&app, &shop).await;

    shop_name_ok(&app, &shop).await;

    assert_eq!(app.sim_token_exchanges(&shop).await, 2, "exchanged again");
}

#[tokio::test]
async fn the_profile_job_refreshes_a_nearly_expired_token() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "refresh-in-job").await;
    near_expiry(&app, &shop).await;

    let first = app.run_jobs().await; // The daily schedule's first slot fans out.
    let second = app.run_jobs().await;

    assert_eq!(first.dead + second.dead + first.retried + second.retried, 0);
    assert_eq!(
        refreshes(&app, &shop),
        1,
        "the job refreshed before calling Shopify"
    );
}

#[tokio::test]
async fn a_job_skips_a_shop_whose_refresh_token_is_dead() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "refresh-job-dead").await;
    near_expiry(&app, &shop).await;
    refresh_token_expired(&app, &shop).await;

    let first = app.run_jobs().await;
    let second = app.run_jobs().await;

    assert_eq!(first.dead + second.dead + first.retried + second.retried, 0);
    assert_eq!(refreshes(&app, &shop), 0);
    // The merchant opening the app again restores service through token exchange.
    shop_name_ok(&app, &shop).await;
    assert_eq!(app.sim_token_exchanges(&shop).await, 2);
}
