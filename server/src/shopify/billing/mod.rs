//! Shopify Billing: plans as data, choosing a plan (Billing API or Shopify's hosted plan page),
//! subscription state kept in step with Shopify, usage metering with capped overage charges, and
//! the plan guard that enforces it all on the server.

pub mod account;
pub mod guard;
pub mod plans;
pub mod remote;
pub mod schema;
pub mod status;
pub mod store;
pub mod usage;
pub mod webhook;
