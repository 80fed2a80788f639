-- Customer search by any part of a name or email that stays fast at a million customers: an
-- FTS5 table with the trigram tokenizer, whose LIKE '%ann%' is answered from its index. Rows
-- share the customer's rowid and are kept in step by triggers, so a redaction (which blanks the
-- name and email) or a shop's erasure (which deletes its customers) empties them too. It holds
-- no shop_id: it is only ever read joined to `customers`, which the shop handle filters.

CREATE VIRTUAL TABLE customers_search USING fts5(text, tokenize = 'trigram');

CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_search (rowid, text) VALUES (new.rowid,
        lower(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '') || ' ' ||
              coalesce(new.email, '')));
END;

CREATE TRIGGER customers_search_update AFTER UPDATE OF first_name, last_name, email ON customers
BEGIN
    DELETE FROM customers_search WHERE rowid = old.rowid;
    INSERT INTO customers_search (rowid, text) VALUES (new.rowid,
        lower(coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '') || ' ' ||
              coalesce(new.email, '')));
END;

CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customers_search WHERE rowid = old.rowid;
END;

INSERT INTO customers_search (rowid, text)
SELECT rowid, lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' ||
                    coalesce(email, ''))
FROM customers;
