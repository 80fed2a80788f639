//! Opening the app for the first time installs it: token exchange, encrypted tokens, the shop's
//! profile fetched from the Admin API.

use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_merchant_opening_the_app_sees_their_shop_name() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("corner-bakery", "Corner Bakery").await;

    let body: serde_json::Value = app
        .graphql(
            &shop,
            "{ shop { name domain currencyCode ianaTimezone } }",
            json!({}),
        )
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(body["data"]["shop"]["name"], "Corner Bakery", "{body}");
    assert_eq!(body["data"]["shop"]["domain"], shop);
    assert!(
        body["data"]["shop"]["currencyCode"]
            .as_str()
            .is_some_and(|c| c.len() == 3)
    );
}

/// Access token, its expiry, refresh token, as stored.
type StoredTokens = (
    Option<Vec<u8>>,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<Vec<u8>>,
);

#[tokio::test]
async fn the_offline_token_is_stored_encrypted_with_its_expiry() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("secret-keeper", "Secret Keeper").await;
    app.graphql(&shop, "{ shop { name } }", json!({})).await;

    let rows: Vec<StoredTokens> = app
        .state
        .db
        .query("select access_token_enc, access_token_expires_at, refresh_token_enc from shops where domain = $1")
        .bind(shop.as_str())
        .fetch_all()
        .await
        .unwrap();

    let (access, expires, refresh) = rows.into_iter().next().expect("shop row");
    let access = access.expect("access token stored");
    assert!(
        !String::from_utf8_lossy(&access).contains("shpat_"),
        "stored encrypted"
    );
    assert!(expires.is_some(), "expiring offline token keeps its expiry");
    assert!(refresh.is_some(), "refresh token kept");
}

#[tokio::test]
async fn a_second_request_reuses_the_stored_token_instead_of_exchanging_again() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("steady-shop", "Steady").await;

    app.graphql(&shop, "{ shop { name } }", json!({})).await;
    app.graphql(&shop, "{ shop { name } }", json!({})).await;

    assert_eq!(app.sim_token_exchanges(&shop).await, 1);
}

#[tokio::test]
async fn concurrent_first_requests_exchange_the_token_once() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("busy-first-load", "Busy First Load").await;

    let calls = (0..5).map(|_| app.graphql(&shop, "{ shop { name } }", json!({})));
    let responses = futures::future::join_all(calls).await;

    for r in responses {
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["data"]["shop"]["name"], "Busy First Load", "{body}");
    }
    assert_eq!(
        app.sim_token_exchanges(&shop).await,
        1,
        "one exchange; a second would retire the first refresh token"
    );
}
