//! `shop/redact` (48 hours after uninstall) deletes every row that carries the shop's id, in
//! every table the catalog knows, cancels its pending jobs and leaves the other shop untouched;
//! only a count-only audit row naming the domain remains.

use ecomcrm_tests::test_app::TestApp;

use super::support::*;

/// A pending job of the shop due far in the future, so the test's drain never runs it.
async fn park_job(app: &TestApp, shop_id: i64, kind: &str) {
    app.state
        .db
        .query(
            "insert into jobs (kind, payload, shop_id, state, max_attempts, run_at, created_at, \
             updated_at) values ($1, '{}', $2, 'pending', 1, $3, 0, 0)",
        )
        .bind(kind)
        .bind(shop_id)
        .bind(i64::MAX / 2)
        .execute()
        .await
        .expect("park job");
}

#[tokio::test]
async fn shop_redact_deletes_every_row_of_the_shop_and_nothing_of_others() {
    let app = TestApp::spawn().await;
    let a = shop_with_customers(&app, "erase-a").await;
    let b = shop_with_customers(&app, "erase-b").await;
    for shop in [&a, &b] {
        send(&app, shop, "customers/data_request", X.data_request(shop)).await;
    }
    app.run_jobs().await;
    let a_id = app.shop_id(&a).await.get();
    let b_id = app.shop_id(&b).await.get();
    let db = &app.state.db;
    let b_before = rows_of_shop(db, b_id).await;

    send(
        &app,
        &a,
        "app/uninstalled",
        format!(r#"{{"id":954889,"domain":"{a}"}}"#).into_bytes(),
    )
    .await;
    app.run_jobs().await;
    park_job(&app, a_id, "gdpr_redact_customer").await;
    send(
        &app,
        &a,
        "shop/redact",
        format!(r#"{{"shop_id":954889,"shop_domain":"{a}"}}"#).into_bytes(),
    )
    .await;
    let stats = app.run_jobs().await;

    assert_eq!(stats.dead, 0);
    let left: Vec<_> = rows_of_shop(db, a_id)
        .await
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect();
    assert!(left.is_empty(), "rows of the erased shop remain: {left:?}");
    // The registry's own list, too (in case the catalog query ever missed one).
    for t in ecomcrm::shopify::gdpr::TENANT_TABLES {
        let sql = format!(
            "select cast(count(*) as bigint) from {} where shop_id = $1",
            t.name
        );
        let (n,): (i64,) = db.query(&sql).bind(a_id).fetch_one().await.unwrap();
        assert_eq!(n, 0, "{}", t.name);
    }
    let (shops,): (i64,) = db
        .query("select cast(count(*) as bigint) from shops where id = $1 or domain = $2")
        .bind(a_id)
        .bind(a.as_str())
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(shops, 0, "the shops row (tokens, domain) is deleted");
    let (audits, deleted): (i64, i64) = db
        .query("select cast(count(*) as bigint), cast(coalesce(max(rows_deleted), 0) as bigint) from shop_redactions where shop_domain = $1")
        .bind(a.as_str())
        .fetch_one()
        .await
        .unwrap();
    assert_eq!(audits, 1);
    assert!(
        deleted >= 7,
        "deliveries, audit rows, export, profile: {deleted}"
    );
    assert_eq!(rows_of_shop(db, b_id).await, b_before, "shop B untouched");

    // A repeat delivery for the erased shop is dropped (unknown shop) and nothing fails.
    send(
        &app,
        &a,
        "shop/redact",
        format!(r#"{{"shop_id":954889,"shop_domain":"{a}"}}"#).into_bytes(),
    )
    .await;
    assert_eq!(app.run_jobs().await.dead, 0);
}

#[tokio::test]
async fn shop_redact_for_an_installed_shop_is_refused_and_audited() {
    let app = TestApp::spawn().await;
    let a = shop_with_customers(&app, "still-here").await;
    send(
        &app,
        &a,
        "shop/redact",
        format!(r#"{{"shop_id":954889,"shop_domain":"{a}"}}"#).into_bytes(),
    )
    .await;
    assert_eq!(app.run_jobs().await.dead, 0);

    let status = compliance_status(&app.state.db, "shop/redact").await;
    assert_eq!(status, "skipped");
    assert!(
        !find_text(&app.state.db, X.email).await.is_empty(),
        "data kept"
    );
}
