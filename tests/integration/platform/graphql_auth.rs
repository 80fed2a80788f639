//! `/graphql` accepts only valid Shopify session tokens and enforces its limits.

use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

#[tokio::test]
async fn a_request_without_a_session_token_gets_401_and_the_retry_header() {
    let app = TestApp::spawn().await;

    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 401);
    assert_eq!(
        res.headers()
            .get("X-Shopify-Retry-Invalid-Session-Request")
            .unwrap(),
        "1"
    );
    let body = res.text().await.unwrap();
    assert!(
        !body.contains("jwt") && !body.contains("signature"),
        "no detail in the body: {body}"
    );
}

#[tokio::test]
async fn a_token_signed_with_another_secret_is_refused() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("forged-shop", "Forged").await;
    let forged = ecomcrm_tests::signing::mint_session_token(
        &app.api_key,
        "not-the-secret",
        &shop,
        Some("1"),
        chrono::Utc::now().timestamp(),
    );

    let res = app
        .graphql_with_token(&forged, "{ shop { name } }", json!({}))
        .await;

    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("late-shop", "Late").await;
    let old = ecomcrm_tests::signing::mint_session_token(
        &app.api_key,
        &app.api_secret,
        &shop,
        Some("1"),
        chrono::Utc::now().timestamp() - 600,
    );

    let res = app
        .graphql_with_token(&old, "{ shop { name } }", json!({}))
        .await;

    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_query_deeper_than_the_limit_is_refused_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("deep-shop", "Deep").await;
    // 4 levels down to `type`, then 12 `ofType`s: past the limit of 12.
    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {}name{} }} }} }} }} }}",
        "ofType { ".repeat(12),
        " }".repeat(12)
    );

    let body: serde_json::Value = app
        .graphql(&shop, &deep, json!({}))
        .await
        .json()
        .await
        .unwrap();

    let msg = body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.to_lowercase().contains("nested too deep"), "{body}");
}

#[tokio::test]
async fn malformed_graphql_gets_a_4xx_or_graphql_error_never_a_500() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("bad-input", "Bad Input").await;

    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(app.session_token(&shop))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());

    let body: serde_json::Value = app
        .graphql(&shop, "{ shop { nope } }", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nope"),
        "{body}"
    );
}

#[tokio::test]
async fn an_oversized_request_body_is_refused_before_it_is_read_whole() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(2 * 1024 * 1024);

    let res = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body(format!("{{\"query\":\"{huge}\"}}"))
        .send()
        .await
        .unwrap();

    assert_eq!(res.status(), 413);
}
