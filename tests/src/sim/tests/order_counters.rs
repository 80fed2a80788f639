//! Orders placed, cancelled, refunded, paid and fulfilled through the control API: the buyer's
//! `numberOfOrders`, `amountSpent` and `lastOrder` follow like on Shopify, and paying or fulfilling
//! sends `orders/paid` and `orders/fulfilled` after `orders/updated`.

use serde_json::{Value as Json, json};

use super::record_changes::{change, deliveries, now, since};
use super::record_pages::gql;
use super::support::*;
use crate::sim::SimHandle;
use crate::sim::changes::parse_amount;

const CUSTOMER: &str = "query Customer($id: ID!) {
  node(id: $id) { ... on Customer { id numberOfOrders amountSpent { amount } lastOrder { id name } updatedAt } }
}";

const CHANGED_CUSTOMERS: &str = "query Changed($query: String) {
  customers(first: 50, query: $query, sortKey: UPDATED_AT) { nodes { id } }
}";

const ORDER: &str = "query Order($id: ID!) {
  node(id: $id) { ... on Order { displayFinancialStatus displayFulfillmentStatus } }
}";

fn cents(text: &Json) -> i64 {
    parse_amount(text.as_str().expect("a decimal string"), 2).expect("an amount")
}

/// `(numberOfOrders, amountSpent in cents, lastOrder id, updatedAt)` of a customer.
async fn counters(sim: &SimHandle, token: &str, id: i64) -> (String, i64, Json, String) {
    let body = gql(
        sim,
        token,
        CUSTOMER,
        json!({"id": format!("gid://shopify/Customer/{id}")}),
    )
    .await;
    let c = &body["data"]["node"];
    assert!(c.is_object(), "{body}");
    (
        c["numberOfOrders"].as_str().expect("count").to_string(),
        cents(&c["amountSpent"]["amount"]),
        c["lastOrder"]["id"].clone(),
        c["updatedAt"].as_str().expect("updatedAt").to_string(),
    )
}

fn order_gid(order: &Json) -> Json {
    json!(format!(
        "gid://shopify/Order/{}",
        order["id"].as_i64().expect("id")
    ))
}

#[tokio::test]
async fn placing_cancelling_and_refunding_orders_keeps_the_buyers_counters() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let start = now(&sim) - 1;
    let (_, ada) = change(&sim, "customers", json!({"first_name": "Ada"})).await;
    let ada = ada["customer"]["id"].as_i64().expect("id");
    assert_eq!(counters(&sim, &token, ada).await.0, "0");

    // Placing an order counts it, adds its total and makes it the last order.
    let (status, first) = change(&sim, "orders", json!({"customer_id": ada})).await;
    assert_eq!(status, 200, "{first}");
    let first = first["order"].clone();
    let total = cents(&first["total_price"]);
    assert!(total > 0);
    let (count, spent, last, updated) = counters(&sim, &token, ada).await;
    assert_eq!((count.as_str(), spent), ("1", total));
    assert_eq!(last, order_gid(&first));
    assert_eq!(
        updated, first["updated_at"],
        "the customer moves with the order"
    );

    // A refund lowers the spend; cancelling leaves the order counted but spends nothing.
    change(
        &sim,
        "orders",
        json!({"id": first["id"], "refund": {"amount": "5.00"}}),
    )
    .await;
    assert_eq!(counters(&sim, &token, ada).await.1, total - 500);
    change(&sim, "orders", json!({"id": first["id"], "cancel": true})).await;
    let (count, spent, last, _) = counters(&sim, &token, ada).await;
    assert_eq!((count.as_str(), spent), ("1", 0));
    assert_eq!(last, order_gid(&first));

    // A second order is the newest.
    let (_, second) = change(&sim, "orders", json!({"customer_id": ada})).await;
    let second = second["order"].clone();
    let (count, spent, last, _) = counters(&sim, &token, ada).await;
    assert_eq!((count.as_str(), spent), ("2", total));
    assert_eq!(last, order_gid(&second));

    // Moving it to a generated customer moves its count, spend and "last order" with it.
    let generated = sim
        .state
        .with_shop(SHOP, |s| s.data.customers[0].clone())
        .expect("shop");
    change(
        &sim,
        "orders",
        json!({"id": second["id"], "customer_id": generated.id}),
    )
    .await;
    let (count, spent, last, _) = counters(&sim, &token, ada).await;
    assert_eq!((count.as_str(), spent), ("1", 0));
    assert_eq!(last, order_gid(&first), "back to the older order");
    let (count, spent, last, _) = counters(&sim, &token, generated.id).await;
    assert_eq!(count, (generated.orders_count + 1).to_string());
    assert_eq!(spent, generated.amount_spent + total);
    assert_eq!(last, order_gid(&second));

    // Both customers show as changed, but no customer webhook went out for it.
    let body = gql(&sim, &token, CHANGED_CUSTOMERS, since(start)).await;
    let mut ids: Vec<String> = body["data"]["customers"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().unwrap_or("").to_string())
        .collect();
    ids.sort();
    let mut expected = vec![
        format!("gid://shopify/Customer/{ada}"),
        format!("gid://shopify/Customer/{}", generated.id),
    ];
    expected.sort();
    assert_eq!(ids, expected, "{body}");
    let topics: Vec<String> = deliveries(&received).into_iter().map(|d| d.0).collect();
    assert_eq!(
        topics
            .iter()
            .filter(|t| t.starts_with("customers/"))
            .count(),
        1,
        "only the customers/create: {topics:?}"
    );
}

