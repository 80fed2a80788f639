//! AI insights: a few sentences about one customer for the merchant, behind one trait
//! ([`InsightWriter`]).
//!
//! - [`facts`]: what a writer may know: only this customer's data, first name at most (no email,
//!   phone or address), with a fingerprint that changes when the data does.
//! - [`openai`]: any OpenAI-compatible chat-completions endpoint (OpenAI, Azure, Ollama, vLLM),
//!   configured by `LLM_BASE_URL`, `LLM_API_KEY` and `LLM_MODEL`.
//! - [`deterministic`]: plain sentences from the same facts, used when no LLM is configured and
//!   whenever the LLM cannot be asked or fails. Free, so it is never counted or cached.
//! - [`service`]: the entry point: cache, per-shop rate limit ([`limit`]), the plan's AI
//!   allowance, the call and the fallbacks; [`store`] holds the SQL.
//!
//! Nothing here reaches the GraphQL schema yet: the customer 360 page calls
//! [`service::insight`].

pub mod deterministic;
pub mod facts;
pub mod format;
pub mod limit;
pub mod openai;
pub mod service;
pub mod store;
pub mod writer;

pub use facts::CustomerFacts;
pub use writer::{AiError, Insight, InsightWriter};
