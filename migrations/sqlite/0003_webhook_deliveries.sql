-- Webhook deliveries as received (server/src/shopify/webhooks) and the compliance requests
-- they carry. Tenant tables; SQLite has no row-level security, the shop-scoped handle is the wall.
-- `id INTEGER PRIMARY KEY` is the rowid (the table itself, not a separate index), since SQLite
-- can only generate keys for a one-column primary key; every real index starts with shop_id.

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- X-Shopify-Webhook-Id: Shopify retries and duplicates deliveries; this is the dedupe key.
    webhook_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    api_version TEXT NOT NULL,
    -- X-Shopify-Triggered-At (when absent, the receive time): orders late deliveries.
    triggered_at TEXT NOT NULL,
    -- The raw body as signed; a payload that does not parse must still be kept.
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    -- Set once nothing more needs the payload; the retention job deletes such rows after 30 days.
    processed_at TEXT,
    UNIQUE (shop_id, webhook_id)
);

CREATE INDEX webhook_deliveries_retention ON webhook_deliveries (shop_id, processed_at);

-- GDPR/CPRA requests as received. No personal data here: the customer's email and phone stay in
-- the delivery's payload, which is kept (processed_at stays null) until the request is carried out.
CREATE TABLE compliance_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    delivery_id INTEGER NOT NULL,
    topic TEXT NOT NULL,
    shopify_customer_id INTEGER,
    data_request_id INTEGER,
    orders_count INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'received',
    received_at TEXT NOT NULL,
    completed_at TEXT,
    UNIQUE (shop_id, delivery_id)
);
