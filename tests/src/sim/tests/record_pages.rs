//! Paginated record connections (`customers`, `orders`, `products`, `abandonedCheckouts`): a full
//! walk equals the store, delta queries by `updated_at`, sort orders, cursors, and throttling.

use serde_json::{Value as Json, json};

use super::support::*;
use crate::sim::validate_admin_operation;

const CUSTOMERS: &str = "query Customers($after: String, $query: String, $sortKey: CustomerSortKeys, $reverse: Boolean) {
  customers(first: 7, after: $after, query: $query, sortKey: $sortKey, reverse: $reverse) {
    edges { cursor node { id firstName lastName email phone state tags createdAt updatedAt numberOfOrders
      amountSpent { amount currencyCode }
      defaultAddress { address1 city province country countryCodeV2 zip }
      emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
      smsMarketingConsent { marketingState } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

const ORDERS: &str = "query Orders($after: String, $query: String) {
  orders(first: 25, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id name email customer { id } createdAt processedAt updatedAt cancelledAt cancelReason
      displayFinancialStatus displayFulfillmentStatus currencyCode
      totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalDiscountsSet { shopMoney { amount currencyCode } }
      totalRefundedSet { shopMoney { amount currencyCode } }
      lineItems(first: 50) { nodes { id title quantity sku variant { id } product { id }
        originalUnitPriceSet { shopMoney { amount currencyCode } } } }
      refunds { id createdAt totalRefundedSet { shopMoney { amount } } } }
    pageInfo { hasNextPage endCursor }
  }
}";

const PRODUCTS: &str = "query Products($after: String) {
  products(first: 10, after: $after) {
    nodes { id title handle status vendor productType tags createdAt updatedAt
      featuredImage { url }
      variants(first: 20) { nodes { id title sku price } }
      images(first: 5) { nodes { id url altText } } }
    pageInfo { hasNextPage endCursor }
  }
}";

const CHECKOUTS: &str = "query Checkouts($after: String) {
  abandonedCheckouts(first: 20, after: $after) {
    edges { cursor node { id abandonedCheckoutUrl createdAt updatedAt completedAt customer { id }
      totalPriceSet { shopMoney { amount } }
      lineItems(first: 20) { nodes { id title quantity variant { id } } } } }
    pageInfo { hasNextPage endCursor }
  }
}";

/// Admin GraphQL with variables.
pub async fn gql(sim: &crate::sim::SimHandle, token: &str, query: &str, variables: Json) -> Json {
    validate_admin_operation(query).expect("the document validates against the real schema");
    let url = format!("{}/admin/api/2026-10/graphql.json", sim.shop_base_url(SHOP));
    client()
        .post(url)
        .header("X-Shopify-Access-Token", token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// Walks a connection to its end, returning every node.
async fn walk(
    sim: &crate::sim::SimHandle,
    token: &str,
    query: &str,
    root: &str,
    mut variables: Json,
) -> Vec<Json> {
    let mut out = Vec::new();
    loop {
        let body = gql(sim, token, query, variables.clone()).await;
        assert!(body.get("errors").is_none(), "{body}");
        let connection = &body["data"][root];
        let nodes: Vec<Json> = match connection.get("nodes") {
            Some(Json::Array(nodes)) => nodes.clone(),
            _ => connection["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"].clone())
                .collect(),
        };
        out.extend(nodes);
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            return out;
        }
        variables["after"] = connection["pageInfo"]["endCursor"].clone();
    }
}

fn ids(nodes: &[Json]) -> Vec<String> {
    nodes
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_string())
        .collect()
}

fn iso(t: i64) -> String {
    crate::sim::records::iso(t)
}

