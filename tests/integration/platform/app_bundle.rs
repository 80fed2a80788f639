//! The app bundle: index.html for every app route with the frame-ancestors CSP, hashed assets
//! cached forever, unknown files 404.

use ecomcrm_tests::test_app::TestApp;

#[tokio::test]
async fn deep_links_serve_the_app_with_the_api_key_and_a_csp_for_the_shop() {
    let app = TestApp::spawn().await;

    let res = app
        .get("/customers?shop=demo.myshopify.com&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw")
        .await;

    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-security-policy"],
        "frame-ancestors https://demo.myshopify.com https://admin.shopify.com;"
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains(&format!("content=\"{}\"", app.api_key)),
        "api key meta filled in"
    );
    assert!(
        html.contains("cdn.shopify.com/shopifycloud/app-bridge.js"),
        "App Bridge when embedded"
    );
}

#[tokio::test]
async fn standalone_loads_skip_app_bridge_and_a_bad_shop_is_never_reflected() {
    let app = TestApp::spawn().await;

    let res = app.get("/?shop=evil.com%20https://x").await;

    assert_eq!(
        res.headers()["content-security-policy"],
        "frame-ancestors 'none';"
    );
    assert!(!res.text().await.unwrap().contains("app-bridge.js"));
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_missing_files_404() {
    let app = TestApp::spawn().await;
    let html = app.get("/").await.text().await.unwrap();
    let wasm = html
        .split('"')
        .find(|s| s.ends_with("_bg.wasm"))
        .expect("index.html references the wasm")
        .trim_start_matches('/')
        .to_string();

    let res = app.get(&format!("/{wasm}")).await;

    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(app.get("/missing-0123456789abcdef.js").await.status(), 404);
    assert_eq!(app.get("/../Cargo.toml").await.status(), 404);
}

#[tokio::test]
async fn dev_routes_exist_only_in_dev() {
    let prod = TestApp::spawn().await;
    for path in ["/dev/session?shop=demo.myshopify.com", "/graphiql"] {
        let res = prod.get(path).await;
        let kind = res.headers()["content-type"].to_str().unwrap().to_string();
        assert!(
            kind.starts_with("text/html"),
            "{path} falls through to the app shell in production, got {kind}"
        );
    }

    let dev = TestApp::spawn_with(ecomcrm_tests::test_app::Options {
        dev: true,
        ..Default::default()
    })
    .await;
    let body: serde_json::Value = dev
        .get("/dev/session?shop=demo.myshopify.com")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        body["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3),
        "{body}"
    );
    assert_eq!(dev.get("/dev/session?shop=evil.com").await.status(), 400);
}
