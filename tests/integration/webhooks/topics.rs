//! Per-shop webhook subscriptions: after install the app subscribes the shop to every topic it
//! handles (except the compliance ones, which only shopify.app.toml declares), does it once
//! however often it runs, repairs what was deleted, shows Shopify's refusals, and starts over
//! after an uninstall. Settings reads the states through `webhookTopics`.

use ecomcrm::shopify::subscriptions::{reconcile, topics};
use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

use super::support::*;

const TOPICS_QUERY: &str = "{ webhookTopics { topic handling status detail checkedAt } }";

/// `webhookTopics` as the merchant's Settings page reads it.
pub async fn topic_states(app: &TestApp, shop: &str) -> Vec<Value> {
    let body: Value = app
        .graphql(shop, TOPICS_QUERY, json!({}))
        .await
        .json()
        .await
        .expect("graphql json");
    body["data"]["webhookTopics"]
        .as_array()
        .unwrap_or_else(|| panic!("no webhookTopics: {body}"))
        .clone()
}

fn status_of<'a>(states: &'a [Value], topic: &str) -> &'a Value {
    &states
        .iter()
        .find(|s| s["topic"] == topic)
        .unwrap_or_else(|| panic!("{topic} missing"))["status"]
}

/// `(topic enum, uri)` of the shop's subscriptions in the simulator, sorted.
fn sim_subscriptions(app: &TestApp, shop: &str) -> Vec<(String, String)> {
    let mut subs: Vec<_> = app
        .sim
        .state
        .with_shop(shop, |s| {
            s.webhook_subscriptions
                .iter()
                .map(|w| (w.topic.clone(), w.uri.clone()))
                .collect::<Vec<_>>()
        })
        .expect("sim shop");
    subs.sort();
    subs
}

fn expected_subscriptions(app: &TestApp) -> Vec<(String, String)> {
    let mut want: Vec<_> = topics::subscribed()
        .map(|t| (t.graphql_enum(), format!("{}/webhooks", app.base)))
        .collect();
    want.sort();
    want
}

/// `webhookSubscriptionCreate` calls the simulator answered.
fn create_calls(app: &TestApp, shop: &str) -> usize {
    app.sim
        .requests()
        .iter()
        .filter(|r| r.shop.as_deref() == Some(shop))
        .filter(|r| {
            r.detail
                .as_ref()
                .and_then(|d| d["query"].as_str())
                .is_some_and(|q| q.contains("webhookSubscriptionCreate"))
        })
        .count()
}

async fn reconcile_again(app: &TestApp, shop: &str) {
    let id = app.shop_id(shop).await;
    let mut tx = app.state.db.begin().await.expect("begin");
    reconcile::enqueue_for(&mut tx, &app.state.clock, id)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    let stats = app.run_jobs().await;
    assert_eq!((stats.dead, stats.retried), (0, 0));
}

#[tokio::test]
async fn installing_subscribes_the_shop_to_every_topic_the_app_handles() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "subscribing-shop").await;

    let before = topic_states(&app, &shop).await;
    let stats = app.run_jobs().await;
    let after = topic_states(&app, &shop).await;

    assert_eq!((stats.dead, stats.retried), (0, 0));
    assert_eq!(status_of(&before, "orders/create"), "PENDING");
    assert_eq!(sim_subscriptions(&app, &shop), expected_subscriptions(&app));
    assert_eq!(after.len(), topics::TOPICS.len());
    for state in &after {
        let topic = state["topic"].as_str().unwrap_or_default();
        if ecomcrm::shopify::webhooks::COMPLIANCE_TOPICS.contains(&topic) {
            assert_eq!(state["status"], "APP_CONFIG", "{state}");
        } else {
            assert_eq!(state["status"], "SUBSCRIBED", "{state}");
            assert!(state["checkedAt"].is_string(), "{state}");
        }
    }
    assert_eq!(status_of(&after, "app_subscriptions/update"), "SUBSCRIBED");
    let billing = after
        .iter()
        .find(|s| s["topic"] == "app_subscriptions/update");
    assert_eq!(billing.map(|s| &s["handling"]), Some(&json!("BILLING")));
}

