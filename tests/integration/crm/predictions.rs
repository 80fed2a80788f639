//! Purchase predictions: a new small store gets prior-based predictions that say so, a larger
//! store gets a fitted model with a sane prediction for every buyer (and a rerun changes
//! nothing), and a live order is re-predicted with the stored model.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ecomcrm::crm::predictions::{self, RefitPredictions, refit_opts};
use ecomcrm::db::ShopDb;
use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

use crate::sync::support::*;

/// One stored prediction row, as the tests compare them.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    method: String,
    probability_active: f64,
    probability_order_365d: f64,
    expected_orders_90d: f64,
    expected_orders_365d: f64,
    next_order_at: Option<DateTime<Utc>>,
    clv_365d: i64,
    reason: String,
}

type RawRow = (
    i64,
    String,
    f64,
    f64,
    f64,
    f64,
    Option<DateTime<Utc>>,
    i64,
    String,
);

/// customer id → stored prediction.
async fn stored(db: &ShopDb) -> BTreeMap<i64, Row> {
    let rows: Vec<RawRow> = db
        .query(
            "select customer_id, method, probability_active, probability_order_365d, \
             expected_orders_90d, expected_orders_365d, next_order_at, clv_365d, reason \
             from customer_predictions where shop_id = $1",
        )
        .fetch_all()
        .await
        .expect("predictions");
    rows.into_iter()
        .map(|(id, method, pa, p365, e90, e365, next, clv, reason)| {
            let row = Row {
                method,
                probability_active: pa,
                probability_order_365d: p365,
                expected_orders_90d: e90,
                expected_orders_365d: e365,
                next_order_at: next,
                clv_365d: clv,
                reason,
            };
            (id, row)
        })
        .collect()
}

/// Per customer with purchases (orders not cancelled): the times of those orders.
async fn purchases(db: &ShopDb) -> BTreeMap<i64, Vec<DateTime<Utc>>> {
    let rows: Vec<(i64, DateTime<Utc>)> = db
        .query(
            "select customer_id, created_at from orders where shop_id = $1 \
             and customer_id is not null and cancelled_at is null",
        )
        .fetch_all()
        .await
        .expect("orders");
    let mut out: BTreeMap<i64, Vec<DateTime<Utc>>> = BTreeMap::new();
    for (id, at) in rows {
        out.entry(id).or_default().push(at);
    }
    out
}

/// The stored model's method, if a refit stored one.
async fn model_method(db: &ShopDb) -> Option<String> {
    let row: Option<(String,)> = db
        .query("select method from shop_models where shop_id = $1")
        .fetch_optional()
        .await
        .expect("model");
    row.map(|(m,)| m)
}

/// A store imported and scored, as a merchant has it after installing.
async fn imported_store(app: &TestApp, handle: &str, customers: u32, orders: u32) -> String {
    let shop = installed_store(app, handle, customers, orders).await;
    let run = until_run_ends(app, &shop).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    app.run_jobs().await;
    shop
}

/// Runs the refit job for the shop, as the daily schedule would.
async fn refit(app: &TestApp, shop: &str) {
    let id = app.shop_id(shop).await;
    ecomcrm::jobs::enqueue_now(
        &app.state.db,
        &app.state.clock,
        &RefitPredictions {},
        refit_opts(id),
    )
    .await
    .expect("enqueue");
    let stats = app.run_jobs().await;
    assert!(stats.retried == 0 && stats.dead == 0, "{stats:?}");
}

fn assert_sane(id: i64, r: &Row) {
    for p in [r.probability_active, r.probability_order_365d] {
        assert!((0.0..=1.0).contains(&p), "{id}: {r:?}");
    }
    assert!(r.expected_orders_90d >= 0.0, "{id}: {r:?}");
    assert!(
        r.expected_orders_365d >= r.expected_orders_90d,
        "{id}: {r:?}"
    );
    assert!(r.clv_365d >= 0, "{id}: {r:?}");
    assert!(
        !r.reason.is_empty() && r.reason.ends_with('.'),
        "{id}: {r:?}"
    );
}

#[tokio::test]
async fn a_new_small_store_gets_predictions_that_say_they_lean_on_typical_stores() {
    // Arrange
    let app = TestApp::spawn().await;
    let shop = imported_store(&app, "pred-small", 8, 12).await;
    let db = shop_db(&app, &shop).await;

    // Act
    refit(&app, &shop).await;

    // Assert
    let method = model_method(&db).await.expect("a stored model");
    assert!(
        method == "small_shop_prior" || method == "cadence",
        "{method}"
    );
    let rows = stored(&db).await;
    let buyers = purchases(&db).await;
    assert!(!buyers.is_empty());
    assert_eq!(
        rows.keys().collect::<BTreeSet<_>>(),
        buyers.keys().collect::<BTreeSet<_>>()
    );
    for (id, r) in &rows {
        assert_sane(*id, r);
        assert_eq!(r.method, method);
        let says_so = if method == "cadence" {
            r.reason.contains("; estimated from ")
        } else {
            r.reason
                .ends_with("; based on this store's first orders and typical store behaviour.")
        };
        assert!(says_so, "{}", r.reason);
    }
    let (id, row) = rows.iter().next().unwrap();
    let shown = predictions::for_customer(&db, *id)
        .await
        .unwrap()
        .expect("the profile's prediction");
    assert_eq!(shown.reason, row.reason);
    assert_eq!(shown.method.as_str(), method);
    assert!((shown.churn_risk() - (1.0 - row.probability_order_365d)).abs() < 1e-12);
}

