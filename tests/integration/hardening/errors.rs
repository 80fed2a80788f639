//! GraphQL errors carry a `code` and never internal text.

use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

use super::support::*;

#[tokio::test]
async fn a_database_failure_is_an_internal_error_without_sql() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "broken-shop").await;
    // Force a failure inside the resolver: its table is gone.
    app.state
        .db
        .query("drop table shop_profiles")
        .execute()
        .await
        .expect("drop");

    let res = app.graphql(&shop, "{ shop { name } }", json!({})).await;

    assert!(res.status().is_success(), "{}", res.status());
    let text = res.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();
    let err = &body["errors"][0];
    assert_eq!(err["message"], "internal error", "{text}");
    assert_eq!(err["extensions"]["code"], "INTERNAL", "{text}");
    let lower = text.to_lowercase();
    for leak in [
        "shop_profiles",
        "select",
        "table",
        "relation",
        "sqlite",
        "database",
    ] {
        assert!(!lower.contains(leak), "{leak:?} leaked: {text}");
    }
}

#[tokio::test]
async fn a_malformed_query_is_a_bad_request_with_its_message() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "typo-shop").await;

    let body: serde_json::Value = app
        .graphql(&shop, "{ shop { nmae } }", json!({}))
        .await
        .json()
        .await
        .unwrap();

    let err = &body["errors"][0];
    assert_eq!(err["extensions"]["code"], "BAD_REQUEST", "{body}");
    assert!(err["message"].as_str().unwrap().contains("nmae"), "{body}");
}
