//! Two workers (separate pools, as two processes would have) share one queue: every job
//! runs exactly once.

use std::sync::Arc;

use ecomcrm::db::Db;
use ecomcrm::jobs::{EnqueueOpts, Worker, WorkerOpts, enqueue_many, queue_stats};
use ecomcrm_tests::testdb::TestDb;

use super::support::*;

const JOBS: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_run_each_job_exactly_once() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let jobs: Vec<Record> = (0..JOBS)
        .map(|i| Record {
            tag: format!("job-{i}"),
        })
        .collect();
    let mut tx = t.db.begin().await?;
    let inserted = enqueue_many(&mut tx, &clock, &jobs, EnqueueOpts::default()).await?;
    tx.commit().await?;
    // Small batches so the two workers interleave many claims.
    let opts = WorkerOpts {
        concurrency: 8,
        batch_size: 8,
        ..opts()
    };
    let a = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts.clone(),
    );
    let b = Worker::new(
        Db::connect(&t.url).await?,
        registry(Arc::default()),
        clock.clone(),
        opts,
    );

    // Act
    let (sa, sb) = tokio::join!(a.drain(), b.drain());
    let (sa, sb) = (sa?, sb?);

    // Assert
    assert_eq!(inserted, JOBS as u64);
    assert_eq!(
        runs(&t.db).await?,
        (JOBS as i64, JOBS as i64),
        "each job ran once, none twice"
    );
    assert_eq!(sa.done + sb.done, JOBS as u64);
    let stats = queue_stats(&t.db).await?;
    assert_eq!(
        (stats.done, stats.pending, stats.running, stats.dead),
        (JOBS as i64, 0, 0, 0)
    );
    Ok(())
}
