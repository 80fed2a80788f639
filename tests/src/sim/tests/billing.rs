//! The Billing API over HTTP: `appSubscriptionCreate` (SHOPIFY.md §8.2) and its `userErrors`, the
//! confirmation page and its Approve/Decline forms, `activeSubscriptions`/`allSubscriptions`,
//! replacement, usage records (idempotent, capped), cancel, the control API, and the signed
//! `app_subscriptions/update` deliveries.

use std::time::Duration;

use serde_json::{Value as Json, json};

use super::support::*;
use crate::sim::{SimHandle, validate_admin_operation};

/// SHOPIFY.md §8.2, exactly as the app sends it.
const CREATE: &str = "mutation AppSubscriptionCreate(
  $name: String!
  $returnUrl: URL!
  $test: Boolean
  $trialDays: Int
  $replacementBehavior: AppSubscriptionReplacementBehavior
  $lineItems: [AppSubscriptionLineItemInput!]!
) {
  appSubscriptionCreate(
    name: $name
    returnUrl: $returnUrl
    test: $test
    trialDays: $trialDays
    replacementBehavior: $replacementBehavior
    lineItems: $lineItems
  ) {
    appSubscription { id name test status trialDays createdAt currentPeriodEnd returnUrl
      lineItems { id plan { pricingDetails {
        ... on AppRecurringPricing { price { amount currencyCode } interval
              discount { durationLimitInIntervals remainingDurationInIntervals priceAfterDiscount { amount }
                         value { ... on AppSubscriptionDiscountAmount { amount { amount currencyCode } }
                                 ... on AppSubscriptionDiscountPercentage { percentage } } } }
        ... on AppUsagePricing { balanceUsed { amount currencyCode } cappedAmount { amount currencyCode } terms } } } } }
    confirmationUrl
    userErrors { field message }
  }
}";

const INSTALLATION: &str = "query($first: Int!, $after: String) {
  currentAppInstallation {
    accessScopes { handle }
    launchUrl
    activeSubscriptions { id name status test trialDays currentPeriodEnd
      lineItems { id plan { pricingDetails { __typename
        ... on AppUsagePricing { balanceUsed { amount } cappedAmount { amount currencyCode } terms } } } } }
    allSubscriptions(first: $first, after: $after) {
      nodes { id status }
      edges { cursor node { name } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}";

/// The app's own listing: newest first, through a fragment.
const NEWEST: &str = "query AppSubscriptions { currentAppInstallation { allSubscriptions(first: 25, reverse: true) { nodes { ...S } } } }
fragment S on AppSubscription { id name lineItems { id plan { pricingDetails { __typename ... on AppUsagePricing { cappedAmount { amount currencyCode } } } } } }";

const NODE: &str =
    "query($id: ID!) { node(id: $id) { id ... on AppSubscription { name status } } }";

const USAGE: &str = "mutation appUsageRecordCreate($description: String!, $price: MoneyInput!, $subscriptionLineItemId: ID!, $idempotencyKey: String) {
  appUsageRecordCreate(description: $description, price: $price, subscriptionLineItemId: $subscriptionLineItemId, idempotencyKey: $idempotencyKey) {
    userErrors { field message }
    appUsageRecord { id description idempotencyKey price { amount currencyCode } }
  }
}";

const CANCEL: &str = "mutation appSubscriptionCancel($id: ID!, $prorate: Boolean) {
  appSubscriptionCancel(id: $id, prorate: $prorate) { appSubscription { id status } userErrors { field message } }
}";

