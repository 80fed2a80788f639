//! The tenant-table registry that redaction walks equals the set of tenant tables, both as the
//! migrations declare them and as the live database holds them, so a new table cannot be
//! forgotten by `customers/redact` or `shop/redact`.

use std::collections::BTreeSet;

use ecomcrm::shopify::gdpr::{CustomerRows, TENANT_TABLES};
use ecomcrm_tests::test_app::{TestApp, workspace_root};

use super::support::{all_columns, tables_with_shop_id};

/// Platform tables that have a `shop_id` but are not tenant data: the job queue (checked for
/// pending jobs by the shop/redact test instead).
const PLATFORM_WITH_SHOP_ID: [&str; 1] = ["jobs"];

fn registry() -> BTreeSet<String> {
    TENANT_TABLES.iter().map(|t| t.name.to_string()).collect()
}

/// Tables created by migrations/postgres with `shop_id BIGINT NOT NULL` (the tenant-table rule).
fn migration_tenant_tables() -> BTreeSet<String> {
    let dir = workspace_root().join("migrations/postgres");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir").flatten() {
        let sql = std::fs::read_to_string(entry.path())
            .expect("migration")
            .to_lowercase();
        for rest in sql.split("create table ").skip(1) {
            let name = rest
                .split(|c: char| c.is_whitespace() || c == '(')
                .next()
                .unwrap_or("");
            let body = rest.split(");").next().unwrap_or("");
            if body.contains("shop_id bigint not null") {
                out.insert(name.to_string());
            }
        }
    }
    out
}

#[tokio::test]
async fn the_registry_lists_every_tenant_table_of_the_migrations_and_the_catalog() {
    assert_eq!(
        registry(),
        migration_tenant_tables(),
        "TENANT_TABLES vs migrations/postgres"
    );

    let app = TestApp::spawn().await;
    let catalog: BTreeSet<String> = tables_with_shop_id(&app.state.db)
        .await
        .into_iter()
        .filter(|t| !PLATFORM_WITH_SHOP_ID.contains(&t.as_str()))
        .collect();
    assert_eq!(registry(), catalog, "TENANT_TABLES vs the database catalog");

    // Every column the registry names exists, so redaction's SQL cannot silently miss.
    let columns: BTreeSet<(String, String)> =
        all_columns(&app.state.db).await.into_iter().collect();
    for t in TENANT_TABLES {
        let mut named: Vec<&str> = t.personal_columns.to_vec();
        if let CustomerRows::Json { column, .. } = t.customer_rows {
            named.extend([column, "id"]);
        }
        for c in named {
            assert!(
                columns.contains(&(t.name.to_string(), c.to_string())),
                "{}.{c} named in TENANT_TABLES does not exist",
                t.name
            );
        }
    }
}