#[tokio::test]
async fn generated_customers_last_order_is_their_newest_order() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    let store = sim.state.with_shop(SHOP, |s| s.data.clone()).expect("shop");
    let mut checked = 0;
    for (i, c) in store.customers.iter().enumerate() {
        let newest = store
            .orders
            .iter()
            .filter(|o| o.customer == Some(i as u32))
            .max_by_key(|o| (o.created_at, o.id));
        assert_eq!(c.last_order, newest.map(|o| o.id), "customer {}", c.id);
        checked += usize::from(newest.is_some());
    }
    assert!(checked > 0);
    let buyer = store
        .customers
        .iter()
        .find(|c| c.last_order.is_some())
        .expect("a buyer");
    let (count, spent, last, _) = counters(&sim, &token, buyer.id).await;
    assert_eq!(count, buyer.orders_count.to_string());
    assert_eq!(spent, buyer.amount_spent);
    assert_eq!(
        last,
        format!(
            "gid://shopify/Order/{}",
            buyer.last_order.unwrap_or_default()
        )
    );
}

#[tokio::test]
async fn paying_and_fulfilling_an_order_send_paid_and_fulfilled_webhooks() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let (_, created) = change(&sim, "orders", json!({})).await;
    let id = created["order"]["id"].as_i64().expect("id");
    let gid = json!({"id": format!("gid://shopify/Order/{id}")});
    let topics = |from: usize| -> Vec<String> {
        deliveries(&received)
            .into_iter()
            .skip(from)
            .map(|d| d.0)
            .collect()
    };
    assert_eq!(topics(0), ["orders/create"]);

    // Back to pending, then paid: `orders/paid` follows `orders/updated`.
    change(
        &sim,
        "orders",
        json!({"id": id, "financial_status": "pending"}),
    )
    .await;
    assert_eq!(topics(1), ["orders/updated"]);
    let (_, paid) = change(
        &sim,
        "orders",
        json!({"id": id, "financial_status": "paid"}),
    )
    .await;
    assert_eq!(topics(2), ["orders/updated", "orders/paid"]);
    let got = deliveries(&received);
    assert_eq!(got[3].2["financial_status"], "paid");
    assert_eq!(got[3].2, paid["order"]);

    // Fulfilling: `orders/fulfilled` after `orders/updated`, and only once.
    let (status, fulfilled) = change(&sim, "orders", json!({"id": id, "fulfill": true})).await;
    assert_eq!(status, 200, "{fulfilled}");
    assert_eq!(topics(4), ["orders/updated", "orders/fulfilled"]);
    assert_eq!(fulfilled["order"]["fulfillment_status"], "fulfilled");
    let got = deliveries(&received);
    assert_eq!(got[5].2["fulfillment_status"], "fulfilled");
    let body = gql(&sim, &token, ORDER, gid.clone()).await;
    assert_eq!(
        body["data"]["node"]["displayFulfillmentStatus"], "FULFILLED",
        "{body}"
    );
    assert_eq!(body["data"]["node"]["displayFinancialStatus"], "PAID");
    change(&sim, "orders", json!({"id": id, "fulfill": true})).await;
    assert_eq!(topics(6), ["orders/updated"]);
}
