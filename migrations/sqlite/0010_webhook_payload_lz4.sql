-- PostgreSQL switches webhook payload compression to lz4 in this step; SQLite stores TEXT
-- uncompressed, so there is nothing to change (the file keeps both engines' migrations in step).
SELECT 1;
