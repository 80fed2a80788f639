//! Helpers for the billing tests: GraphQL calls as the merchant, Shopify's approval page
//! driven over HTTP, and the simulator's billing records.

use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

/// The plan page's query.
pub const BILLING: &str = "{ billing { mode currency current { planKey name status test trialEndsAt } \
    latest { planKey status } usage { metric used limit } periodStart periodEnd \
    plans { key name monthlyPrice current downgradeWarnings } charges { description amount status detail } } }";

/// A shop that opened the app (installed, no plan yet).
pub async fn installed(app: &TestApp, handle: &str) -> String {
    let shop = app.add_shop(handle, "Billing Shop").await;
    let body = gql(app, &shop, "{ shop { name } }").await;
    assert_eq!(body["data"]["shop"]["name"], "Billing Shop", "{body}");
    shop
}

/// A GraphQL call as the shop's merchant.
pub async fn gql(app: &TestApp, shop: &str, query: &str) -> Value {
    app.graphql(shop, query, json!({}))
        .await
        .json()
        .await
        .expect("graphql json")
}

/// `choosePlan`: the URL the top frame is sent to.
pub async fn choose(app: &TestApp, shop: &str, plan: &str) -> String {
    let body = gql(
        app,
        shop,
        &format!("mutation {{ choosePlan(plan: \"{plan}\") {{ redirectUrl refused }} }}"),
    )
    .await;
    body["data"]["choosePlan"]["redirectUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("no redirect: {body}"))
        .to_string()
}

/// Presses a button on Shopify's approval page; returns where Shopify sends the merchant.
pub async fn press(app: &TestApp, confirmation_url: &str, button: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = client.get(confirmation_url).send().await.expect("page");
    assert!(
        page.status().is_success(),
        "approval page: {}",
        page.status()
    );
    let html = page.text().await.expect("html");
    assert!(html.contains(&format!("id=\"{button}\"")), "{html}");
    let res = client
        .post(format!(
            "{}/{button}",
            confirmation_url.split('?').next().unwrap_or_default()
        ))
        .send()
        .await
        .expect("press");
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let _ = app;
    location
}

/// The plan page after returning from Shopify (the app re-reads its subscriptions).
pub async fn refreshed(app: &TestApp, shop: &str) -> Value {
    let query = BILLING.replacen("{ billing", "mutation { refreshBilling", 1);
    let body = gql(app, shop, &query).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["refreshBilling"].clone()
}

/// The plan page as loaded.
pub async fn billing(app: &TestApp, shop: &str) -> Value {
    let body = gql(app, shop, BILLING).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["billing"].clone()
}

/// Chooses and approves a plan, then returns; asserts it is active.
pub async fn subscribe(app: &TestApp, shop: &str, plan: &str) {
    let url = choose(app, shop, plan).await;
    press(app, &url, "approve").await;
    let page = refreshed(app, shop).await;
    assert_eq!(page["current"]["planKey"], plan, "{page}");
    assert_eq!(page["current"]["status"], "ACTIVE", "{page}");
}

/// The shop's tenant handle, for calling the billing code as a job would.
pub async fn shop_db(app: &TestApp, shop: &str) -> ecomcrm::db::ShopDb {
    let id = app.shop_id(shop).await;
    ecomcrm::shopify::shops::find_by_id(&app.state.db, id)
        .await
        .expect("db")
        .expect("shop")
        .db(&app.state.db)
}
