//! Integration tests: one binary, a module per area. Each test starts the real server on a
//! fresh database (SQLite or PostgreSQL per `TEST_BACKEND`) against the Shopify simulator.

mod ai;
mod auth;
mod billing;
mod crm;
mod events;
mod gdpr;
mod hardening;
mod jobs;
mod platform;
mod sync;
mod tokens;
mod webhook_events;
mod webhooks;