#[tokio::test]
async fn reconciling_again_creates_nothing_and_repairs_a_deleted_subscription() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "steady-shop").await;
    app.run_jobs().await;
    let first_calls = create_calls(&app, &shop);

    reconcile_again(&app, &shop).await;
    assert_eq!(
        create_calls(&app, &shop),
        first_calls,
        "nothing new created"
    );
    assert_eq!(sim_subscriptions(&app, &shop), expected_subscriptions(&app));

    // Someone deleted one in Shopify: the next run puts it back, and only it.
    app.sim
        .state
        .with_shop(&shop, |s| {
            s.webhook_subscriptions
                .retain(|w| w.topic != "ORDERS_CREATE")
        })
        .expect("sim shop");
    reconcile_again(&app, &shop).await;

    assert_eq!(create_calls(&app, &shop), first_calls + 1);
    assert_eq!(sim_subscriptions(&app, &shop), expected_subscriptions(&app));
}

#[tokio::test]
async fn a_topic_shopify_refuses_shows_as_failed_with_shopifys_reason() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "no-orders-shop").await;
    // The merchant granted no order access: Shopify refuses order topics.
    app.sim
        .state
        .with_shop(&shop, |s| {
            s.tokens
                .set_granted_scopes("read_customers,write_customers,read_checkouts")
        })
        .expect("sim shop");

    let stats = app.run_jobs().await;
    let states = topic_states(&app, &shop).await;

    assert_eq!(
        (stats.dead, stats.retried),
        (0, 0),
        "a refusal is no failure"
    );
    let orders = states
        .iter()
        .find(|s| s["topic"] == "orders/create")
        .unwrap();
    assert_eq!(orders["status"], "FAILED");
    assert!(
        orders["detail"]
            .as_str()
            .unwrap_or("")
            .contains("read_orders"),
        "{orders}"
    );
    assert_eq!(status_of(&states, "customers/create"), "SUBSCRIBED");
    assert_eq!(status_of(&states, "refunds/create"), "FAILED");
}

#[tokio::test]
async fn after_uninstall_and_reinstall_the_shop_is_subscribed_again() {
    let app = TestApp::spawn().await;
    let shop = installed_shop(&app, "comeback-shop").await;
    app.run_jobs().await;
    let url = format!("{}/_sim/shops/{shop}/uninstall", app.sim.base_url);
    let res = app.http.post(url).send().await.expect("sim uninstall");
    assert!(res.status().is_success());
    assert!(
        sim_subscriptions(&app, &shop).is_empty(),
        "Shopify deletes them"
    );
    send(&app, &delivery(&shop, "app/uninstalled")).await;
    app.run_jobs().await;
    let db = shop_row(&app, &shop).await.db(&app.state.db);
    let left = ecomcrm::shopify::subscriptions::store::list(&db)
        .await
        .expect("states");
    assert!(left.is_empty(), "states forgotten: {left:?}");

    open_app(&app, &shop).await; // Reinstall by token exchange.
    let stats = app.run_jobs().await;

    assert_eq!((stats.dead, stats.retried), (0, 0));
    assert_eq!(sim_subscriptions(&app, &shop), expected_subscriptions(&app));
    let states = topic_states(&app, &shop).await;
    assert_eq!(status_of(&states, "app/uninstalled"), "SUBSCRIBED");
}

#[tokio::test]
async fn a_shop_sees_only_its_own_subscription_states() {
    let app = TestApp::spawn().await;
    let a = installed_shop(&app, "states-a").await;
    let b = installed_shop(&app, "states-b").await;
    app.sim
        .state
        .with_shop(&b, |s| s.tokens.set_granted_scopes("read_customers"))
        .expect("sim shop");
    app.run_jobs().await;

    let a_states = topic_states(&app, &a).await;
    let b_states = topic_states(&app, &b).await;

    assert_eq!(status_of(&a_states, "orders/create"), "SUBSCRIBED");
    assert_eq!(status_of(&b_states, "orders/create"), "FAILED");
}
