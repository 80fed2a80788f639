//! Shopify Billing: the plan page, approving and declining on Shopify's page, subscription
//! statuses from `app_subscriptions/update` in any order, the plan guard on gated fields, usage
//! limits in jobs, capped idempotent overage charges, and managed pricing. All against the
//! simulator's Billing API on both databases.

mod flow;
mod gating;
mod limits;
mod support;
mod webhooks;
