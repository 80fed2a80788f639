-- Rewritten query texts (PostgreSQL branch), as measured. $1 is always the shop id (ShopDb binds it).

-- page, segment filter, sort Spent (Orders: c.orders_count, LastOrder: c.last_order_key), first page
-- binds: $1 = shop_id, $2 = 'loyal'
select c.id, c.first_name, c.last_name, c.email, c.orders_count, c.total_spent, c.last_order_at, c.segment, cast(c.r_score as bigint) as r_score, cast(c.f_score as bigint) as f_score, cast(c.m_score as bigint) as m_score, c.total_spent as sort_key from customers c where c.shop_id = $1 and c.deleted_at is null and c.segment = $2 order by sort_key desc, c.id desc limit 26;

-- page, later page: row comparison cursor (an index condition under RLS)
-- binds: $1 = shop_id, $2 = 'loyal', $3 = 1790000000, $4 = 123
select c.id, c.first_name, c.last_name, c.email, c.orders_count, c.total_spent, c.last_order_at, c.segment, cast(c.r_score as bigint) as r_score, cast(c.f_score as bigint) as f_score, cast(c.m_score as bigint) as m_score, c.last_order_key as sort_key from customers c where c.shop_id = $1 and c.deleted_at is null and c.segment = $2 and (c.last_order_key, c.id) < ($3, $4) order by sort_key desc, c.id desc limit 26;

-- page with search, capped count < cap: sort the (few) matches
-- binds: $1 = shop_id, $2 = 'ann', $3 = 'smith'
with m as materialized (select c.id, c.first_name, c.last_name, c.email, c.orders_count, c.total_spent, c.last_order_at, c.segment, cast(c.r_score as bigint) as r_score, cast(c.f_score as bigint) as f_score, cast(c.m_score as bigint) as m_score, c.total_spent as sort_key from customers c where c.shop_id = $1 and c.deleted_at is null and (c.search_first ^@ $2 or c.search_last ^@ $2 or c.search_email ^@ $2) and (c.search_first ^@ $3 or c.search_last ^@ $3 or c.search_email ^@ $3)) select * from m order by sort_key desc, id desc limit 26;

-- page with search, capped count reached the cap: plain ordered page (walks customers_all_spent / customers_seg_*)
-- binds: $1 = shop_id, $2 = 'ann'
select c.id, c.first_name, c.last_name, c.email, c.orders_count, c.total_spent, c.last_order_at, c.segment, cast(c.r_score as bigint) as r_score, cast(c.f_score as bigint) as f_score, cast(c.m_score as bigint) as m_score, c.total_spent as sort_key from customers c where c.shop_id = $1 and c.deleted_at is null and (c.search_first ^@ $2 or c.search_last ^@ $2 or c.search_email ^@ $2) order by sort_key desc, c.id desc limit 26;

-- count, no search (segment or none): from customer_segment_counts
-- binds: $1 = shop_id, $2 = 'loyal'
select cast(coalesce(sum(customers), 0) as bigint) from customer_segment_counts where shop_id = $1 and segment = $2;

-- count with search: capped at 1000 (UI shows '1,000+')
-- binds: $1 = shop_id, $2 = 'ann', $3 = 'smith'
select count(*) from (select 1 from customers c where c.shop_id = $1 and c.deleted_at is null and (c.search_first ^@ $2 or c.search_last ^@ $2 or c.search_email ^@ $2) and (c.search_first ^@ $3 or c.search_last ^@ $3 or c.search_email ^@ $3) limit 1001) t;

-- segment chips, no search
-- binds: $1 = shop_id
select segment, customers from customer_segment_counts where shop_id = $1 and customers > 0;

-- segment chips with search (exact when the capped count < cap)
-- binds: $1 = shop_id, $2 = 'ann'
select segment, count(*) from (select c.segment from customers c where c.shop_id = $1 and c.deleted_at is null and (c.search_first ^@ $2 or c.search_last ^@ $2 or c.search_email ^@ $2) limit 1001) t group by segment;

-- dashboard customer_counts
-- binds: $1 = shop_id, $2 = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
select (select cast(coalesce(sum(customers), 0) as bigint) from customer_segment_counts where shop_id = $1), (select count(*) from customers where shop_id = $1 and deleted_at is null and created_at >= $2);

-- dashboard segments
-- binds: $1 = shop_id
select segment, customers from customer_segment_counts where shop_id = $1 and customers > 0;

-- dashboard slots with orders per slot (revenue KPI = sum over slots; replaces revenue() + slots() per window)
-- binds: $1 = shop_id, $2 = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc), $3 = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)
select cast(extract(epoch from b) as bigint) / 900 as slot, cast(sum(net) as bigint) as net, cast(sum(n) as bigint) as orders from (select date_bin('15 minutes', o.created_at, timestamptz '1970-01-01 00:00:00+00') as b, sum(o.total_price) as net, count(*) as n from orders o where o.shop_id = $1 and o.cancelled_at is null and o.created_at >= $2 and o.created_at < $3 group by 1 union all select date_bin('15 minutes', o.created_at, timestamptz '1970-01-01 00:00:00+00') as b, -sum(r.amount), 0 from refunds r join orders o on o.shop_id = r.shop_id and o.id = r.order_id where r.shop_id = $1 and r.created_at >= $2 and o.cancelled_at is null and o.created_at >= $2 and o.created_at < $3 group by 1) x group by b;

-- segment_changes / activity: SQL unchanged; the new indexes make them index walks.
