//! The registry-driven work on tenant tables: find a customer's documents, replace them with a
//! redaction marker, gather them into an export, or delete all of a shop's rows. Table and column
//! names come only from [`TENANT_TABLES`] (constants), never from input.

use serde_json::{Value, json};

use super::registry::{CustomerRows, TENANT_TABLES};
use super::subject::Subject;
use crate::db::ShopTx;

/// Rows read per page while scanning a table, so a shop's month of payloads is never loaded at
/// once.
const PAGE: i64 = 500;

/// What replaces an erased document: valid JSON (so readers still parse it) with nothing of the
/// customer left, not even their ids.
pub fn redaction_marker() -> String {
    json!({ "redacted": true }).to_string()
}

/// Whether a stored document is a redaction marker.
pub fn is_redacted(doc: &str) -> bool {
    serde_json::from_str::<Value>(doc).is_ok_and(|v| v.get("redacted") == Some(&Value::Bool(true)))
}

/// One document of a table that mentions the subject.
#[derive(Debug)]
pub struct Found {
    /// The table.
    pub table: &'static str,
    /// The row's `id`.
    pub id: i64,
    /// The document (parsed; a stored text that is not JSON is never matched).
    pub doc: Value,
}

/// Every document of the shop that mentions the subject, table by table in registry order.
/// `only_exportable` leaves out tables that an export does not include.
pub async fn find_mentions(
    tx: &mut ShopTx,
    subject: &Subject,
    only_exportable: bool,
) -> sqlx::Result<Vec<Found>> {
    let mut found = Vec::new();
    for t in TENANT_TABLES {
        let CustomerRows::Json { column, export } = t.customer_rows else {
            continue;
        };
        if only_exportable && !export {
            continue;
        }
        let sql = format!(
            "select id, {column} from {} where shop_id = $1 and id > $2 and {column} is not null \
             order by id limit $3",
            t.name
        );
        let mut after = 0_i64;
        loop {
            let rows: Vec<(i64, String)> =
                tx.query(&sql).bind(after).bind(PAGE).fetch_all().await?;
            let Some(&(last, _)) = rows.last() else { break };
            after = last;
            for (id, text) in rows {
                if let Ok(doc) = serde_json::from_str::<Value>(&text)
                    && subject.mentioned_in(&doc)
                {
                    found.push(Found {
                        table: t.name,
                        id,
                        doc,
                    });
                }
            }
        }
    }
    Ok(found)
}

/// Replaces every document that mentions the subject with the redaction marker; returns how
/// many rows changed.
pub async fn redact_customer(tx: &mut ShopTx, subject: &Subject) -> sqlx::Result<u64> {
    let found = find_mentions(tx, subject, false).await?;
    let marker = redaction_marker();
    let mut n = 0;
    for f in &found {
        let Some(CustomerRows::Json { column, .. }) =
            super::registry::find(f.table).map(|t| t.customer_rows)
        else {
            continue;
        };
        let sql = format!(
            "update {} set {column} = $3 where shop_id = $1 and id = $2",
            f.table
        );
        n += tx
            .query(&sql)
            .bind(f.id)
            .bind(marker.as_str())
            .execute()
            .await?;
    }
    Ok(n)
}

/// Deletes every row of the shop in every tenant table; returns how many went.
pub async fn delete_shop_rows(tx: &mut ShopTx) -> sqlx::Result<u64> {
    let mut n = 0;
    for t in TENANT_TABLES {
        let sql = format!("delete from {} where shop_id = $1", t.name);
        n += tx.query(&sql).execute().await?;
    }
    Ok(n)
}

