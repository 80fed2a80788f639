//! Jobs that can never run go dead at once, with an error that says why.

use std::sync::Arc;

use ecomcrm::jobs::{EnqueueOpts, JobState, Worker, enqueue_now, find_job, list_dead, queue_stats};
use ecomcrm_tests::testdb::TestDb;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeserializable_payload_goes_dead_at_once() -> anyhow::Result<()> {
    // Arrange: a job stored in an older shape of its type.
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let worker = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts(),
    );
    let id = enqueue_now(
        &t.db,
        &clock,
        &RecordV0 { label: 7 },
        EnqueueOpts::default(),
    )
    .await?
    .unwrap();

    // Act
    let stats = worker.drain().await?;

    // Assert
    assert_eq!((stats.dead, stats.retried, stats.done), (1, 0, 0));
    let job = find_job(&t.db, id).await?.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Dead, 1));
    assert!(
        job.last_error
            .as_deref()
            .unwrap()
            .contains("does not deserialize"),
        "{:?}",
        job.last_error
    );
    assert_eq!(
        job.payload, r#"{"label":7}"#,
        "the payload is kept for a human to fix"
    );
    assert_eq!(runs(&t.db).await?, (0, 0));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_of_an_unknown_kind_goes_dead_at_once() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    let clock = fixed_clock();
    let worker = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts(),
    );
    let id = enqueue_now(&t.db, &clock, &Unregistered, EnqueueOpts::default())
        .await?
        .unwrap();

    // Act
    let stats = worker.drain().await?;

    // Assert
    assert_eq!(stats.dead, 1);
    let dead = list_dead(&t.db, 10).await?;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].id, id);
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("unknown job kind \"test_unregistered\"")
    );
    assert_eq!(queue_stats(&t.db).await?.pending, 0);
    Ok(())
}
