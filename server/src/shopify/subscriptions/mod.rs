//! Webhook subscriptions: the catalogue of topics the app receives, their per-shop
//! reconciliation with Shopify after install (ADR 0006) and the states Settings shows.

pub mod reconcile;
pub mod schema;
pub mod store;
pub mod topics;
