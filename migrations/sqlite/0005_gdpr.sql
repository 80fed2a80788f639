-- Compliance (GDPR/CPRA) work (server/src/shopify/gdpr): customer data exports, the counts of
-- the audit log, and the platform audit of shop erasures (which outlives the shop's rows).
-- SQLite has no row-level security; the shop-scoped handle is the wall.

-- How many rows a carried-out request touched; no personal data, only the count.
ALTER TABLE compliance_requests ADD COLUMN rows_affected INTEGER;

-- customers/data_request exports (a tenant table holding personal data, covered by redaction
-- through the tenant-table registry).
CREATE TABLE data_exports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    delivery_id INTEGER NOT NULL,
    customer_shopify_id INTEGER,
    -- 'pending' until the job stores the JSON, then 'completed' ('redacted' when erased first).
    status TEXT NOT NULL,
    export_json TEXT,
    created_at TEXT NOT NULL,
    completed_at TEXT,
    UNIQUE (shop_id, delivery_id)
);

-- The audit of shop/redact: a platform table that outlives the shop's rows, so it names the
-- shop by domain and holds counts only.
CREATE TABLE shop_redactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_domain TEXT NOT NULL,
    rows_deleted INTEGER NOT NULL,
    jobs_cancelled INTEGER NOT NULL,
    requested_at TEXT NOT NULL,
    completed_at TEXT NOT NULL
);
