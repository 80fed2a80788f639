//! Abandoned checkouts created and changed through the control API (`checkouts/create`,
//! `checkouts/update` keyed by token, shown by `abandonedCheckouts` and bulk files), and the
//! delivery modes on every webhook the newer changes send.

use serde_json::{Value as Json, json};

use super::bulk_operations::{finished, run};
use super::record_changes::{change, deliveries, now, since};
use super::record_pages::gql;
use super::support::*;
use crate::sim::SimHandle;
use crate::sim::changes::parse_amount;

const CHANGED_CHECKOUTS: &str = "query Changed($query: String) {
  abandonedCheckouts(first: 5, query: $query) {
    nodes { id name abandonedCheckoutUrl createdAt updatedAt completedAt customer { id }
      totalPriceSet { shopMoney { amount } } lineItems(first: 2) { nodes { quantity } } }
  }
}";

fn cents(text: &Json) -> i64 {
    parse_amount(text.as_str().expect("a decimal string"), 2).expect("an amount")
}

fn is_hex32(text: &Json) -> bool {
    text.as_str()
        .is_some_and(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()))
}

async fn changed_checkouts(sim: &SimHandle, token: &str, start: i64) -> Vec<Json> {
    let body = gql(sim, token, CHANGED_CHECKOUTS, since(start)).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["abandonedCheckouts"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone()
}

#[tokio::test]
async fn creating_and_changing_abandoned_checkouts_sends_checkout_webhooks() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let start = now(&sim) - 1;
    let (buyer, variant, generated) = sim
        .state
        .with_shop(SHOP, |s| {
            let buyer = s
                .data
                .customers
                .iter()
                .find(|c| c.email.is_some())
                .cloned()
                .expect("a customer with email");
            let g = s.records.base_checkout(0);
            (
                buyer,
                s.data.variants[0].clone(),
                (g.checkout.token_hex(), g.lines.len()),
            )
        })
        .expect("shop");

    // Created: keyed by token, one line of the first variant, the buyer attached.
    let (status, created) = change(&sim, "checkouts", json!({"customer_id": buyer.id})).await;
    assert_eq!(status, 200, "{created}");
    let checkout = created["checkout"].clone();
    assert_eq!(created["webhooks"][0]["topic"], "checkouts/create");
    assert!(checkout.get("id").is_none(), "no id since 2026-04");
    assert!(is_hex32(&checkout["token"]) && is_hex32(&checkout["cart_token"]));
    let hex = checkout["token"].as_str().expect("token").to_string();
    assert!(
        checkout["abandoned_checkout_url"]
            .as_str()
            .expect("url")
            .contains(&format!("/{hex}/recover")),
        "{checkout}"
    );
    assert_eq!(checkout["email"], buyer.email.as_deref().expect("email"));
    assert_eq!(checkout["customer"]["id"].as_i64(), Some(buyer.id));
    assert_eq!(checkout["currency"], "USD");
    assert_eq!(checkout["presentment_currency"], "USD");
    assert_eq!(checkout["completed_at"], Json::Null);
    assert_eq!(checkout["created_at"], checkout["updated_at"]);
    assert!(checkout["name"].as_str().expect("name").starts_with('#'));
    let line = &checkout["line_items"][0];
    assert_eq!(checkout["line_items"].as_array().map(Vec::len), Some(1));
    assert_eq!(line["variant_id"].as_i64(), Some(variant.id));
    assert!(line["product_id"].is_i64() && line["key"].is_string());
    assert_eq!(line["sku"], variant.sku.as_str());
    assert_eq!(line["variant_title"], variant.title.as_str());
    assert_eq!(line["quantity"], 1);
    assert_eq!(cents(&line["price"]), variant.price);
    for key in ["subtotal_price", "total_line_items_price", "total_price"] {
        assert_eq!(cents(&checkout[key]), variant.price, "{key}");
    }
    assert_eq!(checkout["total_tax"], "0.00");
    assert_eq!(checkout["total_discounts"], "0.00");
    let got = deliveries(&received);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "checkouts/create");
    assert_eq!(got[0].2, checkout);

    // GraphQL shows it, with the same recovery link.
    let nodes = changed_checkouts(&sim, &token, start).await;
    assert_eq!(nodes.len(), 1, "{nodes:?}");
    assert_eq!(
        nodes[0]["abandonedCheckoutUrl"],
        checkout["abandoned_checkout_url"]
    );
    assert_eq!(nodes[0]["name"], checkout["name"]);
    assert_eq!(
        nodes[0]["customer"]["id"],
        format!("gid://shopify/Customer/{}", buyer.id)
    );

    // Changed by token: more of the item, a typed email, completed.
    let (status, updated) = change(
        &sim,
        "checkouts",
        json!({"token": hex, "quantity": 3, "email": "typed@example.com", "complete": true}),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    let updated = updated["checkout"].clone();
    assert_eq!(updated["token"], hex.as_str());
    assert_eq!(updated["email"], "typed@example.com");
    assert_eq!(updated["created_at"], checkout["created_at"]);
    assert!(updated["updated_at"].as_str() > checkout["updated_at"].as_str());
    assert_eq!(updated["completed_at"], updated["updated_at"]);
    assert_eq!(updated["line_items"][0]["quantity"], 3);
    assert_eq!(cents(&updated["total_price"]), 3 * variant.price);
    let got = deliveries(&received);
    assert_eq!(got[1].0, "checkouts/update");
    assert_eq!(got[1].2, updated);
    let nodes = changed_checkouts(&sim, &token, start).await;
    assert_eq!(nodes[0]["completedAt"], updated["completed_at"]);
    assert_eq!(nodes[0]["lineItems"]["nodes"][0]["quantity"], 3);
    assert_eq!(
        cents(&nodes[0]["totalPriceSet"]["shopMoney"]["amount"]),
        3 * variant.price
    );

    // A generated checkout changes too, keeping its lines.
    let (status, changed) = change(
        &sim,
        "checkouts",
        json!({"token": generated.0, "email": "guest@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["checkout"]["token"], generated.0.as_str());
    assert_eq!(
        changed["checkout"]["line_items"].as_array().map(Vec::len),
        Some(generated.1)
    );
    assert_eq!(changed_checkouts(&sim, &token, start).await.len(), 2);

    // Bulk files show the changes.
    let created = run(
        &sim,
        &token,
        "{ abandonedCheckouts { edges { node { id abandonedCheckoutUrl completedAt } } } }",
    )
    .await;
    assert_eq!(created["userErrors"], json!([]), "{created}");
    let op = finished(&sim, &token).await;
    let text = client()
        .get(op["url"].as_str().expect("url"))
        .send()
        .await
        .expect("file")
        .text()
        .await
        .expect("text");
    let ours: Vec<Json> = text
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).expect("JSON line"))
        .filter(|l| l["abandonedCheckoutUrl"] == checkout["abandoned_checkout_url"])
        .collect();
    assert_eq!(ours.len(), 1, "{text}");
    assert_eq!(ours[0]["completedAt"], updated["completed_at"]);

    // Unknown token or customer, or no quantity.
    let (status, _) = change(&sim, "checkouts", json!({"token": "00".repeat(16)})).await;
    assert_eq!(status, 404);
    let (status, _) = change(&sim, "checkouts", json!({"customer_id": 1})).await;
    assert_eq!(status, 404);
    let (status, _) = change(&sim, "checkouts", json!({"quantity": 0})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn new_webhooks_are_dropped_duplicated_and_reordered_on_request() {
    let (sim, received) = sim().await;
    let topics = || -> Vec<String> { deliveries(&received).into_iter().map(|d| d.0).collect() };

    // Dropped checkout: nothing sent.
    let (_, dropped) = change(&sim, "checkouts", json!({"delivery": "drop"})).await;
    assert_eq!(dropped["webhooks"], json!([]));
    assert!(topics().is_empty());

    // Duplicated delete: the same delivery twice.
    let victim = sim
        .state
        .with_shop(SHOP, |s| s.data.customers[2].id)
        .expect("shop");
    change(
        &sim,
        "customers",
        json!({"id": victim, "delete": true, "delivery": "duplicate"}),
    )
    .await;
    let got = deliveries(&received);
    assert_eq!(topics(), ["customers/delete", "customers/delete"]);
    assert_eq!(got[0].1, got[1].1, "one webhook id");

    // Duplicated payment: each topic twice, in order.
    let (_, order) = change(&sim, "orders", json!({"delivery": "drop"})).await;
    let id = order["order"]["id"].as_i64().expect("id");
    change(
        &sim,
        "orders",
        json!({"id": id, "financial_status": "authorized", "delivery": "drop"}),
    )
    .await;
    change(
        &sim,
        "orders",
        json!({"id": id, "financial_status": "paid", "delivery": "duplicate"}),
    )
    .await;
    assert_eq!(
        topics()[2..],
        [
            "orders/updated",
            "orders/updated",
            "orders/paid",
            "orders/paid"
        ]
    );

    // Reordered fulfilment: held back until after the next change's webhook.
    let (_, held) = change(
        &sim,
        "orders",
        json!({"id": id, "fulfill": true, "delivery": "reorder"}),
    )
    .await;
    assert_eq!(held["webhooks"], json!([]));
    let hex = dropped["checkout"]["token"].as_str().expect("token");
    change(&sim, "checkouts", json!({"token": hex, "quantity": 2})).await;
    assert_eq!(
        topics()[6..],
        ["checkouts/update", "orders/updated", "orders/fulfilled"]
    );

    // A reordered checkout goes out on flush.
    change(
        &sim,
        "checkouts",
        json!({"token": hex, "complete": true, "delivery": "reorder"}),
    )
    .await;
    assert_eq!(topics().len(), 9);
    let flushed: Json = client()
        .post(format!("{}/_sim/shops/{SHOP}/webhooks/flush", sim.base_url))
        .send()
        .await
        .expect("flush")
        .json()
        .await
        .expect("json");
    assert_eq!(
        flushed["webhooks"][0]["topic"], "checkouts/update",
        "{flushed}"
    );
    assert_eq!(topics()[9..], ["checkouts/update"]);
}
