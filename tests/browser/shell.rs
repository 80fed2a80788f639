//! The app shell in a real browser: the demo shop's name, navigation, deep links.

use ecomcrm_tests::test_app::{Options, TestApp};

use crate::driver::Browser;

const PAGES: &[&str] = &["customers", "automations", "inbox", "settings", "dashboard"];

async fn dev_app_with_shop(name: &str) -> (TestApp, String) {
    let app = TestApp::spawn_with(Options {
        dev: true,
        ..Default::default()
    })
    .await;
    let shop = app.add_shop("browser-demo", name).await;
    crate::install_on_plan(&app, &shop, "starter")
        .await
        .expect("shop on a plan");
    (app, shop)
}

pub async fn merchant_sees_their_shop_name_and_moves_between_pages() -> anyhow::Result<()> {
    let (app, shop) = dev_app_with_shop("Browser Demo Store").await;
    let b = Browser::start().await?;

    b.client.goto(&format!("{}/?shop={shop}", app.base)).await?;
    b.wait_for_text("#shop-name", "Browser Demo Store").await?;
    b.screenshot(&format!(
        "dashboard-{}",
        ecomcrm_tests::testdb::backend().name()
    ))
    .await?;

    for page in PAGES {
        b.wait_for(&format!("#nav-{page}")).await?.click().await?;
        b.wait_for(&format!("#page-{page}")).await?;
        let url = b.client.current_url().await?;
        anyhow::ensure!(
            url.query().unwrap_or("").contains("shop="),
            "navigation keeps the shop in the URL: {url}"
        );
    }
    b.screenshot(&format!(
        "after-navigation-{}",
        ecomcrm_tests::testdb::backend().name()
    ))
    .await?;
    b.close().await
}

pub async fn a_deep_link_opens_its_page_directly() -> anyhow::Result<()> {
    let (app, shop) = dev_app_with_shop("Deep Link Store").await;
    let b = Browser::start().await?;

    b.client
        .goto(&format!("{}/settings?shop={shop}", app.base))
        .await?;

    b.wait_for("#page-settings").await?;
    b.close().await
}
