-- Raw webhook payloads (often 10–20 KB) are compressed with lz4 instead of pglz: on the intake
-- path PostgreSQL spends its CPU compressing the payload, and lz4 costs a fraction of pglz for
-- a similar ratio on JSON. Needs PostgreSQL 14+ built with lz4 (Debian's and PGDG's builds are).
ALTER TABLE webhook_deliveries ALTER COLUMN payload SET COMPRESSION lz4;
