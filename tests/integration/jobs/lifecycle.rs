//! A job's life on one worker: delays, dedupe and cancellation by key, a killed worker's
//! job running again after its lease, and a graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use ecomcrm::jobs::{
    EnqueueOpts, JobState, Worker, WorkerOpts, cancel_by_key, enqueue_now, find_job, queue_stats,
};
use ecomcrm_tests::testdb::TestDb;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_job_waits_for_its_run_at_then_runs() -> anyhow::Result<()> {
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
    let job = Record {
        tag: "later".into(),
    };
    let id = enqueue_now(
        &t.db,
        &clock,
        &job,
        EnqueueOpts::default().after(Duration::from_secs(60)),
    )
    .await?;

    // Act
    let early = worker.drain().await?;
    clock.advance(chrono::Duration::seconds(59));
    let still_early = worker.drain().await?;
    clock.advance(chrono::Duration::seconds(1));
    let due = worker.drain().await?;

    // Assert
    assert_eq!((early.done, still_early.done, due.done), (0, 0, 1));
    assert_eq!(runs(&t.db).await?, (1, 1));
    let job = find_job(&t.db, id.expect("inserted"))
        .await?
        .expect("stored");
    assert_eq!((job.state, job.attempts), (JobState::Done, 1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_key_dedupes_live_jobs_and_cancel_by_key_cancels_them() -> anyhow::Result<()> {
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
    let job = RecomputeCustomer { customer_id: 42 };
    let none = EnqueueOpts::default;

    // Act
    let first = enqueue_now(&t.db, &clock, &job, none()).await?;
    let duplicate = enqueue_now(&t.db, &clock, &job, none()).await?;
    let cancelled = cancel_by_key(&t.db, &clock, "recompute_customer:42").await?;
    let after_cancel = enqueue_now(&t.db, &clock, &job, none()).await?;
    let drained = worker.drain().await?;
    let after_done = enqueue_now(&t.db, &clock, &job, none()).await?;

    // Assert
    assert!(first.is_some(), "the first job is inserted");
    assert_eq!(
        duplicate, None,
        "a live job with the key dedupes the second"
    );
    assert_eq!(cancelled, 1);
    assert_eq!(
        find_job(&t.db, first.unwrap()).await?.unwrap().state,
        JobState::Cancelled
    );
    assert!(
        after_cancel.is_some(),
        "a cancelled job no longer holds the key"
    );
    assert_eq!(drained.done, 1, "the cancelled job never runs");
    assert!(
        after_done.is_some(),
        "a finished job no longer holds the key"
    );
    assert_eq!(runs(&t.db).await?, (1, 1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_of_a_killed_worker_runs_again_after_its_lease_expires() -> anyhow::Result<()> {
    // Arrange: worker A takes the job and dies while running it.
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let signals = Arc::new(Signals::default());
    let lease = Duration::from_secs(30);
    let opts = WorkerOpts { lease, ..opts() };
    let id = enqueue_now(&t.db, &clock, &HangOnFirstAttempt, EnqueueOpts::default())
        .await?
        .unwrap();
    let a = Worker::new(
        t.db.clone(),
        registry(signals.clone()),
        clock.clone(),
        opts.clone(),
    );
    let a_id = a.id().to_string();
    let a_task = tokio::spawn(async move { a.run(std::future::pending()).await });
    wait_started(&signals).await?;
    a_task.abort();
    let _ = a_task.await;
    let b = Worker::new(t.db.clone(), registry(signals.clone()), clock.clone(), opts);

    // Act
    let before_expiry = b.drain().await?;
    clock.advance(chrono::Duration::from_std(lease)? + chrono::Duration::seconds(1));
    let after_expiry = b.drain().await?;

    // Assert
    assert_eq!(
        before_expiry.done, 0,
        "a leased job is not taken over early"
    );
    assert_eq!(after_expiry.done, 1);
    let job = find_job(&t.db, id).await?.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Done, 2));
    assert_ne!(job.locked_by.as_deref(), Some(a_id.as_str()));
    assert_eq!(runs(&t.db).await?, (1, 1));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_waits_for_the_running_job() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let signals = Arc::new(Signals::default());
    let id = enqueue_now(&t.db, &clock, &Slow { millis: 400 }, EnqueueOpts::default())
        .await?
        .unwrap();
    let worker = Worker::new(
        t.db.clone(),
        registry(signals.clone()),
        clock.clone(),
        opts(),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        worker
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    wait_started(&signals).await?;

    // Act
    let _ = stop.send(());
    let stats = tokio::time::timeout(Duration::from_secs(20), task).await??;

    // Assert
    assert_eq!((stats.done, stats.released), (1, 0));
    assert_eq!(find_job(&t.db, id).await?.unwrap().state, JobState::Done);
    assert_eq!(runs(&t.db).await?, (1, 1));
    assert_eq!(queue_stats(&t.db).await?.running, 0);
    Ok(())
}
