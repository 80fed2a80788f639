-- Staff members of each shop, learned from the session token's `sub` through an online token
-- exchange (server/src/shopify/staff.rs). A tenant table; SQLite has no row-level security, the
-- shop-scoped handle is the wall. Online access tokens themselves are never stored.

CREATE TABLE staff_members (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Shopify's user id (the session token's `sub`, `associated_user.id`).
    shopify_user_id INTEGER NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    account_owner INTEGER NOT NULL,
    locale TEXT NOT NULL,
    -- When Shopify last told us about this user; older than a day → asked again.
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, shopify_user_id)
);