async fn call(sim: &SimHandle, token: &str, query: &str, variables: Json) -> Json {
    let url = format!("{}/admin/api/2026-10/graphql.json", sim.shop_base_url(SHOP));
    let response = client()
        .post(url)
        .header("X-Shopify-Access-Token", token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let body: Json = response.json().await.expect("json");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn pro(name: &str, return_url: &str) -> Json {
    json!({"name": name, "returnUrl": return_url, "test": true, "trialDays": 7,
        "replacementBehavior": "STANDARD",
        "lineItems": [
            {"plan": {"appRecurringPricingDetails": {"interval": "EVERY_30_DAYS", "price": {"amount": 10.0, "currencyCode": "USD"},
                "discount": {"durationLimitInIntervals": 3, "value": {"percentage": 0.5}}}}},
            {"plan": {"appUsagePricingDetails": {"terms": "$1 per 1000 emails", "cappedAmount": {"amount": 20.0, "currencyCode": "USD"}}}}]})
}

/// Creates a subscription; its payload.
async fn create(sim: &SimHandle, token: &str, variables: Json) -> Json {
    call(sim, token, CREATE, variables).await["appSubscriptionCreate"].clone()
}

async fn billing_state(sim: &SimHandle) -> Json {
    let url = format!("{}/_sim/shops/{SHOP}/billing", sim.base_url);
    client()
        .get(url)
        .send()
        .await
        .expect("billing")
        .json()
        .await
        .expect("json")
}

/// The `app_subscriptions/update` bodies the fake app got, waiting up to 5 s for `count`.
async fn deliveries(received: &Received, count: usize) -> Vec<Json> {
    for _ in 0..100 {
        let bodies: Vec<Json> = received
            .lock()
            .expect("lock")
            .iter()
            .filter(|(h, _)| h["x-shopify-topic"] == "app_subscriptions/update")
            .map(|(_, b)| serde_json::from_slice(b).expect("json body"))
            .collect();
        if bodies.len() >= count {
            return bodies;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {count} app_subscriptions/update deliveries");
}

fn number(id: &str) -> String {
    id.rsplit('/').next().expect("number").to_string()
}

#[test]
fn the_operations_used_here_are_valid_admin_graphql() {
    for document in [CREATE, INSTALLATION, NEWEST, NODE, USAGE, CANCEL] {
        assert_eq!(validate_admin_operation(document), Ok(()), "{document}");
    }
}

#[tokio::test]
async fn create_confirm_approve_and_query() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let return_url = "https://admin.shopify.com/store/demo-store/apps/test-key?from=billing";
    let payload = create(&sim, &token, pro("Pro", return_url)).await;
    assert_eq!(payload["userErrors"], json!([]));
    let sub = &payload["appSubscription"];
    let id = sub["id"].as_str().expect("id").to_string();
    assert!(id.starts_with("gid://shopify/AppSubscription/"), "{id}");
    let n = number(&id);
    assert_eq!(
        (
            &sub["name"],
            &sub["status"],
            &sub["test"],
            &sub["trialDays"]
        ),
        (&json!("Pro"), &json!("PENDING"), &json!(true), &json!(7))
    );
    assert_eq!(sub["currentPeriodEnd"], Json::Null);
    assert_eq!(sub["returnUrl"], return_url);
    let items = sub["lineItems"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let item_id = items[1]["id"].as_str().expect("line item id");
    assert!(
        item_id.starts_with("gid://shopify/AppSubscriptionLineItem/")
            && item_id.ends_with("?v=1&index=1"),
        "{item_id}"
    );
    let recurring = &items[0]["plan"]["pricingDetails"];
    assert_eq!(
        recurring["price"],
        json!({"amount": "10.0", "currencyCode": "USD"})
    );
    assert_eq!(recurring["interval"], "EVERY_30_DAYS");
    assert_eq!(
        recurring["discount"],
        json!({"durationLimitInIntervals": 3, "remainingDurationInIntervals": 3,
            "priceAfterDiscount": {"amount": "5.0"}, "value": {"percentage": 0.5}})
    );
    assert_eq!(
        items[1]["plan"]["pricingDetails"],
        json!({"balanceUsed": {"amount": "0.0", "currencyCode": "USD"},
            "cappedAmount": {"amount": "20.0", "currencyCode": "USD"}, "terms": "$1 per 1000 emails"})
    );
    let confirmation = payload["confirmationUrl"]
        .as_str()
        .expect("url")
        .to_string();
    assert_eq!(
        confirmation,
        format!("{}/shops/{SHOP}/admin/charges/{n}/confirm", sim.base_url)
    );

    // The merchant's page.
    let page = client().get(&confirmation).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    for needle in [
        "EcomCRM",
        "Pro",
        "$10.00 USD every 30 days",
        "7-day free trial",
        "$1 per 1000 emails",
        "$20.00 USD",
        "Test charge",
        "id=\"approve\"",
        "id=\"decline\"",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    let path = format!("/shops/{SHOP}/admin/charges/{n}/confirm");
    assert!(
        html.contains(&format!("action=\"{path}/approve\"")),
        "{html}"
    );
    assert!(
        html.contains(&format!("action=\"{path}/decline\"")),
        "{html}"
    );

    // Approve: back to the return URL with charge_id, query kept.
    let approved = client()
        .post(format!("{confirmation}/approve"))
        .send()
        .await
        .expect("approve");
    assert_eq!(approved.status(), 303);
    assert_eq!(
        approved.headers()["location"],
        format!("{return_url}&charge_id={n}").as_str()
    );
    let bodies = deliveries(&received, 1).await;
    let delivered = &bodies[0]["app_subscription"];
    assert_eq!(delivered["admin_graphql_api_id"], id.as_str());
    assert_eq!(delivered["status"], "ACTIVE");
    assert_eq!(delivered["name"], "Pro");
    assert_eq!(delivered["price"], "10.00");
    assert_eq!(delivered["capped_amount"], "20.0");
    assert_eq!(delivered["currency"], "USD");
    assert_eq!(delivered["interval"], "every_30_days");
    assert!(
        delivered["admin_graphql_api_shop_id"]
            .as_str()
            .expect("shop")
            .starts_with("gid://shopify/Shop/")
    );
    assert!(delivered["updated_at"].as_str() > delivered["created_at"].as_str());

    // A second approve changes nothing.
    let again = client()
        .post(format!("{confirmation}/approve"))
        .send()
        .await
        .expect("approve again");
    assert_eq!(again.status(), 409);
    assert!(again.text().await.expect("html").contains("ACTIVE"));

    let data = call(&sim, &token, INSTALLATION, json!({"first": 5})).await;
    let installation = &data["currentAppInstallation"];
    assert!(
        installation["accessScopes"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    let active = installation["activeSubscriptions"]
        .as_array()
        .expect("active");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["id"], id.as_str());
    assert_eq!(active[0]["status"], "ACTIVE");
    assert!(active[0]["currentPeriodEnd"].is_string());
    assert_eq!(
        active[0]["lineItems"][0]["plan"]["pricingDetails"],
        json!({"__typename": "AppRecurringPricing"})
    );
    assert_eq!(
        installation["allSubscriptions"]["nodes"],
        json!([{"id": id, "status": "ACTIVE"}])
    );

    let node = call(&sim, &token, NODE, json!({"id": id})).await;
    assert_eq!(
        node["node"],
        json!({"id": id, "name": "Pro", "status": "ACTIVE"})
    );

    // The request log has the delivery.
    let logged = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "WEBHOOK")
        .count();
    assert_eq!(logged, 1);
}

#[tokio::test]
async fn create_refuses_bad_input() {
    let (sim, _) = sim().await;
    let token = offline_token(&sim).await;
    let recurring = |amount: f64, currency: &str, interval: &str| json!({"plan": {"appRecurringPricingDetails": {"interval": interval, "price": {"amount": amount, "currencyCode": currency}}}});
    let usage = |amount: f64, currency: &str| json!({"plan": {"appUsagePricingDetails": {"terms": "per email", "cappedAmount": {"amount": amount, "currencyCode": currency}}}});
    let cases = [
        (
            json!({"name": " ", "returnUrl": "https://x.example/", "lineItems": [recurring(5.0, "USD", "EVERY_30_DAYS")]}),
            "Name can't be blank",
        ),
        (
            json!({"name": "P", "returnUrl": "http://x.example/", "lineItems": [recurring(5.0, "USD", "EVERY_30_DAYS")]}),
            "Return URL must be an HTTPS URL",
        ),
        (
            json!({"name": "P", "returnUrl": "https://x.example/", "lineItems": []}),
            "Line items must contain at least one line item",
        ),
        (
            json!({"name": "P", "returnUrl": "https://x.example/", "lineItems": [recurring(5.0, "USD", "EVERY_30_DAYS"), recurring(6.0, "USD", "EVERY_30_DAYS")]}),
            "Only one recurring line item is allowed",
        ),
        (
            json!({"name": "P", "returnUrl": "https://x.example/", "lineItems": [recurring(5.0, "USD", "EVERY_30_DAYS"), usage(1.0, "USD"), usage(2.0, "USD")]}),
            "Only one usage line item is allowed",
        ),
        (
            json!({"name": "P", "returnUrl": "https://x.example/", "lineItems": [recurring(5.0, "USD", "ANNUAL"), usage(1.0, "USD")]}),
            "A usage line item requires a recurring line item with the EVERY_30_DAYS interval",
        ),
        (
            json!({"name": "P", "returnUrl": "https://x.example/", "lineItems": [recurring(0.0, "USD", "EVERY_30_DAYS")]}),
            "Price must be greater than 0",
        ),
        (
            json!({"name": "P", "returnUrl": "https://x.example/", "lineItems": [recurring(5.0, "USD", "EVERY_30_DAYS"), usage(-1.0, "USD")]}),
            "Capped amount must be greater than 0",
        ),
        (
            json!({"name": "P", "returnUrl": "https://x.example/", "lineItems": [recurring(5.0, "USD", "EVERY_30_DAYS"), usage(1.0, "EUR")]}),
            "All line items must use the same currency",
        ),
    ];
    for (variables, message) in cases {
        let payload = create(&sim, &token, variables).await;
        assert_eq!(payload["appSubscription"], Json::Null, "{message}");
        assert_eq!(payload["confirmationUrl"], Json::Null, "{message}");
        let messages: Vec<&str> = payload["userErrors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["message"].as_str())
            .collect();
        assert_eq!(messages, [message]);
    }
    // Loopback HTTP is fine (the app in dev and tests).
    let local = create(
        &sim,
        &token,
        json!({"name": "P", "returnUrl": "http://127.0.0.1:8080/billing", "lineItems": [recurring(5.0, "USD", "EVERY_30_DAYS")]}),
    )
    .await;
    assert_eq!(local["userErrors"], json!([]));
    assert_eq!(
        billing_state(&sim).await["subscriptions"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn decline_replace_usage_cancel_and_control() {
    let (sim, received) = sim().await;
    let token = offline_token(&sim).await;
    let return_url = "http://127.0.0.1:9/billing/return";

    // Decline: DECLINED, back to the return URL with charge_id.
    let declined = create(&sim, &token, pro("Basic", return_url)).await;
    let declined_url = declined["confirmationUrl"]
        .as_str()
        .expect("url")
        .to_string();
    let declined_id = declined["appSubscription"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let answer = client()
        .post(format!("{declined_url}/decline"))
        .send()
        .await
        .expect("decline");
    assert_eq!(answer.status(), 303);
    assert_eq!(
        answer.headers()["location"],
        format!("{return_url}?charge_id={}", number(&declined_id)).as_str()
    );
    assert_eq!(
        deliveries(&received, 1).await[0]["app_subscription"]["status"],
        "DECLINED"
    );
    let page = client().get(&declined_url).send().await.expect("page");
    assert_eq!(page.status(), 409);

    // First plan approved, then a second one replaces it.
    let first = create(&sim, &token, pro("Pro", return_url)).await;
    let first_id = first["appSubscription"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let url = first["confirmationUrl"].as_str().expect("url").to_string();
    assert_eq!(
        client()
            .post(format!("{url}/approve"))
            .send()
            .await
            .expect("ok")
            .status(),
        303
    );
    let second = create(&sim, &token, pro("Plus", return_url)).await;
    let second_id = second["appSubscription"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let url = second["confirmationUrl"].as_str().expect("url").to_string();
    assert_eq!(
        client()
            .post(format!("{url}/approve"))
            .send()
            .await
            .expect("ok")
            .status(),
        303
    );
    let bodies = deliveries(&received, 4).await;
    let changes: Vec<(&str, &str)> = bodies
        .iter()
        .map(|b| {
            let s = &b["app_subscription"];
            (
                s["name"].as_str().unwrap_or(""),
                s["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("Basic", "DECLINED"),
            ("Pro", "ACTIVE"),
            ("Pro", "CANCELLED"),
            ("Plus", "ACTIVE")
        ]
    );
    let stamps: Vec<&str> = bodies
        .iter()
        .filter_map(|b| b["app_subscription"]["updated_at"].as_str())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    let data = call(&sim, &token, INSTALLATION, json!({"first": 2})).await;
    let installation = &data["currentAppInstallation"];
    let active = installation["activeSubscriptions"]
        .as_array()
        .expect("active");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["id"], second_id.as_str());
    let page = &installation["allSubscriptions"];
    assert_eq!(
        page["nodes"],
        json!([{"id": declined_id, "status": "DECLINED"}, {"id": first_id, "status": "CANCELLED"}])
    );
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let after = page["pageInfo"]["endCursor"].clone();
    let data = call(
        &sim,
        &token,
        INSTALLATION,
        json!({"first": 2, "after": after}),
    )
    .await;
    let page = &data["currentAppInstallation"]["allSubscriptions"];
    assert_eq!(
        page["nodes"],
        json!([{"id": second_id, "status": "ACTIVE"}])
    );
    assert_eq!(page["edges"][0]["node"]["name"], "Plus");
    assert_eq!(page["pageInfo"]["hasPreviousPage"], true);

    let newest = call(&sim, &token, NEWEST, json!({})).await;
    let nodes = &newest["currentAppInstallation"]["allSubscriptions"]["nodes"];
    let names: Vec<&str> = nodes
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["name"].as_str())
        .collect();
    assert_eq!(names, ["Plus", "Pro", "Basic"]);
    assert_eq!(
        nodes[0]["lineItems"][1]["plan"]["pricingDetails"],
        json!({"__typename": "AppUsagePricing", "cappedAmount": {"amount": "20.0", "currencyCode": "USD"}})
    );

    // Usage records: idempotent per key, capped at 20.
    let usage_item = active[0]["lineItems"][1]["id"]
        .as_str()
        .expect("usage item")
        .to_string();
    let recurring_item = active[0]["lineItems"][0]["id"]
        .as_str()
        .expect("item")
        .to_string();
    let record = |amount: &str, key: &str, item: &str| {
        json!({"description": "1000 emails", "price": {"amount": amount, "currencyCode": "USD"},
            "subscriptionLineItemId": item, "idempotencyKey": key})
    };
    let one = call(&sim, &token, USAGE, record("12.5", "k1", &usage_item)).await;
    let one = &one["appUsageRecordCreate"];
    assert_eq!(one["userErrors"], json!([]));
    assert_eq!(
        one["appUsageRecord"]["price"],
        json!({"amount": "12.5", "currencyCode": "USD"})
    );
    assert_eq!(one["appUsageRecord"]["idempotencyKey"], "k1");
    let same = call(&sim, &token, USAGE, record("12.5", "k1", &usage_item)).await;
    assert_eq!(
        same["appUsageRecordCreate"]["appUsageRecord"]["id"],
        one["appUsageRecord"]["id"]
    );
    let over = call(&sim, &token, USAGE, record("7.51", "k2", &usage_item)).await;
    assert_eq!(
        over["appUsageRecordCreate"]["userErrors"][0]["message"],
        "Total price exceeds balance remaining"
    );
    assert_eq!(over["appUsageRecordCreate"]["appUsageRecord"], Json::Null);
    let fits = call(&sim, &token, USAGE, record("7.5", "k3", &usage_item)).await;
    assert_eq!(fits["appUsageRecordCreate"]["userErrors"], json!([]));
    for (variables, message) in [
        (
            record("1", "k4", &recurring_item),
            "Subscription line item must have usage pricing",
        ),
        (
            record("0", "k5", &usage_item),
            "Price must be greater than 0",
        ),
        (
            json!({"description": "x", "price": {"amount": "1", "currencyCode": "EUR"}, "subscriptionLineItemId": usage_item}),
            "Currency code must match the capped amount's currency",
        ),
        (
            record("1", &"k".repeat(256), &usage_item),
            "Idempotency key is too long (maximum is 255 characters)",
        ),
        (
            record(
                "1",
                "k6",
                "gid://shopify/AppSubscriptionLineItem/999999?v=1&index=0",
            ),
            "Subscription line item not found",
        ),
    ] {
        let answer = call(&sim, &token, USAGE, variables).await;
        assert_eq!(
            answer["appUsageRecordCreate"]["userErrors"][0]["message"],
            message
        );
    }
    let state = billing_state(&sim).await;
    assert_eq!(state["usage_records"].as_array().map(Vec::len), Some(2));
    let plus = &state["subscriptions"][2];
    assert_eq!(plus["line_items"][1]["balance_used"]["amount"], "20.0");
    assert_eq!(plus["line_items"][0]["price"]["amount"], "10.0");

    // The control API freezes and reactivates, each with its webhook.
    let n = number(&second_id);
    let status_url = format!("{}/_sim/shops/{SHOP}/billing/{n}/status", sim.base_url);
    let frozen: Json = client()
        .post(&status_url)
        .json(&json!({"status": "FROZEN"}))
        .send()
        .await
        .expect("freeze")
        .json()
        .await
        .expect("json");
    assert_eq!(frozen["changed"], true);
    assert_eq!(frozen["subscription"]["status"], "FROZEN");
    assert_eq!(frozen["webhooks"][0]["delivered"], true);
    assert_eq!(
        deliveries(&received, 5).await[4]["app_subscription"]["status"],
        "FROZEN"
    );
    let data = call(&sim, &token, INSTALLATION, json!({"first": 5})).await;
    assert_eq!(
        data["currentAppInstallation"]["activeSubscriptions"],
        json!([])
    );
    let bad = client()
        .post(&status_url)
        .json(&json!({"status": "PENDING"}))
        .send()
        .await
        .expect("bad");
    assert_eq!(bad.status(), 400);
    let thawed = client()
        .post(&status_url)
        .json(&json!({"status": "ACTIVE"}))
        .send()
        .await
        .expect("thaw");
    assert_eq!(thawed.status(), 200);

    // Cancel, then cancelling again is an error.
    let cancelled = call(
        &sim,
        &token,
        CANCEL,
        json!({"id": second_id, "prorate": true}),
    )
    .await;
    assert_eq!(
        cancelled["appSubscriptionCancel"],
        json!({"appSubscription": {"id": second_id, "status": "CANCELLED"}, "userErrors": []})
    );
    let bodies = deliveries(&received, 7).await;
    assert_eq!(bodies[6]["app_subscription"]["status"], "CANCELLED");
    let again = call(&sim, &token, CANCEL, json!({"id": second_id})).await;
    assert_eq!(
        again["appSubscriptionCancel"]["appSubscription"],
        Json::Null
    );
    assert_eq!(
        again["appSubscriptionCancel"]["userErrors"][0]["field"],
        json!(["id"])
    );
    let unknown = call(
        &sim,
        &token,
        CANCEL,
        json!({"id": "gid://shopify/AppSubscription/999999"}),
    )
    .await;
    assert_eq!(
        unknown["appSubscriptionCancel"]["userErrors"][0]["message"],
        "Couldn't find app subscription"
    );
    // Usage on a cancelled subscription is refused.
    let late = call(&sim, &token, USAGE, record("1", "k9", &usage_item)).await;
    assert_eq!(
        late["appUsageRecordCreate"]["userErrors"][0]["message"],
        "The app subscription is not active"
    );
}

#[tokio::test]
async fn pending_charges_expire_and_failed_deliveries_are_logged() {
    // The app is unreachable: deliveries fail, pages still work.
    let (sim, _) = sim_with(|c| c.app_url = "http://127.0.0.1:9".into()).await;
    let token = offline_token(&sim).await;
    let payload = create(&sim, &token, pro("Pro", "https://x.example/return")).await;
    let url = payload["confirmationUrl"]
        .as_str()
        .expect("url")
        .to_string();
    let approved = client()
        .post(format!("{url}/approve"))
        .send()
        .await
        .expect("approve");
    assert_eq!(approved.status(), 303);
    let failed: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "WEBHOOK")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].detail.as_ref().map(|d| d["delivered"].clone()),
        Some(json!(false))
    );

    let stale = create(&sim, &token, pro("Later", "https://x.example/return")).await;
    let stale_url = stale["confirmationUrl"].as_str().expect("url").to_string();
    sim.advance_clock(3 * 86_400);
    let page = client().get(&stale_url).send().await.expect("page");
    assert_eq!(page.status(), 409);
    assert!(page.text().await.expect("html").contains("EXPIRED"));
    assert_eq!(
        billing_state(&sim).await["subscriptions"][1]["status"],
        "EXPIRED"
    );
}
