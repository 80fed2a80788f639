-- Each shop's webhook subscriptions as the app last reconciled them with Shopify
-- (server/src/shopify/subscriptions): one row per topic the app subscribes to through the Admin
-- API. Settings shows these states. A tenant table: shop_id first in every key, row-level
-- security forced, the tenant role granted what the reconcile job and the request path need.

CREATE TABLE webhook_subscriptions (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- `orders/create` style, as in X-Shopify-Topic.
    topic TEXT NOT NULL,
    -- 'subscribed' or 'failed'; a topic without a row has not been reconciled yet.
    status TEXT NOT NULL,
    -- Shopify's gid of the subscription, when known.
    shopify_id TEXT,
    -- Shopify's message when the subscription could not be created (never personal data).
    detail TEXT,
    checked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, topic)
);

ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON webhook_subscriptions
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_subscriptions TO ecomcrm_tenant;
