//! The one trait every insight writer implements, what it returns and how it fails.
//!
//! The method returns a boxed future instead of being an `async fn`: async functions in traits
//! are not object-safe, and the service picks its writer at run time as `Arc<dyn InsightWriter>`.

use std::future::Future;
use std::pin::Pin;

use super::facts::CustomerFacts;

/// A few sentences about a customer, and who wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insight {
    /// The text the merchant reads.
    pub text: String,
    /// `openai` (an OpenAI-compatible endpoint) or `deterministic`.
    pub provider: String,
    /// The model that wrote it, for LLM texts.
    pub model: Option<String>,
}

/// What [`InsightWriter::write`] returns.
pub type WriteFuture<'a> = Pin<Box<dyn Future<Output = Result<Insight, AiError>> + Send + 'a>>;

/// Writes an insight from a customer's facts, and from nothing else.
pub trait InsightWriter: Send + Sync {
    /// Writes the text.
    fn write<'a>(&'a self, facts: &'a CustomerFacts) -> WriteFuture<'a>;
}

/// Why a writer failed. Messages name the cause for the log and never carry the API key, the
/// prompt or the facts.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// The request did not get an answer (connection refused, reset, DNS).
    #[error("the LLM endpoint could not be reached: {0}")]
    Transport(String),
    /// No answer within the time limit.
    #[error("the LLM endpoint did not answer within {0} s")]
    Timeout(u64),
    /// The endpoint answered with an error status.
    #[error("the LLM endpoint answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The endpoint's own error message (shortened, key removed).
        message: String,
    },
    /// The body is not a chat completion.
    #[error("the LLM endpoint's answer is not a chat completion: {0}")]
    Malformed(String),
    /// A chat completion without text (no choices, or empty content).
    #[error("the LLM endpoint's answer has no text")]
    Empty,
}
