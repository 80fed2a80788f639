//! `/auth` → the simulator's grant screen → `/auth/callback`: the happy path ends installed with
//! an encrypted token and a redirect into the admin; every tampered or replayed callback is a 4xx.

use ecomcrm_tests::test_app::TestApp;

use super::{host_for, location, no_redirect, now_ts, signed, url_param};

/// Starts OAuth for `shop` and returns the grant screen URL.
async fn begin(app: &TestApp, shop: &str) -> String {
    let client = no_redirect();
    let res = client
        .get(format!("{}/auth?shop={shop}", app.base))
        .send()
        .await
        .unwrap();
    location(&res)
}

/// Lets the simulator approve the grant and returns the callback URL it redirects to.
async fn approve(authorize_url: &str) -> String {
    let res = no_redirect().get(authorize_url).send().await.unwrap();
    location(&res)
}

/// Access token, install time and scopes, as stored.
type StoredShop = (
    Option<Vec<u8>>,
    Option<chrono::DateTime<chrono::Utc>>,
    String,
);

async fn get(url: &str) -> reqwest::Response {
    no_redirect().get(url).send().await.unwrap()
}

#[tokio::test]
async fn oauth_round_trip_installs_with_an_encrypted_token_and_returns_to_the_admin() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("oauth-bakery", "OAuth Bakery").await;

    let authorize = begin(&app, &shop).await;
    assert!(
        authorize.contains(&format!("/shops/{shop}/admin/oauth/authorize?")),
        "{authorize}"
    );
    assert_eq!(
        url_param(&authorize, "client_id").as_deref(),
        Some(app.api_key.as_str())
    );
    assert_eq!(
        url_param(&authorize, "redirect_uri"),
        Some(format!("{}/auth/callback", app.base))
    );
    assert_eq!(url_param(&authorize, "state").map(|s| s.len()), Some(64));
    let callback = approve(&authorize).await;
    let res = get(&callback).await;

    assert_eq!(
        location(&res),
        format!(
            "https://admin.shopify.com/store/oauth-bakery/apps/{}",
            app.api_key
        )
    );
    let row: Vec<StoredShop> = app
        .state
        .db
        .query("select access_token_enc, installed_at, scopes from shops where domain = $1")
        .bind(shop.as_str())
        .fetch_all()
        .await
        .unwrap();
    let (token, installed, scopes) = row.into_iter().next().expect("shop row");
    let token = token.expect("token stored");
    assert!(
        !String::from_utf8_lossy(&token).contains("shpat_"),
        "encrypted"
    );
    assert!(installed.is_some());
    assert!(scopes.contains("read_customers"), "{scopes}");
    // The stored token works: the app reads the shop through the Admin API with it.
    let body: serde_json::Value = app
        .graphql(&shop, "{ shop { name } }", serde_json::json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"]["shop"]["name"], "OAuth Bakery", "{body}");
    assert_eq!(
        app.sim_token_exchanges(&shop).await,
        1,
        "no second install by token exchange"
    );
}

#[tokio::test]
async fn a_callback_replayed_with_the_same_state_is_refused() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("replay-shop", "Replay").await;
    let callback = approve(&begin(&app, &shop).await).await;
    assert_eq!(get(&callback).await.status(), 302);

    let again = get(&callback).await;

    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("already used"));
}

#[tokio::test]
async fn a_tampered_hmac_is_refused_and_leaves_the_shop_uninstalled() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("tamper-shop", "Tamper").await;
    let callback = approve(&begin(&app, &shop).await).await;
    let hmac = url_param(&callback, "hmac").unwrap();
    let flipped = format!(
        "{}{}",
        if hmac.starts_with('0') { "1" } else { "0" },
        &hmac[1..]
    );

    let res = get(&callback.replace(&hmac, &flipped)).await;

    assert_eq!(res.status(), 400);
    let installed: Vec<(i64,)> = app
        .state
        .db
        .query("select id from shops where domain = $1 and installed_at is not null")
        .bind(shop.as_str())
        .fetch_all()
        .await
        .unwrap();
    assert!(installed.is_empty());
}

#[tokio::test]
async fn a_stale_timestamp_is_refused_even_when_signed() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("stale-shop", "Stale").await;
    let state = url_param(&begin(&app, &shop).await, "state").unwrap();
    let old = (chrono::Utc::now().timestamp() - 120).to_string();
    let host = host_for("stale-shop");
    let q = signed(
        &app,
        &[
            ("code", "abc"),
            ("host", &host),
            ("shop", &shop),
            ("state", &state),
            ("timestamp", &old),
        ],
    );

    let res = get(&format!("{}/auth/callback?{q}", app.base)).await;

    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("too old"));
}

#[tokio::test]
async fn a_state_issued_for_another_shop_is_refused() {
    let app = TestApp::spawn().await;
    let shop_a = app.add_shop("state-owner", "Owner").await;
    let shop_b = app.add_shop("state-thief", "Thief").await;
    let state_a = url_param(&begin(&app, &shop_a).await, "state").unwrap();
    let ts = now_ts();
    let host = host_for("state-thief");
    let q = signed(
        &app,
        &[
            ("code", "abc"),
            ("host", &host),
            ("shop", &shop_b),
            ("state", &state_a),
            ("timestamp", &ts),
        ],
    );

    let res = get(&format!("{}/auth/callback?{q}", app.base)).await;

    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn bad_shop_domains_are_refused_with_a_clear_message() {
    let app = TestApp::spawn().await;

    let begin = get(&format!("{}/auth?shop=evil.com", app.base)).await;
    let missing = get(&format!("{}/auth", app.base)).await;
    let ts = now_ts();
    let q = signed(
        &app,
        &[
            ("code", "abc"),
            ("shop", "evil.com"),
            ("state", "x"),
            ("timestamp", &ts),
        ],
    );
    let callback = get(&format!("{}/auth/callback?{q}", app.base)).await;

    assert_eq!(begin.status(), 400);
    assert_eq!(missing.status(), 400);
    assert_eq!(callback.status(), 400);
    assert_eq!(
        begin.headers()["content-security-policy"],
        "frame-ancestors 'none';"
    );
    assert!(begin.text().await.unwrap().contains("myshopify.com"));
}

#[tokio::test]
async fn granted_scopes_short_of_the_required_lead_back_to_authorization() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("stingy-shop", "Stingy").await;
    let authorize = begin(&app, &shop).await;
    let full = url_param(&authorize, "scope").unwrap();
    // The merchant edits the grant URL down to one scope.
    let edited = authorize.replace(
        &format!("scope={}", ecomcrm_tests::signing::form_encode(&full)),
        "scope=read_customers",
    );
    assert_ne!(edited, authorize);
    let callback = approve(&edited).await;

    let again = location(&get(&callback).await);

    assert!(again.contains("/admin/oauth/authorize?"), "{again}");
    assert_eq!(url_param(&again, "scope"), Some(full));
    assert_ne!(
        url_param(&again, "state"),
        url_param(&authorize, "state"),
        "a fresh state"
    );
}

#[tokio::test]
async fn inside_the_admin_iframe_auth_breaks_out_to_the_top_window() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("framed-shop", "Framed").await;

    let res = get(&format!("{}/auth?shop={shop}&embedded=1", app.base)).await;

    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-security-policy"],
        format!("frame-ancestors https://{shop} https://admin.shopify.com;")
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("app-bridge.js"), "{html}");
    assert!(html.contains("\"_top\""), "{html}");
    assert!(html.contains("/admin/oauth/authorize?"), "{html}");
}
