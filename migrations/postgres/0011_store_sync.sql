-- The shop's store data synced from Shopify (server/src/sync): customers, orders with their
-- refunds, products with variants, abandoned checkouts; and the sync's own bookkeeping (state,
-- runs, per-resource progress). Tenant tables: shop_id first in every key, row-level security
-- forced. Ids are Shopify's 64-bit ids (they exceed 2^53); money is integer minor units of the
-- stated currency; times are UTC (the shop's time zone is in shop_profiles.iana_timezone).
-- Every record keeps Shopify's updated_at: an older copy never overwrites a newer one.

CREATE TABLE customers (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id BIGINT NOT NULL,
    email TEXT,
    first_name TEXT,
    last_name TEXT,
    phone TEXT,
    -- CustomerState, upper-case (ENABLED, DISABLED, INVITED, DECLINED).
    state TEXT NOT NULL,
    -- JSON array of strings. Customer webhooks carry no tags or consent since 2025-01, so those
    -- columns come from the Admin API only (bulk import, delta sync).
    tags TEXT NOT NULL DEFAULT '[]',
    locale TEXT,
    verified_email BOOLEAN NOT NULL,
    -- CustomerEmailMarketingState / opt-in level (upper-case), when Shopify gave them.
    email_marketing_state TEXT,
    email_opt_in_level TEXT,
    email_consent_updated_at TIMESTAMPTZ,
    sms_marketing_state TEXT,
    sms_opt_in_level TEXT,
    sms_consent_updated_at TIMESTAMPTZ,
    -- JSON object (the default address) or NULL.
    default_address TEXT,
    -- Shopify's own statistics (numberOfOrders, amountSpent) as last reported, for comparison.
    shopify_orders_count BIGINT,
    shopify_amount_spent BIGINT,
    -- Our counters, from the synced orders, updated in the transaction that changes an order:
    -- every order counts; spent is net of refunds with cancelled orders left out (shop currency).
    orders_count BIGINT NOT NULL DEFAULT 0,
    total_spent BIGINT NOT NULL DEFAULT 0,
    first_order_at TIMESTAMPTZ,
    last_order_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    -- customers/delete: the row stays (orders still point at it) but is hidden.
    deleted_at TIMESTAMPTZ,
    -- customers/redact: personal columns were blanked.
    redacted_at TIMESTAMPTZ,
    PRIMARY KEY (shop_id, id)
);

CREATE INDEX customers_by_email ON customers (shop_id, lower(email));

CREATE TABLE orders (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id BIGINT NOT NULL,
    -- The admin's name, e.g. #1001.
    name TEXT NOT NULL,
    customer_id BIGINT,
    email TEXT,
    phone TEXT,
    -- The shop currency (all amounts below) and what the buyer saw.
    currency TEXT NOT NULL,
    presentment_currency TEXT NOT NULL,
    subtotal_price BIGINT NOT NULL,
    total_discounts BIGINT NOT NULL,
    total_shipping BIGINT NOT NULL,
    total_tax BIGINT NOT NULL,
    total_price BIGINT NOT NULL,
    -- OrderDisplayFinancialStatus / OrderDisplayFulfillmentStatus, upper-case.
    financial_status TEXT,
    fulfillment_status TEXT,
    -- OrderCancelReason, upper-case.
    cancel_reason TEXT,
    cancelled_at TIMESTAMPTZ,
    -- JSON arrays: discount codes, tags, line items (id, product and variant ids, title, sku,
    -- quantity, unit price and discounted total in minor units).
    discount_codes TEXT NOT NULL,
    tags TEXT NOT NULL,
    line_items TEXT COMPRESSION lz4 NOT NULL,
    source_name TEXT,
    test BOOLEAN NOT NULL,
    -- Placed before the shop's first import started: automations never fire on these.
    historical BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    redacted_at TIMESTAMPTZ,
    PRIMARY KEY (shop_id, id)
);

CREATE INDEX orders_by_customer ON orders (shop_id, customer_id, created_at);
CREATE INDEX orders_by_created ON orders (shop_id, created_at);

CREATE TABLE refunds (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    -- Shop currency, minor units.
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    note TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, id)
);

CREATE INDEX refunds_by_order ON refunds (shop_id, order_id);

