//! CSV export of the customer list: the whole filtered result in list order, from a link only
//! this server can make, that expires, and that never reaches another shop's customers.

use ecomcrm::crm::export::Ticket;
use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

use super::views::imported;
use crate::sync::support::*;

const EXPORT: &str = "mutation($query: String, $segment: String, $sort: CustomerSort) { \
    exportCustomers(query: $query, segment: $segment, sort: $sort) { url expiresAt } }";

/// Every id the list shows for a filter, in order, across all its pages.
async fn listed(app: &TestApp, shop: &str, vars: Value) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = Value::Null;
    loop {
        let mut v = vars.clone();
        v["after"] = after;
        let body: Value = app
            .graphql(
                shop,
                "query($after: String, $segment: String, $query: String, $sort: CustomerSort) { \
                   customers(first: 100, after: $after, segment: $segment, query: $query, \
                   sort: $sort) { nodes { id } pageInfo { hasNextPage endCursor } } }",
                v,
            )
            .await
            .json()
            .await
            .unwrap();
        let page = &body["data"]["customers"];
        for n in page["nodes"].as_array().expect("nodes") {
            ids.push(n["id"].as_str().unwrap().to_string());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The export link for a filter.
async fn export_url(app: &TestApp, shop: &str, vars: Value) -> String {
    let body: Value = app.graphql(shop, EXPORT, vars).await.json().await.unwrap();
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["exportCustomers"]["url"]
        .as_str()
        .expect("url")
        .to_string()
}

/// RFC 4180 records (quoted cells may hold commas, quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut cell) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, _) => cell.push(ch),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, _) => cell.push(ch),
        }
    }
    records
}

async fn download(app: &TestApp, url: &str) -> (reqwest::StatusCode, Vec<Vec<String>>) {
    let res = app.get(url).await;
    let status = res.status();
    if status.is_success() {
        assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
        let disposition = res.headers()["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"customers-"));
        assert_eq!(res.headers()["cache-control"], "no-store");
    }
    (status, parse_csv(&res.text().await.unwrap()))
}

#[tokio::test]
async fn a_merchant_exports_the_whole_filtered_list_as_csv() {
    let app = TestApp::spawn().await;
    let shop = imported(&app, "crm-export").await;
    let db = shop_db(&app, &shop).await;

    // A shopper-typed name with a delimiter and a spreadsheet formula.
    let (first_id,): (i64,) = db
        .query("select min(id) from customers where shop_id = $1 and deleted_at is null")
        .fetch_one()
        .await
        .unwrap();
    db.query("update customers set first_name = '=HYPERLINK(\"x\")', last_name = 'Smith, Jr.' where shop_id = $1 and id = $2")
        .bind(first_id)
        .execute()
        .await
        .unwrap();

    // The whole store, then one segment under another sort: every listed customer, once, in
    // the list's order (the export is not one page).
    for vars in [
        json!({"sort": "SPENT"}),
        json!({"sort": "LAST_ORDER", "segment": "lost"}),
    ] {
        let expected = listed(&app, &shop, vars.clone()).await;
        let (status, records) = download(&app, &export_url(&app, &shop, vars.clone()).await).await;
        assert_eq!(status, 200);
        assert_eq!(records[0][0], "id");
        assert_eq!(records[0].len(), 12);
        let ids: Vec<String> = records[1..].iter().map(|r| r[0].clone()).collect();
        assert_eq!(ids, expected, "{vars}");
        assert!(records.iter().all(|r| r.len() == 12));
    }
    let (_, records) = download(&app, &export_url(&app, &shop, json!({})).await).await;
    let row = records
        .iter()
        .find(|r| r[0] == first_id.to_string())
        .expect("the renamed customer");
    assert_eq!(row[1], "'=HYPERLINK(\"x\")", "a formula is defused");
    assert_eq!(row[2], "Smith, Jr.");
    let (spent, orders): (i64, i64) = db
        .query("select total_spent, orders_count from customers where shop_id = $1 and id = $2")
        .bind(first_id)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(row[5], orders.to_string());
    assert_eq!(row[6], format!("{}.{:02}", spent / 100, spent % 100));

    // A search exports just its matches.
    let email = records[1][3].clone();
    let word = email.split('@').next().unwrap().to_string();
    let expected = listed(&app, &shop, json!({"query": word})).await;
    let (_, found) = download(&app, &export_url(&app, &shop, json!({"query": word})).await).await;
    assert_eq!(found.len() - 1, expected.len());
    assert!(found[1..].iter().any(|r| r[3] == email));
}

#[tokio::test]
async fn an_export_link_is_refused_when_altered_expired_or_missing() {
    let app = TestApp::spawn().await;
    let shop = imported(&app, "crm-export-refused").await;
    let url = export_url(&app, &shop, json!({})).await;

    let mut altered = url.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    let res = app.get(&altered).await;
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "FORBIDDEN");

    let db = shop_db(&app, &shop).await;
    let expired = Ticket {
        shop: db.shop_id().get(),
        segment: None,
        query: None,
        sort: "SPENT".into(),
        exp: chrono::Utc::now().timestamp() - 1,
    };
    let res = app
        .get(&format!(
            "/exports/customers.csv?ticket={}",
            expired.seal(&app.state.cipher)
        ))
        .await;
    assert_eq!(res.status(), 410);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "GONE");

    assert_eq!(app.get("/exports/customers.csv").await.status(), 400);
    assert_eq!(
        app.get("/exports/customers.csv?ticket=%%%").await.status(),
        403
    );

    // Bad filters are refused when the link is made, with the list's own messages.
    let body: Value = app
        .graphql(&shop, EXPORT, json!({"segment": "vip"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn an_export_holds_only_the_shop_that_made_it() {
    let app = TestApp::spawn().await;
    let a = imported(&app, "crm-export-a").await;
    let b = imported(&app, "crm-export-b").await;
    // Mark every one of B's customers so a leak could not hide behind shared demo data.
    let changed = shop_db(&app, &b)
        .await
        .query("update customers set email = 'only-in-b-' || id || '@b.example' where shop_id = $1")
        .execute()
        .await
        .unwrap();
    assert!(changed > 0);
    let (_, records) = download(&app, &export_url(&app, &a, json!({})).await).await;
    assert_eq!(records.len() - 1, listed(&app, &a, json!({})).await.len());
    assert!(records.iter().all(|r| !r[3].starts_with("only-in-b-")));
    let (_, records) = download(&app, &export_url(&app, &b, json!({})).await).await;
    assert!(records[1..].iter().all(|r| r[3].starts_with("only-in-b-")));
}
