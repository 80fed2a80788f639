//! Plan limits in jobs: usage counted per billing period, AI requests stopping at their limit
//! with a message that names the limit, its numbers and the plan that lifts it, sends beyond
//! the email allowance waiting when the plan has no usage line, and seats capped.

use ecomcrm::shopify::billing::account::Entitlement;
use ecomcrm::shopify::billing::usage::{self, Consumed, Metric};
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

#[tokio::test]
async fn ai_requests_stop_at_the_plan_limit_with_the_plan_that_lifts_it() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "ai-shop").await;
    app.activate_plan(&shop, "starter").await; // 200 AI requests.
    let db = shop_db(&app, &shop).await;

    let first = usage::consume(&app.state, &db, Metric::AiRequests, 199).await;
    let last = usage::consume(&app.state, &db, Metric::AiRequests, 1).await;
    let over = usage::consume(&app.state, &db, Metric::AiRequests, 1).await;

    assert_eq!(first.unwrap(), Consumed::Within);
    assert_eq!(last.unwrap(), Consumed::Within);
    let err = over.expect_err("over the limit");
    assert_eq!(err.code(), "PLAN_LIMIT");
    let message = err.to_string();
    assert!(
        message.contains("Starter plan includes 200 AI requests"),
        "{message}"
    );
    assert!(message.contains("200 are used"), "{message}");
    assert!(message.contains("Growth plan allows 1000"), "{message}");
    let page = billing(&app, &shop).await;
    let ai = page["usage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "ai_requests")
        .cloned();
    assert_eq!(
        ai.map(|m| (m["used"].clone(), m["limit"].clone())),
        Some((200.into(), 200.into()))
    );
}

#[tokio::test]
async fn emails_beyond_the_allowance_wait_when_the_subscription_has_no_usage_line() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "wait-shop").await;
    app.activate_plan(&shop, "starter").await; // No usage line item: nothing to charge.
    let db = shop_db(&app, &shop).await;

    usage::consume(&app.state, &db, Metric::Emails, 15_000)
        .await
        .unwrap();
    let err = usage::consume(&app.state, &db, Metric::Emails, 10)
        .await
        .expect_err("waits");

    assert!(
        err.to_string().contains("wait until the next period"),
        "{err}"
    );
    let page = billing(&app, &shop).await;
    let emails = page["usage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "emails")
        .cloned();
    assert_eq!(
        emails.map(|m| m["used"].clone()),
        Some(15_000.into()),
        "a refusal counts nothing"
    );
}

#[tokio::test]
async fn seats_are_capped_by_the_plan() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "seat-shop").await;
    app.activate_plan(&shop, "starter").await; // 2 seats.
    let db = shop_db(&app, &shop).await;
    let plans = &app.state.config.plans;
    let entitlement = Entitlement::of(&db, plans).await.unwrap();

    assert!(usage::require_seat(plans, &entitlement, 1).is_ok());
    let err = usage::require_seat(plans, &entitlement, 2).expect_err("third seat");
    assert!(err.to_string().contains("2 inbox seats"), "{err}");
    assert!(err.to_string().contains("Growth plan has 5 seats"), "{err}");
}

#[tokio::test]
async fn a_downgrade_below_current_usage_explains_what_will_pause() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "downgrading").await;
    app.activate_plan(&shop, "growth").await;
    let db = shop_db(&app, &shop).await;
    usage::consume(&app.state, &db, Metric::AiRequests, 300)
        .await
        .unwrap();

    let page = billing(&app, &shop).await;

    let starter = page["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "starter")
        .unwrap()
        .clone();
    let warning = starter["downgradeWarnings"][0].as_str().unwrap_or("");
    assert!(
        warning.contains("300 AI requests") && warning.contains("Starter includes 200"),
        "{starter}"
    );
    let growth = page["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "growth")
        .unwrap()
        .clone();
    assert_eq!(growth["current"], true);
}
