//! Failures: retries with a growing backoff window, then the dead letters.

use std::sync::Arc;

use ecomcrm::jobs::{EnqueueOpts, JobState, Worker, enqueue_now, find_job, list_dead, retry_dead};
use ecomcrm_tests::testdb::TestDb;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_job_is_retried_after_a_backoff_window_then_dies_with_its_last_error()
-> anyhow::Result<()> {
    // Arrange: AlwaysFail allows 3 attempts; the windows are 5 s then 10 s.
    let t = TestDb::fresh().await?;
    let clock = fixed_clock();
    let worker = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts(),
    );
    let id = enqueue_now(&t.db, &clock, &AlwaysFail, EnqueueOpts::default())
        .await?
        .unwrap();

    // Act + Assert, attempt by attempt.
    let mut windows = Vec::new();
    for (attempt, window_secs) in [(1, 5), (2, 10)] {
        let failed_at = clock.now();
        let stats = worker.drain().await?;
        let job = find_job(&t.db, id).await?.unwrap();
        assert_eq!((stats.retried, stats.dead), (1, 0), "attempt {attempt}");
        assert_eq!((job.state, job.attempts), (JobState::Pending, attempt));
        assert!(
            job.last_error
                .as_deref()
                .unwrap()
                .contains(&format!("upstream said no (attempt {attempt})"))
        );
        let delay = job.run_at - failed_at;
        assert!(
            delay >= chrono::Duration::seconds(1)
                && delay <= chrono::Duration::seconds(window_secs),
            "attempt {attempt}: retry in {delay} is outside the 1..={window_secs} s window"
        );
        assert_eq!(
            worker.drain().await?.retried,
            0,
            "not due again before its run_at"
        );
        windows.push(delay);
        clock.advance(chrono::Duration::seconds(window_secs));
    }
    let last = worker.drain().await?;

    // Assert: out of attempts, dead with the last error, listed and retryable by hand.
    assert_eq!(last.dead, 1);
    let job = find_job(&t.db, id).await?.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Dead, 3));
    assert!(job.last_error.as_deref().unwrap().contains("attempt 3"));
    assert!(job.finished_at.is_some());
    assert_eq!(
        list_dead(&t.db, 10)
            .await?
            .iter()
            .map(|j| j.id)
            .collect::<Vec<_>>(),
        vec![id]
    );
    assert!(retry_dead(&t.db, &clock, id).await?);
    let revived = find_job(&t.db, id).await?.unwrap();
    assert_eq!((revived.state, revived.attempts), (JobState::Pending, 0));
    assert!(list_dead(&t.db, 10).await?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panicking_job_is_caught_and_counted_as_a_failure() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    let clock = fixed_clock();
    let worker = Worker::new(
        t.db.clone(),
        registry(Arc::default()),
        clock.clone(),
        opts(),
    );
    let id = enqueue_now(&t.db, &clock, &Panics, EnqueueOpts::default())
        .await?
        .unwrap();

    // Act
    let stats = worker.drain().await?;

    // Assert: the worker survived; the job used its single attempt and is dead.
    assert_eq!(stats.dead, 1);
    let job = find_job(&t.db, id).await?.unwrap();
    assert_eq!(job.state, JobState::Dead);
    assert!(
        job.last_error
            .unwrap()
            .contains("panicked: index out of bounds in a handler")
    );
    Ok(())
}
