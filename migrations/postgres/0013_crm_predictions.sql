-- Purchase predictions (server/src/crm/predictions): each shop's fitted BG/NBD + Gamma-Gamma
-- model, refitted daily, and every buying customer's prediction from it. Money is integer minor
-- units of the shop currency; probabilities and expected orders are plain floats.

-- One row per shop: the serialised `ShopModel` (JSON text), how it was obtained, what it saw,
-- and the shop-local date (YYYY-MM-DD) of the refit, so the daily job runs once per date. It
-- also warm-starts the next refit and serves the re-prediction after a new order.
CREATE TABLE shop_models (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- 'fitted', 'small_shop_prior' or 'cadence'.
    method TEXT NOT NULL,
    model TEXT NOT NULL,
    customers BIGINT NOT NULL,
    repeaters BIGINT NOT NULL,
    fitted_at TIMESTAMPTZ NOT NULL,
    local_date TEXT NOT NULL,
    PRIMARY KEY (shop_id)
);

-- One row per customer with a (non-cancelled) order. Churn risk is 1 - probability_order_365d:
-- BG/NBD's probability_active is 1 for every one-time buyer by assumption, so it cannot rank
-- them. next_order_at is NULL when even odds of a next order are not reached within a year.
CREATE TABLE customer_predictions (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL,
    probability_active DOUBLE PRECISION NOT NULL,
    probability_order_365d DOUBLE PRECISION NOT NULL,
    expected_orders_90d DOUBLE PRECISION NOT NULL,
    expected_orders_365d DOUBLE PRECISION NOT NULL,
    next_order_at TIMESTAMPTZ,
    clv_365d BIGINT NOT NULL,
    method TEXT NOT NULL,
    reason TEXT NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, customer_id)
);

-- Highest churn risk first is the lowest probability of ordering within a year.
CREATE INDEX customer_predictions_by_risk
    ON customer_predictions (shop_id, probability_order_365d, customer_id);

ALTER TABLE shop_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE shop_models FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON shop_models
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON shop_models TO ecomcrm_tenant;

ALTER TABLE customer_predictions ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer_predictions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer_predictions
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_predictions TO ecomcrm_tenant;
