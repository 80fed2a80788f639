//! One process: subscribe, publish, receive.

use std::time::Duration;

use chrono::DateTime;
use ecomcrm::events::{DomainEvent, EventBus, EventError};
use ecomcrm_tests::testdb::TestDb;
use futures::{Stream, StreamExt};
use serde_json::json;

/// An event of shop `shop_id` at a fixed instant.
pub fn event(shop_id: i64, kind: &str) -> DomainEvent {
    let at = DateTime::from_timestamp(1_767_225_600, 0).expect("valid instant");
    DomainEvent::new(shop_id, kind, json!({ "order_id": 1001 }), at)
}

/// The next event, failing the test if none comes.
pub async fn next(
    sub: &mut (impl Stream<Item = DomainEvent> + Unpin),
) -> anyhow::Result<DomainEvent> {
    tokio::time::timeout(Duration::from_secs(10), sub.next())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the subscription ended"))
}

/// Asserts nothing arrives for a short while.
pub async fn assert_quiet(sub: &mut (impl Stream<Item = DomainEvent> + Unpin)) {
    let got = tokio::time::timeout(Duration::from_millis(300), sub.next()).await;
    assert!(got.is_err(), "expected no event, got {got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_receives_a_published_event() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    let bus = EventBus::start(t.db.clone()).await?;
    let mut sub = bus.subscribe();

    // Act
    bus.publish(event(1, "order_created")).await?;

    // Assert
    assert_eq!(next(&mut sub).await?, event(1, "order_created"));
    assert_quiet(&mut sub).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shop_subscription_sees_only_its_shop() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    let bus = EventBus::start(t.db.clone()).await?;
    let mut shop_two = bus.subscribe_shop(2);

    // Act
    bus.publish(event(1, "ticket_updated")).await?;
    bus.publish(event(2, "ticket_updated")).await?;

    // Assert
    assert_eq!(next(&mut shop_two).await?.shop_id, 2);
    assert_quiet(&mut shop_two).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_event_is_refused() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    let bus = EventBus::start(t.db.clone()).await?;
    let mut sub = bus.subscribe();
    let mut big = event(1, "segment_changed");
    big.payload = json!({ "customer_ids": vec![123_456_789_012_i64; 1000] });

    // Act
    let result = bus.publish(big).await;

    // Assert
    assert!(
        matches!(result, Err(EventError::TooLarge { .. })),
        "{result:?}"
    );
    assert_quiet(&mut sub).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_published_in_a_transaction_arrives_only_after_commit() -> anyhow::Result<()> {
    // Arrange
    let t = TestDb::fresh().await?;
    let bus = EventBus::start(t.db.clone()).await?;
    let mut sub = bus.subscribe();

    // Act + Assert: nothing while the transaction is open, the event after commit.
    let mut tx = t.db.begin().await?;
    let pending = bus
        .publish_in_tx(&mut tx, event(1, "order_created"))
        .await?;
    assert_quiet(&mut sub).await;
    tx.commit().await?;
    pending.committed();
    assert_eq!(next(&mut sub).await?, event(1, "order_created"));

    // Act + Assert: a rolled-back transaction delivers nothing.
    let mut tx = t.db.begin().await?;
    let pending = bus
        .publish_in_tx(&mut tx, event(1, "order_cancelled"))
        .await?;
    tx.rollback().await?;
    drop(pending);
    assert_quiet(&mut sub).await;
    Ok(())
}
