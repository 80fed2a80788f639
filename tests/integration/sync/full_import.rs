//! The full import: after install the app imports the whole store by bulk operations.

use std::collections::BTreeMap;

use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

use super::support::*;

#[tokio::test]
async fn installing_imports_the_whole_store_exactly() {
    let app = TestApp::spawn().await;
    let shop = installed_store(&app, "sync-full", 150, 600).await;
    let run = until_run_ends(&app, &shop).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    assert_eq!(run["kind"], "FULL");
    assert_eq!(run["trigger"], "INSTALL");
    let db = shop_db(&app, &shop).await;

    let store = store_customers(&app, &shop);
    assert_eq!(
        app_customers(&db).await,
        store,
        "customers, their order counts and spend"
    );
    assert_eq!(
        app_orders(&db).await,
        store_orders(&app, &shop),
        "orders, statuses and money"
    );
    assert_eq!(app_catalogue(&db).await, store_catalogue(&app, &shop));

    let spent: i64 = store.values().map(|(_, s)| s).sum();
    let (sum,): (i64,) = db
        .query("select cast(coalesce(sum(total_spent), 0) as bigint) from customers where shop_id = $1")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(sum, spent, "money sums across customers");
    let (live,): (i64,) = db
        .query("select count(*) from orders where shop_id = $1 and not historical")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(
        live, 0,
        "every imported order is historical: automations never fire on them"
    );

    let s = status(&app, &shop).await;
    assert!(s["lastSyncedAt"].is_string(), "{s}");
    assert_eq!(s["stale"], false);
    assert_eq!(
        s["counts"]["orders"],
        json!(store_orders(&app, &shop).len())
    );
    assert_eq!(
        run["rowsDone"], run["rowsExpected"],
        "progress reaches its total: {run}"
    );
    app.stop().await;
}

#[tokio::test]
async fn ids_beyond_two_to_the_fifty_three_and_amounts_stay_exact() {
    let app = TestApp::spawn().await;
    let shop = installed_store(&app, "sync-exact", 40, 120).await;
    until_run_ends(&app, &shop).await;
    let db = shop_db(&app, &shop).await;
    let store = store_orders(&app, &shop);
    assert!(
        store.keys().any(|id| *id > 1 << 53),
        "the demo ids exceed 2^53"
    );
    let ours: BTreeMap<i64, (String, i64, i64)> = app_orders(&db).await;
    assert_eq!(ours, store);
    app.stop().await;
}

#[tokio::test]
async fn an_import_interrupted_mid_file_resumes_without_duplicates() {
    let app = TestApp::spawn().await;
    let shop = installed_store(&app, "sync-resume", 120, 500).await;
    let run = until_run_ends(&app, &shop).await;
    let run_id: i64 = run["id"].as_str().unwrap().parse().unwrap();
    let db = shop_db(&app, &shop).await;
    let before_orders = app_orders(&db).await;
    let before_customers = app_customers(&db).await;

    let (lines, rows): (i64, i64) = db
        .query(
            "select lines_done, rows_done from sync_run_parts \
             where shop_id = $1 and run_id = $2 and resource = 'orders'",
        )
        .bind(run_id)
        .fetch_one()
        .await
        .unwrap();
    assert!(
        lines > 500 && rows == 500,
        "orders and their lines were read: {lines}, {rows}"
    );
    // Rewind the orders part as if the worker died after committing the first 100 orders: the
    // run is running again, the part importing with those orders' lines (each order's line and
    // its line items' lines, in id order as the file has them) counted.
    let firsts: Vec<(String,)> = db
        .query("select line_items from orders where shop_id = $1 order by id limit 100")
        .fetch_all()
        .await
        .unwrap();
    let committed: i64 = firsts
        .iter()
        .map(|(items,)| {
            1 + serde_json::from_str::<Vec<serde_json::Value>>(items)
                .unwrap()
                .len() as i64
        })
        .sum();
    let mut tx = db.begin().await.unwrap();
    tx.query("update sync_runs set status = 'running', finished_at = null where shop_id = $1 and id = $2")
        .bind(run_id)
        .execute()
        .await
        .unwrap();
    tx.query(
        "update sync_run_parts set status = 'importing', lines_done = $3, rows_done = 100 \
         where shop_id = $1 and run_id = $2 and resource = 'orders'",
    )
    .bind(run_id)
    .bind(committed)
    .execute()
    .await
    .unwrap();
    tx.query("update customers set orders_count = 0, total_spent = 0 where shop_id = $1")
        .execute()
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let job = ecomcrm::sync::full::ImportBulkPart {
        run_id,
        resource: ecomcrm::sync::records::Resource::Orders,
    };
    let mut tx = app.state.db.begin().await.unwrap();
    ecomcrm::jobs::enqueue(
        &mut tx,
        &app.state.clock,
        &job,
        ecomcrm::jobs::EnqueueOpts::default().shop(db.shop_id()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let run = until_run_ends(&app, &shop).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");

    assert_eq!(app_orders(&db).await, before_orders);
    assert_eq!(app_customers(&db).await, before_customers);
    let (lines_after, rows_after): (i64, i64) = db
        .query("select lines_done, rows_done from sync_run_parts where shop_id = $1 and run_id = $2 and resource = 'orders'")
        .bind(run_id)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(
        (lines_after, rows_after),
        (lines, rows),
        "the resumed read continued where the committed batch ended"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_throttled_shop_still_imports_everything() {
    let app = TestApp::spawn().await;
    let domain = "sync-throttle.myshopify.com";
    app.sim
        .create_demo_shop(ecomcrm_tests::sim::ShopSpec {
            customers: 60,
            orders: 200,
            ..ecomcrm_tests::sim::ShopSpec::empty(domain)
        })
        .await
        .unwrap();
    // The next Admin API calls are refused with 429, and the bucket starts empty.
    let url = format!("{}/_sim/shops/{domain}/faults", app.sim.base_url);
    let res = app
        .http
        .post(url)
        .json(&json!({"status": 429, "count": 3, "drain_bucket": true}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    app.graphql(domain, "{ shop { name } }", json!({})).await;
    let run = until_run_ends(&app, domain).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    let db = shop_db(&app, domain).await;
    assert_eq!(app_customers(&db).await, store_customers(&app, domain));
    assert_eq!(app_orders(&db).await, store_orders(&app, domain));
    app.stop().await;
}
