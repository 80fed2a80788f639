//! Signed document loads from the admin: a bad signature is a 400, an installed shop opened
//! top-level is sent back into the admin, an embedded load without a valid `id_token` bounces
//! through App Bridge with `shopify-reload`, and a valid one gets the app with the shop's CSP.

use ecomcrm_tests::test_app::TestApp;

use super::{host_for, location, no_redirect, now_ts, query, signed, url_param};

async fn get(app: &TestApp, path_and_query: &str) -> reqwest::Response {
    no_redirect()
        .get(format!("{}{path_and_query}", app.base))
        .send()
        .await
        .unwrap()
}

fn csp_for(shop: &str) -> String {
    format!("frame-ancestors https://{shop} https://admin.shopify.com;")
}

#[tokio::test]
async fn a_load_with_a_bad_hmac_is_a_400_without_the_shop_in_the_csp() {
    let app = TestApp::spawn().await;
    let ts = now_ts();
    let host = host_for("forged");
    let q = query(&[
        ("embedded", "1"),
        ("host", &host),
        ("shop", "forged.myshopify.com"),
        ("timestamp", &ts),
        ("hmac", "00ff"),
    ]);

    let res = get(&app, &format!("/?{q}")).await;

    assert_eq!(res.status(), 400);
    assert_eq!(
        res.headers()["content-security-policy"],
        "frame-ancestors 'none';"
    );
}

#[tokio::test]
async fn a_stale_signed_load_is_a_400() {
    let app = TestApp::spawn().await;
    let old = (chrono::Utc::now().timestamp() - 3600).to_string();
    let q = signed(&app, &[("shop", "late.myshopify.com"), ("timestamp", &old)]);

    assert_eq!(get(&app, &format!("/?{q}")).await.status(), 400);
}

#[tokio::test]
async fn an_installed_shop_opened_outside_the_admin_is_sent_back_into_it() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("top-level", "Top Level").await;
    app.graphql(&shop, "{ shop { name } }", serde_json::json!({}))
        .await;
    let ts = now_ts();
    let host = host_for("top-level");

    let res = get(
        &app,
        &format!(
            "/?{}",
            signed(
                &app,
                &[("host", &host), ("shop", &shop), ("timestamp", &ts)]
            )
        ),
    )
    .await;

    assert_eq!(
        location(&res),
        format!(
            "https://admin.shopify.com/store/top-level/apps/{}",
            app.api_key
        )
    );
}

#[tokio::test]
async fn a_new_shop_opened_outside_the_admin_starts_oauth_at_once() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("fresh-install", "Fresh").await;
    let ts = now_ts();

    let res = get(
        &app,
        &format!("/?{}", signed(&app, &[("shop", &shop), ("timestamp", &ts)])),
    )
    .await;

    assert_eq!(location(&res), format!("/auth?shop={shop}"));
}

#[tokio::test]
async fn an_embedded_load_without_id_token_bounces_with_shopify_reload() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("bouncy", "Bouncy").await;
    let ts = now_ts();
    let host = host_for("bouncy");
    let q = signed(
        &app,
        &[
            ("embedded", "1"),
            ("host", &host),
            ("shop", &shop),
            ("timestamp", &ts),
        ],
    );

    let res = get(&app, &format!("/customers?{q}")).await;

    let to = location(&res);
    assert!(to.starts_with("/auth/session-token?"), "{to}");
    let reload = url_param(&format!("http://x{to}"), "shopify-reload").expect("shopify-reload");
    assert_eq!(reload, format!("{}/customers?{q}", app.base));
    let page = get(&app, &to).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-security-policy"], csp_for(&shop));
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!(
        r#"<meta name="shopify-api-key" content="{}" />"#,
        app.api_key
    )));
    assert!(
        html.contains(
            r#"<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>"#
        )
    );
}

#[tokio::test]
async fn an_embedded_load_with_an_invalid_id_token_bounces_without_it() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("expired-token", "Expired").await;
    let ts = now_ts();
    let host = host_for("expired-token");
    let stale = ecomcrm_tests::signing::mint_session_token(
        &app.api_key,
        &app.api_secret,
        &shop,
        Some("1"),
        chrono::Utc::now().timestamp() - 600,
    );
    let q = signed(
        &app,
        &[
            ("embedded", "1"),
            ("host", &host),
            ("id_token", &stale),
            ("shop", &shop),
            ("timestamp", &ts),
        ],
    );

    let to = location(&get(&app, &format!("/?{q}")).await);

    assert!(to.starts_with("/auth/session-token?"), "{to}");
    assert!(!to.contains("id_token"), "{to}");
}

#[tokio::test]
async fn an_embedded_load_with_a_valid_token_serves_the_app_with_the_shop_csp() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("happy-embed", "Happy").await;
    let ts = now_ts();
    let host = host_for("happy-embed");
    let token = app.session_token(&shop);
    let q = signed(
        &app,
        &[
            ("embedded", "1"),
            ("host", &host),
            ("id_token", &token),
            ("shop", &shop),
            ("timestamp", &ts),
        ],
    );

    let res = get(&app, &format!("/?{q}")).await;

    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-security-policy"], csp_for(&shop));
    assert!(res.text().await.unwrap().contains("app-bridge.js"));
}

#[tokio::test]
async fn the_reload_after_the_bounce_carries_a_fresh_unsigned_id_token_and_is_served() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("reloaded", "Reloaded").await;
    let ts = now_ts();
    let host = host_for("reloaded");
    // Shopify signed the load without the token that App Bridge appends on reload.
    let q = signed(
        &app,
        &[
            ("embedded", "1"),
            ("host", &host),
            ("shop", &shop),
            ("timestamp", &ts),
        ],
    );
    let token = app.session_token(&shop);

    let res = get(&app, &format!("/?{q}&id_token={token}")).await;

    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-security-policy"], csp_for(&shop));
}

#[tokio::test]
async fn a_token_for_another_shop_does_not_open_this_one() {
    let app = TestApp::spawn().await;
    let shop = app.add_shop("victim-embed", "Victim").await;
    let other = app.add_shop("other-embed", "Other").await;
    let ts = now_ts();
    let host = host_for("victim-embed");
    let token = app.session_token(&other);
    let q = signed(
        &app,
        &[
            ("embedded", "1"),
            ("host", &host),
            ("id_token", &token),
            ("shop", &shop),
            ("timestamp", &ts),
        ],
    );

    let to = location(&get(&app, &format!("/?{q}")).await);

    assert!(to.starts_with("/auth/session-token?"), "{to}");
}

#[tokio::test]
async fn a_signed_load_with_a_foreign_host_is_refused() {
    let app = TestApp::spawn().await;
    let ts = now_ts();
    use base64::Engine as _;
    let evil = base64::engine::general_purpose::STANDARD_NO_PAD.encode("evil.example/store/x");
    let q = signed(
        &app,
        &[
            ("host", &evil),
            ("shop", "hosty.myshopify.com"),
            ("timestamp", &ts),
        ],
    );

    assert_eq!(get(&app, &format!("/?{q}")).await.status(), 400);
}
