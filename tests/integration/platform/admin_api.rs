//! The Admin API client's discipline against the simulator: it waits for a shop's bucket before
//! it runs dry, rides out `THROTTLED` and 5xx answers, gives up after a bounded number of
//! attempts, and never retries a refused token (the caller refreshes it).

use ecomcrm::shopify::admin_client::{SHOP_PROFILE, ShopifyError};
use ecomcrm::shopify::refresh;
use ecomcrm_tests::test_app::TestApp;
use serde_json::{Value, json};

async fn installed(app: &TestApp, handle: &str) -> (shared::ShopDomain, String) {
    let shop = app.add_shop(handle, "Client Shop").await;
    app.graphql(&shop, "{ shop { name } }", json!({})).await;
    let id = app.shop_id(&shop).await;
    let token = refresh::fresh_access_token(&app.state, id)
        .await
        .expect("token");
    (shared::ShopDomain::parse(&shop).expect("domain"), token)
}

async fn faults(app: &TestApp, shop: &str, body: Value) {
    let url = format!("{}/_sim/shops/{shop}/faults", app.sim.base_url);
    let res = app.http.post(url).json(&body).send().await.expect("faults");
    assert!(res.status().is_success());
}

/// The simulator's outcome of each Admin GraphQL request of a shop, oldest first.
fn outcomes(app: &TestApp, shop: &str) -> Vec<String> {
    app.sim
        .requests()
        .into_iter()
        .filter(|r| r.shop.as_deref() == Some(shop) && r.path.ends_with("/graphql.json"))
        .map(|r| match r.status {
            200 => r
                .detail
                .and_then(|d| d["outcome"].as_str().map(String::from))
                .unwrap_or_default(),
            status => status.to_string(),
        })
        .collect()
}

const PAGE: &str = "{ customers(first: 50) { nodes { id } } }";

#[tokio::test]
async fn a_drained_bucket_is_waited_out_and_the_next_call_waits_before_sending() {
    let app = TestApp::spawn().await;
    let (shop, token) = installed(&app, "throttled-client").await;
    faults(&app, shop.as_str(), json!({"drain_bucket": true})).await;
    let before = outcomes(&app, shop.as_str()).len();

    let first = app
        .state
        .admin
        .graphql::<Value>(&shop, &token, PAGE, json!({}))
        .await;
    let second = app
        .state
        .admin
        .graphql::<Value>(&shop, &token, PAGE, json!({}))
        .await;

    assert!(first.is_ok() && second.is_ok(), "{first:?} {second:?}");
    let seen = outcomes(&app, shop.as_str())[before..].to_vec();
    assert_eq!(
        seen,
        ["throttled", "ok", "ok"],
        "the second call was paced, not throttled"
    );
}

#[tokio::test]
async fn server_errors_are_retried_and_persistent_ones_give_up() {
    let app = TestApp::spawn().await;
    let (shop, token) = installed(&app, "flaky-client").await;
    faults(&app, shop.as_str(), json!({"status": 503, "count": 2})).await;

    let recovered = app
        .state
        .admin
        .graphql::<Value>(&shop, &token, SHOP_PROFILE, json!({}))
        .await;
    faults(&app, shop.as_str(), json!({"status": 500, "count": 20})).await;
    let before = outcomes(&app, shop.as_str()).len();
    let failed = app
        .state
        .admin
        .graphql::<Value>(&shop, &token, SHOP_PROFILE, json!({}))
        .await;

    assert!(recovered.is_ok(), "{recovered:?}");
    assert!(matches!(failed, Err(ShopifyError::Http(500))), "{failed:?}");
    assert_eq!(
        outcomes(&app, shop.as_str()).len() - before,
        5,
        "five attempts, then give up"
    );
}

#[tokio::test]
async fn a_refused_token_is_returned_at_once() {
    let app = TestApp::spawn().await;
    let (shop, token) = installed(&app, "revoked-client").await;
    faults(&app, shop.as_str(), json!({"status": 401, "count": 3})).await;
    let before = outcomes(&app, shop.as_str()).len();

    let refused = app
        .state
        .admin
        .graphql::<Value>(&shop, &token, SHOP_PROFILE, json!({}))
        .await;

    assert!(
        matches!(refused, Err(ShopifyError::Unauthorized)),
        "{refused:?}"
    );
    assert_eq!(outcomes(&app, shop.as_str()).len() - before, 1);
}

/// Runs the daily profile refresh for one shop now, as the schedule's fan-out would.
async fn refresh_profile(app: &TestApp, shop: &str) -> ecomcrm::jobs::RunStats {
    let id = app.shop_id(shop).await;
    let mut tx = app.state.db.begin().await.expect("begin");
    ecomcrm::jobs::enqueue(
        &mut tx,
        &app.state.clock,
        &ecomcrm::shopify::jobs::RefreshShopProfile { shop_id: id.get() },
        ecomcrm::jobs::EnqueueOpts::default().shop(id),
    )
    .await
    .expect("enqueue");
    tx.commit().await.expect("commit");
    app.run_jobs().await
}

#[tokio::test]
async fn a_refused_token_is_refreshed_once_and_then_the_shop_is_marked_for_reauthorization() {
    let app = TestApp::spawn().await;
    let (shop, _) = installed(&app, "reauth-client").await;
    app.run_jobs().await;
    let refreshes = |app: &TestApp| {
        app.sim_access_token_grants(shop.as_str())
            .iter()
            .filter(|g| g["grant_type"] == "refresh_token")
            .count()
    };

    // One refusal: the token is refreshed with the refresh token and the job succeeds.
    faults(&app, shop.as_str(), json!({"status": 401, "count": 1})).await;
    let once = refresh_profile(&app, shop.as_str()).await;
    assert_eq!((once.dead, once.retried), (0, 0));
    assert_eq!(refreshes(&app), 1);
    let (access, _) = app.sealed_tokens(shop.as_str()).await;
    assert!(access.is_some(), "a refreshed token is stored");

    // Refused again after the refresh: the tokens are dropped, the job ends quietly, and the
    // merchant's next visit exchanges a new token.
    faults(&app, shop.as_str(), json!({"status": 401, "count": 2})).await;
    let twice = refresh_profile(&app, shop.as_str()).await;
    assert_eq!((twice.dead, twice.retried), (0, 0));
    assert_eq!(app.sealed_tokens(shop.as_str()).await, (None, None));
    let exchanges = app.sim_token_exchanges(shop.as_str()).await;
    app.graphql(shop.as_str(), "{ shop { name } }", json!({}))
        .await;
    assert_eq!(app.sim_token_exchanges(shop.as_str()).await, exchanges + 1);
}
