//! Multi-row upserts that keep the newest copy: one `insert … on conflict … do update … where`
//! statement per chunk of rows, the same SQL on SQLite and PostgreSQL. A row whose `updated_at`
//! is older than the stored one changes nothing (last write wins on Shopify's clock, whatever
//! order copies arrive in), and a redacted row is never filled in again.

use crate::db::{Arg, ShopTx};

mod json_rows;

/// Most bound parameters per statement on PostgreSQL (it allows 65,535).
const MAX_PARAMS_PG: usize = 30_000;
/// Most bound parameters per statement on SQLite when rows cannot travel as JSON (raw bytes): it
/// allows 32,766, but binding slows down sharply as statements grow.
const MAX_PARAMS_SQLITE: usize = 500;

/// One table's upsert shape.
pub struct Upsert {
    pub table: &'static str,
    /// Columns written, `shop_id` excluded (it is always `$1`).
    pub columns: &'static [&'static str],
    /// The conflict key after `shop_id`.
    pub key: &'static [&'static str],
    /// Columns set only on insert (never changed by a newer copy).
    pub insert_only: &'static [&'static str],
    /// Whether a copy with an older `updated_at` is ignored.
    pub newest_wins: bool,
    /// Whether the table has `redacted_at` (a redacted row is never updated).
    pub redactable: bool,
}

impl Upsert {
    /// `insert … values (…), (…)` for `rows` rows of bound parameters.
    fn sql(&self, rows: usize) -> String {
        let n = self.columns.len();
        let mut sql = self.insert_into();
        sql.push_str(" values ");
        let mut param = 2;
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push_str("($1");
            for _ in 0..n {
                sql.push_str(&format!(", ${param}"));
                param += 1;
            }
            sql.push(')');
        }
        sql.push_str(&self.on_conflict());
        sql
    }

    /// SQLite: every row in one JSON array bound as `$2`, unpacked by `json_each` inside the
    /// engine. One bind per batch instead of one per value: binding is what costs on SQLite.
    /// (`jsonb_each`, which would skip re-reading each row's text, needs SQLite 3.51; sqlx
    /// bundles 3.46. `where true` settles SQLite's parse ambiguity between a select and an
    /// upsert clause.)
    fn sql_json_rows(&self) -> String {
        let mut sql = self.insert_into();
        sql.push_str(" select $1");
        for i in 0..self.columns.len() {
            sql.push_str(&format!(", value->>{i}"));
        }
        sql.push_str(" from json_each($2) where true");
        sql.push_str(&self.on_conflict());
        sql
    }

    fn insert_into(&self) -> String {
        format!(
            "insert into {} (shop_id, {})",
            self.table,
            self.columns.join(", ")
        )
    }

    fn on_conflict(&self) -> String {
        let updates: Vec<String> = self
            .columns
            .iter()
            .filter(|c| !self.key.contains(c) && !self.insert_only.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let mut sql = format!(" on conflict (shop_id, {}) ", self.key.join(", "));
        if updates.is_empty() {
            sql.push_str("do nothing");
            return sql;
        }
        sql.push_str(&format!("do update set {}", updates.join(", ")));
        let t = self.table;
        let mut guards = Vec::new();
        if self.redactable {
            guards.push(format!("{t}.redacted_at is null"));
        }
        if self.newest_wins {
            guards.push(format!("excluded.updated_at >= {t}.updated_at"));
        }
        if !guards.is_empty() {
            sql.push_str(&format!(" where {}", guards.join(" and ")));
        }
        sql
    }

    /// Writes `rows` (each `columns.len()` values in column order); returns rows changed.
    pub async fn run(&self, tx: &mut ShopTx, rows: Vec<Vec<Arg>>) -> sqlx::Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        if tx.backend() == crate::db::Backend::Sqlite
            && let Some(json) = json_rows::encode(&rows)
        {
            return tx
                .query(&self.sql_json_rows())
                .bind(Arg::Text(Some(json)))
                .execute()
                .await;
        }
        let max = match tx.backend() {
            crate::db::Backend::Sqlite => MAX_PARAMS_SQLITE,
            crate::db::Backend::Postgres => MAX_PARAMS_PG,
        };
        let per_chunk = (max / self.columns.len()).max(1);
        let mut changed = 0;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Arg>> = rows.by_ref().take(per_chunk).collect();
            let sql = self.sql(chunk.len());
            let mut q = tx.query(&sql);
            for row in chunk {
                debug_assert_eq!(row.len(), self.columns.len());
                for arg in row {
                    q = q.bind(arg);
                }
            }
            changed += q.execute().await?;
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_keeps_the_newest_copy_and_skips_redacted_rows() {
        let u = Upsert {
            table: "things",
            columns: &["id", "name", "created_at", "updated_at"],
            key: &["id"],
            insert_only: &["created_at"],
            newest_wins: true,
            redactable: true,
        };
        assert_eq!(
            u.sql(2),
            "insert into things (shop_id, id, name, created_at, updated_at) values \
             ($1, $2, $3, $4, $5), ($1, $6, $7, $8, $9) on conflict (shop_id, id) do update set \
             name = excluded.name, updated_at = excluded.updated_at where things.redacted_at is \
             null and excluded.updated_at >= things.updated_at"
        );
    }

    #[test]
    fn on_sqlite_the_rows_travel_as_one_json_parameter() {
        let u = Upsert {
            table: "things",
            columns: &["id", "name", "updated_at"],
            key: &["id"],
            insert_only: &[],
            newest_wins: true,
            redactable: false,
        };
        assert_eq!(
            u.sql_json_rows(),
            "insert into things (shop_id, id, name, updated_at) select $1, value->>0, \
             value->>1, value->>2 from json_each($2) where true on conflict (shop_id, id) do \
             update set name = excluded.name, updated_at = excluded.updated_at where \
             excluded.updated_at >= things.updated_at"
        );
    }
}
