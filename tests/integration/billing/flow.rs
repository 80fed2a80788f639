//! Choosing a plan end to end against the simulator's Billing API: approve and land back on
//! an active plan, decline and see why, switch plans, overage charged once under retries and
//! never above the cap, and managed pricing reading Shopify's subscription.

use ecomcrm::shopify::billing::usage::{self, Consumed, Metric};
use ecomcrm_tests::test_app::{Options, TestApp};
use serde_json::Value;

use super::support::*;

/// The simulator's billing records for a shop.
async fn sim_billing(app: &TestApp, shop: &str) -> Value {
    app.http
        .get(format!("{}/_sim/shops/{shop}/billing", app.sim.base_url))
        .send()
        .await
        .expect("sim billing")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn approving_a_plan_on_shopifys_page_lands_back_with_it_active() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "approving").await;

    let confirmation = choose(&app, &shop, "growth").await;
    let back = press(&app, &confirmation, "approve").await;
    let page = refreshed(&app, &shop).await;

    assert!(
        confirmation.starts_with(&app.sim.base_url),
        "{confirmation}"
    );
    assert!(
        back.starts_with(&format!("{}/settings/plan?shop={shop}", app.base)),
        "{back}"
    );
    assert!(back.contains("charge_id="), "{back}");
    assert_eq!(page["current"]["planKey"], "growth");
    assert_eq!(page["current"]["test"], true, "dev charges are tests");
    assert!(page["current"]["trialEndsAt"].is_string(), "{page}");
    let meters: Vec<_> = page["usage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].clone())
        .collect();
    assert_eq!(meters, ["emails", "ai_requests"]);
    let sim = sim_billing(&app, &shop).await;
    let created = &sim["subscriptions"][0];
    assert_eq!(created["name"], "Growth", "{sim}");
    assert_eq!(created["status"], "ACTIVE");
    assert_eq!(created["trial_days"], 14);
    assert_eq!(created["test"], true);
    assert_eq!(created["replacement_behavior"], "STANDARD");
    // A 30-day recurring item at the plan's price and a usage item capped at the plan's cap.
    let items = created["line_items"].as_array().expect("line items");
    let recurring = items
        .iter()
        .find(|i| i["type"] == "recurring")
        .expect("recurring");
    let usage_item = items.iter().find(|i| i["type"] == "usage").expect("usage");
    assert_eq!(recurring["price"]["amount"], "49.0", "{recurring}");
    assert_eq!(recurring["interval"], "EVERY_30_DAYS");
    assert_eq!(
        usage_item["capped_amount"]["amount"], "150.0",
        "{usage_item}"
    );
    // Shopify's notice of the approval arrives too and agrees.
    assert_eq!(app.run_jobs().await.dead, 0);
    assert_eq!(billing(&app, &shop).await["current"]["status"], "ACTIVE");
}

#[tokio::test]
async fn declining_on_shopifys_page_leaves_the_shop_without_a_plan_and_says_so() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "declining").await;

    let confirmation = choose(&app, &shop, "pro").await;
    press(&app, &confirmation, "decline").await;
    let page = refreshed(&app, &shop).await;

    assert!(page["current"].is_null(), "{page}");
    assert_eq!(page["latest"]["status"], "DECLINED");
    assert_eq!(page["latest"]["planKey"], "pro");
    let gated = gql(&app, &shop, "{ webhookTopics { topic } }").await;
    assert_eq!(gated["errors"][0]["extensions"]["code"], "PLAN_REQUIRED");
}

