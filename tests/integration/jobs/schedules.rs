//! Recurring schedules fire once per slot, however many workers race for it.

use std::sync::Arc;
use std::time::Duration;

use ecomcrm::db::Db;
use ecomcrm::jobs::{Schedule, Worker};
use ecomcrm_tests::testdb::TestDb;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_fires_once_per_slot_even_with_two_workers() -> anyhow::Result<()> {
    // Arrange: two "processes" (own pools, own workers) registering the same schedule.
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let hourly = || {
        registry(Arc::default()).schedule(Schedule::every(
            "hourly_tick",
            Duration::from_secs(3600),
            Record { tag: "tick".into() },
        ))
    };
    let a = Worker::new(t.db.clone(), hourly(), clock.clone(), opts());
    let b = Worker::new(Db::connect(&t.url).await?, hourly(), clock.clone(), opts());

    // Act
    let (a1, b1) = tokio::join!(a.drain(), b.drain());
    let (a2, b2) = tokio::join!(a.drain(), b.drain());
    let runs_in_first_slot = runs(&t.db).await?;
    clock.advance(chrono::Duration::minutes(59));
    let (a3, b3) = tokio::join!(a.drain(), b.drain());
    let runs_before_next_slot = runs(&t.db).await?;
    clock.advance(chrono::Duration::minutes(1));
    let (a4, b4) = tokio::join!(a.drain(), b.drain());

    // Assert
    let fired = |x: anyhow::Result<ecomcrm::jobs::RunStats>| x.map(|s| s.schedules_fired);
    assert_eq!(fired(a1)? + fired(b1)?, 1, "the first slot fires once");
    assert_eq!(
        fired(a2)? + fired(b2)? + fired(a3)? + fired(b3)?,
        0,
        "and only once"
    );
    assert_eq!(runs_in_first_slot, (1, 1));
    assert_eq!(runs_before_next_slot, (1, 1));
    assert_eq!(fired(a4)? + fired(b4)?, 1, "the next slot fires once");
    assert_eq!(runs(&t.db).await?, (2, 2));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_a_schedule_again_keeps_its_timing() -> anyhow::Result<()> {
    // Arrange: a schedule that already fired for this slot.
    let t = TestDb::fresh().await?;
    create_runs_table(&t.db).await?;
    let clock = fixed_clock();
    let daily = || {
        registry(Arc::default()).schedule(Schedule::every(
            "daily_tick",
            Duration::from_secs(86_400),
            Record {
                tag: "daily".into(),
            },
        ))
    };
    Worker::new(t.db.clone(), daily(), clock.clone(), opts())
        .drain()
        .await?;

    // Act: a restart (a new worker registers the same schedule) an hour later.
    clock.advance(chrono::Duration::hours(1));
    let restarted = Worker::new(t.db.clone(), daily(), clock.clone(), opts())
        .drain()
        .await?;

    // Assert
    assert_eq!(restarted.schedules_fired, 0);
    assert_eq!(runs(&t.db).await?, (1, 1));
    Ok(())
}
