//! Two processes on one PostgreSQL database (two pools, two buses) see each other's events.

use ecomcrm::db::{Backend, Db};
use ecomcrm::events::EventBus;
use ecomcrm_tests::testdb::{TestDb, backend};

use super::bus::{assert_quiet, event, next};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_cross_processes_on_postgres() -> anyhow::Result<()> {
    // LISTEN/NOTIFY is PostgreSQL's; a SQLite deployment is one process by design.
    if backend() != Backend::Postgres {
        return Ok(());
    }
    // Arrange
    let t = TestDb::fresh().await?;
    let bus_a = EventBus::start(Db::connect(&t.url).await?).await?;
    let bus_b = EventBus::start(Db::connect(&t.url).await?).await?;
    let mut sub_a = bus_a.subscribe();
    let mut sub_b = bus_b.subscribe_shop(7);

    // Act
    bus_a.publish(event(7, "order_created")).await?;
    let mut tx = t.db.begin().await?;
    let pending = bus_b
        .publish_in_tx(&mut tx, event(7, "ticket_updated"))
        .await?;
    tx.commit().await?;
    pending.committed();

    // Assert: B sees A's event; A sees its own once (its echo is skipped) and B's after commit.
    assert_eq!(next(&mut sub_b).await?.kind, "order_created");
    assert_eq!(next(&mut sub_b).await?.kind, "ticket_updated");
    assert_eq!(next(&mut sub_a).await?.kind, "order_created");
    assert_eq!(next(&mut sub_a).await?.kind, "ticket_updated");
    assert_quiet(&mut sub_a).await;
    assert_quiet(&mut sub_b).await;
    Ok(())
}
