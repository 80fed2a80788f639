//! The Shopify platform domain: session tokens, token exchange, the Admin API client, the shops
//! registry and the shop profile. Later issues add OAuth, webhooks, billing and GDPR here.

pub mod admin_client;
pub mod billing;
pub mod crypto;
pub mod gdpr;
pub mod install;
pub mod jobs;
pub mod oauth;
pub mod pacing;
pub mod profile;
pub mod refresh;
pub mod schema;
pub mod session_token;
pub mod shops;
pub mod staff;
pub mod staff_schema;
pub mod subscriptions;
pub mod token_exchange;
pub mod webhooks;

pub use shared::SHOPIFY_API_VERSION as API_VERSION;
