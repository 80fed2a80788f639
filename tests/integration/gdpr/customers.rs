//! `customers/redact` erases one customer's personal data from every table (scanned through the
//! catalog) and leaves the others'; `customers/data_request` exports one customer's data for the
//! shop only, listed and downloadable through GraphQL.

use ecomcrm::shopify::webhooks::store;
use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

use super::support::*;

#[tokio::test]
async fn customers_redact_erases_that_customer_everywhere_and_keeps_the_others() {
    let app = TestApp::spawn().await;
    let shop = shop_with_customers(&app, "redact-shop").await;
    // An export of X exists too: it holds X's data and must be erased with the rest.
    send(&app, &shop, "customers/data_request", X.data_request(&shop)).await;
    app.run_jobs().await;
    let db = &app.state.db;
    for term in X.personal_data().into_iter().chain(Y.personal_data()) {
        assert!(
            !find_text(db, term).await.is_empty(),
            "the scan must see {term} before"
        );
    }

    send(&app, &shop, "customers/redact", X.redact(954_889, &shop)).await;
    let stats = app.run_jobs().await;

    assert_eq!(stats.dead, 0);
    for term in X.personal_data() {
        assert_eq!(
            find_text(db, term).await,
            Vec::<String>::new(),
            "{term} left behind"
        );
    }
    for term in Y.personal_data() {
        assert!(
            !find_text(db, term).await.is_empty(),
            "{term} of Y must stay"
        );
    }
    // Rows stay (counts, ids and topics for aggregates); the audit says what was done.
    let sdb = shop_db(&app, &shop).await;
    let topics: Vec<String> = store::list_deliveries(&sdb)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.topic)
        .collect();
    assert_eq!(topics.len(), 6, "{topics:?}");
    let audit = store::list_compliance(&sdb).await.unwrap();
    let redact = audit
        .iter()
        .find(|r| r.topic == "customers/redact")
        .expect("audit row");
    assert_eq!(redact.status, "completed");
    let (affected,): (Option<i64>,) = db
        .query("select rows_affected from compliance_requests where topic = 'customers/redact'")
        .fetch_one()
        .await
        .unwrap();
    // X's customer and order deliveries, the data request and its export, the request itself,
    // and the synced customer and order rows the two deliveries created.
    assert_eq!(affected, Some(7));

    // Idempotent: the same request again changes nothing and fails nothing.
    send(&app, &shop, "customers/redact", X.redact(954_889, &shop)).await;
    assert_eq!(app.run_jobs().await.dead, 0);
    for term in Y.personal_data() {
        assert!(
            !find_text(db, term).await.is_empty(),
            "{term} of Y must stay"
        );
    }
}

async fn shop_db(app: &TestApp, shop: &str) -> ecomcrm::db::ShopDb {
    let domain = shared::ShopDomain::parse(shop).unwrap();
    let row = ecomcrm::shopify::shops::find_by_domain(&app.state.db, &domain)
        .await
        .unwrap();
    row.expect("shop row").db(&app.state.db)
}

const LIST: &str = "{ dataExports { id customerShopifyId status createdAt completedAt } }";
const ONE: &str =
    "query($id: ID!) { dataExport(id: $id) { id customerShopifyId status completedAt json } }";

async fn gql(app: &TestApp, shop: &str, query: &str, vars: Value) -> Value {
    let body: Value = app.graphql(shop, query, vars).await.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

#[tokio::test]
async fn data_request_exports_that_customer_only_and_only_to_its_shop() {
    let app = TestApp::spawn().await;
    let a = shop_with_customers(&app, "export-a").await;
    let b = shop_with_customers(&app, "export-b").await;

    send(&app, &a, "customers/data_request", X.data_request(&a)).await;
    assert_eq!(app.run_jobs().await.dead, 0);

    let list = gql(&app, &a, LIST, json!({})).await;
    let exports = list["dataExports"].as_array().unwrap();
    assert_eq!(exports.len(), 1, "{list}");
    assert_eq!(exports[0]["status"], "completed");
    assert_eq!(exports[0]["customerShopifyId"], X.id.to_string());
    assert!(exports[0]["completedAt"].is_string());
    let id = exports[0]["id"].clone();

    let one = gql(&app, &a, ONE, json!({ "id": id })).await;
    let doc = one["dataExport"]["json"].to_string();
    for term in [X.email, X.first, X.address1, &X.order_id.to_string()] {
        assert!(doc.contains(term), "export lacks {term}: {doc}");
    }
    for term in Y.personal_data() {
        assert!(!doc.contains(term), "export leaks Y's {term}");
    }
    // Customer and order deliveries of X and the synced customer and order rows; the request
    // itself is not data held.
    assert_eq!(
        one["dataExport"]["json"]["records"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Shop B sees none of it, even with A's id.
    let other = gql(&app, &b, ONE, json!({ "id": id })).await;
    assert_eq!(other["dataExport"], Value::Null);
    let other_list = gql(&app, &b, LIST, json!({})).await;
    assert_eq!(other_list["dataExports"], json!([]));
}
