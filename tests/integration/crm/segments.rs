//! RFM segments: quintile boundaries and the segment table on a store small enough to compute
//! by hand, incremental rescoring against a full pass, and segment changes recorded and
//! published when a live order moves a customer.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ecomcrm::crm::rfm;
use ecomcrm::db::ShopDb;
use ecomcrm_tests::test_app::TestApp;
use futures::StreamExt;
use serde_json::json;

use crate::sync::support::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn days_ago(days: i64) -> DateTime<Utc> {
    now() - chrono::Duration::days(days)
}

/// (id, orders, spent in cents, days since the last order).
const STORE: [(i64, i64, i64, i64); 10] = [
    (1, 1, 1000, 300),
    (2, 1, 2000, 5),
    (3, 2, 3000, 200),
    (4, 2, 4000, 40),
    (5, 3, 5000, 100),
    (6, 3, 6000, 10),
    (7, 4, 7000, 400),
    (8, 5, 8000, 3),
    (9, 6, 9000, 60),
    (10, 8, 10000, 150),
];

async fn add_customer(db: &ShopDb, id: i64, orders: i64, spent: i64, last: Option<i64>) {
    db.query(
        "insert into customers (shop_id, id, state, verified_email, orders_count, total_spent, \
           first_order_at, last_order_at, created_at, updated_at) \
         values ($1, $2, 'ENABLED', true, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(orders)
    .bind(spent)
    .bind(last.map(|d| days_ago(d + 30)))
    .bind(last.map(days_ago))
    .bind(days_ago(500))
    .execute()
    .await
    .expect("customer");
}

/// A customer's segment and (r, f, m) scores; prospects have no scores.
type Scored = (String, Option<i64>, Option<i64>, Option<i64>);

/// id → (segment, r, f, m).
async fn segments(db: &ShopDb) -> BTreeMap<i64, Scored> {
    type Row = (i64, String, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = db
        .query(
            "select id, segment, cast(r_score as bigint), cast(f_score as bigint), \
             cast(m_score as bigint) from customers where shop_id = $1",
        )
        .fetch_all()
        .await
        .expect("segments");
    rows.into_iter()
        .map(|(id, s, r, f, m)| (id, (s, r, f, m)))
        .collect()
}

fn seg(s: &str, r: i64, f: i64, m: i64) -> Scored {
    (s.to_string(), Some(r), Some(f), Some(m))
}

#[tokio::test]
async fn a_merchant_sees_each_customer_in_the_segment_the_quintiles_give() {
    let app = TestApp::spawn().await;
    let shop = installed_store(&app, "rfm-hand", 0, 0).await;
    until_run_ends(&app, &shop).await;
    app.run_jobs().await;
    let db = shop_db(&app, &shop).await;
    for (id, orders, spent, days) in STORE {
        add_customer(&db, id, orders, spent, Some(days)).await;
    }
    add_customer(&db, 11, 0, 0, None).await;

    let mut tx = db.begin().await.unwrap();
    let first = rfm::recompute_all(&mut tx, now(), "2026-06-01")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(first.scored, 10);
    assert!(first.changes.is_empty(), "a first scoring is not a change");

    // Ten customers, two per quintile. Recency (oldest first): 7 1 | 3 10 | 5 9 | 4 6 | 2 8.
    // Frequency (1 1 | 2 2 | 3 3 | 4 5 | 6 8), monetary by spend: ids in pairs.
    let (f1, f2, f3, f4, m4): (i64, i64, i64, i64, i64) = db
        .query("select f1, f2, f3, f4, m4 from rfm_boundaries where shop_id = $1")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!((f1, f2, f3, f4, m4), (1, 2, 3, 5, 8000));
    let (r1, r2): (DateTime<Utc>, DateTime<Utc>) = db
        .query("select r1, r2 from rfm_boundaries where shop_id = $1")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!((r1, r2), (days_ago(300), days_ago(150)));

    let expected = BTreeMap::from([
        (1, seg("lost", 1, 1, 1)),
        (2, seg("new", 5, 1, 1)),
        (3, seg("hibernating", 2, 2, 2)),
        (4, seg("potential", 4, 2, 2)),
        (5, seg("potential", 3, 3, 3)),
        (6, seg("potential", 4, 3, 3)),
        (7, seg("at_risk", 1, 4, 4)),
        (8, seg("champion", 5, 4, 4)),
        (9, seg("loyal", 3, 5, 5)),
        (10, seg("at_risk", 2, 5, 5)),
        (11, ("prospect".to_string(), None, None, None)),
    ]);
    assert_eq!(segments(&db).await, expected);

    // The champion's orders stop: their last order is now 200 days back. Rescoring them alone
    // against the stored boundaries moves them, with the reason in plain numbers.
    db.query("update customers set last_order_at = $2 where shop_id = $1 and id = 8")
        .bind(days_ago(200))
        .execute()
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let changes = rfm::rescore(&mut tx, &[8], now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(
        (changes[0].from.as_str(), changes[0].to.as_str()),
        ("champion", "at_risk")
    );
    assert_eq!(
        changes[0].reason,
        "Last order 200 days ago (recency 2/5); 5 orders (frequency 4/5); spend 4/5"
    );
    let (from, to, reason): (String, String, String) = db
        .query(
            "select from_segment, to_segment, reason from segment_changes \
             where shop_id = $1 and customer_id = 8",
        )
        .fetch_one()
        .await
        .unwrap();
    assert_eq!((from.as_str(), to.as_str()), ("champion", "at_risk"));
    assert_eq!(reason, changes[0].reason);

    // A full pass over the same boundaries agrees with the incremental one: nothing to write.
    let mut tx = db.begin().await.unwrap();
    let again = rfm::rescore_all(&mut tx, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(again.written, 0, "incremental and full scoring agree");
    assert!(again.changes.is_empty());
}

#[tokio::test]
async fn a_first_order_moves_a_prospect_to_new_and_publishes_the_change() {
    let app = TestApp::spawn().await;
    let shop = installed_store(&app, "rfm-live", 40, 160).await;
    let run = until_run_ends(&app, &shop).await;
    assert_eq!(run["status"], "SUCCEEDED", "{run}");
    app.run_jobs().await;
    let db = shop_db(&app, &shop).await;
    let (unscored,): (i64,) = db
        .query(
            "select count(*) from customers where shop_id = $1 and \
             ((orders_count > 0) <> (segment <> 'prospect'))",
        )
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(unscored, 0, "the import is followed by a full scoring");

    let mut events = app
        .state
        .events
        .subscribe_shop(app.shop_id(&shop).await.get());
    let ada = change(&app, &shop, "customers", json!({"first_name": "Ada"})).await;
    let ada = id_of(&ada, "customer");
    change(&app, &shop, "orders", json!({"customer_id": ada})).await;

    // Webhook intake stores deliveries in the background, so run jobs until both are applied.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let segment = loop {
        app.run_jobs().await;
        let row: Option<(String,)> = db
            .query("select segment from customers where shop_id = $1 and id = $2")
            .bind(ada)
            .fetch_optional()
            .await
            .unwrap();
        match row {
            Some((segment,)) if segment != "prospect" => break segment,
            _ if std::time::Instant::now() > deadline => panic!("still {row:?}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    assert_eq!(segment, "new");
    let (from, to): (String, String) = db
        .query(
            "select from_segment, to_segment from segment_changes \
             where shop_id = $1 and customer_id = $2",
        )
        .bind(ada)
        .fetch_one()
        .await
        .unwrap();
    assert_eq!((from.as_str(), to.as_str()), ("prospect", "new"));

    let event = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let e = events.next().await.expect("bus open");
            if e.kind == "segment_changed" {
                return e;
            }
        }
    })
    .await
    .expect("a segment_changed event");
    assert_eq!(
        event.payload["changes"][0],
        json!({"customer_id": ada.to_string(), "from": "prospect", "to": "new"})
    );
}