#[tokio::test]
async fn a_larger_store_gets_a_fitted_model_and_a_sane_prediction_for_every_buyer() {
    // Arrange
    let app = TestApp::spawn().await;
    let shop = imported_store(&app, "pred-large", 300, 1500).await;
    let db = shop_db(&app, &shop).await;

    // Act
    refit(&app, &shop).await;

    // Assert
    assert_eq!(model_method(&db).await.as_deref(), Some("fitted"));
    let rows = stored(&db).await;
    let buyers = purchases(&db).await;
    assert_eq!(
        rows.keys().collect::<BTreeSet<_>>(),
        buyers.keys().collect::<BTreeSet<_>>(),
        "every customer with orders has a prediction, and only they do"
    );
    for (id, r) in &rows {
        assert_sane(*id, r);
        assert_eq!(r.method, "fitted");
    }

    // The buyer with the most orders among those who ordered in the last 60 days, against the
    // buyer whose single order is the oldest.
    let now = app.state.clock.now();
    let regular = buyers
        .iter()
        .filter(|(_, at)| {
            at.iter()
                .max()
                .is_some_and(|l| now - *l < chrono::Duration::days(60))
        })
        .max_by_key(|(id, at)| (at.len(), **id))
        .map(|(id, at)| (*id, at.len()))
        .expect("a recent buyer");
    assert!(regular.1 >= 3, "{regular:?}");
    let lapsed = buyers
        .iter()
        .filter(|(_, at)| at.len() == 1)
        .min_by_key(|(id, at)| (at[0], **id))
        .map(|(id, _)| *id)
        .expect("a one-time buyer");
    let (p_regular, p_lapsed) = (
        rows[&regular.0].probability_order_365d,
        rows[&lapsed].probability_order_365d,
    );
    assert!(p_regular > p_lapsed, "{p_regular} vs {p_lapsed}");

    // A rerun (a retried job, a second schedule) stores the same rows. The as-of instant has
    // moved by a moment and the optimiser starts from the stored model, so numbers agree to
    // rounding; the reason's rounded days and percentages could tip, so they are not compared.
    refit(&app, &shop).await;
    let again = stored(&db).await;
    assert_eq!(
        again.keys().collect::<Vec<_>>(),
        rows.keys().collect::<Vec<_>>()
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * a.abs().max(1.0);
    for (id, r) in &rows {
        let s = &again[id];
        assert_eq!(s.method, r.method);
        assert!(
            close(s.probability_active, r.probability_active)
                && close(s.probability_order_365d, r.probability_order_365d)
                && close(s.expected_orders_90d, r.expected_orders_90d)
                && close(s.expected_orders_365d, r.expected_orders_365d)
                && (s.clv_365d - r.clv_365d).abs() <= 1 + r.clv_365d / 1000,
            "{id}: {r:?} then {s:?}"
        );
        assert_eq!(s.next_order_at.is_some(), r.next_order_at.is_some(), "{id}");
    }
}

/// Runs jobs until the customer has `n` orders that count as purchases (webhook intake stores
/// deliveries in the background).
async fn until_purchases(app: &TestApp, db: &ShopDb, customer: i64, n: usize) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        app.run_jobs().await;
        let have = purchases(db).await.get(&customer).map_or(0, Vec::len);
        if have == n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "customer {customer} has {have} purchases, waiting for {n}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn predict(app: &TestApp, db: &ShopDb, ids: &[i64]) {
    let mut tx = db.begin().await.unwrap();
    predictions::predict_customers(&mut tx, ids, app.state.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_live_order_is_predicted_with_the_stored_model() {
    // Arrange
    let app = TestApp::spawn().await;
    let shop = imported_store(&app, "pred-live", 40, 160).await;
    let db = shop_db(&app, &shop).await;
    let buyers = purchases(&db).await;
    let first_buyer = *buyers.keys().next().unwrap();
    // The import is followed by a fit, so its buyers are predicted already.
    assert!(
        model_method(&db).await.is_some(),
        "the import is followed by a fit"
    );
    assert!(!stored(&db).await.is_empty());
    predict(&app, &db, &[first_buyer]).await;
    refit(&app, &shop).await;
    let method = model_method(&db).await.expect("model");
    let before = stored(&db).await;
    // A one-time buyer from an earlier day comes back.
    let returning = before
        .iter()
        .find(|(_, r)| r.reason.starts_with("Ordered once, "))
        .map(|(id, _)| *id)
        .expect("a one-time buyer");

    // Act
    let ada = change(&app, &shop, "customers", json!({"first_name": "Ada"})).await;
    let ada = id_of(&ada, "customer");
    let order = change(&app, &shop, "orders", json!({"customer_id": ada})).await;
    let order = id_of(&order, "order");
    change(&app, &shop, "orders", json!({"customer_id": returning})).await;
    until_purchases(&app, &db, ada, 1).await;
    until_purchases(&app, &db, returning, 2).await;
    predict(&app, &db, &[ada, returning]).await;

    // Assert
    let after = stored(&db).await;
    let new = &after[&ada];
    assert_eq!(new.method, method);
    assert!(
        new.reason.starts_with("First order today; "),
        "{}",
        new.reason
    );
    let back = &after[&returning];
    assert!(
        back.reason.starts_with("Usually orders every ")
            && back.reason.contains("last order today"),
        "{}",
        back.reason
    );
    assert_ne!(back, &before[&returning]);
    assert_eq!(after.len(), before.len() + 1);

    // Ada's order is cancelled: with no purchase left, her prediction goes.
    change(&app, &shop, "orders", json!({"id": order, "cancel": true})).await;
    until_purchases(&app, &db, ada, 0).await;
    predict(&app, &db, &[ada]).await;
    assert!(!stored(&db).await.contains_key(&ada));
    assert!(predictions::for_customer(&db, ada).await.unwrap().is_none());
}
