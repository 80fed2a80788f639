//! Staff members from the session token's `sub`: an online token exchange fills the shop's
//! `staff_members`, each shop sees only its own, and a failed lookup never fails the request.

use chrono::{Duration, Utc};
use ecomcrm_tests::signing::mint_session_token;
use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

use super::support::{installed, online_exchanges};

const STAFF: &str =
    "{ shop { name } me { id firstName lastName email accountOwner } staffMembers { id email } }";

async fn as_user(app: &TestApp, shop: &str, sub: &str) -> Value {
    let token = mint_session_token(
        &app.api_key,
        &app.api_secret,
        shop,
        Some(sub),
        Utc::now().timestamp(),
    );
    let body: Value = app
        .graphql_with_token(&token, STAFF, json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["shop"]["name"], "Token Shop", "{body}");
    body
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]["staffMembers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["id"].as_str())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_first_request_of_a_staff_member_records_them() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "staff-first").await;
    let handle = shop.trim_end_matches(".myshopify.com");

    let body = as_user(&app, &shop, "42").await;

    let me = &body["data"]["me"];
    assert_eq!(me["id"], "42", "{body}");
    assert_eq!(me["firstName"], "Staff");
    assert_eq!(me["lastName"], "Member 42");
    assert_eq!(me["email"], format!("staff42@{handle}.example"));
    assert_eq!(me["accountOwner"], false);
    assert!(ids(&body).contains(&"42".to_string()));
    let online = online_exchanges(&app, &shop);
    as_user(&app, &shop, "42").await;
    assert_eq!(
        online_exchanges(&app, &shop),
        online,
        "known staff: no new lookup"
    );
}

#[tokio::test]
async fn the_account_owner_is_flagged() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "staff-owner").await;
    let owner = app
        .sim
        .state
        .with_shop(&shop, |s| s.info.owner.id)
        .expect("sim shop");

    let body = as_user(&app, &shop, &owner.to_string()).await;

    assert_eq!(body["data"]["me"]["accountOwner"], true, "{body}");
    assert_eq!(body["data"]["me"]["firstName"], "Alex");
}

#[tokio::test]
async fn a_stale_staff_member_is_looked_up_again() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "staff-stale").await;
    as_user(&app, &shop, "42").await;
    let before = online_exchanges(&app, &shop);
    // Through the tenant handle: on PostgreSQL row-level security hides the rows otherwise.
    let domain = shared::ShopDomain::parse(&shop).unwrap();
    let row = ecomcrm::shopify::shops::find_by_domain(&app.state.db, &domain)
        .await
        .unwrap()
        .expect("shop");
    let updated = row
        .db(&app.state.db)
        .query(
            "update staff_members set updated_at = $2 where shop_id = $1 and shopify_user_id = 42",
        )
        .bind(Utc::now() - Duration::hours(25))
        .execute()
        .await
        .unwrap();
    assert_eq!(updated, 1);

    as_user(&app, &shop, "42").await;

    assert_eq!(online_exchanges(&app, &shop), before + 1);
}

#[tokio::test]
async fn a_shop_sees_only_its_own_staff() {
    let app = TestApp::spawn().await;
    let a = installed(&app, "staff-shop-a").await;
    let b = installed(&app, "staff-shop-b").await;
    as_user(&app, &a, "42").await;

    let body = as_user(&app, &b, "43").await;

    assert_eq!(
        ids(&body),
        vec!["1".to_string(), "43".to_string()],
        "{body}"
    );
    let body = as_user(&app, &a, "42").await;
    assert!(!ids(&body).contains(&"43".to_string()), "{body}");
}

#[tokio::test]
async fn a_failed_staff_lookup_does_not_fail_the_request() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "staff-down").await;
    app.sim
        .state
        .with_shop(&shop, |s| s.refuse_online_exchange = true)
        .expect("sim shop");

    let body = as_user(&app, &shop, "42").await;

    assert!(body["data"]["me"].is_null(), "{body}");
    assert!(!ids(&body).contains(&"42".to_string()));
    app.sim
        .state
        .with_shop(&shop, |s| s.refuse_online_exchange = false)
        .expect("sim shop");
    let body = as_user(&app, &shop, "42").await;
    assert_eq!(
        body["data"]["me"]["id"], "42",
        "retried on the next request"
    );
}
