//! Tenant isolation: each shop sees only its own data, and on PostgreSQL row-level security
//! hides every tenant row from a connection that has not named its shop.

use ecomcrm::db::Backend;
use ecomcrm_tests::test_app::TestApp;
use serde_json::json;

#[tokio::test]
async fn two_shops_each_see_only_their_own_profile() {
    let app = TestApp::spawn().await;
    let a = app.add_shop("shop-a", "Shop A").await;
    let b = app.add_shop("shop-b", "Shop B").await;

    let ra: serde_json::Value = app
        .graphql(&a, "{ shop { name domain } }", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let rb: serde_json::Value = app
        .graphql(&b, "{ shop { name domain } }", json!({}))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(ra["data"]["shop"]["name"], "Shop A");
    assert_eq!(rb["data"]["shop"]["name"], "Shop B");
    assert_eq!(rb["data"]["shop"]["domain"], b);
}

#[tokio::test]
async fn without_the_shop_setting_the_tenant_role_sees_no_rows() {
    let app = TestApp::spawn().await;
    if app.state.db.backend() != Backend::Postgres {
        return; // Row-level security exists on PostgreSQL only; SQLite relies on the scoped handle.
    }
    let a = app.add_shop("rls-shop", "RLS Shop").await;
    app.graphql(&a, "{ shop { name } }", json!({})).await;
    let mut tx = app.state.db.begin().await.unwrap();
    let (all,): (i64,) = tx
        .query("select count(*) from shop_profiles")
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(all, 1, "the owner sees the row");

    tx.query("set local role ecomcrm_tenant")
        .execute()
        .await
        .unwrap();
    let (visible,): (i64,) = tx
        .query("select count(*) from shop_profiles")
        .fetch_one()
        .await
        .unwrap();
    let (other,): (i64,) = {
        tx.query("select set_config('app.shop_id', '999999', true)")
            .execute()
            .await
            .unwrap();
        tx.query("select count(*) from shop_profiles")
            .fetch_one()
            .await
            .unwrap()
    };

    assert_eq!(visible, 0, "no shop set: no rows");
    assert_eq!(other, 0, "another shop set: no rows");
}
