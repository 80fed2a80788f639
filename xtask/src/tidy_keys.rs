//! Tidy rule for tenant tables' keys: every primary key, unique key and index starts with
//! `shop_id`, so each lookup stays inside one shop and the tables can later be distributed by
//! `shop_id` (DESIGN §4, Citus).

use crate::tidy::{NOT_TENANT, files, read};

/// The SQL without `--` comments (they often mention keys in prose).
fn strip_comments(sql: &str) -> String {
    sql.lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first column inside the parentheses that follow `rest`'s start.
fn first_column(rest: &str) -> Option<String> {
    let inside = rest.split_once('(')?.1;
    let first = inside.split([',', ')']).next()?;
    Some(first.trim().trim_matches('"').to_string())
}

/// The statement's table body: from `create table {table} (` to the closing `);`.
fn table_body<'a>(sql: &'a str, table: &str) -> Option<&'a str> {
    let marker = format!("create table {table}");
    let start = sql.find(&marker)? + marker.len();
    let rest = &sql[start..];
    Some(rest.split(");").next().unwrap_or(rest))
}

/// SQLite generates keys only for a one-column `INTEGER PRIMARY KEY`, which is the rowid (the
/// table itself, not an index), so that one column key is allowed in the SQLite migrations.
const SQLITE_ROWID: &str = "id integer primary key autoincrement,";

/// Keys and indexes of tenant tables in `sql` (all migrations of one engine) that do not start
/// with `shop_id`, described for the failure message.
fn key_violations(sql: &str, tenant: &[String], engine: &str) -> Vec<String> {
    let sql = strip_comments(&sql.to_lowercase());
    let mut out = Vec::new();
    for table in tenant {
        let Some(body) = table_body(&sql, table) else {
            continue;
        };
        for line in body.lines().map(str::trim) {
            let is_table_key = line.starts_with("primary key") || line.starts_with("unique");
            if is_table_key {
                if first_column(line).as_deref() != Some("shop_id") {
                    out.push(format!("{table}: `{line}` must start with shop_id"));
                }
            } else if engine == "sqlite" && line == SQLITE_ROWID {
                continue;
            } else if line.contains(" primary key") || line.contains(" unique") {
                out.push(format!(
                    "{table}: column key `{line}`: declare it as a table key starting with shop_id"
                ));
            }
        }
    }
    // `create [unique] index name on table [using method] (cols)`.
    for statement in sql.split(';') {
        let s = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(pos) = s.find(" index ") else {
            continue;
        };
        if !s.starts_with("create") {
            continue;
        }
        let Some((_, after_on)) = s[pos..].split_once(" on ") else {
            continue;
        };
        let table = after_on.split([' ', '(']).next().unwrap_or("");
        if tenant.iter().any(|t| t == table) && first_column(after_on).as_deref() != Some("shop_id")
        {
            out.push(format!("{table}: `{s}` must start with shop_id"));
        }
    }
    out
}

fn engine_sql(engine: &str) -> String {
    let mut paths = Vec::new();
    files(
        &crate::root().join("migrations").join(engine),
        "sql",
        &mut paths,
    );
    paths.sort();
    paths.iter().map(|p| read(p)).collect::<Vec<_>>().join("\n")
}

fn tenant_tables(sql: &str) -> Vec<String> {
    crate::tidy::created_tables(sql)
        .into_iter()
        .filter(|t| !NOT_TENANT.contains(&t.as_str()))
        .collect()
}

#[test]
fn every_tenant_key_and_index_starts_with_shop_id() {
    for engine in ["postgres", "sqlite"] {
        let sql = engine_sql(engine);
        let tenant = tenant_tables(&sql);
        assert!(!tenant.is_empty(), "{engine}: no tenant tables found");
        let violations = key_violations(&sql, &tenant, engine);
        assert!(
            violations.is_empty(),
            "migrations/{engine}: {violations:#?}"
        );
    }
}

#[test]
fn the_key_rule_catches_keys_and_indexes_without_shop_id() {
    let tenant = vec!["t".to_string()];
    let bad = "CREATE TABLE t (\n shop_id BIGINT NOT NULL,\n id BIGINT PRIMARY KEY,\n email TEXT,\n UNIQUE (email, shop_id)\n);\n\
               CREATE UNIQUE INDEX t_email ON t (email);\nCREATE INDEX t_gin ON t USING gin (email);";
    assert_eq!(
        key_violations(bad, &tenant, "postgres").len(),
        4,
        "{:#?}",
        key_violations(bad, &tenant, "postgres")
    );
    let good = "CREATE TABLE t (\n shop_id BIGINT NOT NULL, -- unique per shop\n id BIGINT,\n PRIMARY KEY (shop_id, id),\n UNIQUE (shop_id, id)\n);\n\
                CREATE INDEX t_by ON t (shop_id, id);\nCREATE INDEX other ON u (email);";
    assert!(
        key_violations(good, &tenant, "postgres").is_empty(),
        "{:#?}",
        key_violations(good, &tenant, "postgres")
    );
}
