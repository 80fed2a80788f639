//! Settings in a real browser: the Shopify events the app receives and the Privacy card's
//! customer data requests, each loading on its own under the store card, and the link to the
//! plan page.

use std::time::Duration;

use ecomcrm_tests::test_app::{Options, TestApp};
use fantoccini::Locator;

use crate::driver::Browser;

/// The labels the "Shopify events" card gives a topic's status.
const STATUS_LABELS: &[&str] = &["Subscribed", "Declared by the app", "Setting up", "Failed"];

pub async fn settings_lists_shopify_events_and_customer_data_requests() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(Options {
        dev: true,
        ..Default::default()
    })
    .await;
    let shop = app.add_shop("browser-settings", "Settings Store").await;
    // The Shopify events card is behind the plan guard; the privacy card never is.
    crate::install_on_plan(&app, &shop, "starter").await?;
    let b = Browser::start().await?;

    b.client
        .goto(&format!("{}/settings?shop={shop}", app.base))
        .await?;
    b.wait_for_text("#settings-shop-name", "Settings Store")
        .await?;

    // A new store has had no data requests: the Privacy card says what will appear there.
    b.wait_for_text(
        "#privacy-empty .p-empty-state__heading",
        "No customer data requests",
    )
    .await?;

    // Every topic is listed, app/uninstalled among them, with a status badge.
    let row = wait_for_row(&b, "#settings-webhooks tbody tr", "app/uninstalled").await?;
    anyhow::ensure!(
        STATUS_LABELS.iter().any(|label| row.contains(label)),
        "the app/uninstalled row shows no status badge: {row:?}"
    );
    let checked = b.wait_for("#webhooks-last-checked").await?.text().await?;
    anyhow::ensure!(
        checked.starts_with("Last checked") || checked.starts_with("Not checked"),
        "unexpected last-checked line: {checked:?}"
    );

    // Settings links to the plan page.
    b.wait_for("#settings-plan-link").await?;

    let backend = ecomcrm_tests::testdb::backend().name();
    b.screenshot(&format!("settings-{backend}")).await?;
    // The whole page, to review the spacing of both cards.
    b.client.set_window_size(1280, 2400).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.screenshot(&format!("settings-full-{backend}")).await?;
    b.close().await
}

/// Waits until one of the rows matched by `css` contains `needle`, and returns that row's text.
/// Fails early with an error banner when a card could not be loaded.
async fn wait_for_row(b: &Browser, css: &str, needle: &str) -> anyhow::Result<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        for row in b.client.find_all(Locator::Css(css)).await? {
            let text = row.text().await.unwrap_or_default();
            if text.contains(needle) {
                return Ok(text);
            }
        }
        for error in ["#webhooks-error", "#privacy-error"] {
            if let Ok(banner) = b.client.find(Locator::Css(error)).await {
                let text = banner.text().await.unwrap_or_default();
                anyhow::bail!("`{error}`: a card failed to load: {text:?}");
            }
        }
        if tokio::time::Instant::now() >= deadline {
            b.client.set_window_size(1280, 2400).await?;
            let shot = b.screenshot("settings-timeout").await?;
            let html = b
                .client
                .execute(
                    "return document.querySelector('#page-settings .p-page__content').innerHTML",
                    vec![],
                )
                .await?;
            eprintln!("{html}");
            anyhow::bail!("no `{css}` contains {needle:?} (see {})", shot.display());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn a_ready_customer_data_export_downloads() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(Options {
        dev: true,
        ..Default::default()
    })
    .await;
    let shop = app.add_shop("browser-privacy", "Privacy Store").await;
    // Opening the app once installs it, so Shopify's deliveries for the shop are accepted; the
    // plan lets the rest of Settings load.
    crate::install_on_plan(&app, &shop, "starter").await?;
    let customer: i64 = 706_405_506_930_379_001;
    let body = serde_json::json!({
        "shop_id": 954_889, "shop_domain": shop,
        "customer": { "id": customer, "email": "dana.request@example.com" },
        "orders_requested": [], "data_request": { "id": 9999 }
    });
    let delivery = ecomcrm_tests::sim::WebhookDelivery::new(
        &shop,
        "customers/data_request",
        body.to_string().into_bytes(),
        shared::SHOPIFY_API_VERSION,
        chrono::Utc::now(),
    );
    let out = app.sim.deliver(&delivery).await?;
    anyhow::ensure!(out.status == 200, "data request answered {}", out.status);
    app.run_jobs().await;
    let b = Browser::start().await?;

    b.client
        .goto(&format!("{}/settings?shop={shop}", app.base))
        .await?;
    let row = wait_for_row(&b, "#settings-privacy tbody tr", &customer.to_string()).await?;
    anyhow::ensure!(row.contains("Ready"), "the export is not ready: {row:?}");
    b.screenshot(&format!(
        "settings-privacy-ready-{}",
        ecomcrm_tests::testdb::backend().name()
    ))
    .await?;

    b.wait_for("#settings-privacy tbody button")
        .await?
        .click()
        .await?;
    b.wait_for_text(".p-toast span", "Export downloaded")
        .await?;
    b.close().await
}
