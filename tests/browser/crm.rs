//! The CRM pages in a real browser, on an imported and scored demo store: the dashboard's KPI
//! cards and charts, the customer list filtered by a segment chip and searched, and a customer's
//! 360 profile opened from the list. Screenshots of each are kept as test artifacts.

use std::time::Duration;

use ecomcrm_tests::sim::ShopSpec;
use ecomcrm_tests::test_app::{Options, TestApp};
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::driver::Browser;

async fn gql(app: &TestApp, shop: &str, query: &str) -> anyhow::Result<Value> {
    let body: Value = app.graphql(shop, query, json!({})).await.json().await?;
    anyhow::ensure!(body.get("errors").is_none(), "{query}: {body}");
    Ok(body["data"].clone())
}

/// Installs a demo store and waits until its import has finished and its customers are scored.
async fn scored_store(app: &TestApp, shop: &str) -> anyhow::Result<()> {
    app.sim
        .create_demo_shop(ShopSpec {
            name: Some("CRM Store".into()),
            customers: 120,
            orders: 500,
            abandoned_checkouts: Some(10),
            ..ShopSpec::empty(shop)
        })
        .await?;
    crate::install_on_plan(app, shop, "starter").await?;
    gql(app, shop, "mutation { syncNow { id } }").await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        let d = gql(
            app,
            shop,
            "{ customers(first: 1, segment: \"prospect\") { totalCount } \
            dashboard { kpis { customers } } }",
        )
        .await?;
        let customers = d["dashboard"]["kpis"]["customers"].as_i64().unwrap_or(0);
        let prospects = d["customers"]["totalCount"].as_i64().unwrap_or(0);
        if customers > 0 && prospects < customers {
            return Ok(());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the store was never scored"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn text_of(b: &Browser, css: &str) -> String {
    match b.client.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until `css` matches `n` elements or more; returns how many.
async fn wait_count(b: &Browser, css: &str, n: usize) -> anyhow::Result<usize> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let found = b.client.find_all(Locator::Css(css)).await?.len();
        if found >= n {
            return Ok(found);
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "`{css}`: {found} of {n} elements"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn a_merchant_reads_the_dashboard_filters_the_list_and_opens_a_customer()
-> anyhow::Result<()> {
    let app = TestApp::spawn_with(Options {
        dev: true,
        worker: true,
        ..Default::default()
    })
    .await;
    let shop = "browser-crm.myshopify.com";
    scored_store(&app, shop).await?;
    let backend = ecomcrm_tests::testdb::backend().name();
    let expected = gql(
        &app,
        shop,
        "{ dashboard { kpis { customers } } \
        customers(first: 3) { nodes { id displayName email } segmentCounts { segment count } } }",
    )
    .await?;
    let b = Browser::start().await?;

    // The dashboard: KPI cards with the server's numbers, both charts, no empty state.
    b.client.goto(&format!("{}/?shop={shop}", app.base)).await?;
    b.wait_for("#kpi-customers").await?;
    let customers = expected["dashboard"]["kpis"]["customers"]
        .as_i64()
        .unwrap_or(0);
    let shown = text_of(&b, "#kpi-customers .p-kpi__value").await;
    anyhow::ensure!(
        shown.replace(',', "") == customers.to_string(),
        "the Customers card shows {shown:?}, the store has {customers}"
    );
    b.wait_for("#revenue-chart").await?;
    wait_count(&b, "#segment-chart .p-segment", 7).await?;
    b.screenshot(&format!("crm-dashboard-{backend}")).await?;

    // The list: a segment chip narrows it (and lands in the URL), search finds a customer.
    b.client
        .goto(&format!("{}/customers?shop={shop}", app.base))
        .await?;
    wait_count(&b, "#page-customers tbody tr", 1).await?;
    let chip = expected["customers"]["segmentCounts"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|s| s["segment"] != "prospect" && s["count"].as_i64().unwrap_or(0) > 0)
        })
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no scored segment"))?;
    let segment = chip["segment"].as_str().unwrap_or_default();
    b.client
        .find(Locator::Css(&format!(
            "#segment-chips [data-segment=\"{segment}\"]"
        )))
        .await?
        .click()
        .await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let url = b.client.current_url().await?;
        let selected = text_of(&b, "#segment-chips .p-chip--selected").await;
        if url.as_str().contains(&format!("segment={segment}"))
            && selected.contains(&chip["count"].to_string())
        {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the chip did not filter: {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rows = wait_count(&b, "#page-customers tbody tr", 1).await?;
    let expect_rows = chip["count"].as_i64().unwrap_or(0).min(25) as usize;
    anyhow::ensure!(
        rows == expect_rows,
        "{rows} rows for a chip of {}",
        chip["count"]
    );
    b.screenshot(&format!("crm-customers-{segment}-{backend}"))
        .await?;

    let first = &expected["customers"]["nodes"][0];
    let email = first["email"].as_str().unwrap_or_default().to_string();
    let word = email.split('@').next().unwrap_or_default().to_string();
    b.client
        .goto(&format!("{}/customers?shop={shop}", app.base))
        .await?;
    let search = b.wait_for("#customer-search").await?;
    search.send_keys(&format!("{word}\n")).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let table = text_of(&b, "#page-customers tbody").await;
        let url = b.client.current_url().await?;
        if table.contains(&email) && url.as_str().contains("q=") {
            break;
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "search never found {email}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.screenshot(&format!("crm-customers-search-{backend}"))
        .await?;

    // Export: the button asks for a download link of the filtered list; the CSV arrives as an
    // attachment, so the list stays on screen and a toast confirms.
    b.client
        .find(Locator::Css("#export-csv"))
        .await?
        .click()
        .await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !text_of(&b, ".p-toasts").await.contains("Exporting") {
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "no export confirmation"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(
        text_of(&b, "#page-customers tbody").await.contains(&email),
        "the list stays on screen during an export"
    );

    // The 360: opened from the list, with the customer's name, segment and order timeline.
    b.client
        .find(Locator::Css("#page-customers tbody .p-customer-link"))
        .await?
        .click()
        .await?;
    b.wait_for("#order-timeline").await?;
    let name = text_of(&b, "#customer-name").await;
    anyhow::ensure!(!name.trim().is_empty(), "the profile has no name");
    b.wait_for("#segment-card .p-badge").await?;
    b.screenshot(&format!("crm-customer-360-{backend}")).await?;
    b.close().await?;
    Ok(())
}
