//! `app_subscriptions/update`: each status Shopify sends, delivered in any order and more than
//! once, ends in the status of the newest change, and the plan page follows it.

use chrono::{DateTime, Duration, Utc};
use ecomcrm_tests::sim::WebhookDelivery;
use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

use super::support::*;

const SUBSCRIPTION: &str = "gid://shopify/AppSubscription/7001";

fn notice(shop: &str, status: &str, at: DateTime<Utc>) -> WebhookDelivery {
    let body = json!({"app_subscription": {
        "admin_graphql_api_id": SUBSCRIPTION,
        "name": "Growth",
        "status": status,
        "admin_graphql_api_shop_id": "gid://shopify/Shop/548380009",
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": at.to_rfc3339(),
        "currency": "USD",
        "capped_amount": "150.0",
        "price": "49.00",
        "interval": "every_30_days",
        "plan_handle": null,
    }});
    WebhookDelivery::new(
        shop,
        "app_subscriptions/update",
        body.to_string().into_bytes(),
        shared::SHOPIFY_API_VERSION,
        Utc::now(),
    )
}

async fn deliver_in_order(app: &TestApp, shop: &str, life: &[(&str, i64)], order: &[usize]) {
    let start = Utc::now() - Duration::hours(1);
    for &i in order {
        let (status, minute) = life[i];
        let outcome = app
            .sim
            .deliver(&notice(shop, status, start + Duration::minutes(minute)))
            .await
            .expect("delivered");
        assert_eq!(outcome.status, 200);
        // Processed one by one, so the arrival order really is the processing order.
        let stats = app.run_jobs().await;
        assert_eq!(stats.dead, 0);
    }
}

#[tokio::test]
async fn every_status_in_any_order_ends_in_the_newest_change() {
    let app = TestApp::spawn().await;
    let lives: [(&[(&str, i64)], &str); 3] = [
        (
            &[
                ("PENDING", 1),
                ("ACTIVE", 2),
                ("FROZEN", 3),
                ("ACTIVE", 4),
                ("CANCELLED", 5),
            ],
            "CANCELLED",
        ),
        (&[("PENDING", 1), ("DECLINED", 2)], "DECLINED"),
        (&[("PENDING", 1), ("ACTIVE", 2), ("FROZEN", 3)], "FROZEN"),
    ];
    let mut n = 0;
    for (life, newest) in lives {
        let forward: Vec<usize> = (0..life.len()).collect();
        let backward: Vec<usize> = forward.iter().rev().copied().collect();
        let mut shuffled = forward.clone();
        shuffled.rotate_left(life.len() / 2);
        for order in [forward, backward, shuffled] {
            n += 1;
            let shop = installed(&app, &format!("status-order-{n}")).await;

            deliver_in_order(&app, &shop, life, &order).await;

            let page = billing(&app, &shop).await;
            assert_eq!(page["latest"]["status"], newest, "order {order:?}: {page}");
            let granting = matches!(newest, "ACTIVE" | "FROZEN");
            assert_eq!(!page["current"].is_null(), granting, "{page}");
        }
    }
    // EXPIRED too: a pending subscription never approved.
    let shop = installed(&app, "status-expired").await;
    deliver_in_order(&app, &shop, &[("PENDING", 1), ("EXPIRED", 2)], &[1, 0]).await;
    assert_eq!(billing(&app, &shop).await["latest"]["status"], "EXPIRED");
}

#[tokio::test]
async fn a_redelivered_notice_changes_nothing_and_an_active_one_unlocks_the_app() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "redelivered").await;
    let at = Utc::now();
    let active = notice(&shop, "ACTIVE", at);

    app.sim.deliver(&active).await.expect("delivered");
    app.run_jobs().await;
    let mut again = notice(&shop, "ACTIVE", at);
    again.webhook_id = format!("{}-again", again.webhook_id);
    app.sim.deliver(&again).await.expect("delivered");
    let stats = app.run_jobs().await;

    assert_eq!(stats.dead, 0);
    let page = billing(&app, &shop).await;
    assert_eq!(page["current"]["planKey"], "growth", "{page}");
    assert_eq!(page["current"]["status"], "ACTIVE");
    let unlocked = gql(&app, &shop, "{ webhookTopics { topic } }").await;
    assert!(unlocked["errors"].is_null(), "{unlocked}");
}

#[tokio::test]
async fn uninstalling_cancels_nothing_until_shopify_says_so() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "leaving-payer").await;
    app.sim
        .deliver(&notice(&shop, "ACTIVE", Utc::now()))
        .await
        .expect("delivered");
    app.run_jobs().await;
    let uninstall = WebhookDelivery::new(
        &shop,
        "app/uninstalled",
        include_bytes!("../../fixtures/shopify/app_uninstalled.json").to_vec(),
        shared::SHOPIFY_API_VERSION,
        Utc::now(),
    );

    app.sim.deliver(&uninstall).await.expect("delivered");
    app.run_jobs().await;
    let status = |app: &TestApp| {
        let db = app.state.db.clone();
        async move {
            let (s,): (String,) = db
                .query("select status from billing_subscriptions where shopify_id = $1")
                .bind(SUBSCRIPTION)
                .fetch_one()
                .await
                .expect("subscription");
            s
        }
    };
    let after_uninstall = status(&app).await;
    app.sim
        .deliver(&notice(
            &shop,
            "CANCELLED",
            Utc::now() + Duration::seconds(1),
        ))
        .await
        .expect("delivered");
    app.run_jobs().await;

    assert_eq!(after_uninstall, "ACTIVE", "the app cancels nothing itself");
    assert_eq!(
        status(&app).await,
        "CANCELLED",
        "Shopify's notice still applies"
    );
}
