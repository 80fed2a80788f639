//! The plan guard on the server: a shop without a plan reaches only the plan page (and its
//! legal privacy exports); a frozen subscription is read-only. Every refusal names what to do.

use ecomcrm::shopify::billing::usage::{self, Metric};
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

#[tokio::test]
async fn a_shop_without_a_plan_reaches_the_plan_page_and_nothing_else() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "planless").await;

    let page = billing(&app, &shop).await;
    let gated = gql(&app, &shop, "{ webhookTopics { topic } }").await;
    let staff = gql(&app, &shop, "{ staffMembers { id } }").await;
    let privacy = gql(&app, &shop, "{ dataExports { id } }").await;

    assert!(page["current"].is_null(), "{page}");
    assert_eq!(page["plans"].as_array().map(Vec::len), Some(4));
    for refused in [&gated, &staff] {
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "PLAN_REQUIRED",
            "{refused}"
        );
        let message = refused["errors"][0]["message"].as_str().unwrap_or("");
        assert!(message.contains("Settings › Plan"), "{message}");
    }
    assert!(
        privacy["errors"].is_null(),
        "compliance exports stay reachable: {privacy}"
    );
}

#[tokio::test]
async fn a_frozen_subscription_keeps_reads_and_refuses_sending() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "frozen-shop").await;
    app.activate_plan(&shop, "growth").await;
    let id = app.shop_id(&shop).await;
    app.state
        .db
        .query("update billing_subscriptions set status = 'FROZEN' where shop_id = $1")
        .bind(id.get())
        .execute()
        .await
        .expect("freeze");
    let db = ecomcrm::shopify::shops::find_by_id(&app.state.db, id)
        .await
        .unwrap()
        .unwrap()
        .db(&app.state.db);

    let read = gql(&app, &shop, "{ webhookTopics { topic } }").await;
    let send = usage::consume(&app.state, &db, Metric::Emails, 1).await;

    assert!(read["errors"].is_null(), "{read}");
    let err = send.expect_err("frozen shops cannot send");
    assert_eq!(err.code(), "READ_ONLY");
    assert!(err.to_string().contains("Shopify bill is paid"), "{err}");
}
