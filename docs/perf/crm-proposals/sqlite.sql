-- filtered list: one partial index per sort key, segment second (equality), id last (tie-break)
CREATE INDEX customers_seg_spent ON customers (shop_id, segment, total_spent, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_seg_orders ON customers (shop_id, segment, orders_count, id) WHERE deleted_at IS NULL;
CREATE INDEX customers_seg_last ON customers (shop_id, segment, coalesce(cast(strftime('%s', last_order_at) as integer), 0), id) WHERE deleted_at IS NULL;
-- Live (not deleted) customers per shop and segment, kept in step by triggers in the same
-- transaction as every customer write: the list total, the chips and the dashboard read it.
CREATE TABLE customer_segment_counts (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    segment TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (shop_id, segment)
) WITHOUT ROWID;
INSERT INTO customer_segment_counts (shop_id, segment, n)
SELECT shop_id, segment, count(*) FROM customers WHERE deleted_at IS NULL GROUP BY shop_id, segment;
CREATE TRIGGER customer_segment_counts_insert AFTER INSERT ON customers WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO customer_segment_counts (shop_id, segment, n) VALUES (new.shop_id, new.segment, 1)
    ON CONFLICT (shop_id, segment) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER customer_segment_counts_delete AFTER DELETE ON customers WHEN old.deleted_at IS NULL BEGIN
    UPDATE customer_segment_counts SET n = n - 1 WHERE shop_id = old.shop_id AND segment = old.segment;
END;
CREATE TRIGGER customer_segment_counts_update AFTER UPDATE OF segment, deleted_at ON customers
WHEN old.segment IS NOT new.segment OR (old.deleted_at IS NULL) <> (new.deleted_at IS NULL) BEGIN
    UPDATE customer_segment_counts SET n = n - 1
    WHERE old.deleted_at IS NULL AND shop_id = old.shop_id AND segment = old.segment;
    INSERT INTO customer_segment_counts (shop_id, segment, n)
    SELECT new.shop_id, new.segment, 1 WHERE new.deleted_at IS NULL
    ON CONFLICT (shop_id, segment) DO UPDATE SET n = n + 1;
END;
-- Each order's refunded total on the order row, kept by triggers that recompute it from refunds
-- (recompute, not delta: a duplicated or reordered write can never make it drift).
ALTER TABLE orders ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET refunded = (SELECT sum(r.amount) FROM refunds r WHERE r.shop_id = orders.shop_id AND r.order_id = orders.id)
  WHERE EXISTS (SELECT 1 FROM refunds r WHERE r.shop_id = orders.shop_id AND r.order_id = orders.id);
CREATE TRIGGER orders_refunded_after_refund_insert AFTER INSERT ON refunds BEGIN
  UPDATE orders SET refunded = (SELECT coalesce(sum(amount), 0) FROM refunds WHERE shop_id = new.shop_id AND order_id = new.order_id)
  WHERE shop_id = new.shop_id AND id = new.order_id;
END;
CREATE TRIGGER orders_refunded_after_refund_update AFTER UPDATE OF amount, order_id ON refunds BEGIN
  UPDATE orders SET refunded = (SELECT coalesce(sum(amount), 0) FROM refunds WHERE shop_id = orders.shop_id AND order_id = orders.id)
  WHERE shop_id = new.shop_id AND id IN (old.order_id, new.order_id);
END;
CREATE TRIGGER orders_refunded_after_refund_delete AFTER DELETE ON refunds BEGIN
  UPDATE orders SET refunded = (SELECT coalesce(sum(amount), 0) FROM refunds WHERE shop_id = old.shop_id AND order_id = old.order_id)
  WHERE shop_id = old.shop_id AND id = old.order_id;
END;
-- a refund stored before its order (no FK between them) is picked up when the order arrives
CREATE TRIGGER orders_refunded_after_order_insert AFTER INSERT ON orders
WHEN EXISTS (SELECT 1 FROM refunds WHERE shop_id = new.shop_id AND order_id = new.id) BEGIN
  UPDATE orders SET refunded = (SELECT sum(amount) FROM refunds WHERE shop_id = new.shop_id AND order_id = new.id)
  WHERE shop_id = new.shop_id AND id = new.id;
END;
-- revenue and the 15-minute slots read only this index
-- cancelled_at (always NULL here) is listed so the planner sees the index as covering: without it
-- SQLite 3.46 does not count the partial-index column as covered and picks orders_by_created.
CREATE INDEX orders_revenue ON orders (shop_id, created_at, total_price, refunded, cancelled_at) WHERE cancelled_at IS NULL;
-- refunded amount per order without touching the table (supersedes refunds_by_order)
CREATE INDEX refunds_by_order_amount ON refunds (shop_id, order_id, amount);
DROP INDEX refunds_by_order;
-- activity feed: newest refunds first
CREATE INDEX refunds_by_created ON refunds (shop_id, created_at, id);
-- activity feed: newest orders with the id tie-break in index order (supersedes orders_by_created)
DROP INDEX orders_by_created;
CREATE INDEX orders_by_created ON orders (shop_id, created_at, id);
-- dashboard customer_counts: customers created since
CREATE INDEX customers_live_by_created ON customers (shop_id, created_at) WHERE deleted_at IS NULL;
-- search: trigram document frequencies (a platform table, refreshed by a daily job; only
-- guides which trigrams the MATCH uses, so staleness never changes results)
CREATE TABLE IF NOT EXISTS customers_search_df (trigram TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
-- vocabulary view used by the daily refresh of customers_search_df:
--   DELETE FROM customers_search_df;
--   INSERT INTO customers_search_df SELECT term, doc FROM customers_search_vocab;
--   INSERT INTO customers_search_df VALUES ('', (SELECT count(*) FROM customers_search));
CREATE VIRTUAL TABLE customers_search_vocab USING fts5vocab(customers_search, 'row');
