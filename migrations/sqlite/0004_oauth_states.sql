-- Single-use OAuth `state` nonces for the authorization-code fallback (server/src/shopify/oauth).
-- A platform table, not a tenant table: the shop is not installed (or not trusted) yet when a
-- state is issued, so it is keyed by the shop's domain, not by shop_id.
-- Times are epoch milliseconds (INTEGER) so both engines compare them the same way.

CREATE TABLE oauth_states (
    state TEXT PRIMARY KEY,
    shop_domain TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

-- Expired states are swept by expiry.
CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);
