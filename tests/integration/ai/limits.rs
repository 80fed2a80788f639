//! What bounds LLM calls: the plan (a shop without AI allowance gets the deterministic text and
//! no call) and the per-shop rate limit (ten calls a minute; the rest read deterministic text).

use ecomcrm::ai::service::insight;
use ecomcrm_tests::llm_server::LlmServer;

use super::support::*;

#[tokio::test]
async fn a_shop_without_a_plan_reads_the_deterministic_text_and_the_llm_is_not_called() {
    let llm = LlmServer::start().await;
    let app = app_with_llm(&llm).await;
    let (shop, db) = store(&app, "ai-no-plan", 6, false).await;
    let ada = customer(&app, &shop, &db, "Ada", 1).await;

    let got = insight(&app.state, &db, ada).await.unwrap().unwrap();

    assert_eq!(got.provider, "deterministic");
    assert!(
        got.text.starts_with("Ada has placed 1 order, worth "),
        "{}",
        got.text
    );
    assert!(llm.requests().is_empty());
}

#[tokio::test]
async fn a_shop_asking_for_many_insights_at_once_gets_ten_llm_calls_a_minute() {
    let llm = LlmServer::start().await;
    let app = app_with_llm(&llm).await;
    let (shop, db) = store(&app, "ai-burst", 20, true).await;
    let ids: Vec<(i64,)> = db
        .query("select id from customers where shop_id = $1 and deleted_at is null order by id limit 12")
        .fetch_all()
        .await
        .unwrap();
    assert_eq!(ids.len(), 12);

    let mut providers = Vec::new();
    for (id,) in &ids {
        let got = insight(&app.state, &db, *id).await.unwrap().unwrap();
        providers.push(got.provider);
    }

    let llm_answers = providers.iter().filter(|p| *p == "openai").count();
    assert_eq!(llm_answers, 10, "{providers:?}");
    assert_eq!(&providers[10..], ["deterministic", "deterministic"]);
    assert_eq!(llm.requests().len(), 10);
    assert_eq!(
        ai_used(&app, &shop).await,
        10,
        "rate-limited views are not counted"
    );
}
