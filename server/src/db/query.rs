//! A query that runs unchanged on SQLite or PostgreSQL: SQL text with `$N` binds plus [`Arg`]s.

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryAs;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::types::Json;
use sqlx::{FromRow, Postgres, Sqlite};

use super::shop_db::begin_tenant;
use super::{Arg, Db, DbTx, ShopId};

/// A row type that decodes from both engines (derive `sqlx::FromRow`, or use a tuple).
pub trait Row: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

/// Where a query runs.
enum Target<'a> {
    Pool(&'a Db),
    /// A tenant query outside a transaction: on PostgreSQL it runs in its own short
    /// transaction so row-level security sees the shop.
    Shop(&'a Db, ShopId),
    Tx(&'a mut DbTx),
}

/// A query being built: add binds with [`Query::bind`], then fetch or execute.
pub struct Query<'a> {
    target: Target<'a>,
    sql: &'a str,
    args: Vec<Arg>,
}

impl<'a> Query<'a> {
    pub(super) fn on_pool(db: &'a Db, sql: &'a str) -> Self {
        Self {
            target: Target::Pool(db),
            sql,
            args: Vec::new(),
        }
    }

    pub(super) fn on_tx(tx: &'a mut DbTx, sql: &'a str) -> Self {
        Self {
            target: Target::Tx(tx),
            sql,
            args: Vec::new(),
        }
    }

    pub(super) fn on_shop(db: &'a Db, shop: ShopId, sql: &'a str) -> Self {
        Self {
            target: Target::Shop(db, shop),
            sql,
            args: vec![Arg::I64(Some(shop.get()))],
        }
    }

    pub(super) fn on_shop_tx(tx: &'a mut DbTx, shop: ShopId, sql: &'a str) -> Self {
        Self {
            target: Target::Tx(tx),
            sql,
            args: vec![Arg::I64(Some(shop.get()))],
        }
    }

    /// Binds the next `$N` parameter.
    pub fn bind(mut self, value: impl Into<Arg>) -> Self {
        self.args.push(value.into());
        self
    }

    /// Binds each value in turn (an `in (…)` list made by [`super::placeholders`]).
    pub fn bind_all<V: Into<Arg>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.args.extend(values.into_iter().map(Into::into));
        self
    }

    /// All rows.
    pub async fn fetch_all<T: Row>(self) -> sqlx::Result<Vec<T>> {
        let (sql, args) = (self.sql, self.args);
        dispatch!(self.target, sql, args, |q| q.fetch_all)
    }

    /// At most one row.
    pub async fn fetch_optional<T: Row>(self) -> sqlx::Result<Option<T>> {
        let (sql, args) = (self.sql, self.args);
        dispatch!(self.target, sql, args, |q| q.fetch_optional)
    }

    /// Exactly one row; `RowNotFound` otherwise.
    pub async fn fetch_one<T: Row>(self) -> sqlx::Result<T> {
        let (sql, args) = (self.sql, self.args);
        dispatch!(self.target, sql, args, |q| q.fetch_one)
    }

    /// Runs a statement and returns how many rows it changed.
    pub async fn execute(self) -> sqlx::Result<u64> {
        let (sql, args) = (self.sql, self.args);
        match self.target {
            Target::Pool(Db::Sqlite(p)) => {
                Ok(sqlite_query(sql, args).execute(p).await?.rows_affected())
            }
            Target::Pool(Db::Postgres(p)) => {
                Ok(pg_query(sql, args).execute(p).await?.rows_affected())
            }
            Target::Tx(DbTx::Sqlite(t, _)) => Ok(sqlite_query(sql, args)
                .execute(&mut **t)
                .await?
                .rows_affected()),
            Target::Tx(DbTx::Postgres(t)) => {
                Ok(pg_query(sql, args).execute(&mut **t).await?.rows_affected())
            }
            Target::Shop(Db::Sqlite(p), _) => {
                Ok(sqlite_query(sql, args).execute(p).await?.rows_affected())
            }
            Target::Shop(Db::Postgres(p), shop) => {
                let mut tx = begin_tenant(p, shop).await?;
                let n = pg_query(sql, args).execute(&mut *tx).await?.rows_affected();
                tx.commit().await?;
                Ok(n)
            }
        }
    }
}

/// Runs one fetch method on whichever engine and target the query has.
macro_rules! dispatch {
    ($target:expr, $sql:expr, $args:expr, |$q:ident| $q2:ident . $method:ident) => {
        match $target {
            Target::Pool(Db::Sqlite(p)) => sqlite_as($sql, $args).$method(p).await,
            Target::Pool(Db::Postgres(p)) => pg_as($sql, $args).$method(p).await,
            Target::Tx(DbTx::Sqlite(t, _)) => sqlite_as($sql, $args).$method(&mut **t).await,
            Target::Tx(DbTx::Postgres(t)) => pg_as($sql, $args).$method(&mut **t).await,
            Target::Shop(Db::Sqlite(p), _) => sqlite_as($sql, $args).$method(p).await,
            Target::Shop(Db::Postgres(p), shop) => {
                let mut tx = begin_tenant(p, shop).await?;
                let out = pg_as($sql, $args).$method(&mut *tx).await?;
                tx.commit().await?;
                Ok(out)
            }
        }
    };
}
use dispatch;

/// Binds every [`Arg`] onto a sqlx query (`query` or `query_as`) of either engine.
macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I64(v) => q.bind(v),
                Arg::F64(v) => q.bind(v),
                Arg::Bool(v) => q.bind(v),
                Arg::Text(v) => q.bind(v),
                Arg::Time(v) => q.bind(v),
                Arg::Json(v) => q.bind(v.map(Json)),
                Arg::Bytes(v) => q.bind(v),
            };
        }
        q
    }};
}

fn sqlite_as<'q, T: Row>(
    sql: &'q str,
    args: Vec<Arg>,
) -> QueryAs<'q, Sqlite, T, SqliteArguments<'q>> {
    bind_all!(sqlx::query_as::<Sqlite, T>(sql), args)
}

fn pg_as<'q, T: Row>(sql: &'q str, args: Vec<Arg>) -> QueryAs<'q, Postgres, T, PgArguments> {
    bind_all!(sqlx::query_as::<Postgres, T>(sql), args)
}

fn sqlite_query(sql: &str, args: Vec<Arg>) -> sqlx::query::Query<'_, Sqlite, SqliteArguments<'_>> {
    bind_all!(sqlx::query::<Sqlite>(sql), args)
}

fn pg_query(sql: &str, args: Vec<Arg>) -> sqlx::query::Query<'_, Postgres, PgArguments> {
    bind_all!(sqlx::query::<Postgres>(sql), args)
}
