//! Per-customer fields (prediction, orders, segment history) go through per-request data
//! loaders: a page of fifty customers costs the same round trips as a page of one.

use std::sync::Arc;

use async_graphql::Request;
use ecomcrm::crm::schema::loaders_for;
use ecomcrm::graphql::{RequestCtx, build_schema};
use ecomcrm_tests::test_app::TestApp;
use serde_json::Value;

use super::views::imported;
use crate::sync::support::*;

/// Runs a query as the shop's staff would, returning the data and the round trips it took.
async fn run(app: &TestApp, shop: &str, query: String) -> (Value, u64) {
    let db = shop_db(app, shop).await;
    let rc = RequestCtx {
        loaders: Arc::new(loaders_for(&db)),
        db: db.clone(),
        shop: shared::ShopDomain::parse(shop).unwrap(),
        staff_user_id: None,
        app: app.state.clone(),
    };
    let resp = build_schema().execute(Request::new(query).data(rc)).await;
    assert!(resp.errors.is_empty(), "{:?}", resp.errors);
    (resp.data.into_json().unwrap(), db.started())
}

#[tokio::test]
async fn a_page_of_customers_with_predictions_costs_the_same_queries_as_one() {
    let app = TestApp::spawn().await;
    let shop = imported(&app, "crm-loaders").await;
    let page = |first: u32| {
        format!(
            "{{ customers(first: {first}, sort: CHURN_RISK) {{ nodes {{ id \
               prediction {{ churnRisk reason }} }} }} }}"
        )
    };
    let (_, one) = run(&app, &shop, page(1)).await;
    let (data, fifty) = run(&app, &shop, page(50)).await;
    assert_eq!(one, fifty, "the query count does not grow with the page");

    // Each batched prediction is that customer's own.
    let nodes = data["customers"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 50);
    let db = shop_db(&app, &shop).await;
    let mut predicted = 0;
    for node in nodes {
        let id: i64 = node["id"].as_str().unwrap().parse().unwrap();
        let own = ecomcrm::crm::predictions::for_customer(&db, id)
            .await
            .unwrap();
        match own {
            Some(p) => {
                predicted += 1;
                assert_eq!(node["prediction"]["reason"], p.reason.as_str());
            }
            None => assert!(node["prediction"].is_null()),
        }
    }
    assert!(predicted > 0, "the demo store is fitted");
}

#[tokio::test]
async fn two_customer_profiles_in_one_request_each_get_their_own_batched_rows() {
    let app = TestApp::spawn().await;
    let shop = imported(&app, "crm-loaders-360").await;
    let (data, _) = run(
        &app,
        &shop,
        "{ customers(first: 2, sort: ORDERS) { nodes { id } } }".into(),
    )
    .await;
    let ids: Vec<&str> = data["customers"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    let fields =
        "id orders { id name } segmentHistory { toSegment changedAt } prediction { reason }";
    let (_, alone) = run(
        &app,
        &shop,
        format!("{{ a: customer(id: \"{}\") {{ {fields} }} }}", ids[0]),
    )
    .await;
    let (both, together) = run(
        &app,
        &shop,
        format!(
            "{{ a: customer(id: \"{}\") {{ {fields} }} b: customer(id: \"{}\") {{ {fields} }} }}",
            ids[0], ids[1]
        ),
    )
    .await;
    // Two profiles never cost more than twice one, and each gets its own rows back.
    assert!(together <= 2 * alone, "{together} vs {alone}");
    let db = shop_db(&app, &shop).await;
    for (key, id) in [("a", ids[0]), ("b", ids[1])] {
        let id: i64 = id.parse().unwrap();
        let (orders,): (i64,) = db
            .query("select count(*) from orders where shop_id = $1 and customer_id = $2")
            .bind(id)
            .fetch_one()
            .await
            .unwrap();
        assert_eq!(
            both[key]["orders"].as_array().unwrap().len() as i64,
            orders.min(50),
            "{key}'s own orders"
        );
    }
}
