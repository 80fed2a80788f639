//! Record changes through the control API (`changes.rs`): the overlay shows in paginated queries
//! and `node`, and the matching webhooks reach the app normally, dropped, duplicated or reordered.

use axum::http::HeaderMap;
use serde_json::{Value as Json, json};

use super::record_pages::gql;
use super::support::*;
use crate::sim::SimHandle;

const CHANGED_CUSTOMERS: &str = "query Changed($query: String) {
  customers(first: 50, query: $query, sortKey: UPDATED_AT) {
    nodes { id firstName lastName email tags createdAt updatedAt }
  }
}";

const CHANGED_ORDERS: &str = "query Changed($query: String) {
  orders(first: 50, query: $query, sortKey: UPDATED_AT) {
    nodes { id name updatedAt cancelledAt displayFinancialStatus customer { id }
      totalRefundedSet { shopMoney { amount } } }
  }
}";

const NODE: &str = "query Node($id: ID!) { node(id: $id) { id ... on Customer { firstName lastName updatedAt } } }";

pub(super) async fn change(sim: &SimHandle, kind: &str, body: Json) -> (u16, Json) {
    let url = format!("{}/_sim/shops/{SHOP}/{kind}", sim.base_url);
    let response = client()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Json::Null))
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// `(topic, webhook id, payload)` of every delivery the fake app got, in arrival order.
pub(super) fn deliveries(received: &Received) -> Vec<(String, String, Json)> {
    received
        .lock()
        .expect("lock")
        .iter()
        .map(|(headers, body)| {
            let payload: Json = serde_json::from_slice(body).expect("payload is JSON");
            (
                header(headers, "x-shopify-topic"),
                header(headers, "x-shopify-webhook-id"),
                payload,
            )
        })
        .collect()
}

/// The query filter for records changed after `since` (unix seconds).
pub(super) fn since(t: i64) -> Json {
    json!({"query": format!("updated_at:>'{}'", crate::sim::records::iso(t))})
}

pub(super) fn now(sim: &SimHandle) -> i64 {
    sim.state.now().timestamp()
}

