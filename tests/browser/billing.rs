//! Settings › Plan in a real browser, through the simulator's Billing API approval page: a shop
//! without a plan sees only the plan page, chooses a plan, approves or declines it on Shopify's
//! page and comes back to the app, which says what happened.

use std::time::Duration;

use ecomcrm_tests::test_app::{Options, TestApp};
use fantoccini::Locator;

use crate::driver::Browser;

async fn dev_app(handle: &str, name: &str) -> (TestApp, String) {
    let app = TestApp::spawn_with(Options {
        dev: true,
        ..Default::default()
    })
    .await;
    let shop = app.add_shop(handle, name).await;
    (app, shop)
}

/// Waits until the browser's URL path is `path`, and returns the URL's query.
async fn wait_for_path(b: &Browser, path: &str) -> anyhow::Result<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let url = b.client.current_url().await?;
        if url.path() == path {
            return Ok(url.query().unwrap_or("").to_string());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the browser is at {url}, expected the path {path}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the text of `css` contains `needle`, and returns the text.
async fn wait_for_text_containing(b: &Browser, css: &str, needle: &str) -> anyhow::Result<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let text = match b.client.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains(needle) {
            return Ok(text);
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "`{css}` shows {text:?}, expected it to contain {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Opens the app for a shop without a plan, checks it lands on the plan page and chooses `key`
/// there, ending on the simulator's approval page for `name`.
async fn choose_plan_from_a_fresh_shop(
    b: &Browser,
    app: &TestApp,
    shop: &str,
    key: &str,
    name: &str,
) -> anyhow::Result<()> {
    b.client.goto(&format!("{}/?shop={shop}", app.base)).await?;
    // Without a plan the dashboard sends the merchant to the plan page.
    let query = wait_for_path(b, "/settings/plan").await?;
    anyhow::ensure!(
        query.contains("shop="),
        "the redirect keeps the shop in the URL: {query}"
    );
    b.wait_for("#current-plan-none").await?;
    let button = b.wait_for(&format!("#choose-{key}")).await?;
    anyhow::ensure!(
        button.text().await? == format!("Choose {name}"),
        "the button reads {:?}",
        button.text().await?
    );
    b.screenshot(&format!(
        "plan-no-plan-{}",
        ecomcrm_tests::testdb::backend().name()
    ))
    .await?;
    button.click().await?;

    // Shopify's approval page, a top-level page.
    b.wait_for_text("#plan-name", name).await?;
    let price = b.wait_for("#price").await?.text().await?;
    anyhow::ensure!(!price.is_empty(), "the approval page shows no price");
    Ok(())
}

pub async fn a_merchant_picks_a_plan_approves_it_and_sees_it_active_with_usage_bars()
-> anyhow::Result<()> {
    let (app, shop) = dev_app("browser-billing", "Billing Store").await;
    let b = Browser::start().await?;

    choose_plan_from_a_fresh_shop(&b, &app, &shop, "growth", "Growth").await?;
    b.wait_for("#approve").await?.click().await?;

    // Back in the app, which re-reads billing from Shopify.
    let query = wait_for_path(&b, "/settings/plan").await?;
    anyhow::ensure!(
        query.contains("billing=return"),
        "Shopify sent the merchant back without billing=return: {query}"
    );
    b.wait_for_text("#current-plan-name", "Growth").await?;
    b.wait_for_text("#current-plan-status", "Active").await?;
    wait_for_text_containing(&b, "#billing-outcome", "You're on the Growth plan").await?;
    b.wait_for_text("#usage-emails .p-usage__value", "0 of 60,000")
        .await?;
    b.wait_for_text("#usage-ai-requests .p-usage__value", "0 of 1,000")
        .await?;
    b.wait_for_text("#plan-growth .p-badge", "Current plan")
        .await?;
    let choose = b.wait_for("#choose-growth").await?;
    anyhow::ensure!(
        choose.attr("disabled").await?.is_some(),
        "the current plan's button can still be clicked"
    );
    b.wait_for_text("#charges-empty .p-empty-state__heading", "No usage charges")
        .await?;
    // The navigation marks "Plan", not "Settings" as well.
    let plan_nav = b.wait_for("#nav-plan").await?;
    anyhow::ensure!(
        plan_nav.attr("aria-current").await?.as_deref() == Some("page"),
        "the Plan entry is not marked as the current page"
    );
    let settings_nav = b.wait_for("#nav-settings").await?;
    anyhow::ensure!(
        settings_nav.attr("aria-current").await?.is_none(),
        "Settings is marked current on the plan page"
    );

    let backend = ecomcrm_tests::testdb::backend().name();
    b.screenshot(&format!("plan-active-{backend}")).await?;
    b.client.set_window_size(1280, 1800).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.screenshot(&format!("plan-active-full-{backend}")).await?;
    b.client.set_window_size(1280, 860).await?;

    // With a plan the rest of the app opens.
    b.wait_for("#nav-dashboard").await?.click().await?;
    b.wait_for_text("#shop-name", "Billing Store").await?;
    wait_for_path(&b, "/").await?;
    b.close().await
}

pub async fn a_merchant_who_declines_sees_why_and_still_only_the_plan_page() -> anyhow::Result<()> {
    let (app, shop) = dev_app("browser-declines", "Declining Store").await;
    let b = Browser::start().await?;

    choose_plan_from_a_fresh_shop(&b, &app, &shop, "pro", "Pro").await?;
    b.wait_for("#decline").await?.click().await?;

    wait_for_path(&b, "/settings/plan").await?;
    let banner =
        wait_for_text_containing(&b, "#billing-outcome", "You declined the Pro plan").await?;
    anyhow::ensure!(
        banner.contains("nothing was charged"),
        "the banner does not say nothing was charged: {banner:?}"
    );
    b.wait_for("#current-plan-none").await?;
    b.screenshot(&format!(
        "plan-declined-{}",
        ecomcrm_tests::testdb::backend().name()
    ))
    .await?;

    // Still no plan: the dashboard is the plan page.
    b.wait_for("#nav-dashboard").await?.click().await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    wait_for_path(&b, "/settings/plan").await?;
    b.wait_for("#page-plan #choose-pro").await?;
    anyhow::ensure!(
        b.client
            .find(Locator::Css("#page-dashboard"))
            .await
            .is_err(),
        "the dashboard shows without a plan"
    );
    b.close().await
}

pub async fn moving_to_a_smaller_plan_lists_what_would_pause_before_switching() -> anyhow::Result<()>
{
    let (app, shop) = dev_app("browser-downgrade", "Downgrade Store").await;
    crate::install_on_plan(&app, &shop, "growth").await?;
    // 300 AI requests this period: within Growth (1,000), over Starter (200).
    let domain = shared::ShopDomain::parse(&shop)?;
    let db = ecomcrm::shopify::shops::find_by_domain(&app.state.db, &domain)
        .await?
        .ok_or_else(|| anyhow::anyhow!("shop not installed"))?
        .db(&app.state.db);
    ecomcrm::shopify::billing::usage::consume(
        &app.state,
        &db,
        ecomcrm::shopify::billing::usage::Metric::AiRequests,
        300,
    )
    .await
    .map_err(|e| anyhow::anyhow!("usage not recorded: {e:?}"))?;
    let b = Browser::start().await?;

    b.client
        .goto(&format!("{}/settings/plan?shop={shop}", app.base))
        .await?;
    b.wait_for_text("#usage-ai-requests .p-usage__value", "300 of 1,000")
        .await?;
    b.wait_for("#plan-starter .p-plan__warning-note").await?;
    b.wait_for("#choose-starter").await?.click().await?;
    // The confirm step names what would pause; nothing has left the app yet.
    let confirm = wait_for_text_containing(&b, "#confirm-starter", "300").await?;
    anyhow::ensure!(
        confirm.contains("Switch anyway"),
        "no way to confirm: {confirm:?}"
    );
    wait_for_path(&b, "/settings/plan").await?;
    b.screenshot(&format!(
        "plan-downgrade-confirm-{}",
        ecomcrm_tests::testdb::backend().name()
    ))
    .await?;
    b.client
        .find(Locator::XPath(
            "//*[@id='confirm-starter']//button[normalize-space()='Switch anyway']",
        ))
        .await?
        .click()
        .await?;
    b.wait_for_text("#plan-name", "Starter").await?;
    b.close().await
}
