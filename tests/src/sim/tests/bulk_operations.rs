//! Bulk query operations: validation, lifecycle, the streamed JSONL joining back to the store, the
//! `bulk_operations/finish` webhook, the running limit and failures from the control API.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value as Json, json};

use super::record_pages::gql;
use super::support::*;
use crate::sim::{ShopSpec, SimHandle};

const RUN: &str = "mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status createdAt }
    userErrors { field message code }
  }
}";

const CURRENT: &str = "{ currentBulkOperation(type: QUERY) { id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl type query } }";

const ORDERS_BULK: &str = "{ orders { edges { node { id name updatedAt customer { id } totalPriceSet { shopMoney { amount currencyCode } } lineItems { edges { node { id quantity sku variant { id } } } } } } } }";

pub(super) async fn run(sim: &SimHandle, token: &str, query: &str) -> Json {
    let body = gql(sim, token, RUN, json!({"query": query})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["bulkOperationRunQuery"].clone()
}

/// Polls `currentBulkOperation` until it is no longer CREATED or RUNNING.
pub(super) async fn finished(sim: &SimHandle, token: &str) -> Json {
    for _ in 0..6_000 {
        let body = gql(sim, token, CURRENT, json!({})).await;
        let op = body["data"]["currentBulkOperation"].clone();
        if op["status"] != "RUNNING" && op["status"] != "CREATED" {
            return op;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the bulk operation never finished");
}

fn webhooks(received: &Received, topic: &str) -> Vec<Json> {
    received
        .lock()
        .expect("lock")
        .iter()
        .filter(|(h, _)| h.get("x-shopify-topic").and_then(|v| v.to_str().ok()) == Some(topic))
        .map(|(_, body)| serde_json::from_slice(body).expect("json"))
        .collect()
}

#[tokio::test]
async fn a_bulk_query_completes_and_its_jsonl_joins_back_to_the_store() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let created = run(&sim, &token, ORDERS_BULK).await;
    assert_eq!(created["userErrors"], json!([]));
    assert_eq!(created["bulkOperation"]["status"], "CREATED");
    let id = created["bulkOperation"]["id"]
        .as_str()
        .expect("id")
        .to_string();

    let op = finished(&sim, &token).await;
    assert_eq!(op["status"], "COMPLETED", "{op}");
    assert_eq!(op["id"], id);
    assert_eq!(op["type"], "QUERY");
    let url = op["url"].as_str().expect("url");
    let text = client()
        .get(url)
        .send()
        .await
        .expect("file")
        .text()
        .await
        .expect("text");
    let lines: Vec<Json> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(op["objectCount"], lines.len().to_string());
    assert_eq!(op["fileSize"], text.len().to_string());

    let data = sim
        .state
        .with_shop(SHOP, |s| std::sync::Arc::clone(&s.data))
        .expect("shop");
    assert_eq!(op["rootObjectCount"], data.orders.len().to_string());
    let roots: Vec<&Json> = lines
        .iter()
        .filter(|l| l.get("__parentId").is_none())
        .collect();
    let children: Vec<&Json> = lines
        .iter()
        .filter(|l| l.get("__parentId").is_some())
        .collect();
    assert_eq!(roots.len(), data.orders.len());
    assert_eq!(children.len(), data.line_items.len());
    assert!(roots.iter().all(|r| r.get("lineItems").is_none()));
    // Every child follows its parent, and joins back to the order's line items exactly.
    let mut seen = std::collections::HashSet::new();
    let mut by_parent: HashMap<String, Vec<String>> = HashMap::new();
    for line in &lines {
        match line.get("__parentId") {
            None => {
                seen.insert(line["id"].as_str().expect("id").to_string());
            }
            Some(parent) => {
                let parent = parent.as_str().expect("parent").to_string();
                assert!(seen.contains(&parent), "child after its parent");
                by_parent
                    .entry(parent)
                    .or_default()
                    .push(line["id"].as_str().expect("id").to_string());
            }
        }
    }
    for order in &data.orders {
        let expected: Vec<String> = data
            .order_lines(order)
            .iter()
            .map(|l| format!("gid://shopify/LineItem/{}", l.id))
            .collect();
        let got = by_parent
            .get(&format!("gid://shopify/Order/{}", order.id))
            .cloned()
            .unwrap_or_default();
        assert_eq!(got, expected);
    }
    let first = roots[0];
    assert_eq!(first["name"], data.orders[0].name());

    let by_id = gql(
        &sim,
        &token,
        "query($id: ID!) { bulkOperation(id: $id) { status } node(id: $id) { ... on BulkOperation { rootObjectCount } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(by_id["data"]["bulkOperation"]["status"], "COMPLETED");
    assert_eq!(
        by_id["data"]["node"]["rootObjectCount"],
        data.orders.len().to_string()
    );

    let mut finish = Vec::new();
    for _ in 0..100 {
        finish = webhooks(&received, "bulk_operations/finish");
        if !finish.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(finish.len(), 1, "one signed finish webhook");
    assert_eq!(finish[0]["admin_graphql_api_id"], id);
    assert_eq!(finish[0]["status"], "completed");
    assert_eq!(finish[0]["type"], "query");
    assert_eq!(finish[0]["error_code"], Json::Null);
    assert!(finish[0]["completed_at"].is_string() && finish[0]["created_at"].is_string());
}

#[tokio::test]
async fn bulk_queries_are_checked_limited_filtered_and_can_fail() {
    let (sim, received) = sim_with(|c| c.bulk_operation_delay_ms = 60_000).await;
    let token = offline_token(&sim).await;
    for (query, code) in [
        ("{ shop { name } }", "INVALID"),
        ("{ orders { edges { node { nope } } } }", "INVALID"),
        (
            "{ customers { edges { node { id } } } orders { edges { node { id } } } }",
            "INVALID",
        ),
        ("not graphql", "INVALID"),
    ] {
        let answer = run(&sim, &token, query).await;
        assert_eq!(answer["bulkOperation"], Json::Null, "{query}");
        assert_eq!(answer["userErrors"][0]["code"], code, "{query}: {answer}");
    }
    let mut ids = Vec::new();
    for _ in 0..5 {
        let answer = run(&sim, &token, "{ customers { edges { node { id } } } }").await;
        assert_eq!(answer["userErrors"], json!([]));
        ids.push(
            answer["bulkOperation"]["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    let refused = run(&sim, &token, "{ products { edges { node { id } } } }").await;
    assert_eq!(refused["userErrors"][0]["code"], "OPERATION_IN_PROGRESS");
    let current = gql(&sim, &token, CURRENT, json!({})).await;
    assert_eq!(current["data"]["currentBulkOperation"]["status"], "RUNNING");

    let number = ids[4].rsplit('/').next().expect("number");
    let early = client()
        .get(format!(
            "{}/shops/{SHOP}/bulk_operations/{number}/result.jsonl",
            sim.base_url
        ))
        .send()
        .await
        .expect("file");
    assert_eq!(early.status(), 404, "no file before COMPLETED");
    let failed = client()
        .post(format!(
            "{}/_sim/shops/{SHOP}/bulk_operations/{number}/fail",
            sim.base_url
        ))
        .json(&json!({"error_code": "TIMEOUT"}))
        .send()
        .await
        .expect("fail");
    assert_eq!(failed.status(), 200);
    let op = finished(&sim, &token).await;
    assert_eq!(op["status"], "FAILED");
    assert_eq!(op["errorCode"], "TIMEOUT");
    assert_eq!(op["url"], Json::Null);
    let finish = webhooks(&received, "bulk_operations/finish");
    assert_eq!(finish.len(), 1);
    assert_eq!(finish[0]["status"], "failed");
    assert_eq!(finish[0]["error_code"], "timeout");

    let cancel = gql(
        &sim,
        &token,
        "mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }",
        json!({"id": ids[0]}),
    )
    .await;
    assert_eq!(
        cancel["data"]["bulkOperationCancel"]["bulkOperation"]["status"],
        "CANCELED"
    );
    let again = run(&sim, &token, "{ products { edges { node { id } } } }").await;
    assert_eq!(again["userErrors"], json!([]), "a slot freed up");
}

#[tokio::test]
async fn the_file_is_written_once_served_the_same_every_time_and_removed_with_the_shop() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    run(&sim, &token, ORDERS_BULK).await;
    let op = finished(&sim, &token).await;
    assert_eq!(op["status"], "COMPLETED", "{op}");
    let url = op["url"].as_str().expect("url");
    let mut reads = Vec::new();
    for _ in 0..2 {
        let response = client().get(url).send().await.expect("file");
        assert_eq!(response.status(), 200);
        reads.push(response.bytes().await.expect("bytes"));
    }
    assert!(!reads[0].is_empty());
    assert_eq!(reads[0], reads[1], "every read serves the same bytes");
    assert_eq!(op["fileSize"], reads[0].len().to_string());
    let lines = reads[0].iter().filter(|b| **b == b'\n').count();
    assert_eq!(op["objectCount"], lines.to_string());

    let path = sim
        .state
        .with_shop(SHOP, |s| {
            s.bulk
                .last()
                .and_then(|op| op.result.as_ref())
                .map(|file| file.path().to_path_buf())
        })
        .flatten()
        .expect("a file on disk");
    assert_eq!(
        std::fs::metadata(&path).expect("file").len().to_string(),
        op["fileSize"]
    );
    sim.create_demo_shop(ShopSpec::demo(SHOP, 42, 5, 10))
        .await
        .expect("replaced shop");
    assert!(
        !path.exists(),
        "replacing the shop removes {}",
        path.display()
    );
    let gone = client().get(url).send().await.expect("file");
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn a_filtered_bulk_query_holds_only_newer_records() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    let data = sim
        .state
        .with_shop(SHOP, |s| std::sync::Arc::clone(&s.data))
        .expect("shop");
    let mut updated: Vec<i64> = data.customers.iter().map(|c| c.updated_at).collect();
    updated.sort_unstable();
    let watermark = updated[updated.len() / 2];
    let query = format!(
        "{{ customers(query: \"updated_at:>'{}'\") {{ edges {{ node {{ id updatedAt }} }} }} }}",
        crate::sim::records::iso(watermark)
    );
    let answer = run(&sim, &token, &query).await;
    assert_eq!(answer["userErrors"], json!([]), "{answer}");
    let op = finished(&sim, &token).await;
    let text = client()
        .get(op["url"].as_str().expect("url"))
        .send()
        .await
        .expect("file")
        .text()
        .await
        .expect("text");
    let expected = data
        .customers
        .iter()
        .filter(|c| c.updated_at > watermark)
        .count();
    assert_eq!(text.lines().count(), expected);
}

#[tokio::test]
async fn a_big_result_streams_chunk_by_chunk() {
    big_result_streams(10_000).await;
}

/// The full-size check (about 4 minutes in a debug build): `cargo test -p ecomcrm-tests --lib
/// -- --ignored a_100k_order_result_streams`.
#[tokio::test]
#[ignore = "slow in debug builds"]
async fn a_100k_order_result_streams() {
    big_result_streams(100_000).await;
}

/// The server writes the file a page of orders at a time (never one body in memory); the client
/// reads it chunk by chunk without keeping it.
async fn big_result_streams(orders: u32) {
    let (sim, _) = sim().await;
    sim.create_demo_shop(ShopSpec::demo(SHOP, 7, orders / 5, orders))
        .await
        .expect("big shop");
    let token = offline_token(&sim).await;
    let answer = run(
        &sim,
        &token,
        "{ orders { edges { node { id lineItems { edges { node { id } } } } } } }",
    )
    .await;
    assert_eq!(answer["userErrors"], json!([]));
    let started = std::time::Instant::now();
    let op = finished(&sim, &token).await;
    eprintln!("{orders} orders written in {:?}", started.elapsed());
    assert_eq!(op["rootObjectCount"], orders.to_string());
    let serving = std::time::Instant::now();
    let mut response = client()
        .get(op["url"].as_str().expect("url"))
        .send()
        .await
        .expect("file");
    let (mut chunks, mut lines, mut bytes) = (0u64, 0u64, 0u64);
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        chunks += 1;
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    eprintln!(
        "{orders} orders: {lines} lines, {bytes} bytes served in {:?}",
        serving.elapsed()
    );
    assert!(
        u64::from(orders) / 200 <= chunks,
        "streamed in many pieces, not one body: {chunks}"
    );
    assert_eq!(op["objectCount"], lines.to_string());
    assert_eq!(op["fileSize"], bytes.to_string());
}