CREATE TABLE products (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id BIGINT NOT NULL,
    title TEXT NOT NULL,
    handle TEXT NOT NULL,
    product_type TEXT,
    vendor TEXT,
    -- ProductStatus, upper-case.
    status TEXT NOT NULL,
    tags TEXT NOT NULL,
    -- JSON array of {id, url, alt_text, width, height}.
    images TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, id)
);


CREATE TABLE product_variants (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    sku TEXT,
    price BIGINT NOT NULL,
    compare_at_price BIGINT,
    inventory_quantity BIGINT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, id)
);

CREATE INDEX product_variants_by_product ON product_variants (shop_id, product_id);

CREATE TABLE abandoned_checkouts (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Webhooks key checkouts by token only; the Admin API's id is kept when known.
    token TEXT NOT NULL,
    shopify_id BIGINT,
    customer_id BIGINT,
    email TEXT,
    currency TEXT NOT NULL,
    presentment_currency TEXT,
    subtotal_price BIGINT NOT NULL,
    total_price BIGINT NOT NULL,
    line_items TEXT NOT NULL,
    recovery_url TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    redacted_at TIMESTAMPTZ,
    PRIMARY KEY (shop_id, token)
);

CREATE INDEX abandoned_checkouts_by_customer ON abandoned_checkouts (shop_id, customer_id);

-- One row per shop: where the delta sync resumes, and when the first import began.
CREATE TABLE sync_states (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Orders created before this are historical (NULL until the first full import starts).
    historical_before TIMESTAMPTZ,
    -- JSON object resource -> newest updated_at applied by a completed run.
    watermarks TEXT NOT NULL,
    last_success_at TIMESTAMPTZ,
    PRIMARY KEY (shop_id)
);

CREATE TABLE sync_runs (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    id BIGINT GENERATED BY DEFAULT AS IDENTITY,
    -- 'full' or 'delta'.
    kind TEXT NOT NULL,
    -- 'install', 'schedule' or 'manual'.
    trigger TEXT NOT NULL,
    -- 'running', 'succeeded' or 'failed'.
    status TEXT NOT NULL,
    error TEXT,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    PRIMARY KEY (shop_id, id)
);

CREATE INDEX sync_runs_by_status ON sync_runs (shop_id, status);
-- At most one run in progress per shop, even when two requests start one at once.
CREATE UNIQUE INDEX sync_runs_one_running ON sync_runs (shop_id) WHERE status = 'running';

-- One row per resource of a run: its bulk operation and how far its file has been applied.
CREATE TABLE sync_run_parts (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL,
    -- 'products', 'customers', 'orders' or 'checkouts'.
    resource TEXT NOT NULL,
    -- 'pending', 'running' (bulk operation or pages), 'importing', 'done' or 'failed'.
    status TEXT NOT NULL,
    bulk_operation_id TEXT,
    -- Lines of the result file applied and committed: a restarted import skips these.
    lines_done BIGINT NOT NULL DEFAULT 0,
    rows_done BIGINT NOT NULL DEFAULT 0,
    rows_expected BIGINT,
    -- Newest updated_at seen in this part (the next watermark once the run succeeds).
    max_updated_at TIMESTAMPTZ,
    -- Delta runs: the page cursor to resume from.
    cursor TEXT,
    error TEXT,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, run_id, resource)
);

ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customers
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON customers TO ecomcrm_tenant;

ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE orders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON orders
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO ecomcrm_tenant;

ALTER TABLE refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE refunds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refunds
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON refunds TO ecomcrm_tenant;

ALTER TABLE products ENABLE ROW LEVEL SECURITY;
ALTER TABLE products FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON products
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON products TO ecomcrm_tenant;

ALTER TABLE product_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE product_variants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON product_variants
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON product_variants TO ecomcrm_tenant;

ALTER TABLE abandoned_checkouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE abandoned_checkouts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON abandoned_checkouts
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON abandoned_checkouts TO ecomcrm_tenant;

ALTER TABLE sync_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_states
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON sync_states TO ecomcrm_tenant;

ALTER TABLE sync_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_runs
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON sync_runs TO ecomcrm_tenant;

ALTER TABLE sync_run_parts ENABLE ROW LEVEL SECURITY;
ALTER TABLE sync_run_parts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sync_run_parts
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON sync_run_parts TO ecomcrm_tenant;
GRANT USAGE, SELECT ON SEQUENCE sync_runs_id_seq TO ecomcrm_tenant;
