//! The app opened as the Shopify admin opens it: a signed load with `host`, `embedded=1` and an
//! `id_token`, App Bridge present (the simulator's stand-in), tokens from `shopify.idToken()`.
//! Two shops, each seeing only its own name.

use ecomcrm_tests::test_app::{Options, TestApp};

use crate::driver::Browser;

pub async fn each_embedded_shop_sees_only_its_own_name() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(Options {
        admin_stand_in: true,
        worker: true,
        ..Default::default()
    })
    .await;
    let a = app.add_shop("embedded-alpha", "Alpha Embedded Store").await;
    let b = app.add_shop("embedded-bravo", "Bravo Embedded Store").await;
    for shop in [&a, &b] {
        crate::install_on_plan(&app, shop, "growth").await?;
    }
    let browser = Browser::start().await?;

    for (shop, name, other) in [
        (&a, "Alpha Embedded Store", "Bravo Embedded Store"),
        (&b, "Bravo Embedded Store", "Alpha Embedded Store"),
    ] {
        browser.client.goto(&app.admin_load_url(shop, "/")).await?;
        browser.wait_for_text("#shop-name", name).await?;
        let page = browser.client.source().await?;
        anyhow::ensure!(!page.contains(other), "{shop} sees the other shop's name");
        // Embedded: App Bridge renders the admin's navigation, so the app's own sidebar is gone.
        browser.wait_for("ui-nav-menu").await?;
        browser
            .screenshot(&format!(
                "embedded-{}-{}",
                shop.trim_end_matches(".myshopify.com"),
                ecomcrm_tests::testdb::backend().name()
            ))
            .await?;
    }
    browser.close().await
}
