//! Admin GraphQL over HTTP: answers, validation errors, cost, throttling, the single-query limit,
//! queued faults and revocation.

use serde_json::{Value as Json, json};

use super::support::*;

#[tokio::test]
async fn admin_graphql_answers_validates_and_reports_cost() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    let (status, body) = graphql(&sim, &token, "{ shop { id name myshopifyDomain currencyCode plan { displayName partnerDevelopment } primaryDomain { host } } ordersCount { count precision } }").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["shop"]["myshopifyDomain"], SHOP);
    assert_eq!(body["data"]["shop"]["name"], "Demo Store");
    assert!(
        body["data"]["shop"]["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("gid://shopify/Shop/"))
    );
    assert_eq!(body["data"]["shop"]["plan"]["partnerDevelopment"], true);
    assert_eq!(
        body["data"]["ordersCount"],
        json!({"count": 200, "precision": "EXACT"})
    );
    let cost = &body["extensions"]["cost"];
    assert_eq!(
        (
            cost["requestedQueryCost"].as_u64(),
            cost["actualQueryCost"].as_u64()
        ),
        (Some(4), Some(4))
    );
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 1000.0);
    assert_eq!(cost["throttleStatus"]["currentlyAvailable"], 996);
    assert_eq!(cost["throttleStatus"]["restoreRate"], 50.0);

    let (status, invalid) = graphql(&sim, &token, "{ shop { domain } }").await;
    assert_eq!(status, 200);
    assert_eq!(
        invalid["errors"][0]["message"],
        "Field 'domain' doesn't exist on type 'Shop'"
    );
    assert_eq!(invalid["errors"][0]["extensions"]["code"], "undefinedField");
    assert!(invalid.get("data").is_none());

    let (_, partial) = graphql(&sim, &token, "{ shop { name billingAddress { city } } }").await;
    assert_eq!(
        partial["errors"][0]["extensions"]["code"],
        "SIM_NOT_IMPLEMENTED"
    );
    assert_eq!(partial["data"]["shop"]["name"], "Demo Store");

    let url = format!("{}/admin/api/2019-04/graphql.json", sim.shop_base_url(SHOP));
    let old_version = client()
        .post(url)
        .header("X-Shopify-Access-Token", &token)
        .json(&json!({"query": "{ shop { name } }"}))
        .send()
        .await
        .expect("request");
    assert_eq!(old_version.status(), 404);
}

#[tokio::test]
async fn throttling_max_cost_and_faults() {
    let (sim, _) = sim_with(|c| {
        c.bucket_maximum = 100.0;
        c.restore_rate = 10.0;
        c.max_query_cost = 200;
    })
    .await;
    let token = offline_token(&sim).await;
    let expensive = "{ customers(first: 90) { nodes { id } } }";
    let (_, first) = graphql(&sim, &token, expensive).await;
    assert_eq!(first["extensions"]["cost"]["requestedQueryCost"], 92);
    assert_eq!(
        first["data"]["customers"]["nodes"].as_array().map(Vec::len),
        Some(50),
        "the demo shop's 50 customers"
    );
    let (status, throttled) = graphql(&sim, &token, expensive).await;
    assert_eq!(status, 200);
    assert_eq!(throttled["errors"][0]["extensions"]["code"], "THROTTLED");
    assert_eq!(
        throttled["extensions"]["cost"]["actualQueryCost"],
        Json::Null
    );
    let (_, too_big) = graphql(
        &sim,
        &token,
        "{ customers(first: 250) { nodes { id email } } }",
    )
    .await;
    assert_eq!(
        too_big["errors"][0]["extensions"]["code"],
        "MAX_COST_EXCEEDED"
    );
    sim.advance_clock(10);
    assert!(
        graphql(&sim, &token, expensive)
            .await
            .1
            .get("data")
            .is_some(),
        "the bucket refills"
    );

    let faults = format!("{}/_sim/shops/{SHOP}/faults", sim.base_url);
    let queued = client()
        .post(&faults)
        .json(&json!({"status": 503, "count": 2}))
        .send()
        .await
        .expect("faults");
    assert_eq!(queued.status(), 200);
    assert_eq!(graphql(&sim, &token, "{ shop { name } }").await.0, 503);
    assert_eq!(graphql(&sim, &token, "{ shop { name } }").await.0, 503);
    assert_eq!(graphql(&sim, &token, "{ shop { name } }").await.0, 200);
    let uninstall = client()
        .post(format!("{}/_sim/shops/{SHOP}/uninstall", sim.base_url))
        .send()
        .await
        .expect("uninstall");
    assert_eq!(uninstall.status(), 200);
    assert_eq!(graphql(&sim, &token, "{ shop { name } }").await.0, 401);
}

#[tokio::test]
async fn operations_are_chosen_like_shopify() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    let url = format!("{}/admin/api/2026-10/graphql.json", sim.shop_base_url(SHOP));
    let doc = "query A { shop { name } } query B { shop { email } }";
    let send = |body: Json| {
        let (url, token) = (url.clone(), token.clone());
        async move {
            let response = client()
                .post(url)
                .header("X-Shopify-Access-Token", token)
                .json(&body)
                .send()
                .await;
            response
                .expect("request")
                .json::<Json>()
                .await
                .expect("json")
        }
    };
    let unnamed = send(json!({"query": doc})).await;
    assert_eq!(
        unnamed["errors"][0]["message"],
        "An operation name is required"
    );
    let chosen = send(json!({"query": doc, "operationName": "B"})).await;
    assert_eq!(chosen["data"]["shop"]["email"], "hello@demo-store.example");
    let missing = send(json!({"query": doc, "operationName": "C"})).await;
    assert_eq!(missing["errors"][0]["message"], "No operation named \"C\"");
    let variables =
        send(json!({"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {}})).await;
    assert_eq!(
        variables["errors"][0]["message"],
        "Variable $id of type ID! was provided invalid value"
    );
    let raw = client()
        .post(&url)
        .header("X-Shopify-Access-Token", &token)
        .header("Content-Type", "application/graphql")
        .body("query Only { shop { myshopifyDomain } }")
        .send()
        .await
        .expect("request");
    assert_eq!(
        raw.json::<Json>().await.expect("json")["data"]["shop"]["myshopifyDomain"],
        SHOP
    );
    let empty = client()
        .post(&url)
        .header("X-Shopify-Access-Token", &token)
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(empty.status(), 400);
}
