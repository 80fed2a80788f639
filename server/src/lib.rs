//! EcomCRM server: HTTP and GraphQL, the job queue, the event bus and the Shopify platform.
//!
//! Platform pieces live in `config`, `db`, `jobs`, `events`, `http` and `graphql`; each
//! product domain (`shopify`, later `sync`, `crm`, `email`, `automations`, `inbox`) is a folder.

pub mod ai;
pub mod clock;
pub mod config;
pub mod crm;
pub mod db;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod shopify;
pub mod startup;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod worker;
