//! Deleting customers through the control API (gone from queries, `node`, bulk files and counts,
//! with Shopify's `customers/delete` payload), counts that include created records, and the
//! marketing consent in customer webhooks.

use serde_json::{Value as Json, json};

use super::bulk_operations::{finished, run};
use super::record_changes::{change, deliveries};
use super::record_pages::gql;
use super::support::*;
use crate::sim::SimHandle;

const COUNTS: &str = "{ customersCount { count precision } ordersCount { count precision } abandonedCheckoutsCount { count precision } }";

const CUSTOMER_IDS: &str = "{ customers(first: 250) { nodes { id } } }";

const NODE: &str = "query Node($id: ID!) { node(id: $id) { id } }";

const ORDER_CUSTOMER: &str =
    "query Order($id: ID!) { node(id: $id) { ... on Order { id customer { id } } } }";

/// `(customers, orders, abandoned checkouts)` as the count queries answer.
async fn counts(sim: &SimHandle, token: &str) -> (u64, u64, u64) {
    let body = gql(sim, token, COUNTS, json!({})).await;
    let count = |key: &str| {
        assert_eq!(body["data"][key]["precision"], "EXACT", "{body}");
        body["data"][key]["count"].as_u64().expect("count")
    };
    (
        count("customersCount"),
        count("ordersCount"),
        count("abandonedCheckoutsCount"),
    )
}

/// The lines of a completed bulk query's file.
async fn bulk_lines(sim: &SimHandle, token: &str, query: &str) -> Vec<Json> {
    let created = run(sim, token, query).await;
    assert_eq!(created["userErrors"], json!([]), "{created}");
    let op = finished(sim, token).await;
    assert_eq!(op["status"], "COMPLETED", "{op}");
    let text = client()
        .get(op["url"].as_str().expect("url"))
        .send()
        .await
        .expect("file")
        .text()
        .await
        .expect("text");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[tokio::test]
async fn deleting_a_customer_removes_it_everywhere_but_keeps_its_orders() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let (victim, order_id) = sim
        .state
        .with_shop(SHOP, |s| {
            let (i, c) = s
                .data
                .customers
                .iter()
                .enumerate()
                .find(|(_, c)| c.orders_count > 0)
                .expect("a buyer");
            let order = s
                .data
                .orders
                .iter()
                .find(|o| o.customer == Some(i as u32))
                .expect("an order");
            (c.id, order.id)
        })
        .expect("shop");
    let before = counts(&sim, &token).await;

    let (status, deleted) = change(&sim, "customers", json!({"id": victim, "delete": true})).await;
    assert_eq!(status, 200, "{deleted}");
    let expected = json!({
        "id": victim,
        "phone": null,
        "addresses": [],
        "tax_exemptions": [],
        "email_marketing_consent": null,
        "sms_marketing_consent": null,
        "admin_graphql_api_id": format!("gid://shopify/Customer/{victim}"),
    });
    assert_eq!(deleted["customer"], expected);
    let got = deliveries(&received);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "customers/delete");
    assert_eq!(got[0].2, expected);

    // Gone from counts, node and the customers connection.
    let after = counts(&sim, &token).await;
    assert_eq!(after, (before.0 - 1, before.1, before.2));
    let gid = format!("gid://shopify/Customer/{victim}");
    let body = gql(&sim, &token, NODE, json!({"id": gid})).await;
    assert_eq!(body["data"]["node"], Json::Null, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let body = gql(&sim, &token, CUSTOMER_IDS, json!({})).await;
    let ids = body["data"]["customers"]["nodes"]
        .as_array()
        .expect("nodes");
    assert_eq!(ids.len() as u64, after.0);
    assert!(ids.iter().all(|n| n["id"] != gid.as_str()));

    // Its orders stay, with a null customer in GraphQL and in webhooks.
    let order_gid = format!("gid://shopify/Order/{order_id}");
    let body = gql(&sim, &token, ORDER_CUSTOMER, json!({"id": order_gid})).await;
    assert_eq!(body["data"]["node"]["id"], order_gid.as_str(), "{body}");
    assert_eq!(body["data"]["node"]["customer"], Json::Null);
    let (status, refunded) = change(
        &sim,
        "orders",
        json!({"id": order_id, "refund": {"amount": "1.00"}}),
    )
    .await;
    assert_eq!(status, 200, "{refunded}");
    assert_eq!(refunded["order"]["customer"], Json::Null);

    // Gone from bulk files too.
    let lines = bulk_lines(&sim, &token, "{ customers { edges { node { id } } } }").await;
    assert_eq!(lines.len() as u64, after.0);
    assert!(lines.iter().all(|l| l["id"] != gid.as_str()));

    // It cannot be deleted again, nor buy.
    let (status, _) = change(&sim, "customers", json!({"id": victim, "delete": true})).await;
    assert_eq!(status, 404);
    let (status, _) = change(&sim, "orders", json!({"customer_id": victim})).await;
    assert_eq!(status, 404);
    let (status, _) = change(&sim, "customers", json!({"delete": true})).await;
    assert_eq!(status, 400, "a delete names the customer");
}

#[tokio::test]
async fn counts_include_created_records_and_leave_out_deleted_customers() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    let (customers, orders, checkouts) = counts(&sim, &token).await;
    let data = sim.state.with_shop(SHOP, |s| s.data.clone()).expect("shop");
    assert_eq!(
        (customers, orders, checkouts),
        (
            data.customers.len() as u64,
            data.orders.len() as u64,
            data.abandoned_checkouts.len() as u64
        )
    );

    let (_, created) = change(&sim, "customers", json!({"first_name": "New"})).await;
    let id = created["customer"]["id"].as_i64().expect("id");
    change(&sim, "orders", json!({"customer_id": id})).await;
    let (status, checkout) = change(&sim, "checkouts", json!({"customer_id": id})).await;
    assert_eq!(status, 200, "{checkout}");
    // Changing generated records does not add to the counts.
    change(
        &sim,
        "orders",
        json!({"id": data.orders[0].id, "cancel": true}),
    )
    .await;
    change(
        &sim,
        "customers",
        json!({"id": data.customers[0].id, "first_name": "Same"}),
    )
    .await;
    assert_eq!(
        counts(&sim, &token).await,
        (customers + 1, orders + 1, checkouts + 1)
    );

    change(&sim, "customers", json!({"id": id, "delete": true})).await;
    change(
        &sim,
        "customers",
        json!({"id": data.customers[1].id, "delete": true}),
    )
    .await;
    assert_eq!(
        counts(&sim, &token).await,
        (customers - 1, orders + 1, checkouts + 1)
    );
}

#[tokio::test]
async fn customer_webhooks_leave_out_tags_and_consent_as_shopify_does_since_2025_01() {
    let (sim, received) = sim().await;
    let tagged = sim
        .state
        .with_shop(SHOP, |s| {
            s.data
                .customers
                .iter()
                .find(|c| c.sms_consent.is_some() && !c.tags.names().is_empty())
                .cloned()
        })
        .expect("shop")
        .expect("a tagged customer with SMS consent");
    let (_, updated) = change(
        &sim,
        "customers",
        json!({"id": tagged.id, "first_name": "Text"}),
    )
    .await;
    let payload = &updated["customer"];
    assert_eq!(payload["first_name"], "Text");
    for removed in ["tags", "email_marketing_consent", "sms_marketing_consent"] {
        assert!(payload.get(removed).is_none(), "{removed} in {payload}");
    }
    assert_eq!(deliveries(&received)[0].2, *payload);
}
