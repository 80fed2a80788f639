-- Customer search by any part of a name or email that stays fast at a million customers: a
-- trigram GIN index on the very expression the list's search filters on (server/src/crm/
-- customers.rs), so `like '%ann%'` is answered from the index. pg_trgm ships with PostgreSQL's
-- contrib; creating it needs a role allowed to create extensions (the migration owner).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX customers_search ON customers USING gin (
    (lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '')))
    gin_trgm_ops
);
