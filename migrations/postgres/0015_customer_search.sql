-- Customer search by any part of a name or email that stays fast at a million customers: a
-- trigram GIN index on the very expression the list's search filters on (server/src/crm/
-- customers.rs), so `like '%ann%'` is answered from the index. btree_gin lets the shop id lead
-- the index like every tenant index. Both extensions ship with PostgreSQL's contrib; creating
-- them needs a role allowed to create extensions (the migration owner).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE INDEX customers_search ON customers USING gin (
    shop_id,
    (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '')))
    gin_trgm_ops
);
