//! Settings › Data sync in a real browser: a freshly installed shop's full import runs against
//! the simulator while the merchant watches the progress bar fill (live, over `/graphql/ws`), the
//! run turn SUCCEEDED in the history, and "Last synced" go from never to just now, on the page
//! and under the navigation.

use std::time::Duration;

use ecomcrm_tests::sim::ShopSpec;
use ecomcrm_tests::test_app::{Options, TestApp};
use fantoccini::Locator;
use serde_json::json;

use crate::driver::Browser;

/// How long the simulator keeps each bulk operation RUNNING: long enough to open the page and
/// see the import in progress, short enough for a test.
const BULK_DELAY_MS: u64 = 6_000;

/// How long the whole import may take before the test gives up.
const IMPORT_TIMEOUT: Duration = Duration::from_secs(120);

/// An attribute of the element `css` matches now, or `None` when the element is not there or
/// was re-rendered between finding and reading it (Leptos replaces nodes as data arrives).
async fn attr_of(b: &Browser, css: &str, name: &str) -> Option<String> {
    let element = b.client.find(Locator::Css(css)).await.ok()?;
    element.attr(name).await.ok().flatten()
}

/// Waits until the element `css` exists and reports whether it has attribute `name`.
async fn has_attr(b: &Browser, css: &str, name: &str) -> anyhow::Result<bool> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(element) = b.client.find(Locator::Css(css)).await
            && let Ok(value) = element.attr(name).await
        {
            return Ok(value.is_some());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "`{css}` never settled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The text of `css`, or "" when it is not on the page.
async fn text_of(b: &Browser, css: &str) -> String {
    match b.client.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Fails with the page's error banner when the page could not load.
async fn no_page_error(b: &Browser) -> anyhow::Result<()> {
    let error = text_of(b, "#page-error").await;
    anyhow::ensure!(
        error.is_empty(),
        "the Data sync page failed to load: {error:?}"
    );
    Ok(())
}

/// Waits until `check` holds for the text of `css`, and returns that text.
async fn wait_for_text_where(
    b: &Browser,
    css: &str,
    what: &str,
    check: impl Fn(&str) -> bool,
) -> anyhow::Result<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let text = text_of(b, css).await;
        if check(text.trim()) {
            return Ok(text.trim().to_string());
        }
        no_page_error(b).await?;
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "`{css}` shows {text:?}, expected {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// "just now" or "… ago": the label names a past sync.
fn says_synced(text: &str) -> bool {
    text.contains("just now") || text.contains(" ago")
}

pub async fn a_merchant_watches_the_first_import_fill_the_progress_bar() -> anyhow::Result<()> {
    // Arrange: the worker runs in the background, as in `ecomcrm serve`, so the import proceeds
    // on its own while the browser watches.
    let app = TestApp::spawn_with(Options {
        dev: true,
        worker: true,
        bulk_operation_delay_ms: BULK_DELAY_MS,
        ..Default::default()
    })
    .await;
    let shop = "browser-sync.myshopify.com";
    app.sim
        .create_demo_shop(ShopSpec {
            name: Some("Sync Store".into()),
            customers: 300,
            orders: 600,
            abandoned_checkouts: Some(40),
            ..ShopSpec::empty(shop)
        })
        .await?;
    crate::install_on_plan(&app, shop, "starter").await?;
    // Installing starts the full import; `syncNow` returns that run (or starts one), so the test
    // does not depend on when the install's job is picked up.
    let res = app
        .graphql(shop, "mutation { syncNow { id kind status } }", json!({}))
        .await;
    anyhow::ensure!(res.status() == 200, "syncNow answered {}", res.status());
    let body: serde_json::Value = res.json().await?;
    anyhow::ensure!(body.get("errors").is_none(), "syncNow failed: {body}");
    let run_id = body["data"]["syncNow"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let b = Browser::start().await?;
    let backend = ecomcrm_tests::testdb::backend().name();
    b.client
        .goto(&format!("{}/settings/sync?shop={shop}", app.base))
        .await?;

    // Act 1: the import is running: its progress bar shows, "Sync now" waits for it, and the
    // shop has never synced.
    b.wait_for("[data-testid=sync-progress][data-status=RUNNING]")
        .await
        .map_err(|e| anyhow::anyhow!("no running import on the page: {e:#}"))?;
    // Leptos may replace the node between finding and reading it: read until it settles.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let shown_run = loop {
        let run = attr_of(&b, "[data-testid=sync-progress]", "data-run")
            .await
            .unwrap_or_default();
        if !run.is_empty() || tokio::time::Instant::now() >= deadline {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    anyhow::ensure!(
        shown_run == run_id,
        "the page shows run {shown_run:?}, the server started {run_id:?}"
    );
    let never = wait_for_text_where(&b, "[data-testid=last-synced]", "a label", |t| {
        !t.is_empty()
    })
    .await?;
    anyhow::ensure!(
        !says_synced(&never),
        "a shop that never synced reads {never:?}"
    );
    anyhow::ensure!(
        has_attr(&b, "[data-testid=sync-now]", "disabled").await?,
        "Sync now can be pressed while the import runs"
    );
    b.wait_for("[data-testid=sync-spinner]").await?;
    b.screenshot(&format!("sync-running-{backend}")).await?;

    // Act 2: watch the bar until the run succeeds.
    let deadline = tokio::time::Instant::now() + IMPORT_TIMEOUT;
    let mut seen: Vec<String> = Vec::new();
    loop {
        let status = attr_of(&b, "[data-testid=sync-progress]", "data-status")
            .await
            .unwrap_or_default();
        let value = attr_of(&b, "[data-testid=sync-progress-value]", "aria-valuenow")
            .await
            .unwrap_or_default();
        if seen.last() != Some(&value) {
            seen.push(value.clone());
        }
        if status == "SUCCEEDED" && value == "100" {
            break;
        }
        if status == "FAILED" {
            let error = text_of(&b, "[data-testid=sync-progress-error]").await;
            b.screenshot(&format!("sync-failed-{backend}")).await?;
            anyhow::bail!("the import failed: {error:?}");
        }
        no_page_error(&b).await?;
        if tokio::time::Instant::now() >= deadline {
            let shot = b.screenshot(&format!("sync-timeout-{backend}")).await?;
            anyhow::bail!(
                "the import did not finish within {IMPORT_TIMEOUT:?}: status {status:?}, bar \
                 values seen {seen:?} (see {})",
                shot.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let numeric: Vec<f64> = seen.iter().filter_map(|v| v.parse().ok()).collect();
    anyhow::ensure!(
        numeric.iter().all(|v| (0.0..=100.0).contains(v)),
        "the bar left 0–100: {seen:?}"
    );

    // Assert: the run is in the history as succeeded, "Last synced" moved on the page and under
    // the navigation, the counts filled in and the stale banner is gone.
    b.wait_for(
        "[data-testid=sync-history] tbody tr:first-child \
         [data-testid=sync-history-status][data-status=SUCCEEDED]",
    )
    .await?;
    let label = wait_for_text_where(
        &b,
        "[data-testid=last-synced]",
        "\"just now\" or \"… ago\"",
        says_synced,
    )
    .await?;
    anyhow::ensure!(
        label.starts_with("Last synced"),
        "the label reads {label:?}"
    );
    wait_for_text_where(
        &b,
        "[data-testid=nav-last-synced]",
        "\"just now\" or \"… ago\"",
        says_synced,
    )
    .await?;
    wait_for_text_where(
        &b,
        "[data-testid=sync-count-customers]",
        "a customer count",
        |t| {
            t.lines()
                .last()
                .is_some_and(|n| !n.trim().is_empty() && n.trim() != "0")
        },
    )
    .await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while b
        .client
        .find(Locator::Css("[data-testid=stale-banner]"))
        .await
        .is_ok()
    {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the stale-data banner stays after a successful sync"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while has_attr(&b, "[data-testid=sync-now]", "disabled").await? {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "Sync now stays disabled after the import finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.screenshot(&format!("sync-finished-{backend}")).await?;
    b.client.set_window_size(1280, 2000).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.screenshot(&format!("sync-finished-full-{backend}"))
        .await?;

    // The label follows the merchant to other pages.
    b.wait_for("#nav-dashboard").await?.click().await?;
    b.wait_for("#page-dashboard").await?;
    let nav = text_of(&b, "[data-testid=nav-last-synced]").await;
    anyhow::ensure!(says_synced(&nav), "the dashboard's nav reads {nav:?}");
    b.close().await
}