#[tokio::test]
async fn paging_through_every_connection_equals_the_store() {
    let (sim, _) = sim_with(|c| {
        // Whole pages with every field cost more than Shopify's 1000-point cap; this test
        // is about contents, the throttling test about cost.
        c.bucket_maximum = 100_000.0;
        c.restore_rate = 100_000.0;
        c.max_query_cost = 100_000;
    })
    .await;
    let token = offline_token(&sim).await;
    let data = sim
        .state
        .with_shop(SHOP, |s| std::sync::Arc::clone(&s.data))
        .expect("shop");

    let customers = walk(&sim, &token, CUSTOMERS, "customers", json!({})).await;
    let expected: Vec<String> = data
        .customers
        .iter()
        .map(|c| format!("gid://shopify/Customer/{}", c.id))
        .collect();
    assert_eq!(ids(&customers), expected, "ID order, every customer once");
    let first = &data.customers[0];
    assert_eq!(customers[0]["firstName"], first.first_name);
    assert_eq!(
        customers[0]["numberOfOrders"],
        first.orders_count.to_string()
    );
    assert_eq!(customers[0]["updatedAt"], iso(first.updated_at));
    assert!(customers[0]["amountSpent"]["amount"].is_string());

    let orders = walk(&sim, &token, ORDERS, "orders", json!({})).await;
    assert_eq!(orders.len(), data.orders.len());
    let mut by_updated: Vec<_> = data.orders.iter().collect();
    by_updated.sort_by_key(|o| (o.updated_at, o.id));
    let expected: Vec<String> = by_updated
        .iter()
        .map(|o| format!("gid://shopify/Order/{}", o.id))
        .collect();
    assert_eq!(ids(&orders), expected, "UPDATED_AT order");
    let lines: usize = orders
        .iter()
        .map(|o| o["lineItems"]["nodes"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(lines, data.line_items.len());
    let refunds: usize = orders
        .iter()
        .map(|o| o["refunds"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(refunds, data.refunds.len());
    let sample = by_updated[0];
    assert_eq!(orders[0]["name"], sample.name());
    assert_eq!(
        orders[0]["totalPriceSet"]["shopMoney"]["amount"],
        data.currency.format(sample.total_price())
    );

    let products = walk(&sim, &token, PRODUCTS, "products", json!({})).await;
    assert_eq!(products.len(), data.products.len());
    let variants: usize = products
        .iter()
        .map(|p| p["variants"]["nodes"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(variants, data.variants.len());
    assert!(products[0]["images"]["nodes"][0]["url"].is_string());

    let checkouts = walk(&sim, &token, CHECKOUTS, "abandonedCheckouts", json!({})).await;
    assert_eq!(checkouts.len(), data.abandoned_checkouts.len());
    assert!(
        checkouts[0]["abandonedCheckoutUrl"]
            .as_str()
            .is_some_and(|u| u.contains("/checkouts/ac/"))
    );
}

#[tokio::test]
async fn delta_queries_return_only_newer_records_and_cursors_work_both_ways() {
    let (sim, _) = sim_with(|c| {
        // Whole pages with every field cost more than Shopify's 1000-point cap; this test
        // is about contents, the throttling test about cost.
        c.bucket_maximum = 100_000.0;
        c.restore_rate = 100_000.0;
        c.max_query_cost = 100_000;
    })
    .await;
    let token = offline_token(&sim).await;
    let data = sim
        .state
        .with_shop(SHOP, |s| std::sync::Arc::clone(&s.data))
        .expect("shop");
    let mut updated: Vec<i64> = data.orders.iter().map(|o| o.updated_at).collect();
    updated.sort_unstable();
    let watermark = updated[updated.len() / 2];
    for (op, keep) in [(">", false), (">=", true)] {
        let query = format!("updated_at:{op}'{}'", iso(watermark));
        let orders = walk(&sim, &token, ORDERS, "orders", json!({"query": query})).await;
        let mut expected: Vec<_> = data
            .orders
            .iter()
            .filter(|o| o.updated_at > watermark || (keep && o.updated_at == watermark))
            .collect();
        expected.sort_by_key(|o| (o.updated_at, o.id));
        let expected: Vec<String> = expected
            .iter()
            .map(|o| format!("gid://shopify/Order/{}", o.id))
            .collect();
        assert!(!expected.is_empty() && expected.len() < data.orders.len());
        assert_eq!(ids(&orders), expected, "updated_at:{op}");
    }

    let newest = walk(
        &sim,
        &token,
        CUSTOMERS,
        "customers",
        json!({"sortKey": "UPDATED_AT", "reverse": true}),
    )
    .await;
    let mut expected: Vec<_> = data.customers.iter().collect();
    expected.sort_by_key(|c| std::cmp::Reverse((c.updated_at, c.id)));
    assert_eq!(
        ids(&newest),
        expected
            .iter()
            .map(|c| format!("gid://shopify/Customer/{}", c.id))
            .collect::<Vec<_>>()
    );

    let backward = "query($before: String) { customers(last: 5, before: $before) { nodes { id } pageInfo { hasPreviousPage hasNextPage startCursor } } }";
    let end = gql(&sim, &token, backward, json!({})).await;
    let last_five: Vec<String> = data.customers[data.customers.len() - 5..]
        .iter()
        .map(|c| format!("gid://shopify/Customer/{}", c.id))
        .collect();
    let page = end["data"]["customers"]["nodes"].as_array().expect("nodes");
    assert_eq!(ids(page), last_five);
    assert_eq!(
        end["data"]["customers"]["pageInfo"]["hasPreviousPage"],
        true
    );
    let before = end["data"]["customers"]["pageInfo"]["startCursor"].clone();
    let previous = gql(&sim, &token, backward, json!({"before": before})).await;
    let page = previous["data"]["customers"]["nodes"]
        .as_array()
        .expect("nodes");
    assert_eq!(
        ids(page),
        data.customers[data.customers.len() - 10..data.customers.len() - 5]
            .iter()
            .map(|c| format!("gid://shopify/Customer/{}", c.id))
            .collect::<Vec<_>>()
    );

    let bad = gql(
        &sim,
        &token,
        "{ customers(first: 5, after: \"nope\") { nodes { id } } }",
        json!({}),
    )
    .await;
    assert!(
        bad["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("cursor"))
    );
    let node = gql(
        &sim,
        &token,
        "query($id: ID!) { node(id: $id) { id ... on Order { name } } }",
        json!({"id": format!("gid://shopify/Order/{}", data.orders[3].id)}),
    )
    .await;
    assert_eq!(node["data"]["node"]["name"], data.orders[3].name());
}

#[tokio::test]
async fn paging_drains_the_bucket_until_throttled() {
    let (sim, _) = sim_with(|c| {
        c.bucket_maximum = 400.0;
        c.restore_rate = 10.0;
    })
    .await;
    let token = offline_token(&sim).await;
    // 2 + 50 × (1 node + 1 customer) = 102 points a page: three pages drain a 400-point bucket.
    let query = "query($after: String) { orders(first: 50, after: $after) { nodes { id customer { id } } pageInfo { hasNextPage endCursor } } }";
    let mut after = Json::Null;
    let mut throttled = None;
    for _ in 0..20 {
        let body = gql(&sim, &token, query, json!({"after": after})).await;
        if body["errors"][0]["extensions"]["code"] == "THROTTLED" {
            throttled = Some(body);
            break;
        }
        assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 102);
        after = body["data"]["orders"]["pageInfo"]["endCursor"].clone();
    }
    let throttled = throttled.expect("the bucket ran dry");
    assert_eq!(
        throttled["extensions"]["cost"]["actualQueryCost"],
        Json::Null
    );
    assert!(
        throttled["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
            .as_i64()
            .is_some_and(|n| n < 102)
    );
    sim.advance_clock(10);
    let resumed = gql(&sim, &token, query, json!({"after": after})).await;
    assert!(resumed.get("errors").is_none(), "{resumed}");
}
