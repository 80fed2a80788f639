//! The shop-scoped handle: the only way to reach tenant tables.
//!
//! Every query from [`ShopDb`] or [`ShopTx`] has `$1` bound to the shop, so store code writes
//! `where shop_id = $1`. On PostgreSQL each tenant transaction also switches to the
//! `ecomcrm_tenant` role and sets `app.shop_id`, so row-level security is a second wall
//! that holds even if a query forgets its `where` (see docs/decisions/0002-tenant-isolation.md).

use sqlx::{PgPool, Postgres, Transaction};

use super::{Db, DbTx, Query};

/// A shop's primary key. Only decoded from the `shops` table, never built from user input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShopId(i64);

impl ShopId {
    /// Wraps a key read from the `shops` table (or a job row that was written from one).
    pub(crate) fn from_db(id: i64) -> Self {
        Self(id)
    }

    /// The raw key, for binding and logging.
    pub fn get(self) -> i64 {
        self.0
    }
}

impl std::fmt::Display for ShopId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A database handle bound to one shop.
#[derive(Clone, Debug)]
pub struct ShopDb {
    db: Db,
    shop: ShopId,
    /// Statements and transactions started through this handle and its clones: a request's
    /// cost in round trips, which is what data loaders keep flat.
    started: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl ShopDb {
    /// Binds a handle to a shop. Callers: the session-token extractor, the webhook path and
    /// the job runner, each after loading the shop row.
    pub(crate) fn new(db: Db, shop: ShopId) -> Self {
        Self {
            db,
            shop,
            started: Default::default(),
        }
    }

    /// How many statements and transactions this handle (and its clones) has started.
    pub fn started(&self) -> u64 {
        self.started.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn count(&self) {
        self.started
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The shop this handle serves.
    pub fn shop_id(&self) -> ShopId {
        self.shop
    }

    /// Which engine the handle talks to (for the few SQL fragments that differ).
    pub fn backend(&self) -> super::Backend {
        self.db.backend()
    }

    /// Starts a tenant query with `$1` already bound to the shop.
    pub fn query<'a>(&'a self, sql: &'a str) -> Query<'a> {
        self.count();
        Query::on_shop(&self.db, self.shop, sql)
    }

    /// Begins a tenant transaction.
    pub async fn begin(&self) -> sqlx::Result<ShopTx> {
        self.count();
        let tx = match &self.db {
            Db::Postgres(p) => DbTx::Postgres(begin_tenant(p, self.shop).await?),
            Db::Sqlite(_) => self.db.begin().await?,
        };
        Ok(ShopTx {
            tx,
            shop: self.shop,
        })
    }
}

/// A transaction bound to one shop.
#[derive(Debug)]
pub struct ShopTx {
    tx: DbTx,
    shop: ShopId,
}

impl ShopTx {
    /// Starts a tenant query with `$1` already bound to the shop.
    pub fn query<'a>(&'a mut self, sql: &'a str) -> Query<'a> {
        Query::on_shop_tx(&mut self.tx, self.shop, sql)
    }

    /// Which engine the transaction runs on.
    pub fn backend(&self) -> super::Backend {
        self.tx.backend()
    }

    /// The underlying transaction, for platform code that must write a non-tenant table
    /// (the job queue) in the same commit.
    pub fn as_db_tx(&mut self) -> &mut DbTx {
        &mut self.tx
    }

    /// Commits.
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

/// Begins a PostgreSQL transaction in which row-level security sees this shop.
///
/// `set_config(.., true)` is transaction-local, so a pooled connection never carries one
/// shop's setting into another request. Switching role matters because superusers and table
/// owners bypass row-level security.
///
/// The settings travel with the `begin` in one simple-protocol message (one round trip instead
/// of two). The shop id is an integer read from the database, so formatting it into the SQL
/// cannot inject anything. If either `set_config` fails, PostgreSQL aborts the transaction and
/// this returns the error (sqlx also refuses a `begin` that leaves no open transaction), so no
/// statement can run in it without the tenant role and shop.
pub(super) async fn begin_tenant(
    pool: &PgPool,
    shop: ShopId,
) -> sqlx::Result<Transaction<'static, Postgres>> {
    pool.begin_with(format!(
        "begin; select set_config('role', 'ecomcrm_tenant', true), \
         set_config('app.shop_id', '{}', true)",
        shop.get()
    ))
    .await
}
