//! Tests of the simulator as a whole: schema validation against Shopify's real Admin schema, and
//! the HTTP endpoints (OAuth, token exchange, Admin GraphQL and its mutations, webhooks, control
//! API) over TCP.

mod admin_graphql;
mod billing;
mod bulk_operations;
mod checkout_changes;
mod control_api;
mod customer_deletes;
mod oauth_flow;
mod order_counters;
mod query_cost;
mod record_changes;
mod record_pages;
mod support;
mod validation;
mod webhook_subscriptions;
