//! Shop-specific webhook subscriptions over HTTP: `webhookSubscriptionCreate` with its
//! `userErrors`, the `webhookSubscriptions` connection and its cursors, the control endpoint,
//! uninstall, and the mutation mechanism (aliases, fragments, `@skip`, unknown mutations).

use serde_json::{Value as Json, json};

use super::support::*;
use crate::sim::{SimHandle, validate_admin_operation};

/// SHOPIFY.md §5.5, as the app sends it.
const CREATE: &str = "mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    userErrors { field message }
    webhookSubscription { id topic uri format includeFields filter metafieldNamespaces apiVersion { handle } createdAt updatedAt }
  }
}";

const LIST: &str = "query($first: Int, $after: String, $topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: $first, after: $after, topics: $topics) {
    edges { cursor node { id topic uri } }
    nodes { topic }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

async fn graphql_with(sim: &SimHandle, token: &str, query: &str, variables: Json) -> Json {
    let url = format!("{}/admin/api/2026-10/graphql.json", sim.shop_base_url(SHOP));
    let response = client()
        .post(url)
        .header("X-Shopify-Access-Token", token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn create(sim: &SimHandle, token: &str, topic: &str, uri: &str) -> Json {
    let variables = json!({"topic": topic, "webhookSubscription": {"uri": uri}});
    graphql_with(sim, token, CREATE, variables).await
}

async fn control_list(sim: &SimHandle) -> Vec<Json> {
    let url = format!("{}/_sim/shops/{SHOP}/webhook_subscriptions", sim.base_url);
    let body: Json = client()
        .get(url)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    body["webhook_subscriptions"]
        .as_array()
        .expect("a list")
        .clone()
}

#[test]
fn the_operations_used_here_are_valid_admin_graphql() {
    assert_eq!(validate_admin_operation(CREATE), Ok(()));
    assert_eq!(validate_admin_operation(LIST), Ok(()));
}

#[tokio::test]
async fn create_list_paginate_and_uninstall() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;

    // Create, with every input field the app uses.
    let variables = json!({"topic": "ORDERS_CREATE", "webhookSubscription": {
        "uri": "https://app.example.com/webhooks", "filter": "total_price:>100",
        "includeFields": ["id", "updated_at"]}});
    let body = graphql_with(&sim, &token, CREATE, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    let payload = &body["data"]["webhookSubscriptionCreate"];
    assert_eq!(payload["userErrors"], json!([]));
    let created = &payload["webhookSubscription"];
    let id = created["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("gid://shopify/WebhookSubscription/"), "{id}");
    assert_eq!(created["topic"], "ORDERS_CREATE");
    assert_eq!(created["uri"], "https://app.example.com/webhooks");
    assert_eq!(created["format"], "JSON");
    assert_eq!(created["filter"], "total_price:>100");
    assert_eq!(created["includeFields"], json!(["id", "updated_at"]));
    assert_eq!(created["metafieldNamespaces"], json!([]));
    assert_eq!(created["apiVersion"]["handle"], shared::SHOPIFY_API_VERSION);
    assert_eq!(created["createdAt"], created["updatedAt"]);
    assert_eq!(
        body["extensions"]["cost"]["requestedQueryCost"], 10,
        "a mutation field costs 10"
    );

    // The same topic and address again is refused; the stored list is unchanged.
    let duplicate = create(
        &sim,
        &token,
        "ORDERS_CREATE",
        "https://app.example.com/webhooks",
    )
    .await;
    let payload = &duplicate["data"]["webhookSubscriptionCreate"];
    assert_eq!(payload["webhookSubscription"], Json::Null);
    assert_eq!(
        payload["userErrors"],
        json!([{"field": ["webhookSubscription", "callbackUrl"],
            "message": "Address for this topic has already been taken"}])
    );
    // Plain HTTP is refused except to loopback, where the sim's app listens.
    let insecure = create(
        &sim,
        &token,
        "ORDERS_UPDATED",
        "http://app.example.com/hooks",
    )
    .await;
    assert_eq!(
        insecure["data"]["webhookSubscriptionCreate"]["userErrors"][0]["message"],
        "Address protocol http:// is not supported"
    );
    let blank = create(&sim, &token, "ORDERS_UPDATED", "").await;
    assert_eq!(
        blank["data"]["webhookSubscriptionCreate"]["userErrors"][0]["message"],
        "Address can't be blank"
    );
    let loopback = create(
        &sim,
        &token,
        "ORDERS_UPDATED",
        "http://127.0.0.1:9/webhooks",
    )
    .await;
    assert_eq!(
        loopback["data"]["webhookSubscriptionCreate"]["userErrors"],
        json!([])
    );

    // Several creates in one mutation: aliases, a fragment spread, an inline fragment on the
    // root, and a skipped field that must not run.
    let batch = "mutation($skip: Boolean!) {
      a: webhookSubscriptionCreate(topic: CUSTOMERS_CREATE, webhookSubscription: {uri: \"https://app.example.com/webhooks\"}) { ...P }
      b: webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: {uri: \"https://app.example.com/webhooks\"}) @skip(if: $skip) { ...P }
      ... on Mutation { c: webhookSubscriptionCreate(topic: CHECKOUTS_CREATE, webhookSubscription: {callbackUrl: \"https://app.example.com/webhooks\"}) { webhookSubscription { topic uri } } }
      __typename
    }
    fragment P on WebhookSubscriptionCreatePayload { webhookSubscription { id topic } userErrors { message } }";
    let body = graphql_with(&sim, &token, batch, json!({"skip": true})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let data = &body["data"];
    assert_eq!(data["__typename"], "Mutation");
    assert_eq!(
        data["a"]["webhookSubscription"]["topic"],
        "CUSTOMERS_CREATE"
    );
    assert_eq!(data["a"]["userErrors"], json!([]));
    assert!(data.get("b").is_none(), "skipped: {data}");
    assert_eq!(
        data["c"],
        json!({"webhookSubscription": {"topic": "CHECKOUTS_CREATE", "uri": "https://app.example.com/webhooks"}}),
        "the deprecated callbackUrl input still works"
    );
    let listed = control_list(&sim).await;
    let topics: Vec<&str> = listed.iter().filter_map(|s| s["topic"].as_str()).collect();
    assert_eq!(
        topics,
        [
            "ORDERS_CREATE",
            "ORDERS_UPDATED",
            "CUSTOMERS_CREATE",
            "CHECKOUTS_CREATE"
        ]
    );
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["include_fields"], json!(["id", "updated_at"]));
    assert_eq!(listed[0]["api_version"], shared::SHOPIFY_API_VERSION);

    // Pages of two with opaque cursors.
    let first = graphql_with(&sim, &token, LIST, json!({"first": 2})).await;
    let page = &first["data"]["webhookSubscriptions"];
    assert_eq!(
        page["nodes"],
        json!([{"topic": "ORDERS_CREATE"}, {"topic": "ORDERS_UPDATED"}])
    );
    assert_eq!(page["edges"][0]["node"]["id"], id);
    assert_eq!(page["pageInfo"]["endCursor"], page["edges"][1]["cursor"]);
    assert_eq!(
        (
            page["pageInfo"]["hasNextPage"].as_bool(),
            page["pageInfo"]["hasPreviousPage"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let after = page["pageInfo"]["endCursor"].clone();
    let second = graphql_with(&sim, &token, LIST, json!({"first": 2, "after": after})).await;
    let page = &second["data"]["webhookSubscriptions"];
    assert_eq!(
        page["nodes"],
        json!([{"topic": "CUSTOMERS_CREATE"}, {"topic": "CHECKOUTS_CREATE"}])
    );
    assert_eq!(
        (
            page["pageInfo"]["hasNextPage"].as_bool(),
            page["pageInfo"]["hasPreviousPage"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let filtered = graphql_with(
        &sim,
        &token,
        LIST,
        json!({"first": 10, "topics": ["CHECKOUTS_CREATE", "ORDERS_CREATE"]}),
    )
    .await;
    assert_eq!(
        filtered["data"]["webhookSubscriptions"]["nodes"],
        json!([{"topic": "ORDERS_CREATE"}, {"topic": "CHECKOUTS_CREATE"}])
    );
    let one = graphql_with(
        &sim,
        &token,
        "query($id: ID!) { webhookSubscription(id: $id) { topic endpoint { ... on WebhookHttpEndpoint { callbackUrl } } } }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(
        one["data"]["webhookSubscription"],
        json!({"topic": "ORDERS_CREATE", "endpoint": {"callbackUrl": "https://app.example.com/webhooks"}})
    );
    let (_, unbounded) = graphql(&sim, &token, "{ webhookSubscriptions { nodes { id } } }").await;
    assert_eq!(
        unbounded["errors"][0]["message"],
        "you must provide one of first or last"
    );

    // Uninstalling deletes the shop's subscriptions.
    let uninstall = client()
        .post(format!("{}/_sim/shops/{SHOP}/uninstall", sim.base_url))
        .send()
        .await
        .expect("uninstall");
    assert_eq!(uninstall.status(), 200);
    assert_eq!(control_list(&sim).await, Vec::<Json>::new());
    let missing = client()
        .get(format!(
            "{}/_sim/shops/nope.myshopify.com/webhook_subscriptions",
            sim.base_url
        ))
        .send()
        .await
        .expect("list");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn mutations_are_validated_scoped_and_bounded() {
    let (sim, _) = sim_with(|c| c.scopes = "read_products,write_customers".into()).await;
    let token = offline_token(&sim).await;

    let denied = create(
        &sim,
        &token,
        "ORDERS_CREATE",
        "https://app.example.com/webhooks",
    )
    .await;
    let payload = &denied["data"]["webhookSubscriptionCreate"];
    assert_eq!(payload["webhookSubscription"], Json::Null);
    assert_eq!(payload["userErrors"][0]["field"], json!(["topic"]));
    assert!(
        payload["userErrors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Access denied") && m.contains("read_orders")),
        "{payload}"
    );
    let allowed = create(
        &sim,
        &token,
        "CUSTOMERS_UPDATE",
        "https://app.example.com/webhooks",
    )
    .await;
    assert_eq!(
        allowed["data"]["webhookSubscriptionCreate"]["userErrors"],
        json!([]),
        "write_customers implies read_customers"
    );

    // Validation against the real schema still comes first: nothing runs, nothing is stored.
    let (_, invalid) = graphql(
        &sim,
        &token,
        "mutation { webhookSubscriptionCreate(topic: PRODUCTS_CREATE, webhookSubscription: {uri: \"https://a.example\"}) { webhookSubscription { address } } }",
    )
    .await;
    assert_eq!(
        invalid["errors"][0]["message"],
        "Field 'address' doesn't exist on type 'WebhookSubscription'"
    );
    assert!(invalid.get("data").is_none());
    let wrong_topic = create(&sim, &token, "ORDERS_EXPLODED", "https://app.example.com/x").await;
    assert_eq!(
        wrong_topic["errors"][0]["message"],
        "Variable $topic of type WebhookSubscriptionTopic! was provided invalid value"
    );
    assert_eq!(control_list(&sim).await.len(), 1);

    // A mutation the sim does not simulate answers null with SIM_NOT_IMPLEMENTED.
    let (_, unknown) = graphql(
        &sim,
        &token,
        "mutation { tagsAdd(id: \"gid://shopify/Customer/1\", tags: [\"vip\"]) { userErrors { message } } }",
    )
    .await;
    assert_eq!(unknown["data"]["tagsAdd"], Json::Null);
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "SIM_NOT_IMPLEMENTED"
    );
    assert_eq!(
        unknown["errors"][0]["message"],
        "shopify-sim does not implement Mutation.tagsAdd yet"
    );

    // Delete, then deleting again is a userError.
    let id = control_list(&sim).await[0]["id"].clone();
    let delete = "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }";
    let deleted = graphql_with(&sim, &token, delete, json!({"id": id})).await;
    assert_eq!(
        deleted["data"]["webhookSubscriptionDelete"],
        json!({"deletedWebhookSubscriptionId": id, "userErrors": []})
    );
    let again = graphql_with(&sim, &token, delete, json!({"id": id})).await;
    assert_eq!(
        again["data"]["webhookSubscriptionDelete"]["userErrors"][0]["field"],
        json!(["id"])
    );
    assert!(control_list(&sim).await.is_empty());
}

#[tokio::test]
async fn same_key_root_fields_merge_into_one_answer() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    let (_, body) = graphql(
        &sim,
        &token,
        "{ shop { name } ...S s: shop { email } } fragment S on QueryRoot { shop { myshopifyDomain } }",
    )
    .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(
        body["data"],
        json!({"shop": {"name": "Demo Store", "myshopifyDomain": SHOP},
            "s": {"email": "hello@demo-store.example"}})
    );
}
