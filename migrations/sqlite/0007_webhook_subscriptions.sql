-- Each shop's webhook subscriptions as the app last reconciled them with Shopify
-- (server/src/shopify/subscriptions): one row per topic the app subscribes to through the Admin
-- API. A tenant table; SQLite has no row-level security, the shop-scoped handle is the wall.

CREATE TABLE webhook_subscriptions (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- `orders/create` style, as in X-Shopify-Topic.
    topic TEXT NOT NULL,
    -- 'subscribed' or 'failed'; a topic without a row has not been reconciled yet.
    status TEXT NOT NULL,
    -- Shopify's gid of the subscription, when known.
    shopify_id TEXT,
    -- Shopify's message when the subscription could not be created (never personal data).
    detail TEXT,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, topic)
);
