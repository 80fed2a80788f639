//! The daily profile refresh: a merchant renames their store in Shopify and the app follows,
//! using the stored (encrypted) offline token, and live views hear about it.

use ecomcrm_tests::test_app::TestApp;
use futures::StreamExt;
use serde_json::json;

#[tokio::test]
async fn a_renamed_store_shows_its_new_name_after_the_scheduled_refresh() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("renamed-store", "Old Name").await;
    app.graphql(&shop, "{ shop { name } }", json!({})).await;
    let shop_id = app.shop_id(&shop).await.get();
    let mut events = app.state.events.subscribe_shop(shop_id);
    app.sim
        .state
        .with_shop(&shop, |s| s.info.name = "New Name".into())
        .expect("sim shop");
    app.run_jobs().await; // The first pass fires the daily schedule's first slot.

    app.run_jobs().await; // The fan-out enqueued one refresh per installed shop.

    let body: serde_json::Value = app
        .graphql(&shop, "{ shop { name } }", json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["shop"]["name"], "New Name", "{body}");
    // The first import's progress events come and go meanwhile; the rename is among them.
    let renamed = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while let Some(event) = events.next().await {
            if event.kind == "shop_updated" {
                return event;
            }
        }
        panic!("event stream ended");
    })
    .await
    .expect("shop_updated event");
    assert_eq!(renamed.payload["name"], "New Name", "{:?}", renamed.payload);
}

#[tokio::test]
async fn an_uninstalled_shop_is_skipped_without_failing_the_job() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("gone-store", "Gone").await;
    app.graphql(&shop, "{ shop { name } }", json!({})).await;
    app.state
        .db
        .query("update shops set uninstalled_at = created_at where domain = $1")
        .bind(shop.as_str())
        .execute()
        .await
        .unwrap();

    let first = app.run_jobs().await;
    let second = app.run_jobs().await;

    assert_eq!(first.dead + second.dead, 0);
    assert_eq!(first.retried + second.retried, 0);
}
