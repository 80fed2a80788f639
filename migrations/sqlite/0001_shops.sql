-- Shops (the tenant registry, not itself a tenant table) and the first tenant table.
-- SQLite has no row-level security; the shop-scoped handle is the wall here.

CREATE TABLE shops (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    domain TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL DEFAULT '',
    access_token_enc BLOB,
    access_token_expires_at TEXT,
    refresh_token_enc BLOB,
    refresh_token_expires_at TEXT,
    installed_at TEXT,
    uninstalled_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- What Shopify says about the shop (name, currency, time zone), refreshed on install.
CREATE TABLE shop_profiles (
    shop_id INTEGER NOT NULL REFERENCES shops (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT,
    currency_code TEXT NOT NULL,
    iana_timezone TEXT NOT NULL,
    plan_name TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (shop_id)
);
