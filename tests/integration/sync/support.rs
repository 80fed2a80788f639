//! Shared steps: a demo shop installed in the app, waiting for its sync runs, and the store
//! as the simulator holds it versus the app's tables.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ecomcrm::db::ShopDb;
use ecomcrm_tests::sim::ShopSpec;
use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

/// A demo store of this size, installed (first authenticated request), which starts its import.
pub async fn installed_store(app: &TestApp, handle: &str, customers: u32, orders: u32) -> String {
    let domain = format!("{handle}.myshopify.com");
    let spec = ShopSpec {
        name: Some("Sync Shop".into()),
        customers,
        orders,
        abandoned_checkouts: Some(customers / 10),
        ..ShopSpec::empty(&domain)
    };
    app.sim.create_demo_shop(spec).await.expect("demo shop");
    let body: Value = app
        .graphql(&domain, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(body["data"]["shop"]["name"], "Sync Shop", "{body}");
    domain
}

/// "Sync now": the first one is a full import.
pub async fn start_sync(app: &TestApp, shop: &str) -> Value {
    let body: Value = app
        .graphql(shop, "mutation { syncNow { id kind status } }", json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["syncNow"].clone()
}

/// The shop's tenant handle.
pub async fn shop_db(app: &TestApp, shop: &str) -> ShopDb {
    let id = app.shop_id(shop).await;
    ecomcrm::shopify::shops::find_by_id(&app.state.db, id)
        .await
        .expect("db")
        .expect("shop")
        .db(&app.state.db)
}

/// `syncStatus` as the app's UI reads it.
pub async fn status(app: &TestApp, shop: &str) -> Value {
    let body: Value = app
        .graphql(
            shop,
            "{ syncStatus { lastSyncedAt stale counts { customers orders products checkouts } \
               running { id status } \
               runs(first: 5) { id kind trigger status rowsDone rowsExpected error \
                 resources { resource rowsDone rowsExpected done } } } }",
            json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["syncStatus"].clone()
}

/// Runs jobs until the newest run has ended (the simulator finishes bulk operations in the
/// background, so this polls); returns it.
pub async fn until_run_ends(app: &TestApp, shop: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        app.run_jobs().await;
        let s = status(app, shop).await;
        let newest = s["runs"][0].clone();
        if newest["status"] == "SUCCEEDED" || newest["status"] == "FAILED" {
            return newest;
        }
        assert!(Instant::now() < deadline, "sync did not end: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Per customer: (orders count, amount spent) as the simulator's store holds them.
pub fn store_customers(app: &TestApp, shop: &str) -> BTreeMap<i64, (i64, i64)> {
    app.sim
        .state
        .with_shop(shop, |s| {
            let records = s.records.clone();
            let mut out: BTreeMap<i64, (i64, i64)> = records
                .store
                .customers
                .iter()
                .map(|c| (c.id, (i64::from(c.orders_count), c.amount_spent)))
                .collect();
            for c in records.overlay.customers.values() {
                out.insert(c.id, (i64::from(c.orders_count), c.amount_spent));
            }
            for id in &records.overlay.deleted_customers {
                out.remove(id);
            }
            out
        })
        .expect("shop")
}

/// Per customer: (orders count, total spent) as the app holds them.
pub async fn app_customers(db: &ShopDb) -> BTreeMap<i64, (i64, i64)> {
    let rows: Vec<(i64, i64, i64)> = db
        .query("select id, orders_count, total_spent from customers where shop_id = $1 and deleted_at is null")
        .fetch_all()
        .await
        .expect("customers");
    rows.into_iter()
        .map(|(id, n, spent)| (id, (n, spent)))
        .collect()
}

/// Per order: (financial status, total price, refunded) as the simulator holds them.
pub fn store_orders(app: &TestApp, shop: &str) -> BTreeMap<i64, (String, i64, i64)> {
    app.sim
        .state
        .with_shop(shop, |s| {
            let records = s.records.clone();
            let mut ids: Vec<i64> = records.store.orders.iter().map(|o| o.id).collect();
            ids.extend(records.overlay.orders.keys());
            ids.into_iter()
                .filter_map(|id| {
                    let view = records.order(id)?;
                    let json = records.order_json(view, Default::default());
                    let refunded: i64 = view.refunds.iter().map(|r| r.amount).sum();
                    Some((
                        id,
                        (
                            json["displayFinancialStatus"]
                                .as_str()
                                .unwrap_or("")
                                .to_string(),
                            view.order.total_price(),
                            refunded,
                        ),
                    ))
                })
                .collect()
        })
        .expect("shop")
}

/// Per order: (financial status, total price, refunded) as the app holds them.
pub async fn app_orders(db: &ShopDb) -> BTreeMap<i64, (String, i64, i64)> {
    let rows: Vec<(i64, Option<String>, i64, i64)> = db
        .query(
            "select o.id, o.financial_status, o.total_price, \
             cast(coalesce((select sum(r.amount) from refunds r where r.shop_id = $1 and r.order_id = o.id), 0) as bigint) \
             from orders o where o.shop_id = $1",
        )
        .fetch_all()
        .await
        .expect("orders");
    rows.into_iter()
        .map(|(id, status, total, refunded)| (id, (status.unwrap_or_default(), total, refunded)))
        .collect()
}

/// (products, variants, checkouts) the simulator holds.
pub fn store_catalogue(app: &TestApp, shop: &str) -> (i64, i64, i64) {
    app.sim
        .state
        .with_shop(shop, |s| {
            let st = &s.records.store;
            let mut checkouts: std::collections::BTreeSet<i64> =
                st.abandoned_checkouts.iter().map(|c| c.id).collect();
            checkouts.extend(s.records.overlay.checkouts.keys());
            (
                st.products.len() as i64,
                st.variants.len() as i64,
                checkouts.len() as i64,
            )
        })
        .expect("shop")
}

/// (products, variants, checkouts) the app holds.
pub async fn app_catalogue(db: &ShopDb) -> (i64, i64, i64) {
    db.query(
        "select (select count(*) from products where shop_id = $1), \
         (select count(*) from product_variants where shop_id = $1), \
         (select count(*) from abandoned_checkouts where shop_id = $1)",
    )
    .fetch_one()
    .await
    .expect("counts")
}

/// Posts a change to the simulator's control API (`customers`, `orders`, `checkouts`); returns
/// its answer.
pub async fn change(app: &TestApp, shop: &str, what: &str, body: Value) -> Value {
    let url = format!("{}/_sim/shops/{shop}/{what}", app.sim.base_url);
    let res = app.http.post(url).json(&body).send().await.expect("change");
    let status = res.status();
    let answer: Value = res.json().await.expect("json");
    assert!(status.is_success(), "{what} {body}: {answer}");
    answer
}

/// The id in a control-API answer (`{"customer": {"id": …}}`).
pub fn id_of(answer: &Value, key: &str) -> i64 {
    answer[key]["id"].as_i64().expect("id")
}
