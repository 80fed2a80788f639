-- Staff members of each shop, learned from the session token's `sub` through an online token
-- exchange (server/src/shopify/staff.rs). The inbox assigns tickets to them. A tenant table:
-- shop_id first in every key, row-level security forced, the tenant role granted what the
-- request path needs. Online access tokens themselves are never stored.

CREATE TABLE staff_members (
    shop_id BIGINT NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    -- Shopify's user id (the session token's `sub`, `associated_user.id`).
    shopify_user_id BIGINT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    account_owner BOOLEAN NOT NULL,
    locale TEXT NOT NULL,
    -- When Shopify last told us about this user; older than a day → asked again.
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (shop_id, shopify_user_id)
);

ALTER TABLE staff_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staff_members
    USING (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT)
    WITH CHECK (shop_id = NULLIF(current_setting('app.shop_id', true), '')::BIGINT);
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_members TO ecomcrm_tenant;
