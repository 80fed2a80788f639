//! Rate limits through the real server. The buckets' arithmetic (refill, retry hints, eviction)
//! is unit-tested on a fixed clock in `server/src/http/rate_limit.rs`; here bursts well past the
//! production limits (80 per shop, 60 per address) show the wiring, the answers and the routes
//! that are never limited.

use ecomcrm::http::rate_limit::{GRAPHQL_PER_SHOP, UNAUTHENTICATED_PER_ADDRESS};
use ecomcrm_tests::test_app::TestApp;
use futures::StreamExt as _;
use futures::future::join_all;
use serde_json::json;

use super::support::*;

/// Far more than a burst plus what refills while the burst is in flight.
fn flood(limit: f64) -> usize {
    (limit * 4.0) as usize
}

#[tokio::test]
async fn a_shop_over_its_graphql_limit_gets_a_rate_limited_error_with_a_retry_hint() {
    let app = TestApp::spawn().await;
    let busy = installed_shop(&app, "busy-shop").await;
    let calm = installed_shop(&app, "calm-shop").await;
    let token = app.session_token(&busy);

    let answers = join_all((0..flood(GRAPHQL_PER_SHOP.burst)).map(|_| async {
        let res = app
            .graphql_with_token(&token, "{ __typename }", json!({}))
            .await;
        let status = res.status().as_u16();
        let retry = res
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        let body: serde_json::Value = res.json().await.unwrap();
        (status, retry, body)
    }))
    .await;

    let limited: Vec<_> = answers
        .iter()
        .filter(|(_, _, b)| b["errors"][0]["extensions"]["code"] == "RATE_LIMITED")
        .collect();
    assert!(!limited.is_empty(), "no request was limited");
    let served = answers.len() - limited.len();
    assert!(served >= GRAPHQL_PER_SHOP.burst as usize, "{served} served");
    for (status, retry, body) in limited {
        assert_eq!(*status, 200, "GraphQL clients read errors from the body");
        let secs = body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap();
        assert!(secs >= 1, "{body}");
        assert_eq!(retry.as_deref(), Some(secs.to_string().as_str()));
        assert_eq!(
            body["errors"][0]["message"],
            format!("Too many requests; retry in {secs} s")
        );
    }
    // Another shop has its own bucket.
    let other: serde_json::Value = app
        .graphql(&calm, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(other["data"]["shop"]["name"], SHOP_NAME, "{other}");
}

#[tokio::test]
async fn an_address_flooding_the_unauthenticated_routes_gets_429_with_retry_after() {
    let app = TestApp::spawn().await;
    // One bucket per address, shared by every unauthenticated route: the flood cycles through
    // them, so each route must answer 429 once the bucket is empty.
    let paths = [
        "/auth?shop=flood.myshopify.com",
        "/auth/callback",
        "/auth/session-token",
    ];

    let answers = join_all(
        (0..flood(UNAUTHENTICATED_PER_ADDRESS.burst)).map(|i| app.get(paths[i % paths.len()])),
    )
    .await;

    for (i, path) in paths.iter().enumerate() {
        let limited: Vec<_> = answers
            .iter()
            .skip(i)
            .step_by(paths.len())
            .filter(|r| r.status() == 429)
            .collect();
        assert!(!limited.is_empty(), "{path} was never limited");
        for r in limited {
            let secs: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(secs >= 1);
        }
    }
    let served = answers.iter().filter(|r| r.status() != 429).count();
    assert!(
        served >= UNAUTHENTICATED_PER_ADDRESS.burst as usize,
        "{served} served"
    );
}

#[tokio::test]
async fn verified_webhooks_and_health_checks_are_never_limited() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "hooked-shop").await;
    let n = flood(
        GRAPHQL_PER_SHOP
            .burst
            .max(UNAUTHENTICATED_PER_ADDRESS.burst),
    );
    let deliveries: Vec<_> = (0..n).map(|_| order_delivery(&shop)).collect();

    // Sixteen at a time: Shopify's 5 s delivery timeout must not trip on a busy debug build,
    // and the flood still outruns every bucket's refill many times over.
    let outcomes: Vec<_> = futures::stream::iter(deliveries.iter().map(|d| send(&app, d)))
        .buffer_unordered(16)
        .collect()
        .await;
    let health = join_all((0..n).map(|_| app.get("/healthz"))).await;

    assert!(
        outcomes.iter().all(|o| o.status == 200),
        "{:?}",
        outcomes.iter().map(|o| o.status).collect::<Vec<_>>()
    );
    assert!(health.iter().all(|r| r.status() == 200));
}
