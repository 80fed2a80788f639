-- AI insights (server/src/ai): one short text per customer, written by the configured LLM from the
-- customer's own facts and kept until those facts change (the fingerprint is their hash). A row
-- whose provider is 'deterministic' records a failed LLM call, so a failing provider is not
-- asked (and paid for) again on every page view. The text may name the customer, so
-- customers/redact blanks it (text NULL, redacted_at set) and the next view writes a new one.

CREATE TABLE customer_insights (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL,
    -- sha256 hex of the facts the text was written from (see CustomerFacts::fingerprint).
    fingerprint TEXT NOT NULL,
    text TEXT,
    -- 'openai' (an OpenAI-compatible endpoint) or 'deterministic'.
    provider TEXT NOT NULL,
    model TEXT,
    created_at TEXT NOT NULL,
    redacted_at TEXT,
    PRIMARY KEY (shop_id, customer_id)
);
