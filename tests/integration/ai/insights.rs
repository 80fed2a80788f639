//! The insight on a customer page: written by the configured LLM from this customer's facts
//! only, served from the cache until the customer's data changes, replaced by the deterministic
//! text when the LLM fails, and written deterministically (and never counted) without an LLM.

use ecomcrm::ai::service::insight;
use ecomcrm::ai::{deterministic, facts, format};
use ecomcrm::db::ShopDb;
use ecomcrm_tests::llm_server::LlmServer;
use ecomcrm_tests::test_app::TestApp;

use super::support::*;

/// The customer's spend as the app holds it, formatted as the facts give it.
async fn spent(db: &ShopDb, customer_id: i64) -> String {
    let (minor, currency): (i64, String) = db
        .query(
            "select c.total_spent, p.currency_code from customers c \
             join shop_profiles p on p.shop_id = c.shop_id \
             where c.shop_id = $1 and c.id = $2",
        )
        .bind(customer_id)
        .fetch_one()
        .await
        .expect("customer");
    format::money(minor, &currency)
}

#[tokio::test]
async fn a_merchant_reads_the_llms_insight_written_from_this_customers_facts_alone() {
    // Arrange
    let llm = LlmServer::start().await;
    llm.reply_with("Ada has ordered twice recently and is a new customer.");
    let app = app_with_llm(&llm).await;
    let (shop, db) = store(&app, "ai-facts", 6, true).await;
    let (other, other_db) = store(&app, "ai-facts-other", 6, true).await;
    let ada = customer(&app, &shop, &db, "Ada", 2).await;
    let zebulon = customer(&app, &other, &other_db, "Zebulon", 3).await;

    // Act
    let got = insight(&app.state, &db, ada)
        .await
        .expect("insight")
        .expect("a customer");

    // Assert
    assert_eq!(
        got.text,
        "Ada has ordered twice recently and is a new customer."
    );
    assert_eq!(got.provider, "openai");
    assert_eq!(got.model.as_deref(), Some(MODEL));
    let requests = llm.requests();
    assert_eq!(requests.len(), 1, "one call to the endpoint");
    let request = &requests[0];
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.body["model"], MODEL);
    assert_eq!(request.body["temperature"], 0.2);
    assert_eq!(request.body["max_tokens"], 200);
    let system = request.message("system").expect("a system message");
    assert!(system.contains("Use only the facts"), "{system}");
    let facts = request.facts();
    assert_eq!(facts["customer_first_name"], "Ada", "{facts}");
    assert_eq!(facts["orders"]["count"], 2, "{facts}");
    assert_eq!(
        facts["orders"]["total_spent_net_of_refunds"]["formatted"],
        spent(&db, ada).await.as_str(),
        "{facts}"
    );
    assert!(facts["segment"]["name"].is_string(), "{facts}");
    assert!(
        facts["most_ordered_products"][0]["title"].is_string(),
        "{facts}"
    );
    for leak in [
        "ada.private@example.com",
        "Lovelace",
        "+14155550123",
        "4155550123",
        "Zebulon",
        "zebulon",
    ] {
        assert!(
            !request.raw.contains(leak),
            "`{leak}` was sent: {}",
            request.raw
        );
    }
    for id in [ada, zebulon] {
        assert!(!request.raw.contains(&id.to_string()), "an id was sent");
    }
    assert_eq!(ai_used(&app, &shop).await, 1);
    assert_eq!(ai_used(&app, &other).await, 0);

    // The other shop's customer is not there for this shop's handle.
    let across = insight(&app.state, &db, zebulon).await.expect("insight");
    assert_eq!(across, None);
    assert_eq!(llm.requests().len(), 1);
}

#[tokio::test]
async fn a_second_look_is_served_from_the_cache_until_the_customers_data_changes() {
    // Arrange
    let llm = LlmServer::start().await;
    llm.reply_with("First take.");
    let app = app_with_llm(&llm).await;
    let (shop, db) = store(&app, "ai-cache", 6, true).await;
    let ada = customer(&app, &shop, &db, "Ada", 2).await;

    // Act: two views, then a new order, then a refund.
    let first = insight(&app.state, &db, ada).await.unwrap().unwrap();
    let second = insight(&app.state, &db, ada).await.unwrap().unwrap();
    llm.reply_with("After the third order.");
    let third_order = order(&app, &shop, &db, ada).await;
    let after_order = insight(&app.state, &db, ada).await.unwrap().unwrap();
    let again = insight(&app.state, &db, ada).await.unwrap().unwrap();
    llm.reply_with("After the refund.");
    refund(&app, &shop, &db, third_order).await;
    let after_refund = insight(&app.state, &db, ada).await.unwrap().unwrap();

    // Assert
    assert_eq!(first.text, "First take.");
    assert_eq!(second, first, "the second view is the cached text");
    assert_eq!(after_order.text, "After the third order.");
    assert_eq!(again, after_order);
    assert_eq!(after_refund.text, "After the refund.");
    let requests = llm.requests();
    assert_eq!(requests.len(), 3, "one call per change of the facts");
    assert_eq!(requests[0].facts()["orders"]["count"], 2);
    assert_eq!(requests[1].facts()["orders"]["count"], 3);
    assert_eq!(requests[2].facts()["orders"]["refunds_count"], 1);
    assert_eq!(ai_used(&app, &shop).await, 3, "one unit per provider call");
}

#[tokio::test]
async fn a_failing_llm_falls_back_to_the_deterministic_text_and_is_not_asked_again_at_once() {
    // Arrange
    let llm = LlmServer::start().await;
    llm.status(500);
    let app = app_with_llm(&llm).await;
    let (shop, db) = store(&app, "ai-fails", 6, true).await;
    let ada = customer(&app, &shop, &db, "Ada", 2).await;

    // Act
    let got = insight(&app.state, &db, ada).await.unwrap().unwrap();
    let again = insight(&app.state, &db, ada).await.unwrap().unwrap();

    // Assert
    let facts = facts::load(&db, ada, app.state.clock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.provider, "deterministic");
    // The service adds the customer's prediction to these facts; its sentences come last.
    assert!(
        got.text.starts_with(&deterministic::describe(&facts)),
        "{}",
        got.text
    );
    assert!(
        got.text.starts_with("Ada has placed 2 orders"),
        "{}",
        got.text
    );
    assert_eq!(again, got);
    assert_eq!(
        llm.requests().len(),
        1,
        "a failed call is not retried at once"
    );
    assert_eq!(
        ai_used(&app, &shop).await,
        1,
        "the call that failed was made"
    );
}

#[tokio::test]
async fn without_an_llm_the_deterministic_writer_answers_and_nothing_is_counted() {
    // Arrange
    let app = TestApp::spawn().await;
    let (shop, db) = store(&app, "ai-plain", 6, true).await;
    let ada = customer(&app, &shop, &db, "Ada", 3).await;

    // Act
    let got = insight(&app.state, &db, ada).await.unwrap().unwrap();
    let unknown = insight(&app.state, &db, 42).await.unwrap();

    // Assert
    assert_eq!(got.provider, "deterministic");
    assert_eq!(got.model, None);
    let spent = spent(&db, ada).await;
    assert!(
        got.text.starts_with("Ada has placed 3 orders since "),
        "{}",
        got.text
    );
    assert!(got.text.contains(&format!("worth {spent}")), "{}", got.text);
    assert!(got.text.contains("most ordered product"), "{}", got.text);
    assert!(!got.text.contains("Lovelace"), "{}", got.text);
    assert_eq!(unknown, None);
    assert_eq!(ai_used(&app, &shop).await, 0);
}