/// The `where` condition (after `shop_id = $1`) matching the subject's rows of a
/// [`CustomerRows::Columns`] table, with its binds from `$2` on.
fn column_match(
    customer_column: &str,
    email_column: Option<&str>,
    phone_column: Option<&str>,
    order_rows: bool,
    subject: &Subject,
) -> Option<(String, Vec<crate::db::Arg>)> {
    let mut terms = Vec::new();
    let mut binds: Vec<crate::db::Arg> = Vec::new();
    let next = |binds: &mut Vec<crate::db::Arg>, arg: crate::db::Arg| {
        binds.push(arg);
        format!("${}", binds.len() + 1)
    };
    if let Some(id) = subject.id {
        let p = next(&mut binds, id.into());
        terms.push(format!("{customer_column} = {p}"));
    }
    if let (Some(col), Some(email)) = (email_column, &subject.email) {
        let p = next(&mut binds, email.as_str().into());
        terms.push(format!("lower({col}) = {p}"));
    }
    if let (Some(col), Some(phone)) = (phone_column, &subject.phone) {
        let p = next(&mut binds, phone.as_str().into());
        terms.push(format!("{col} = {p}"));
    }
    if order_rows {
        for order in &subject.orders {
            let p = next(&mut binds, (*order).into());
            terms.push(format!("id = {p}"));
        }
    }
    (!terms.is_empty()).then(|| (format!("({})", terms.join(" or ")), binds))
}

/// A [`CustomerRows::Columns`] table with the subject's rows to act on.
struct Matched {
    table: &'static super::registry::TenantTable,
    key_column: &'static str,
    /// The condition after `shop_id = $1`, and its binds from `$2` on.
    cond: String,
    binds: Vec<crate::db::Arg>,
}

/// Every column-keyed table in which the subject can have rows.
fn matched_tables(subject: &Subject) -> Vec<Matched> {
    TENANT_TABLES
        .iter()
        .filter_map(|t| {
            let CustomerRows::Columns {
                key_column,
                customer_column,
                email_column,
                phone_column,
                order_rows,
            } = t.customer_rows
            else {
                return None;
            };
            let (cond, binds) = column_match(
                customer_column,
                email_column,
                phone_column,
                order_rows,
                subject,
            )?;
            Some(Matched {
                table: t,
                key_column,
                cond,
                binds,
            })
        })
        .collect()
}

/// Blanks the subject's personal columns in synced store data; returns rows changed.
pub async fn redact_columns(
    tx: &mut ShopTx,
    subject: &Subject,
    now: chrono::DateTime<chrono::Utc>,
) -> sqlx::Result<u64> {
    let mut n = 0;
    for Matched {
        table: t,
        cond,
        binds,
        ..
    } in matched_tables(subject)
    {
        let blank: Vec<String> = t
            .personal_columns
            .iter()
            .map(|c| format!("{c} = null"))
            .collect();
        let stamp = format!("${}", binds.len() + 2);
        let sql = format!(
            "update {} set {}, redacted_at = {stamp} where shop_id = $1 and {cond}",
            t.name,
            blank.join(", ")
        );
        let mut q = tx.query(&sql);
        for b in binds {
            q = q.bind(b);
        }
        n += q.bind(now).execute().await?;
    }
    Ok(n)
}

/// The subject's synced store data as export records (one per row, personal columns as text).
pub async fn export_columns(tx: &mut ShopTx, subject: &Subject) -> sqlx::Result<Vec<Found>> {
    let mut found = Vec::new();
    for Matched {
        table: t,
        key_column,
        cond,
        binds,
    } in matched_tables(subject)
    {
        let mut rows: std::collections::BTreeMap<String, serde_json::Map<String, Value>> =
            std::collections::BTreeMap::new();
        for column in t.personal_columns {
            let sql = format!(
                "select cast({key_column} as text), cast({column} as text) from {} \
                 where shop_id = $1 and {cond}",
                t.name
            );
            let mut q = tx.query(&sql);
            for b in &binds {
                q = q.bind(b.clone());
            }
            let values: Vec<(String, Option<String>)> = q.fetch_all().await?;
            for (key, value) in values {
                let row = rows.entry(key.clone()).or_default();
                row.insert(key_column.to_string(), Value::String(key));
                row.insert(
                    (*column).to_string(),
                    value.map_or(Value::Null, Value::String),
                );
            }
        }
        for (key, doc) in rows {
            found.push(Found {
                table: t.name,
                id: key.parse().unwrap_or(0),
                doc: Value::Object(doc),
            });
        }
    }
    Ok(found)
}
