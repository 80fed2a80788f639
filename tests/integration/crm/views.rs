//! The CRM's GraphQL views on an imported demo store: the customer list (pages, segment chips,
//! search, bad input), the customer 360 and the dashboard, each checked against direct sums
//! over the app's tables.

use std::collections::BTreeSet;

use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

use crate::sync::support::*;

async fn gql(app: &TestApp, shop: &str, query: &str, vars: Value) -> Value {
    app.graphql(shop, query, vars)
        .await
        .json()
        .await
        .expect("json")
}

/// A demo store, imported and scored.
pub(super) async fn imported(app: &TestApp, handle: &str) -> String {
    let shop = installed_store(app, handle, 60, 300).await;
    let run = until_run_ends(app, &shop).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    app.run_jobs().await;
    shop
}

const PAGE: &str = "query($after: String, $segment: String, $query: String, $sort: CustomerSort) { \
    customers(first: 7, after: $after, segment: $segment, query: $query, sort: $sort) { \
      nodes { id displayName email ordersCount totalSpent { amount currencyCode } segment } \
      pageInfo { hasNextPage endCursor } totalCount segmentCounts { segment label count } } }";

fn cents(money: &Value) -> i64 {
    let text = money["amount"].as_str().expect("amount");
    let (whole, frac) = text.split_once('.').unwrap_or((text, "0"));
    whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap()
}

