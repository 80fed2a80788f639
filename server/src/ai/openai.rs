//! The LLM writer: one request to an OpenAI-compatible chat-completions endpoint
//! (`POST {LLM_BASE_URL}/chat/completions`), which OpenAI, Azure OpenAI's v1 API, Ollama and
//! vLLM all serve. https://platform.openai.com/docs/api-reference/chat/create
//!
//! The prompt is the system instructions plus the facts as JSON; neither is logged, and the API
//! key goes only into the `Authorization` header.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::facts::CustomerFacts;
use super::writer::{AiError, Insight, InsightWriter, WriteFuture};
use crate::config::{LlmConfig, Secret};

/// The provider name stored with the texts this writer produces.
pub const PROVIDER: &str = "openai";

/// How long one request may take. A page waits for it, so this is short; a slower endpoint
/// falls back to the deterministic text.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// The longest text kept (200 tokens are about 800 characters; this only guards against an
/// endpoint that ignores `max_tokens`).
const MAX_CHARS: usize = 1_200;

/// What the model is told. The facts are the only source: the text is shown to the merchant as
/// a statement about their customer, so an invented number would be a false statement.
pub const SYSTEM_PROMPT: &str = "You write a short note about one customer for the merchant \
who runs the shop. Write 2 or 3 plain sentences in English. Use only the facts in the user \
message, which is JSON; do not invent, estimate or assume anything that is not there, and leave \
out what is missing. Copy money amounts exactly as formatted. Prefer calendar dates to \
'N days ago', because the note is kept and read on later days. Do not include personal data \
beyond the first name given: no email, phone, address or surname. No greeting, no headings, no \
lists, no advice about tools.";

/// Writes insights with an OpenAI-compatible endpoint.
pub struct OpenAiWriter {
    http: reqwest::Client,
    url: String,
    api_key: Option<Secret>,
    model: String,
    timeout: Duration,
}

impl OpenAiWriter {
    /// A writer for the configured endpoint, on the app's HTTP client.
    pub fn new(http: reqwest::Client, config: &LlmConfig) -> Self {
        Self {
            http,
            url: format!("{}/chat/completions", config.base_url.trim_end_matches('/')),
            api_key: config.api_key.clone(),
            model: config.model.clone(),
            timeout: TIMEOUT,
        }
    }

    /// The same writer with another time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn complete(&self, facts: &CustomerFacts) -> Result<Insight, AiError> {
        let body = json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": facts.payload().to_string()},
            ],
            "temperature": 0.2,
            "max_tokens": 200,
        });
        let mut req = self.http.post(&self.url).timeout(self.timeout).json(&body);
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key.expose());
        }
        let started = Instant::now();
        let res = req.send().await.map_err(|e| self.transport(e))?;
        let status = res.status();
        let text = res.text().await.map_err(|e| self.transport(e))?;
        tracing::info!(
            model = %self.model,
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "LLM chat completion"
        );
        if !status.is_success() {
            return Err(AiError::Status {
                status: status.as_u16(),
                message: self.error_message(&text),
            });
        }
        let completion: Completion = serde_json::from_str(&text)
            .map_err(|e| AiError::Malformed(shorten(&self.redact(&e.to_string()), 200)))?;
        let content = completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message)
            .and_then(|m| m.content)
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .ok_or(AiError::Empty)?;
        Ok(Insight {
            text: shorten(&content, MAX_CHARS),
            provider: PROVIDER.to_string(),
            model: Some(completion.model.unwrap_or_else(|| self.model.clone())),
        })
    }

    fn transport(&self, e: reqwest::Error) -> AiError {
        if e.is_timeout() {
            AiError::Timeout(self.timeout.as_secs().max(1))
        } else {
            // Without the URL: a base URL may carry credentials of its own.
            AiError::Transport(self.redact(&e.without_url().to_string()))
        }
    }

    /// The endpoint's `{"error": {"message"}}` (OpenAI's shape), else the start of the body;
    /// shortened, with the key removed in case the endpoint echoes it.
    fn error_message(&self, body: &str) -> String {
        let message = serde_json::from_str::<ErrorBody>(body)
            .ok()
            .and_then(|b| b.error)
            .and_then(|e| e.message)
            .unwrap_or_else(|| body.trim().to_string());
        shorten(&self.redact(&message), 300)
    }

    fn redact(&self, text: &str) -> String {
        match &self.api_key {
            Some(key) if !key.expose().is_empty() => text.replace(key.expose(), "***"),
            _ => text.to_string(),
        }
    }
}

impl InsightWriter for OpenAiWriter {
    fn write<'a>(&'a self, facts: &'a CustomerFacts) -> WriteFuture<'a> {
        Box::pin(self.complete(facts))
    }
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[derive(Deserialize)]
struct Completion {
    model: Option<String>,
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<ErrorDetail>,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: Option<String>,
}
