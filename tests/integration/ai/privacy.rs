//! A stored insight may name the customer, so `customers/redact` blanks it with the rest of
//! their personal data, and the next view is written from facts that no longer hold the name.

use std::time::{Duration, Instant};

use ecomcrm::ai::service::insight;
use ecomcrm_tests::llm_server::LlmServer;
use ecomcrm_tests::sim::WebhookDelivery;
use serde_json::json;

use super::support::*;

#[tokio::test]
async fn a_redacted_customers_insight_is_blanked_and_rewritten_without_their_name() {
    // Arrange
    let llm = LlmServer::start().await;
    llm.reply_with("Ada orders the same tee every time.");
    let app = app_with_llm(&llm).await;
    let (shop, db) = store(&app, "ai-redact", 6, true).await;
    let ada = customer(&app, &shop, &db, "Ada", 2).await;
    insight(&app.state, &db, ada).await.unwrap().unwrap();

    // Act
    let body = json!({
        "shop_id": 954_889, "shop_domain": shop,
        "customer": { "id": ada, "email": "ada.private@example.com", "phone": "+14155550123" },
        "orders_to_redact": []
    });
    let delivery = WebhookDelivery::new(
        &shop,
        "customers/redact",
        body.to_string(),
        shared::SHOPIFY_API_VERSION,
        chrono::Utc::now(),
    );
    let out = app.sim.deliver(&delivery).await.expect("delivered");
    assert_eq!(out.status, 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    let stored = loop {
        app.run_jobs().await;
        let row: (Option<String>, bool) = db
            .query(
                "select text, redacted_at is not null from customer_insights \
                 where shop_id = $1 and customer_id = $2",
            )
            .bind(ada)
            .fetch_one()
            .await
            .unwrap();
        if row.1 || Instant::now() > deadline {
            break row;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    llm.reply_with("This customer orders the same tee every time.");
    let after = insight(&app.state, &db, ada).await.unwrap().unwrap();

    // Assert
    assert_eq!(stored, (None, true), "the text is blanked and stamped");
    assert_eq!(after.text, "This customer orders the same tee every time.");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].facts()["customer_first_name"], json!(null));
    let facts = requests[1].facts().to_string();
    assert!(!facts.contains("\"Ada\""), "{facts}");
}
