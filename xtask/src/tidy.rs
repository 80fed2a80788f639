//! Repository rules checked by `cargo test` (rust-analyzer's tidy pattern): module docs,
//! migration parity, tenant-table rules, and scopes kept in step with shopify.app.toml.

use std::path::{Path, PathBuf};

pub fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().and_then(|e| e.to_str()) == Some(ext) {
            out.push(p);
        }
    }
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

/// Tables that are not tenant tables: the registry itself, the platform's queue, OAuth nonces
/// and the shop-erasure audit (which must outlive the shop's id).
pub const NOT_TENANT: &[&str] = &[
    "shops",
    "jobs",
    "job_schedules",
    "oauth_states",
    "shop_redactions",
];

/// `create table` names in a migration file.
pub fn created_tables(sql: &str) -> Vec<String> {
    let lower = sql.to_lowercase();
    lower
        .split("create table")
        .skip(1)
        .filter_map(|rest| {
            rest.split_whitespace()
                .find(|w| *w != "if" && *w != "not" && *w != "exists")
                .map(|w| {
                    w.split('(')
                        .next()
                        .unwrap_or(w)
                        .trim_matches('"')
                        .to_string()
                })
        })
        .collect()
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut all = Vec::new();
    for d in [
        "server/src",
        "app/src",
        "shared/src",
        "tests/src",
        "tests/integration",
        "tests/browser",
        "xtask/src",
    ] {
        files(&crate::root().join(d), "rs", &mut all);
    }
    let missing: Vec<_> = all
        .iter()
        .filter(|p| !read(p).trim_start().starts_with("//!"))
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` doc on top: {missing:?}"
    );
}

#[test]
fn both_engines_have_the_same_migrations() {
    let names = |d: &str| {
        let mut v: Vec<String> = std::fs::read_dir(crate::root().join("migrations").join(d))
            .map(|r| {
                r.flatten()
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    assert_eq!(
        names("sqlite"),
        names("postgres"),
        "migrations/sqlite and migrations/postgres must hold the same numbered files"
    );
}

#[test]
fn every_tenant_table_has_shop_id_and_row_level_security() {
    let mut sql_files = Vec::new();
    files(
        &crate::root().join("migrations/postgres"),
        "sql",
        &mut sql_files,
    );
    let all: String = sql_files
        .iter()
        .map(|p| read(p).to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    for f in &sql_files {
        for table in created_tables(&read(f)) {
            if NOT_TENANT.contains(&table.as_str()) {
                continue;
            }
            let body = all
                .split(&format!("create table {table}"))
                .nth(1)
                .unwrap_or("");
            let body = body.split(");").next().unwrap_or("");
            assert!(
                body.contains("shop_id bigint not null"),
                "{table}: tenant tables need `shop_id BIGINT NOT NULL`"
            );
            assert!(
                all.contains(&format!("alter table {table} enable row level security")),
                "{table}: enable row level security"
            );
            assert!(
                all.contains(&format!("alter table {table} force row level security")),
                "{table}: force row level security"
            );
            assert!(
                all.contains(&format!("on {table}\n")) || all.contains(&format!("on {table} ")),
                "{table}: needs a tenant_isolation policy"
            );
        }
    }
}

/// Tenant tables created by the PostgreSQL migrations (every created table not in NOT_TENANT).
fn tenant_tables() -> Vec<String> {
    let mut sql_files = Vec::new();
    files(
        &crate::root().join("migrations/postgres"),
        "sql",
        &mut sql_files,
    );
    let mut tables: Vec<String> = sql_files
        .iter()
        .flat_map(|f| created_tables(&read(f)))
        .filter(|t| !NOT_TENANT.contains(&t.as_str()))
        .collect();
    tables.sort();
    tables
}

/// Redaction and shop erasure walk `TENANT_TABLES` (server/src/shopify/gdpr/registry.rs); a
/// tenant table missing there would keep personal data after `customers/redact` or `shop/redact`.
/// (tests/integration/gdpr/registry.rs checks the same against the live catalog.)
#[test]
fn every_tenant_table_is_in_the_gdpr_registry() {
    let registry = read(&crate::root().join("server/src/shopify/gdpr/registry.rs"));
    let mut listed: Vec<String> = registry
        .split("name: \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        tenant_tables(),
        "TENANT_TABLES in server/src/shopify/gdpr/registry.rs must list exactly the tenant tables \
         of migrations/postgres (or add a platform table to NOT_TENANT in xtask/src/tidy.rs)"
    );
}

#[test]
fn the_server_default_scopes_match_shopify_app_toml() {
    let toml = read(&crate::root().join("shopify.app.toml"));
    let config: String = read(&crate::root().join("server/src/config.rs"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let scopes_line = toml
        .lines()
        .find(|l| l.trim_start().starts_with("scopes"))
        .unwrap_or("");
    let scopes = scopes_line.split('"').nth(1).unwrap_or("");
    assert!(
        !scopes.is_empty(),
        "shopify.app.toml has no [access_scopes] scopes"
    );
    assert!(
        config.contains(&format!("DEFAULT_SCOPES: &str = \"{scopes}\"")),
        "DEFAULT_SCOPES in server/src/config.rs must equal shopify.app.toml scopes ({scopes})"
    );
}

#[test]
fn finds_created_tables() {
    assert_eq!(
        created_tables("CREATE TABLE a (x int); create table if not exists b(y int);"),
        vec!["a", "b"]
    );
}
