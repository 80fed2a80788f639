-- X-Shopify-Event-Id: shared by every delivery of one merchant action. The app has both an
-- app-scoped (shopify.app.toml) and a shop-scoped (API) subscription for some topics, so one
-- event can arrive twice under two webhook ids; the second is a duplicate. Nullable: deliveries
-- without the header dedupe on the webhook id alone (NULLs never conflict in a unique index).
ALTER TABLE webhook_deliveries ADD COLUMN event_id TEXT;

CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (shop_id, topic, event_id);
