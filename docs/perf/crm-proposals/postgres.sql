-- Proposed migration (tested on PostgreSQL 15 against 1M customers / 1.4M orders, tenant role + forced RLS).
-- Under RLS only leakproof operators on plain columns become index conditions: so the search and
-- the LastOrder cursor move onto plain (generated) columns, compared with ^@ / row comparisons.

-- 1. Plain columns for search (word prefix, leakproof ^@) and for the LastOrder sort key.
--    One ALTER = one table rewrite (ACCESS EXCLUSIVE; measured 36-47 s per 1M rows here).
--    last_order_key equals today's key expression value for value (checked: 0 mismatches),
--    so cursors already handed out stay valid.
ALTER TABLE customers
    ADD COLUMN last_order_key BIGINT GENERATED ALWAYS AS
        (coalesce(cast(extract(epoch from (last_order_at - timestamptz '1970-01-01 00:00:00+00')) as bigint), 0)) STORED,
    ADD COLUMN search_first TEXT GENERATED ALWAYS AS (lower(first_name)) STORED,
    ADD COLUMN search_last TEXT GENERATED ALWAYS AS (lower(last_name)) STORED,
    ADD COLUMN search_email TEXT GENERATED ALWAYS AS (lower(email)) STORED;

-- 2. List pages: segment-filtered and unfiltered keyset order, cursor as (key, id) < ($k, $i).
CREATE INDEX customers_seg_spent ON customers (shop_id, segment, total_spent, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_seg_orders ON customers (shop_id, segment, orders_count, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_seg_lastkey ON customers (shop_id, segment, last_order_key, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_all_spent ON customers (shop_id, total_spent, id) WHERE deleted_at IS NULL;
-- (unfiltered Orders / LastOrder sorts, not in the bench, want (shop_id, orders_count, id) and
--  (shop_id, last_order_key, id) the same way)
DROP INDEX customers_by_segment;          -- a prefix of the three customers_seg_* indexes

-- 3. Search: word-prefix btrees (text_pattern_ops also serves '=' for email lookups).
CREATE INDEX customers_search_first ON customers (shop_id, search_first text_pattern_ops) WHERE deleted_at IS NULL;
CREATE INDEX customers_search_last ON customers (shop_id, search_last text_pattern_ops) WHERE deleted_at IS NULL;
CREATE INDEX customers_search_email ON customers (shop_id, search_email text_pattern_ops);
DROP INDEX customers_by_email;            -- lookups become `search_email = lower($x)`
DROP INDEX customers_search;              -- trigram GIN: unusable under RLS, the costliest index to write

-- 4. Exact per-segment counts, kept by statement-level triggers (one grouped upsert per statement).
CREATE TABLE customer_segment_counts (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    segment TEXT NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (shop_id, segment)
);
ALTER TABLE customer_segment_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_segment_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_segment_counts
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_segment_counts TO ecomcrm_tenant;

CREATE FUNCTION customer_segment_counts_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customer_segment_counts AS t (shop_id, segment, customers)
  SELECT shop_id, segment, count(*) FROM new_rows WHERE deleted_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (shop_id, segment) DO UPDATE SET customers = t.customers + excluded.customers;
  RETURN NULL;
END $$;
CREATE FUNCTION customer_segment_counts_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE customer_segment_counts t SET customers = t.customers - d.n
  FROM (SELECT shop_id, segment, count(*) AS n FROM old_rows WHERE deleted_at IS NULL GROUP BY 1, 2) d
  WHERE t.shop_id = d.shop_id AND t.segment = d.segment;
  RETURN NULL;
END $$;
CREATE FUNCTION customer_segment_counts_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO customer_segment_counts AS t (shop_id, segment, customers)
  SELECT shop_id, segment, sum(d) FROM (
      SELECT n.shop_id, n.segment, 1 AS d FROM new_rows n JOIN old_rows o ON o.shop_id = n.shop_id AND o.id = n.id
        WHERE n.deleted_at IS NULL AND (o.segment <> n.segment OR o.deleted_at IS NOT NULL)
      UNION ALL
      SELECT o.shop_id, o.segment, -1 FROM new_rows n JOIN old_rows o ON o.shop_id = n.shop_id AND o.id = n.id
        WHERE o.deleted_at IS NULL AND (o.segment <> n.segment OR n.deleted_at IS NOT NULL)) x
  GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
  ON CONFLICT (shop_id, segment) DO UPDATE SET customers = t.customers + excluded.customers;
  RETURN NULL;
END $$;
CREATE TRIGGER customer_segment_counts_ins AFTER INSERT ON customers
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_segment_counts_ins();
CREATE TRIGGER customer_segment_counts_upd AFTER UPDATE ON customers
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_segment_counts_upd();
CREATE TRIGGER customer_segment_counts_del AFTER DELETE ON customers
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION customer_segment_counts_del();
INSERT INTO customer_segment_counts (shop_id, segment, customers)
SELECT shop_id, segment, count(*) FROM customers WHERE deleted_at IS NULL GROUP BY 1, 2;
-- (TRUNCATE customers is not covered: follow it by deleting the shop's counts.)

-- 5. Dashboard.
CREATE INDEX customers_by_created ON customers (shop_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX orders_by_created_v2 ON orders (shop_id, created_at, id) INCLUDE (total_price, cancelled_at);
DROP INDEX orders_by_created;
CREATE INDEX refunds_by_created ON refunds (shop_id, created_at, id) INCLUDE (order_id, amount);
CREATE INDEX segment_changes_by_time_v2 ON segment_changes (shop_id, changed_at, id);
DROP INDEX segment_changes_by_time;
CREATE INDEX segment_changes_churn ON segment_changes (shop_id, changed_at, id)
    WHERE to_segment IN ('at_risk', 'hibernating', 'lost');