#[tokio::test]
async fn created_and_updated_customers_show_in_queries_and_webhooks() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let start = now(&sim) - 1;

    let (status, created) = change(
        &sim,
        "customers",
        json!({"first_name": "Ada", "last_name": "Byron", "email": "ada@example.com", "tags": ["VIP"]}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let customer = &created["customer"];
    let id = customer["id"].as_i64().expect("64-bit id");
    assert_eq!(
        customer["admin_graphql_api_id"],
        format!("gid://shopify/Customer/{id}")
    );
    assert_eq!(created["webhooks"][0]["topic"], "customers/create");
    assert_eq!(created["webhooks"][0]["delivered"], true);

    let got = deliveries(&received);
    assert_eq!(got.len(), 1);
    let (topic, _, payload) = &got[0];
    assert_eq!(topic, "customers/create");
    assert_eq!(payload["id"].as_i64(), Some(id));
    assert_eq!(payload["email"], "ada@example.com");
    assert_eq!(payload["first_name"], "Ada");
    assert!(
        payload.get("tags").is_none(),
        "no tags in customer webhooks since 2025-01"
    );
    assert_eq!(payload["state"], "disabled");
    assert_eq!(payload["currency"], "USD");
    assert!(payload["addresses"].is_array());
    assert!(payload.get("default_address").is_some());
    assert_eq!(payload["created_at"], payload["updated_at"]);

    let body = gql(&sim, &token, CHANGED_CUSTOMERS, since(start)).await;
    let nodes = body["data"]["customers"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    assert_eq!(nodes.len(), 1, "{body}");
    assert_eq!(nodes[0]["id"], format!("gid://shopify/Customer/{id}"));
    assert_eq!(nodes[0]["firstName"], "Ada");
    assert_eq!(nodes[0]["tags"], json!(["VIP"]));
    let created_at = nodes[0]["updatedAt"]
        .as_str()
        .expect("updatedAt")
        .to_string();

    // Update it: a strictly newer updated_at, the same created_at, `customers/update`.
    let (status, updated) = change(
        &sim,
        "customers",
        json!({"id": id, "last_name": "Lovelace"}),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    let got = deliveries(&received);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].0, "customers/update");
    assert_eq!(got[1].2["last_name"], "Lovelace");
    assert_eq!(got[1].2["first_name"], "Ada");
    assert_eq!(got[1].2["created_at"], got[0].2["created_at"]);
    let body = gql(
        &sim,
        &token,
        NODE,
        json!({"id": format!("gid://shopify/Customer/{id}")}),
    )
    .await;
    let node = &body["data"]["node"];
    assert_eq!(node["lastName"], "Lovelace", "{body}");
    assert!(node["updatedAt"].as_str().expect("updatedAt") > created_at.as_str());

    // A generated customer can be changed too; the overlay replaces it in queries.
    let generated = sim
        .state
        .with_shop(SHOP, |s| s.data.customers[3].clone())
        .expect("shop");
    let (status, changed) = change(
        &sim,
        "customers",
        json!({"id": generated.id, "first_name": "Zed"}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["customer"]["last_name"], generated.last_name);
    assert!(
        changed["customer"]["updated_at"].as_str()
            > Some(crate::sim::records::iso(generated.updated_at).as_str())
    );
    let body = gql(&sim, &token, CHANGED_CUSTOMERS, since(start)).await;
    let nodes = body["data"]["customers"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    let ids: Vec<&str> = nodes
        .iter()
        .map(|n| n["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        ids,
        [
            format!("gid://shopify/Customer/{id}"),
            format!("gid://shopify/Customer/{}", generated.id)
        ],
        "oldest change first"
    );
    assert_eq!(nodes[1]["firstName"], "Zed");

    let (status, missing) = change(&sim, "customers", json!({"id": 1, "first_name": "X"})).await;
    assert_eq!(status, 404, "{missing}");
    let (status, bad) = change(&sim, "customers", json!({"tags": ["not-a-tag"]})).await;
    assert_eq!(status, 400, "{bad}");
}

#[tokio::test]
async fn dropped_duplicated_and_reordered_deliveries() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let start = now(&sim) - 1;

    // Dropped: nothing reaches the app, but queries show the change.
    let (status, dropped) = change(
        &sim,
        "customers",
        json!({"first_name": "Drop", "delivery": "drop"}),
    )
    .await;
    assert_eq!(status, 200, "{dropped}");
    assert_eq!(dropped["webhooks"], json!([]));
    assert!(deliveries(&received).is_empty());
    let dropped_id = dropped["customer"]["id"].as_i64().expect("id");
    let body = gql(&sim, &token, CHANGED_CUSTOMERS, since(start)).await;
    assert_eq!(
        body["data"]["customers"]["nodes"][0]["id"],
        format!("gid://shopify/Customer/{dropped_id}"),
        "{body}"
    );

    // Duplicated: the same delivery twice.
    let (status, duplicated) = change(
        &sim,
        "customers",
        json!({"first_name": "Dup", "delivery": "duplicate"}),
    )
    .await;
    assert_eq!(status, 200, "{duplicated}");
    let got = deliveries(&received);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].1, got[1].1, "one webhook id");
    assert_eq!(got[0].2, got[1].2);
    assert_eq!(duplicated["webhooks"].as_array().map(Vec::len), Some(2));

    // Reordered: held back, then sent after the next change's delivery.
    let (_, first) = change(
        &sim,
        "customers",
        json!({"first_name": "First", "delivery": "reorder"}),
    )
    .await;
    assert_eq!(first["webhooks"], json!([]));
    assert_eq!(deliveries(&received).len(), 2);
    let (_, second) = change(&sim, "customers", json!({"first_name": "Second"})).await;
    let got = deliveries(&received);
    assert_eq!(got.len(), 4);
    assert_eq!(got[2].2["first_name"], "Second");
    assert_eq!(got[3].2["first_name"], "First");
    assert!(
        got[3].2["updated_at"].as_str() < got[2].2["updated_at"].as_str(),
        "older change arrives last"
    );
    assert_eq!(second["webhooks"].as_array().map(Vec::len), Some(2));

    // Or on flush.
    change(
        &sim,
        "customers",
        json!({"first_name": "Held", "delivery": "reorder"}),
    )
    .await;
    assert_eq!(deliveries(&received).len(), 4);
    let flushed: Json = client()
        .post(format!("{}/_sim/shops/{SHOP}/webhooks/flush", sim.base_url))
        .send()
        .await
        .expect("flush")
        .json()
        .await
        .expect("json");
    assert_eq!(
        flushed["webhooks"][0]["topic"], "customers/create",
        "{flushed}"
    );
    let got = deliveries(&received);
    assert_eq!(got.len(), 5);
    assert_eq!(got[4].2["first_name"], "Held");

    // Every delivery is in the request log.
    let logged = sim
        .requests()
        .iter()
        .filter(|r| r.method == "WEBHOOK")
        .count();
    assert_eq!(logged, 5);
}

#[tokio::test]
async fn order_changes_send_order_and_refund_webhooks() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let start = now(&sim) - 1;
    let (order_id, customer_id) = sim
        .state
        .with_shop(SHOP, |s| {
            let records = s.records.clone();
            let o = records.base_order(5);
            (o.order.id, records.store.customers[0].id)
        })
        .expect("shop");

    let (status, cancelled) = change(
        &sim,
        "orders",
        json!({"id": order_id, "cancel": true, "refund": {"amount": "5.00"}}),
    )
    .await;
    assert_eq!(status, 200, "{cancelled}");
    let got = deliveries(&received);
    let topics: Vec<&str> = got.iter().map(|d| d.0.as_str()).collect();
    assert_eq!(
        topics,
        ["orders/updated", "orders/cancelled", "refunds/create"]
    );
    let order = &got[0].2;
    assert_eq!(order["id"].as_i64(), Some(order_id));
    assert_eq!(
        order["admin_graphql_api_id"],
        format!("gid://shopify/Order/{order_id}")
    );
    assert!(order["cancelled_at"].is_string());
    assert_eq!(order["cancel_reason"], "customer");
    assert!(order["line_items"][0]["id"].is_i64());
    let refund = &got[2].2;
    assert_eq!(refund["order_id"].as_i64(), Some(order_id));
    assert_eq!(refund["transactions"][0]["amount"], "5.00");
    assert!(refund["id"].is_i64());

    let body = gql(&sim, &token, CHANGED_ORDERS, since(start)).await;
    let nodes = &body["data"]["orders"]["nodes"];
    assert_eq!(
        nodes[0]["id"],
        format!("gid://shopify/Order/{order_id}"),
        "{body}"
    );
    assert!(nodes[0]["cancelledAt"].is_string());

    let (status, created) = change(&sim, "orders", json!({"customer_id": customer_id})).await;
    assert_eq!(status, 200, "{created}");
    let got = deliveries(&received);
    assert_eq!(got.len(), 4);
    assert_eq!(got[3].0, "orders/create");
    assert_eq!(got[3].2["customer"]["id"].as_i64(), Some(customer_id));
    assert_eq!(got[3].2["financial_status"], "paid");
    let new_id = got[3].2["id"].as_i64().expect("id");
    let body = gql(&sim, &token, CHANGED_ORDERS, since(start)).await;
    let nodes = &body["data"]["orders"]["nodes"];
    assert_eq!(
        nodes[1]["id"],
        format!("gid://shopify/Order/{new_id}"),
        "{body}"
    );
    assert_eq!(
        nodes[1]["customer"]["id"],
        format!("gid://shopify/Customer/{customer_id}")
    );
}
