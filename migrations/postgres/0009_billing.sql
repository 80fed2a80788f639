-- Shopify Billing (server/src/shopify/billing): each shop's app subscriptions as Shopify reported
-- them, usage counters per billing period, and the usage charges sent for overage. Tenant tables:
-- shop_id first in every key, row-level security forced, the tenant role granted what the
-- request path and the billing jobs need.

CREATE TABLE billing_subscriptions (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- gid://shopify/AppSubscription/N
    shopify_id TEXT NOT NULL,
    -- The plan key of plans.toml (NULL for a subscription the app does not know by name).
    plan_key TEXT,
    name TEXT NOT NULL,
    -- AppSubscriptionStatus, upper-case.
    status TEXT NOT NULL,
    -- When Shopify changed the status last (ordering of app_subscriptions/update).
    status_at TIMESTAMPTZ NOT NULL,
    test BOOLEAN NOT NULL,
    trial_days INTEGER NOT NULL,
    -- When it first became ACTIVE: billing periods of 30 days count from here.
    activated_at TIMESTAMPTZ,
    current_period_end TIMESTAMPTZ,
    -- The usage line item (with its ?v=1&index=N query string), for appUsageRecordCreate.
    usage_line_item_id TEXT,
    capped_amount_cents BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, shopify_id)
);

CREATE INDEX billing_subscriptions_by_status ON billing_subscriptions (shop_id, status);

CREATE TABLE usage_counters (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Start of the 30-day billing period the usage belongs to.
    period_start TIMESTAMPTZ NOT NULL,
    -- 'emails' or 'ai_requests'.
    metric TEXT NOT NULL,
    used BIGINT NOT NULL,
    PRIMARY KEY (shop_id, period_start, metric)
);

CREATE TABLE usage_charges (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Sent to Shopify as appUsageRecordCreate's idempotencyKey: a retry never charges twice.
    idempotency_key TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    period_start TIMESTAMPTZ NOT NULL,
    description TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    -- 'pending' until Shopify answers, then 'charged' or 'refused'.
    status TEXT NOT NULL,
    shopify_id TEXT,
    detail TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    charged_at TIMESTAMPTZ,
    PRIMARY KEY (shop_id, idempotency_key)
);

CREATE INDEX usage_charges_by_period ON usage_charges (shop_id, period_start);

ALTER TABLE billing_subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_subscriptions
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON billing_subscriptions TO ecomcrm_tenant;

ALTER TABLE usage_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_counters
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_counters TO ecomcrm_tenant;

ALTER TABLE usage_charges ENABLE ROW LEVEL SECURITY;
ALTER TABLE usage_charges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_charges
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON usage_charges TO ecomcrm_tenant;