#[tokio::test]
async fn switching_plans_replaces_the_old_subscription() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "switching").await;
    subscribe(&app, &shop, "starter").await;

    subscribe(&app, &shop, "pro").await;
    app.run_jobs().await;

    let page = billing(&app, &shop).await;
    assert_eq!(page["current"]["planKey"], "pro");
    let current: Vec<_> = page["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["current"] == true)
        .collect();
    assert_eq!(current.len(), 1);
    let sim = sim_billing(&app, &shop).await;
    let statuses: Vec<_> = sim["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].clone())
        .collect();
    assert!(
        statuses.contains(&"CANCELLED".into()) && statuses.contains(&"ACTIVE".into()),
        "{sim}"
    );
}

#[tokio::test]
async fn overage_is_charged_once_per_block_under_retries_and_never_above_the_cap() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "overage").await;
    subscribe(&app, &shop, "starter").await; // 15,000 emails, $1.00 per 1,000 over, cap $50.
    let db = shop_db(&app, &shop).await;

    usage::consume(&app.state, &db, Metric::Emails, 15_000)
        .await
        .unwrap();
    let over = usage::consume(&app.state, &db, Metric::Emails, 2_500)
        .await
        .unwrap();
    app.run_jobs().await;
    // A retry after a lost answer: the charges go out again under the same keys.
    app.state
        .db
        .query("update usage_charges set status = 'pending' where shop_id = $1")
        .bind(db.shop_id().get())
        .execute()
        .await
        .unwrap();
    let keys: Vec<(String,)> = app
        .state
        .db
        .query("select idempotency_key from usage_charges where shop_id = $1")
        .bind(db.shop_id().get())
        .fetch_all()
        .await
        .unwrap();
    {
        let mut tx = app.state.db.begin().await.unwrap();
        for (key,) in &keys {
            ecomcrm::jobs::enqueue(
                &mut tx,
                &app.state.clock,
                &usage::ChargeUsage { key: key.clone() },
                ecomcrm::jobs::EnqueueOpts::default().shop(db.shop_id()),
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }
    app.run_jobs().await;

    assert_eq!(over, Consumed::Overage { blocks: 3 });
    let sim = sim_billing(&app, &shop).await;
    assert_eq!(
        sim["usage_records"].as_array().map(Vec::len),
        Some(3),
        "{sim}"
    );
    let page = billing(&app, &shop).await;
    let charged: Vec<_> = page["charges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].clone())
        .collect();
    assert_eq!(charged, ["charged", "charged", "charged"], "{page}");

    // Blocks are charged as they start: 47,000 more emails open blocks 4..=50 ($50, the cap);
    // the rest of block 50 is already paid for, and the email after it is refused.
    let to_cap = usage::consume(&app.state, &db, Metric::Emails, 47_000)
        .await
        .unwrap();
    let paid = usage::consume(&app.state, &db, Metric::Emails, 500)
        .await
        .unwrap();
    let capped = usage::consume(&app.state, &db, Metric::Emails, 1)
        .await
        .expect_err("cap");

    assert_eq!(
        (to_cap, paid),
        (
            Consumed::Overage { blocks: 47 },
            Consumed::Overage { blocks: 0 }
        )
    );
    app.run_jobs().await;

    assert!(
        capped.to_string().contains("usage cap of 50.00 USD"),
        "{capped}"
    );
    let sim = sim_billing(&app, &shop).await;
    assert_eq!(sim["usage_records"].as_array().map(Vec::len), Some(50));
}

#[tokio::test]
async fn managed_pricing_sends_merchants_to_shopifys_plan_page_and_reads_the_subscription() {
    let mut opts = Options::default();
    opts.vars
        .insert("ECOMCRM_BILLING_MODE".into(), "managed".into());
    opts.vars
        .insert("SHOPIFY_APP_HANDLE".into(), "ecomcrm".into());
    let app = TestApp::spawn_with(opts).await;
    let shop = installed(&app, "managed-shop").await;
    let handle = shop.trim_end_matches(".myshopify.com");

    let url = choose(&app, &shop, "growth").await;
    assert_eq!(
        url,
        format!("https://admin.shopify.com/store/{handle}/charges/ecomcrm/pricing_plans")
    );
    assert_eq!(billing(&app, &shop).await["mode"], "MANAGED");

    // The merchant picks Growth on Shopify's page; Shopify holds the subscription.
    let created = app
        .http
        .post(format!("{}/_sim/shops/{shop}/billing", app.sim.base_url))
        .json(&serde_json::json!({"name": "Growth", "price": "49.00"}))
        .send()
        .await
        .expect("sim");
    assert!(created.status().is_success(), "{}", created.status());
    let page = refreshed(&app, &shop).await;

    assert_eq!(page["current"]["planKey"], "growth", "{page}");
}

#[tokio::test]
async fn a_reinstalled_shop_does_not_keep_the_plan_shopify_cancelled_at_uninstall() {
    let app = TestApp::spawn().await;
    let shop = installed(&app, "reinstaller").await;
    subscribe(&app, &shop, "growth").await;
    app.run_jobs().await;
    // Shopify cancels the subscription at uninstall; its notice never reaches the app here.
    let url = format!("{}/_sim/shops/{shop}/uninstall", app.sim.base_url);
    assert!(
        app.http
            .post(url)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let uninstalled = ecomcrm_tests::sim::WebhookDelivery::new(
        &shop,
        "app/uninstalled",
        include_bytes!("../../fixtures/shopify/app_uninstalled.json").to_vec(),
        shared::SHOPIFY_API_VERSION,
        chrono::Utc::now(),
    );
    app.sim.deliver(&uninstalled).await.expect("delivered");
    app.run_jobs().await;

    gql(&app, &shop, "{ shop { name } }").await; // Reinstall by token exchange.
    assert_eq!(app.run_jobs().await.dead, 0);
    let page = billing(&app, &shop).await;

    assert!(page["current"].is_null(), "{page}");
    assert_eq!(page["latest"]["status"], "CANCELLED");
}
