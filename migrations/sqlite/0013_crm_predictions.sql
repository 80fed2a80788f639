-- Purchase predictions (server/src/crm/predictions): each shop's fitted BG/NBD + Gamma-Gamma
-- model, refitted daily, and every buying customer's prediction from it. Money is integer minor
-- units of the shop currency; probabilities and expected orders are plain floats.

-- One row per shop: the serialised `ShopModel` (JSON text), how it was obtained, what it saw,
-- and the shop-local date (YYYY-MM-DD) of the refit, so the daily job runs once per date. It
-- also warm-starts the next refit and serves the re-prediction after a new order.
CREATE TABLE shop_models (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- 'fitted', 'small_shop_prior' or 'cadence'.
    method TEXT NOT NULL,
    model TEXT NOT NULL,
    customers INTEGER NOT NULL,
    repeaters INTEGER NOT NULL,
    fitted_at TEXT NOT NULL,
    local_date TEXT NOT NULL,
    PRIMARY KEY (shop_id)
);

-- One row per customer with a (non-cancelled) order. Churn risk is 1 - probability_order_365d:
-- BG/NBD's probability_active is 1 for every one-time buyer by assumption, so it cannot rank
-- them. next_order_at is NULL when even odds of a next order are not reached within a year.
CREATE TABLE customer_predictions (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL,
    probability_active REAL NOT NULL,
    probability_order_365d REAL NOT NULL,
    expected_orders_90d REAL NOT NULL,
    expected_orders_365d REAL NOT NULL,
    next_order_at TEXT,
    clv_365d INTEGER NOT NULL,
    method TEXT NOT NULL,
    reason TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, customer_id)
);

-- Highest churn risk first is the lowest probability of ordering within a year.
CREATE INDEX customer_predictions_by_risk
    ON customer_predictions (shop_id, probability_order_365d, customer_id);
