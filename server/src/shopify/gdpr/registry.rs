//! The registry of tenant tables: every table with a `shop_id`, the columns that may hold
//! personal data and how a customer's rows are found. Redaction, exports and shop erasure walk
//! this list; `tests/integration/gdpr/registry.rs` and xtask tidy fail when a migration creates
//! a tenant table that is missing here.

/// How a customer's rows are found in a tenant table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerRows {
    /// The table holds no customer's personal data (shop-level facts, staff, audit counts).
    None,
    /// `column` holds JSON (raw Shopify payloads, exports) that may mention customers; rows are
    /// keyed by `id` and found by the customer's id, email or phone anywhere in the document
    /// (SHOPIFY.md §6: "match by id, email, and phone"). Matching documents are replaced whole
    /// by a redaction marker, which takes names and addresses with them.
    Json {
        /// The TEXT column holding the document.
        column: &'static str,
        /// Whether a data export includes these documents (not for the exports themselves).
        export: bool,
    },
    /// Synced store data: rows found by the customer's id in `customer_column`, their email or
    /// phone in the named columns, or (for orders) the request's listed order ids in `id`.
    /// Redaction sets the table's personal columns to NULL and stamps `redacted_at`, keeping
    /// the non-personal facts (amounts, statuses) the merchant's reports need.
    Columns {
        /// The row's key, shown in exports.
        key_column: &'static str,
        /// Shopify's customer id.
        customer_column: &'static str,
        email_column: Option<&'static str>,
        phone_column: Option<&'static str>,
        /// Whether `id` is an order id that requests may list.
        order_rows: bool,
    },
}

/// One tenant table.
#[derive(Debug, Clone, Copy)]
pub struct TenantTable {
    /// Table name as created by the migrations.
    pub name: &'static str,
    /// Text or JSON columns that may hold personal data (customers', the merchant's or staff's).
    pub personal_columns: &'static [&'static str],
    /// How a customer's rows are found.
    pub customer_rows: CustomerRows,
}

/// Every tenant table, children before parents (shop/redact deletes in this order; today every
/// table's only parent is `shops`, which is deleted last, outside this list).
pub const TENANT_TABLES: &[TenantTable] = &[
    TenantTable {
        // Segment history: customer ids, segment names and a reason made of scores and counts
        // (no names, emails or phones), kept like the order facts a redaction keeps.
        name: "segment_changes",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        // The shop's quintile boundaries: aggregate numbers, no customer.
        name: "rfm_boundaries",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        // AI insights: the text may name the customer (first name), so a redaction blanks it
        // and an export includes it.
        name: "customer_insights",
        personal_columns: &["text"],
        customer_rows: CustomerRows::Columns {
            key_column: "customer_id",
            customer_column: "customer_id",
            email_column: None,
            phone_column: None,
            order_rows: false,
        },
    },
    TenantTable {
        // The shop's fitted model: parameters and counts, no customer.
        name: "shop_models",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        // Predictions: a customer id, numbers and a reason made of numbers (no names, emails
        // or phones), kept like the order facts and segment history a redaction keeps.
        name: "customer_predictions",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        // Sync bookkeeping: resource names, counts, cursors, bulk operation gids.
        name: "sync_run_parts",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "sync_runs",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "sync_states",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "abandoned_checkouts",
        personal_columns: &["email", "recovery_url"],
        customer_rows: CustomerRows::Columns {
            key_column: "token",
            customer_column: "customer_id",
            email_column: Some("email"),
            phone_column: None,
            order_rows: false,
        },
    },
    TenantTable {
        // Refund amounts and notes about orders; no customer identifiers.
        name: "refunds",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "orders",
        personal_columns: &["email", "phone"],
        customer_rows: CustomerRows::Columns {
            key_column: "id",
            customer_column: "customer_id",
            email_column: Some("email"),
            phone_column: Some("phone"),
            order_rows: true,
        },
    },
    TenantTable {
        name: "customers",
        personal_columns: &[
            "email",
            "first_name",
            "last_name",
            "phone",
            "locale",
            "default_address",
        ],
        customer_rows: CustomerRows::Columns {
            key_column: "id",
            customer_column: "id",
            email_column: Some("email"),
            phone_column: Some("phone"),
            order_rows: false,
        },
    },
    TenantTable {
        // The shop's catalogue: no personal data.
        name: "product_variants",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "products",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "data_exports",
        personal_columns: &["export_json"],
        customer_rows: CustomerRows::Json {
            column: "export_json",
            export: false,
        },
    },
    TenantTable {
        // Audit rows: ids and counts, no personal data by design (0003, 0005).
        name: "compliance_requests",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        // Billing: plan names, statuses, amounts and Shopify gids; no personal data.
        name: "usage_charges",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "usage_counters",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "billing_subscriptions",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        // Topic states from reconciliation: Shopify's gids and messages, no personal data.
        name: "webhook_subscriptions",
        personal_columns: &[],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        name: "webhook_deliveries",
        personal_columns: &["payload"],
        customer_rows: CustomerRows::Json {
            column: "payload",
            export: true,
        },
    },
    TenantTable {
        // The shop's staff (merchant side), erased with the shop, never a customer's data.
        name: "staff_members",
        personal_columns: &["first_name", "last_name", "email"],
        customer_rows: CustomerRows::None,
    },
    TenantTable {
        // The shop's own contact details, not a customer's.
        name: "shop_profiles",
        personal_columns: &["name", "email"],
        customer_rows: CustomerRows::None,
    },
];

/// The registry entry of a table.
pub fn find(name: &str) -> Option<&'static TenantTable> {
    TENANT_TABLES.iter().find(|t| t.name == name)
}
