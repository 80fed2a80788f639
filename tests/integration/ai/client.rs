//! The OpenAI-compatible client on its own, against the local endpoint: the request it sends,
//! and a clear error (never carrying the key) for each way an endpoint can fail.

use std::time::Duration;

use chrono::NaiveDate;
use ecomcrm::ai::facts::{CustomerFacts, Money};
use ecomcrm::ai::openai::OpenAiWriter;
use ecomcrm::ai::{AiError, InsightWriter};
use ecomcrm::config::{LlmConfig, Secret};
use ecomcrm_tests::llm_server::LlmServer;
use shared::Segment;

const SECRET_KEY: &str = "sk-live-do-not-leak-123";

fn facts() -> CustomerFacts {
    let day = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
    CustomerFacts {
        first_name: Some("Grace".into()),
        currency: "USD".into(),
        orders_count: 1,
        total_spent: Money {
            minor_units: 4_200,
            currency: "USD".into(),
        },
        first_order_on: Some(day),
        last_order_on: Some(day),
        days_since_last_order: Some(3),
        average_days_between_orders: None,
        segment: Segment::New,
        scores: None,
        latest_change: None,
        top_products: vec![],
        refunds_count: 0,
        prediction: None,
        as_of: day,
    }
}

fn writer(llm: &LlmServer, key: Option<&str>) -> OpenAiWriter {
    let config = LlmConfig {
        base_url: llm.base_url.clone(),
        api_key: key.map(Secret::new),
        model: "local-model".into(),
    };
    OpenAiWriter::new(reqwest::Client::new(), &config)
}

#[tokio::test]
async fn a_local_model_without_a_key_is_asked_without_an_authorization_header() {
    let llm = LlmServer::start().await;
    llm.reply_with("  Grace placed her first order on 1 February.\n");

    let got = writer(&llm, None).write(&facts()).await.expect("an answer");

    assert_eq!(got.text, "Grace placed her first order on 1 February.");
    assert_eq!(got.model.as_deref(), Some("local-model"));
    let requests = llm.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("authorization"), None);
    assert_eq!(requests[0].facts()["customer_first_name"], "Grace");
    assert_eq!(
        requests[0].facts()["orders"]["total_spent_net_of_refunds"]["formatted"],
        "$42.00"
    );
}

#[tokio::test]
async fn an_error_status_is_reported_with_its_message_and_never_the_key() {
    let llm = LlmServer::start().await;
    llm.status(401);
    llm.raw_body(&format!(
        r#"{{"error": {{"message": "Incorrect API key provided: {SECRET_KEY}", "type": "invalid_request_error"}}}}"#
    ));

    let err = writer(&llm, Some(SECRET_KEY))
        .write(&facts())
        .await
        .expect_err("refused");

    let text = err.to_string();
    assert!(
        matches!(err, AiError::Status { status: 401, .. }),
        "{err:?}"
    );
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(text.contains("Incorrect API key provided"), "{text}");
    assert!(!text.contains(SECRET_KEY), "{text}");
    assert!(!format!("{err:?}").contains(SECRET_KEY));
    assert_eq!(
        llm.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET_KEY}").as_str())
    );
}

#[tokio::test]
async fn malformed_and_empty_answers_are_clear_errors() {
    let llm = LlmServer::start().await;
    let w = writer(&llm, Some(SECRET_KEY));

    llm.raw_body("<html>Bad gateway</html>");
    let not_json = w.write(&facts()).await.expect_err("malformed");
    llm.raw_body(r#"{"id": "x", "choices": []}"#);
    let no_choices = w.write(&facts()).await.expect_err("no choices");
    llm.raw_body(r#"{"choices": [{"message": {"role": "assistant", "content": "   "}}]}"#);
    let blank = w.write(&facts()).await.expect_err("blank");
    llm.raw_body(r#"{"choices": [{"message": {"role": "assistant", "content": null}}]}"#);
    let null = w.write(&facts()).await.expect_err("null content");

    assert!(matches!(not_json, AiError::Malformed(_)), "{not_json:?}");
    assert!(
        not_json.to_string().contains("not a chat completion"),
        "{not_json}"
    );
    for err in [no_choices, blank, null] {
        assert!(matches!(err, AiError::Empty), "{err:?}");
    }
}

#[tokio::test]
async fn a_slow_endpoint_times_out() {
    let llm = LlmServer::start().await;
    llm.delay(Duration::from_secs(3));

    let err = writer(&llm, None)
        .with_timeout(Duration::from_millis(300))
        .write(&facts())
        .await
        .expect_err("timed out");

    assert!(matches!(err, AiError::Timeout(_)), "{err:?}");
    assert!(err.to_string().contains("did not answer"), "{err}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = LlmConfig {
        base_url: format!("http://{addr}/v1"),
        api_key: Some(Secret::new(SECRET_KEY)),
        model: "m".into(),
    };

    let err = OpenAiWriter::new(reqwest::Client::new(), &config)
        .write(&facts())
        .await
        .expect_err("unreachable");

    assert!(matches!(err, AiError::Transport(_)), "{err:?}");
    assert!(!err.to_string().contains(SECRET_KEY));
}
