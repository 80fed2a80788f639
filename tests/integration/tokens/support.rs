//! Helpers for the token tests: moving the stored expiries, reading the stored refresh token,
//! and asking the simulator's token endpoint directly.

use chrono::{Duration, Utc};
use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

/// Installs the shop through its first request.
pub async fn installed(app: &TestApp, handle: &str) -> String {
    let shop = app.add_shop(handle, "Token Shop").await;
    let body: serde_json::Value = app
        .graphql(&shop, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["shop"]["name"], "Token Shop", "{body}");
    app.activate_plan(&shop, "starter").await;
    shop
}

/// Moves the stored access token to a minute before expiry (inside the five-minute margin), as
/// if nearly an hour had passed. The app runs on the system clock, so the row moves instead.
pub async fn near_expiry(app: &TestApp, shop: &str) {
    app.state
        .db
        .query("update shops set access_token_expires_at = $1 where domain = $2")
        .bind(Utc::now() + Duration::seconds(60))
        .bind(shop)
        .execute()
        .await
        .unwrap();
}

/// Marks the stored refresh token as past its 90 days.
pub async fn refresh_token_expired(app: &TestApp, shop: &str) {
    app.state
        .db
        .query("update shops set refresh_token_expires_at = $1 where domain = $2")
        .bind(Utc::now() - Duration::seconds(1))
        .bind(shop)
        .execute()
        .await
        .unwrap();
}

/// The stored refresh token, decrypted.
pub async fn stored_refresh_token(app: &TestApp, shop: &str) -> String {
    let id = app.shop_id(shop).await;
    let mut tx = app.state.db.begin().await.unwrap();
    let token = ecomcrm::shopify::shops::refresh_token_in(&mut tx, id, &app.state.cipher)
        .await
        .unwrap()
        .expect("refresh token stored")
        .0;
    tx.rollback().await.unwrap();
    token
}

/// How many refresh grants the simulator answered successfully.
pub fn refreshes(app: &TestApp, shop: &str) -> usize {
    app.sim_access_token_grants(shop)
        .iter()
        .filter(|d| d["grant_type"] == "refresh_token")
        .count()
}

/// How many online exchanges (staff lookups) the simulator answered successfully.
pub fn online_exchanges(app: &TestApp, shop: &str) -> usize {
    app.sim_access_token_grants(shop)
        .iter()
        .filter(|d| d["online"] == true)
        .count()
}

/// Uses a refresh token at the simulator directly; returns the HTTP status.
pub async fn redeem_at_sim(app: &TestApp, shop: &str, refresh_token: &str) -> u16 {
    app.http
        .post(format!(
            "{}/admin/oauth/access_token",
            app.sim.shop_base_url(shop)
        ))
        .form(&[
            ("client_id", app.api_key.as_str()),
            ("client_secret", app.api_secret.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Runs `{ shop { name } }` and asserts it answered.
pub async fn shop_name_ok(app: &TestApp, shop: &str) {
    let body: serde_json::Value = app
        .graphql(shop, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["shop"]["name"], "Token Shop", "{body}");
}
