-- CRM scoring (server/src/crm/rfm): each customer's RFM scores and segment on the customer row
-- (the list filters and sorts on them), the shop's quintile boundaries that scores are derived
-- from, and the history of segment changes. Customers without orders are 'prospect' (no scores).

ALTER TABLE customers ADD COLUMN r_score INTEGER;
ALTER TABLE customers ADD COLUMN f_score INTEGER;
ALTER TABLE customers ADD COLUMN m_score INTEGER;
ALTER TABLE customers ADD COLUMN segment TEXT NOT NULL DEFAULT 'prospect';
ALTER TABLE customers ADD COLUMN segment_since TEXT;

CREATE INDEX customers_by_segment ON customers (shop_id, segment);

-- Upper bounds of quintiles 1-4 from NTILE(5) over the customers with orders, ties broken by
-- id: recency on last_order_at (oldest first), frequency on orders_count, monetary on
-- total_spent. A value scores the first quintile whose upper bound reaches it, else 5; a bound
-- is NULL when its quintile is empty (fewer than five customers with orders).
CREATE TABLE rfm_boundaries (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    r1 TEXT,
    r2 TEXT,
    r3 TEXT,
    r4 TEXT,
    f1 INTEGER,
    f2 INTEGER,
    f3 INTEGER,
    f4 INTEGER,
    m1 INTEGER,
    m2 INTEGER,
    m3 INTEGER,
    m4 INTEGER,
    -- Customers with orders when the boundaries were computed.
    scored_customers INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    -- The shop-local date (YYYY-MM-DD) of that recompute: the daily job runs once per date.
    local_date TEXT NOT NULL,
    PRIMARY KEY (shop_id)
);

-- One row per change of a customer's segment after the shop's first scoring (which sets the
-- starting segments without history): from, to, when, and a plain reason with the numbers.
CREATE TABLE segment_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL,
    from_segment TEXT NOT NULL,
    to_segment TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE INDEX segment_changes_by_time ON segment_changes (shop_id, changed_at);
CREATE INDEX segment_changes_by_customer ON segment_changes (shop_id, customer_id, changed_at);
