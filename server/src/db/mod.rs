//! The database: one code path for SQLite (embedded default) and PostgreSQL (production).
//!
//! `Db` is the unscoped handle. Only `db/`, `jobs/` and the shops registry use it directly;
//! tenant tables are reached through [`ShopDb`], which binds the shop to every query.

mod args;
mod connect;
mod query;
mod shop_db;
mod write_turn;

pub use args::Arg;
pub use query::{Query, Row};
pub use shop_db::{ShopDb, ShopId, ShopTx};

/// `$first, $first+1, …` for an `in (…)` list of `n` bound items.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Which database engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one file, zero set-up.
    Sqlite,
    /// Production: several processes share one server.
    Postgres,
}

impl Backend {
    /// The name `/healthz` reports.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A pool for one of the two supported engines, chosen from `DATABASE_URL`.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite in WAL mode with foreign keys on and a busy timeout.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// An open transaction on either engine.
#[derive(Debug)]
pub enum DbTx {
    /// A SQLite transaction, begun `IMMEDIATE` so writers queue on the busy timeout
    /// instead of failing when a read lock cannot be upgraded.
    Sqlite(Transaction<'static, Sqlite>, Option<write_turn::Turn>),
    /// A PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// The engine behind this handle.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Starts an unscoped query with no parameters bound yet.
    pub fn query<'a>(&'a self, sql: &'a str) -> Query<'a> {
        Query::on_pool(self, sql)
    }

    /// Begins a transaction.
    pub async fn begin(&self) -> sqlx::Result<DbTx> {
        Ok(match self {
            Db::Sqlite(p) => {
                let turn = write_turn::wait(p).await;
                DbTx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?, turn)
            }
            Db::Postgres(p) => DbTx::Postgres(p.begin().await?),
        })
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> sqlx::Result<()> {
        self.query("select 1")
            .fetch_one::<(i32,)>()
            .await
            .map(|_| ())
    }

    /// Runs the embedded migrations for this engine.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("../migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("../migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Closes every connection; used at shutdown so SQLite checkpoints its WAL.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl DbTx {
    /// Starts a query inside this transaction.
    pub fn query<'a>(&'a mut self, sql: &'a str) -> Query<'a> {
        Query::on_tx(self, sql)
    }

    /// Commits the transaction.
    pub async fn commit(self) -> sqlx::Result<()> {
        match self {
            DbTx::Sqlite(t, _turn) => t.commit().await,
            DbTx::Postgres(t) => t.commit().await,
        }
    }

    /// Rolls the transaction back (dropping it does the same).
    pub async fn rollback(self) -> sqlx::Result<()> {
        match self {
            DbTx::Sqlite(t, _turn) => t.rollback().await,
            DbTx::Postgres(t) => t.rollback().await,
        }
    }

    /// The engine behind this transaction.
    pub fn backend(&self) -> Backend {
        match self {
            DbTx::Sqlite(..) => Backend::Sqlite,
            DbTx::Postgres(_) => Backend::Postgres,
        }
    }
}
