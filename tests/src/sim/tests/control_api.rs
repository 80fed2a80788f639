//! Signed webhooks to a fake app and the control API (shops, request log, health).

use serde_json::{Value as Json, json};

use super::support::*;

#[tokio::test]
async fn webhooks_are_signed_like_shopify() {
    let (sim, received) = sim().await;
    let payload = json!({"shop_id": 954889, "shop_domain": SHOP});
    let outcome = sim
        .send_webhook(SHOP, "shop/redact", &payload)
        .await
        .expect("delivered");
    assert_eq!((outcome.status, outcome.delivered), (200, true));
    let (headers, body) = received.lock().expect("lock")[0].clone();
    assert_eq!(body, payload.to_string().into_bytes());
    assert_eq!(headers["x-shopify-topic"], "shop/redact");
    assert_eq!(headers["x-shopify-shop-domain"], SHOP);
    assert_eq!(
        headers["x-shopify-api-version"],
        shared::SHOPIFY_API_VERSION
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        headers["x-shopify-webhook-id"].to_str().expect("id"),
        outcome.webhook_id
    );
    assert!(
        headers.contains_key("x-shopify-triggered-at")
            && headers.contains_key("x-shopify-event-id")
    );

    let control = format!("{}/_sim/webhooks", sim.base_url);
    let response = client().post(&control).json(&json!({"shop": SHOP, "topic": "customers/redact", "payload": {"a": 1}, "hmac": "invalid"})).send().await.expect("send");
    assert_eq!(response.status(), 200);
    let outcome: Json = response.json().await.expect("json");
    assert_eq!(
        (outcome["status"].as_u64(), outcome["delivered"].as_bool()),
        (Some(401), Some(false))
    );
    let bad = client()
        .post(&control)
        .json(&json!({"shop": "evil.com", "topic": "x/y", "payload": {}}))
        .send()
        .await
        .expect("send");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn control_api_creates_shops_and_logs_requests() {
    let (sim, _) = sim().await;
    let shops = format!("{}/_sim/shops", sim.base_url);
    let spec = json!({"domain": "second.myshopify.com", "name": "Second", "seed": 7, "customers": 100, "orders": 300, "currency": "EUR", "timezone": "Europe/Berlin"});
    let created = client()
        .post(&shops)
        .json(&spec)
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let summary: Json = created.json().await.expect("json");
    assert_eq!(
        (
            summary["counts"]["orders"].as_u64(),
            summary["currency"].as_str()
        ),
        (Some(300), Some("EUR"))
    );
    let fetched: Json = client()
        .get(format!("{shops}/second.myshopify.com"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(fetched["counts"], summary["counts"]);
    for bad in [
        json!({"domain": "nope"}),
        json!({"domain": "x.myshopify.com", "currency": "XXX"}),
        json!({"domain": "x.myshopify.com", "colour": 1}),
        json!({"domain": "x.myshopify.com", "end_at": -5}),
        json!({"domain": "x.myshopify.com", "orders": 5_000_000}),
    ] {
        assert_eq!(
            client()
                .post(&shops)
                .json(&bad)
                .send()
                .await
                .expect("create")
                .status(),
            400,
            "{bad}"
        );
    }
    assert_eq!(
        client()
            .post(&shops)
            .body("{")
            .send()
            .await
            .expect("create")
            .status(),
        400
    );
    assert_eq!(
        client()
            .get(format!("{shops}/missing.myshopify.com"))
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
    assert_eq!(
        client()
            .get(format!("{}/healthz", sim.base_url))
            .send()
            .await
            .expect("health")
            .status(),
        200
    );

    let token = offline_token(&sim).await;
    let (_, named) = graphql(&sim, &token, "query Named { shop { name } }").await;
    assert_eq!(named["data"]["shop"]["name"], "Demo Store", "{named}");
    let log: Json = client()
        .get(format!("{}/_sim/requests?shop={SHOP}", sim.base_url))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let entries = log["requests"].as_array().expect("array");
    let last = entries.last().expect("entry");
    assert_eq!(
        last["path"],
        format!("/shops/{SHOP}/admin/api/2026-10/graphql.json")
    );
    assert_eq!(last["detail"]["query"], "query Named { shop { name } }");
    assert!(
        entries
            .iter()
            .any(|e| e["detail"]["grant_type"] == EXCHANGE)
    );
    assert!(
        !log.to_string().contains(SECRET),
        "secrets never reach the log"
    );
}

#[tokio::test]
async fn the_clock_moves_forward_only_and_never_overflows() {
    let (sim, _) = sim().await;
    let clock = format!("{}/_sim/clock", sim.base_url);
    let before = sim.state.now();
    let far = client()
        .post(&clock)
        .json(&json!({"advance_seconds": i64::MAX}))
        .send()
        .await
        .expect("clock");
    assert_eq!(far.status(), 200);
    assert!(sim.state.now() > before);
    let back = client()
        .post(&clock)
        .json(&json!({"advance_seconds": -1}))
        .send()
        .await
        .expect("clock");
    assert_eq!(back.status(), 400);
    let nonsense = client()
        .post(&clock)
        .json(&json!({"seconds": 1}))
        .send()
        .await
        .expect("clock");
    assert_eq!(nonsense.status(), 400);
}
