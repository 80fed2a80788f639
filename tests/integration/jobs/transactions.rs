//! Enqueuing belongs to the caller's transaction: a rollback takes the job with it.

use std::sync::Arc;

use ecomcrm::db::Backend;
use ecomcrm::jobs::{EnqueueOpts, Worker, cancel_by_key, enqueue, queue_stats};
use ecomcrm_tests::testdb::TestDb;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_in_a_rolled_back_transaction_leaves_no_job() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let worker = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts(),
    );

    // Act
    let mut tx = t.db.begin().await?;
    let id = enqueue(
        &mut tx,
        &clock,
        &Record {
            tag: "rolled back".into(),
        },
        EnqueueOpts::default(),
    )
    .await?;
    tx.rollback().await?;
    let stats = worker.drain().await?;

    // Assert
    assert!(
        id.is_some(),
        "the insert itself succeeded inside the transaction"
    );
    assert_eq!(queue_stats(&t.db).await?, Default::default());
    assert_eq!(stats.done, 0);
    assert_eq!(runs(&t.db).await?, (0, 0));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_and_cancel_inside_a_committed_transaction() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let worker = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts(),
    );

    // Act: one transaction enqueues two jobs and cancels one of them by key.
    let mut tx = t.db.begin().await?;
    enqueue(
        &mut tx,
        &clock,
        &RecomputeCustomer { customer_id: 1 },
        EnqueueOpts::default(),
    )
    .await?;
    enqueue(
        &mut tx,
        &clock,
        &RecomputeCustomer { customer_id: 2 },
        EnqueueOpts::default(),
    )
    .await?;
    let cancelled = cancel_by_key(&mut tx, &clock, "recompute_customer:1").await?;
    tx.commit().await?;
    let stats = worker.drain().await?;

    // Assert
    assert_eq!(cancelled, 1);
    assert_eq!(stats.done, 1);
    assert_eq!(runs(&t.db).await?, (1, 1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueue_works_inside_a_tenant_transaction_on_postgres() -> anyhow::Result<()> {
    // Tenant transactions switch to the row-level-security role (db/shop_db.rs); the queue
    // must stay writable from them. SQLite has no roles.
    if ecomcrm_tests::testdb::backend() != Backend::Postgres {
        return Ok(());
    }
    // Arrange
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let worker = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts(),
    );

    let domain = shared::ShopDomain::parse("tenant-jobs.myshopify.com")?;
    let shop = ecomcrm::shopify::shops::ensure(&t.db, &domain, clock.now()).await?;

    // Act
    let mut tenant = shop.db(&t.db).begin().await?;
    let tx = tenant.as_db_tx();
    let (role,): (String,) = tx.query("select current_user").fetch_one().await?;
    let job = RecomputeCustomer { customer_id: 9 };
    let mine = EnqueueOpts::default().shop(shop.id);
    let first = enqueue(tx, &clock, &job, mine.clone()).await?;
    let duplicate = enqueue(tx, &clock, &job, mine).await?;
    tenant.commit().await?;
    let stats = worker.drain().await?;
    // A tenant transaction may not enqueue work that is not its shop's.
    let mut tenant = shop.db(&t.db).begin().await?;
    let unscoped = enqueue(
        tenant.as_db_tx(),
        &clock,
        &RecomputeCustomer { customer_id: 10 },
        EnqueueOpts::default(),
    )
    .await;

    // Assert
    assert_eq!(role, "ecomcrm_tenant");
    assert!(first.is_some());
    assert_eq!(duplicate, None);
    assert!(
        unscoped.is_err(),
        "row-level security refuses a job without the tenant's shop"
    );
    assert_eq!(stats.done, 1);
    Ok(())
}
