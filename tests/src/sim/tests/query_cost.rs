//! What a client sees of query cost: `actualQueryCost` counts the nodes a page returned, the
//! unused part of `requestedQueryCost` goes back to `currentlyAvailable`, and a throttled query
//! reports no actual cost.

use serde_json::{Value as Json, json};

use super::support::*;

/// Three orders with up to 30 line items each: 2 + 3 × (1 + 2 + 30) points requested.
const ORDER_PAGE: &str = "{ orders(first: 3) { nodes { id lineItems(first: 30) { nodes { id quantity } } } pageInfo { hasNextPage } } }";
const ORDER_PAGE_REQUESTED: u64 = 101;

fn cost(body: &Json) -> (Option<u64>, Option<u64>, Option<i64>) {
    let cost = &body["extensions"]["cost"];
    (
        cost["requestedQueryCost"].as_u64(),
        cost["actualQueryCost"].as_u64(),
        cost["throttleStatus"]["currentlyAvailable"].as_i64(),
    )
}

#[tokio::test]
async fn short_pages_report_their_actual_cost_and_refund_the_rest() {
    // Arrange: a bucket that holds one worst-case order page but not two, and does not refill
    // during the test.
    let (sim, _) = sim_with(|c| {
        c.bucket_maximum = 150.0;
        c.restore_rate = 0.0;
    })
    .await;
    let token = offline_token(&sim).await;

    // Act
    let (status, first) = graphql(&sim, &token, ORDER_PAGE).await;

    // Assert: every order node costs 1 + 2 for its line-item connection + 1 per line returned.
    assert_eq!(status, 200, "{first}");
    let orders = first["data"]["orders"]["nodes"].as_array().expect("orders");
    assert_eq!(orders.len(), 3, "{first}");
    let lines: u64 = orders
        .iter()
        .map(|o| o["lineItems"]["nodes"].as_array().map_or(0, Vec::len) as u64)
        .sum();
    assert!(lines < 90, "the demo orders have fewer than 30 lines each");
    let actual = 2 + 3 * 3 + lines;
    assert_eq!(
        cost(&first),
        (
            Some(ORDER_PAGE_REQUESTED),
            Some(actual),
            Some(150 - actual as i64)
        ),
        "the bucket is charged the actual cost, not the requested one"
    );

    // Act: without the refund, 150 - 101 points would not cover a second page.
    let (_, second) = graphql(&sim, &token, ORDER_PAGE).await;

    // Assert
    assert!(second.get("errors").is_none(), "{second}");
    assert_eq!(
        cost(&second),
        (
            Some(ORDER_PAGE_REQUESTED),
            Some(actual),
            Some(150 - 2 * actual as i64)
        )
    );
}

#[tokio::test]
async fn a_page_with_fewer_nodes_than_first_refunds_the_difference() {
    // Arrange: the demo shop has 50 customers.
    let (sim, _) = sim_with(|c| c.restore_rate = 0.0).await;
    let token = offline_token(&sim).await;

    // Act
    let (_, body) = graphql(&sim, &token, "{ customers(first: 90) { nodes { id } } }").await;

    // Assert
    assert_eq!(
        body["data"]["customers"]["nodes"].as_array().map(Vec::len),
        Some(50)
    );
    assert_eq!(cost(&body), (Some(92), Some(52), Some(1000 - 52)));
}

#[tokio::test]
async fn throttled_queries_report_no_actual_cost_and_take_nothing() {
    // Arrange
    let (sim, _) = sim_with(|c| c.restore_rate = 0.0).await;
    let token = offline_token(&sim).await;
    let drained = client()
        .post(format!("{}/_sim/shops/{SHOP}/faults", sim.base_url))
        .json(&json!({"drain_bucket": true}))
        .send()
        .await
        .expect("drain");
    assert_eq!(drained.status(), 200);

    // Act
    let (status, body) = graphql(&sim, &token, ORDER_PAGE).await;

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED");
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], Json::Null);
    assert_eq!(cost(&body), (Some(ORDER_PAGE_REQUESTED), None, Some(0)));
}
