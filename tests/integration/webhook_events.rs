//! `X-Shopify-Event-Id`: one merchant action reaching the app through two subscriptions (the
//! app-scoped one in shopify.app.toml and a shop-scoped one made through the API) arrives twice
//! under two webhook ids and the same event id; it is stored and processed once. Also: the job the
//! webhook path writes is the job `enqueue` would write, and on PostgreSQL the tenant transaction
//! really runs as the tenant role with the shop set.

use ecomcrm::db::Backend;
use ecomcrm::jobs::{EnqueueOpts, enqueue};
use ecomcrm::shopify::webhooks::jobs::ProcessWebhook;
use ecomcrm::shopify::webhooks::store::{self, Delivery};
use ecomcrm_tests::sim::{WebhookDelivery, WebhookOutcome};
use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

/// A shop that opened the app once, so it is installed with a token.
async fn installed_shop(app: &TestApp, handle: &str) -> String {
    let shop = app.add_shop(handle, "Event Shop").await;
    let body: serde_json::Value = app
        .graphql(&shop, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .expect("graphql json");
    assert_eq!(body["data"]["shop"]["name"], "Event Shop", "{body}");
    shop
}

/// A fresh signed delivery (new webhook and event ids) of Shopify's example payload.
fn delivery(shop: &str, topic: &str) -> WebhookDelivery {
    let body = include_str!("../fixtures/shopify/orders_create.json")
        .replace("{shop}.myshopify.com", shop)
        .into_bytes();
    WebhookDelivery::new(
        shop,
        topic,
        body,
        shared::SHOPIFY_API_VERSION,
        chrono::Utc::now(),
    )
}

/// The same event as `d` delivered through another subscription: a new webhook id.
fn through_another_subscription(d: &WebhookDelivery) -> WebhookDelivery {
    WebhookDelivery {
        webhook_id: uuid::Uuid::new_v4().to_string(),
        ..d.clone()
    }
}

async fn send(app: &TestApp, d: &WebhookDelivery) -> WebhookOutcome {
    app.sim.deliver(d).await.expect("delivery sent")
}

/// Sends a correctly signed delivery without `X-Shopify-Event-Id`; returns the status.
async fn send_without_event_id(app: &TestApp, d: &WebhookDelivery) -> u16 {
    let mut req = app
        .http
        .post(format!("{}/webhooks", app.base))
        .body(d.body.clone());
    for (name, value) in d.headers(&app.api_secret) {
        if !name.eq_ignore_ascii_case("x-shopify-event-id") {
            req = req.header(name, value);
        }
    }
    req.send().await.expect("post").status().as_u16()
}

async fn deliveries(app: &TestApp, shop: &str) -> Vec<Delivery> {
    let shop_id = app.shop_id(shop).await;
    let db = ecomcrm::shopify::shops::find_by_id(&app.state.db, shop_id)
        .await
        .expect("db")
        .expect("shop")
        .db(&app.state.db);
    store::list_deliveries(&db).await.expect("deliveries")
}

/// `process_webhook` jobs finished successfully (installing also queues other kinds).
async fn webhook_jobs_done(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .state
        .db
        .query(
            "select cast(count(*) as bigint) from jobs \
             where kind = 'process_webhook' and state = 'done'",
        )
        .fetch_one()
        .await
        .expect("count");
    n
}

async fn webhook_jobs(app: &TestApp) -> i64 {
    let (n,): (i64,) = app
        .state
        .db
        .query("select cast(count(*) as bigint) from jobs where kind = 'process_webhook'")
        .fetch_one()
        .await
        .expect("count");
    n
}

#[tokio::test]
async fn one_event_through_two_subscriptions_is_stored_and_processed_once() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "two-subs-shop").await;
    let first = delivery(&shop, "orders/create");
    let second = through_another_subscription(&first);

    let a = send(&app, &first).await;
    let b = send(&app, &second).await;

    assert_eq!((a.status, b.status), (200, 200), "{} {}", a.body, b.body);
    let stored = deliveries(&app, &shop).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].webhook_id, first.webhook_id,
        "the first one is kept"
    );
    assert_eq!(stored[0].event_id.as_deref(), Some(first.event_id.as_str()));
    assert_eq!(webhook_jobs(&app).await, 1, "no job for the duplicate");

    let stats = app.run_jobs().await;

    assert_eq!(stats.dead, 0);
    assert_eq!(webhook_jobs_done(&app).await, 1);
    assert!(deliveries(&app, &shop).await[0].processed_at.is_some());
}

#[tokio::test]
async fn concurrent_deliveries_of_one_event_store_one() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "racing-subs-shop").await;
    let first = delivery(&shop, "orders/create");
    let copies: Vec<_> = (0..4)
        .map(|_| through_another_subscription(&first))
        .collect();

    let outcomes =
        futures::future::join_all(copies.iter().chain([&first]).map(|d| send(&app, d))).await;

    assert!(outcomes.iter().all(|o| o.status == 200), "{outcomes:?}");
    assert_eq!(deliveries(&app, &shop).await.len(), 1);
    assert_eq!(webhook_jobs(&app).await, 1);
}