#[tokio::test]
async fn a_merchant_pages_filters_and_searches_the_customer_list() {
    let app = TestApp::spawn().await;
    let shop = imported(&app, "crm-list").await;
    let db = shop_db(&app, &shop).await;
    let (held,): (i64,) = db
        .query("select count(*) from customers where shop_id = $1 and deleted_at is null")
        .fetch_one()
        .await
        .unwrap();

    // Every customer exactly once, highest spend first, across pages.
    let mut seen = BTreeSet::new();
    let mut after = Value::Null;
    let mut last_spent = i64::MAX;
    loop {
        let body = gql(&app, &shop, PAGE, json!({"after": after, "sort": "SPENT"})).await;
        assert!(body["errors"].is_null(), "{body}");
        let page = &body["data"]["customers"];
        assert_eq!(page["totalCount"], held);
        for node in page["nodes"].as_array().unwrap() {
            let spent = cents(&node["totalSpent"]);
            assert!(spent <= last_spent, "sorted by spend: {node}");
            last_spent = spent;
            assert!(
                seen.insert(node["id"].as_str().unwrap().to_string()),
                "no repeats"
            );
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len() as i64, held);

    // The churn sort puts the lowest chance of a next order first.
    let body = gql(
        &app,
        &shop,
        "{ customers(first: 50, sort: CHURN_RISK) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let ranked: Vec<i64> = body["data"]["customers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut risks = Vec::new();
    for id in &ranked {
        let row: Option<(f64,)> = db
            .query("select probability_order_365d from customer_predictions where shop_id = $1 and customer_id = $2")
            .bind(*id)
            .fetch_optional()
            .await
            .unwrap();
        risks.push(row.map_or(-1.0, |(p,)| 1.0 - p));
    }
    assert!(
        risks.windows(2).all(|w| w[0] >= w[1] - 1e-6),
        "riskiest first: {risks:?}"
    );

    // A segment chip: its count is the filtered total, and every row is in it.
    let body = gql(&app, &shop, PAGE, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    let chips = body["data"]["customers"]["segmentCounts"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        chips
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .sum::<i64>(),
        held
    );
    let chip = chips
        .iter()
        .find(|c| c["count"].as_i64().unwrap() > 0)
        .unwrap();
    let body = gql(&app, &shop, PAGE, json!({"segment": chip["segment"]})).await;
    let page = &body["data"]["customers"];
    assert_eq!(page["totalCount"], chip["count"]);
    for node in page["nodes"].as_array().unwrap() {
        assert_eq!(node["segment"], chip["segment"]);
    }

    // Search by part of an email, case-insensitively; nonsense finds nobody.
    let email = body["data"]["customers"]["nodes"][0]["email"]
        .as_str()
        .expect("demo customers have emails")
        .to_string();
    let part = email.split('@').next().unwrap().to_uppercase();
    let body = gql(&app, &shop, PAGE, json!({"query": part})).await;
    let found: Vec<&str> = body["data"]["customers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["email"].as_str())
        .collect();
    assert!(found.contains(&email.as_str()), "{body}");
    let body = gql(&app, &shop, PAGE, json!({"query": "zz-no-such-customer%"})).await;
    assert_eq!(body["data"]["customers"]["totalCount"], 0);

    // Bad input is a clear 4xx-style error, never a crash.
    for (vars, words) in [
        (json!({"segment": "vip"}), "unknown segment"),
        (json!({"after": "junk"}), "cursor"),
    ] {
        let body = gql(&app, &shop, PAGE, vars).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{body}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(words),
            "{body}"
        );
    }
    let body = gql(
        &app,
        &shop,
        "{ customers(first: 0) { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{body}"
    );
}

#[tokio::test]
async fn a_merchant_opens_a_customer_360_with_orders_and_segment() {
    let app = TestApp::spawn().await;
    let shop = imported(&app, "crm-360").await;
    let db = shop_db(&app, &shop).await;
    let (id, orders, spent): (i64, i64, i64) = db
        .query(
            "select id, orders_count, total_spent from customers where shop_id = $1 \
             order by orders_count desc, id limit 1",
        )
        .fetch_one()
        .await
        .unwrap();
    let body = gql(
        &app,
        &shop,
        "query($id: ID!) { customer(id: $id) { id displayName ordersCount segment segmentLabel \
           lifecycleStage totalSpent { amount } scores { recency frequency monetary } adminUrl \
           orders { name total { amount } lines { title quantity } adminUrl } \
           segmentHistory { fromSegment toSegment reason } tags emailMarketing \
           prediction { probabilityOrder365d expectedOrders365d churnRisk method reason } } }",
        json!({"id": id.to_string()}),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let c = &body["data"]["customer"];
    assert_eq!(c["ordersCount"], orders);
    assert_eq!(cents(&c["totalSpent"]), spent);
    assert_eq!(c["orders"].as_array().unwrap().len() as i64, orders.min(50));
    assert!(c["scores"]["recency"].is_i64(), "a buyer is scored: {c}");
    assert_ne!(c["segment"], "prospect");
    let p = &c["prediction"];
    assert!(
        p["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "the import is followed by a fit: {c}"
    );
    let chance = p["probabilityOrder365d"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&chance));
    assert!((p["churnRisk"].as_f64().unwrap() - (1.0 - chance)).abs() < 1e-9);
    let handle = shop.trim_end_matches(".myshopify.com");
    assert_eq!(
        c["adminUrl"],
        format!("https://admin.shopify.com/store/{handle}/customers/{id}")
    );
    assert!(
        c["orders"][0]["adminUrl"]
            .as_str()
            .unwrap()
            .contains("/orders/")
    );

    let missing = gql(&app, &shop, "{ customer(id: \"42\") { id } }", json!({})).await;
    assert!(missing["data"]["customer"].is_null(), "{missing}");
    let bad = gql(&app, &shop, "{ customer(id: \"abc\") { id } }", json!({})).await;
    assert_eq!(
        bad["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{bad}"
    );
}

#[tokio::test]
async fn the_dashboard_numbers_equal_direct_sums_over_the_store() {
    let app = TestApp::spawn().await;
    let shop = imported(&app, "crm-dash").await;
    let db = shop_db(&app, &shop).await;
    let body = gql(
        &app,
        &shop,
        "{ dashboard(range: LAST_365_DAYS) { rangeStart rangeEnd timeZone \
           kpis { customers newCustomers30d revenue { amount } previousRevenue { amount } orders \
             emailsSent30d } \
           segments { segment count } revenue { grain points { start revenue { amount } \
             previous { amount } } } churnAlerts { customerId reason } \
           activity { kind at title } } }",
        json!({}),
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let d = &body["data"]["dashboard"];
    let start: chrono::DateTime<chrono::Utc> = d["rangeStart"].as_str().unwrap().parse().unwrap();
    let end: chrono::DateTime<chrono::Utc> = d["rangeEnd"].as_str().unwrap().parse().unwrap();

    let (customers,): (i64,) = db
        .query("select count(*) from customers where shop_id = $1 and deleted_at is null")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(d["kpis"]["customers"], customers);
    let segment_total: i64 = d["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["count"].as_i64().unwrap())
        .sum();
    assert_eq!(segment_total, customers);

    // Revenue: every order in the range, minus its refunds, cancelled ones left out.
    type OrderRow = (
        i64,
        i64,
        Option<chrono::DateTime<chrono::Utc>>,
        chrono::DateTime<chrono::Utc>,
    );
    let rows: Vec<OrderRow> = db
        .query(
            "select o.id, o.total_price, o.cancelled_at, o.created_at from orders o \
             where o.shop_id = $1",
        )
        .fetch_all()
        .await
        .unwrap();
    let refunds: Vec<(i64, i64)> = db
        .query("select order_id, amount from refunds where shop_id = $1")
        .fetch_all()
        .await
        .unwrap();
    let mut expected = 0;
    let mut count = 0;
    for (id, total, cancelled, created) in rows {
        if cancelled.is_none() && created >= start && created < end {
            let refunded: i64 = refunds.iter().filter(|r| r.0 == id).map(|r| r.1).sum();
            expected += total - refunded;
            count += 1;
        }
    }
    assert_eq!(cents(&d["kpis"]["revenue"]), expected);
    assert_eq!(d["kpis"]["orders"], count);
    let charted: i64 = d["revenue"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| cents(&p["revenue"]))
        .sum();
    assert_eq!(charted, expected, "the chart adds up to the KPI");
    assert_eq!(d["revenue"]["grain"], "MONTH");
    assert_eq!(d["kpis"]["emailsSent30d"], 0);
    let activity = d["activity"].as_array().unwrap();
    assert!(!activity.is_empty());
    let times: Vec<&str> = activity.iter().map(|a| a["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
}
