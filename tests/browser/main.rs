//! Browser tests: the real server and the Shopify simulator, the app opened in headless Chromium
//! through WebDriver (chromedriver + fantoccini). Screenshots land in `target/browser-artifacts/`.
//! Set `ECOMCRM_SKIP_BROWSER=1` to skip (xtask does so, loudly, when Chromium is missing).

mod billing;
mod crm;
mod driver;
mod embedded;
mod settings;
mod shell;
mod sync;

use std::future::Future;
use std::pin::Pin;

use ecomcrm_tests::test_app::TestApp;

/// Installs the app on `shop` (its first authenticated request does that) and puts the shop on
/// `plan` directly, for tests about pages behind the plan gate.
pub async fn install_on_plan(app: &TestApp, shop: &str, plan: &str) -> anyhow::Result<()> {
    let res = app
        .graphql(shop, "{ shop { name } }", serde_json::json!({}))
        .await;
    anyhow::ensure!(res.status() == 200, "shop query answered {}", res.status());
    app.activate_plan(shop, plan).await;
    Ok(())
}

type TestFn = fn() -> Pin<Box<dyn Future<Output = anyhow::Result<()>>>>;

const TESTS: &[(&str, TestFn)] = &[
    (
        "merchant_sees_their_shop_name_and_moves_between_pages",
        || Box::pin(shell::merchant_sees_their_shop_name_and_moves_between_pages()),
    ),
    ("a_deep_link_opens_its_page_directly", || {
        Box::pin(shell::a_deep_link_opens_its_page_directly())
    }),
    ("each_embedded_shop_sees_only_its_own_name", || {
        Box::pin(embedded::each_embedded_shop_sees_only_its_own_name())
    }),
    (
        "settings_lists_shopify_events_and_customer_data_requests",
        || Box::pin(settings::settings_lists_shopify_events_and_customer_data_requests()),
    ),
    ("a_ready_customer_data_export_downloads", || {
        Box::pin(settings::a_ready_customer_data_export_downloads())
    }),
    (
        "a_merchant_picks_a_plan_approves_it_and_sees_it_active_with_usage_bars",
        || {
            Box::pin(
                billing::a_merchant_picks_a_plan_approves_it_and_sees_it_active_with_usage_bars(),
            )
        },
    ),
    (
        "a_merchant_who_declines_sees_why_and_still_only_the_plan_page",
        || Box::pin(billing::a_merchant_who_declines_sees_why_and_still_only_the_plan_page()),
    ),
    (
        "moving_to_a_smaller_plan_lists_what_would_pause_before_switching",
        || Box::pin(billing::moving_to_a_smaller_plan_lists_what_would_pause_before_switching()),
    ),
    (
        "a_merchant_reads_the_dashboard_filters_the_list_and_opens_a_customer",
        || Box::pin(crm::a_merchant_reads_the_dashboard_filters_the_list_and_opens_a_customer()),
    ),
    (
        "a_merchant_watches_the_first_import_fill_the_progress_bar",
        || Box::pin(sync::a_merchant_watches_the_first_import_fill_the_progress_bar()),
    ),
];

fn main() -> std::process::ExitCode {
    if std::env::var("ECOMCRM_SKIP_BROWSER").as_deref() == Ok("1") {
        println!("browser tests SKIPPED (ECOMCRM_SKIP_BROWSER=1)");
        return std::process::ExitCode::SUCCESS;
    }
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (mut passed, mut failed) = (0, 0);
    for (name, test) in TESTS {
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        match rt.block_on(test()) {
            Ok(()) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(e) => {
                failed += 1;
                println!("test {name} ... FAILED\n  {e:#}");
            }
        }
    }
    println!("\n{passed} passed, {failed} failed");
    if failed == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