#[tokio::test]
async fn the_event_key_is_per_shop_and_topic() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "event-key-shop").await;
    let other_shop = installed_shop(&app, "event-key-other").await;
    let order = delivery(&shop, "orders/create");
    // Same event id, but another topic, or another shop: not the same delivery.
    let other_topic = WebhookDelivery {
        topic: "orders/updated".into(),
        ..through_another_subscription(&order)
    };
    let mut in_other_shop = delivery(&other_shop, "orders/create");
    in_other_shop.event_id = order.event_id.clone();

    for d in [&order, &other_topic, &in_other_shop] {
        assert_eq!(send(&app, d).await.status, 200);
    }

    assert_eq!(deliveries(&app, &shop).await.len(), 2);
    assert_eq!(deliveries(&app, &other_shop).await.len(), 1);
    assert_eq!(webhook_jobs(&app).await, 3);
}

#[tokio::test]
async fn without_an_event_id_deliveries_dedupe_on_the_webhook_id_only() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "no-event-shop").await;
    let first = delivery(&shop, "orders/create");
    let second = through_another_subscription(&first);

    let a = send_without_event_id(&app, &first).await;
    let b = send_without_event_id(&app, &second).await;
    let retry = send_without_event_id(&app, &first).await;

    assert_eq!((a, b, retry), (200, 200, 200));
    let stored = deliveries(&app, &shop).await;
    let ids: Vec<_> = stored
        .iter()
        .map(|d| (d.webhook_id.as_str(), d.event_id.as_deref()))
        .collect();
    assert_eq!(
        ids,
        [
            (first.webhook_id.as_str(), None),
            (second.webhook_id.as_str(), None)
        ],
        "both stored without an event id, the retry of the first ignored"
    );
    assert_eq!(webhook_jobs(&app).await, 2);
}

/// The webhook path writes its job row itself (in the same statement as the delivery on
/// PostgreSQL); it must be exactly the row `jobs::enqueue` writes, and the worker must run it.
#[tokio::test]
async fn the_webhook_job_is_the_job_enqueue_writes_and_the_worker_runs_it() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "job-row-shop").await;
    let d = delivery(&shop, "orders/create");
    assert_eq!(send(&app, &d).await.status, 200);
    let delivery_id = deliveries(&app, &shop).await[0].id;
    let shop_id = app.shop_id(&shop).await;
    let mut tx = app.state.db.begin().await.unwrap();
    enqueue(
        &mut tx,
        &app.state.clock,
        &ProcessWebhook { delivery_id },
        EnqueueOpts::default().shop(shop_id),
    )
    .await
    .unwrap()
    .expect("enqueued");
    tx.commit().await.unwrap();

    type JobRow = (
        String,
        String,
        String,
        Option<i64>,
        Option<String>,
        String,
        i32,
        i32,
        bool,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<JobRow> = app
        .state
        .db
        .query(
            "select queue, kind, payload, shop_id, unique_key, state, attempts, max_attempts, \
             run_at = created_at and created_at = updated_at, locked_until, last_error \
             from jobs where kind = 'process_webhook' order by id",
        )
        .fetch_all()
        .await
        .unwrap();

    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], rows[1], "webhook path vs enqueue");
    assert_eq!(rows[0].2, format!(r#"{{"delivery_id":{delivery_id}}}"#));
    assert_eq!(rows[0].3, Some(shop_id.get()));
    assert!(rows[0].8, "due at creation");
    let stats = app.run_jobs().await;
    assert_eq!(stats.dead, 0);
    assert_eq!(webhook_jobs_done(&app).await, 2);
    assert!(deliveries(&app, &shop).await[0].processed_at.is_some());
}

#[tokio::test]
async fn a_tenant_transaction_runs_as_the_tenant_role_with_its_shop() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != Backend::Postgres {
        return; // Roles and row-level security exist on PostgreSQL only.
    }
    let shop = installed_shop(&app, "tenant-role-shop").await;
    let shop_id = app.shop_id(&shop).await;
    let db = ecomcrm::shopify::shops::find_by_id(&app.state.db, shop_id)
        .await
        .unwrap()
        .unwrap()
        .db(&app.state.db);

    let mut tx = db.begin().await.unwrap();
    let in_tx: (String, String, i64) = tx
        .query("select cast(current_user as text), current_setting('app.shop_id'), $1")
        .fetch_one()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // A tenant query outside a transaction gets its own tenant transaction.
    let alone: (String, String, i64) = db
        .query("select cast(current_user as text), current_setting('app.shop_id'), $1")
        .fetch_one()
        .await
        .unwrap();
    // And the settings end with the transaction: a pooled connection forgets them.
    let (after,): (String,) = app
        .state
        .db
        .query("select coalesce(current_setting('app.shop_id', true), '')")
        .fetch_one()
        .await
        .unwrap();

    let expected = (
        "ecomcrm_tenant".to_string(),
        shop_id.to_string(),
        shop_id.get(),
    );
    assert_eq!(in_tx, expected);
    assert_eq!(alone, expected);
    assert_eq!(after, "");
}
