//! AI insights: the real HTTP client against a local OpenAI-compatible endpoint
//! (`ecomcrm_tests::llm_server`), the cache that turns over when a customer's data changes, the
//! per-shop rate limit and plan allowance, the deterministic fallback, and the LLM settings. On
//! both databases.

mod client;
mod insights;
mod limits;
mod privacy;
mod settings;
mod support;
