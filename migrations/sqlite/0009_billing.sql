-- Shopify Billing (server/src/shopify/billing): subscriptions, usage counters per billing period
-- and usage charges. Tenant tables; SQLite has no row-level security, the shop-scoped handle is
-- the wall.

CREATE TABLE billing_subscriptions (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- gid://shopify/AppSubscription/N
    shopify_id TEXT NOT NULL,
    -- The plan key of plans.toml (NULL for a subscription the app does not know by name).
    plan_key TEXT,
    name TEXT NOT NULL,
    -- AppSubscriptionStatus, upper-case.
    status TEXT NOT NULL,
    -- When Shopify changed the status last (ordering of app_subscriptions/update).
    status_at TEXT NOT NULL,
    test INTEGER NOT NULL,
    trial_days INTEGER NOT NULL,
    -- When it first became ACTIVE: billing periods of 30 days count from here.
    activated_at TEXT,
    current_period_end TEXT,
    -- The usage line item (with its ?v=1&index=N query string), for appUsageRecordCreate.
    usage_line_item_id TEXT,
    capped_amount_cents INTEGER,
    created_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, shopify_id)
);

CREATE INDEX billing_subscriptions_by_status ON billing_subscriptions (shop_id, status);

CREATE TABLE usage_counters (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Start of the 30-day billing period the usage belongs to.
    period_start TEXT NOT NULL,
    -- 'emails' or 'ai_requests'.
    metric TEXT NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (shop_id, period_start, metric)
);

CREATE TABLE usage_charges (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Sent to Shopify as appUsageRecordCreate's idempotencyKey: a retry never charges twice.
    idempotency_key TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    -- 'pending' until Shopify answers, then 'charged' or 'refused'.
    status TEXT NOT NULL,
    shopify_id TEXT,
    detail TEXT,
    created_at TEXT NOT NULL,
    charged_at TEXT,
    PRIMARY KEY (shop_id, idempotency_key)
);

CREATE INDEX usage_charges_by_period ON usage_charges (shop_id, period_start);
