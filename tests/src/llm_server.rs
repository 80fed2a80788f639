//! A local OpenAI-compatible endpoint for tests: `POST /v1/chat/completions` on 127.0.0.1,
//! answering in OpenAI's chat-completion shape so the app's real HTTP client talks to it as it
//! would to OpenAI, Ollama or vLLM. It records every request (headers and JSON body) and can be
//! told what to answer: a reply text, an error status, a raw body, or a delay.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// The reply text until a test sets another.
pub const DEFAULT_REPLY: &str = "A loyal regular who orders every month.";

/// One request the endpoint received.
#[derive(Debug, Clone)]
pub struct LlmRequest {
    /// Header names (lower-case) and values.
    pub headers: Vec<(String, String)>,
    /// The JSON body (`Null` when it was not JSON).
    pub body: Value,
    /// The body as received.
    pub raw: String,
}

impl LlmRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The content of the first message with this role.
    pub fn message(&self, role: &str) -> Option<&str> {
        self.body["messages"]
            .as_array()?
            .iter()
            .find(|m| m["role"] == role)?["content"]
            .as_str()
    }

    /// The user message parsed as JSON (the app sends the facts that way).
    pub fn facts(&self) -> Value {
        self.message("user")
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or(Value::Null)
    }
}

#[derive(Debug, Clone)]
struct Knobs {
    reply: String,
    status: u16,
    raw_body: Option<String>,
    delay: Duration,
}

#[derive(Debug)]
struct Inner {
    knobs: Mutex<Knobs>,
    requests: Mutex<Vec<LlmRequest>>,
}

/// A running endpoint; stops when dropped.
#[derive(Debug)]
pub struct LlmServer {
    /// `http://127.0.0.1:{port}/v1`: the value for `LLM_BASE_URL`.
    pub base_url: String,
    inner: Arc<Inner>,
    task: tokio::task::JoinHandle<()>,
}

impl LlmServer {
    /// Starts the endpoint on a free port, answering [`DEFAULT_REPLY`] with 200.
    pub async fn start() -> LlmServer {
        let inner = Arc::new(Inner {
            knobs: Mutex::new(Knobs {
                reply: DEFAULT_REPLY.into(),
                status: 200,
                raw_body: None,
                delay: Duration::ZERO,
            }),
            requests: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/v1/chat/completions", post(complete))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind llm server");
        let addr = listener.local_addr().expect("llm server addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        LlmServer {
            base_url: format!("http://{addr}/v1"),
            inner,
            task,
        }
    }

    /// The text of the next answers.
    pub fn reply_with(&self, text: &str) {
        self.knobs().reply = text.to_string();
    }

    /// The status of the next answers (an OpenAI-style error body unless a raw body is set).
    pub fn status(&self, status: u16) {
        self.knobs().status = status;
    }

    /// A body sent as is instead of a chat completion (malformed answers, echoed secrets).
    pub fn raw_body(&self, body: &str) {
        self.knobs().raw_body = Some(body.to_string());
    }

    /// How long to wait before answering.
    pub fn delay(&self, delay: Duration) {
        self.knobs().delay = delay;
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<LlmRequest> {
        self.inner
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn knobs(&self) -> std::sync::MutexGuard<'_, Knobs> {
        self.inner.knobs.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for LlmServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn complete(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: String) -> Response {
    let request = LlmRequest {
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    v.to_str().unwrap_or_default().to_string(),
                )
            })
            .collect(),
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
        raw: body,
    };
    let model = request.body["model"].as_str().unwrap_or("").to_string();
    inner
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(request);
    let knobs = inner
        .knobs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    if !knobs.delay.is_zero() {
        tokio::time::sleep(knobs.delay).await;
    }
    let status = StatusCode::from_u16(knobs.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(raw) = knobs.raw_body {
        return (status, [("content-type", "application/json")], raw).into_response();
    }
    if !status.is_success() {
        let error = json!({"error": {
            "message": format!("The server had an error ({status})."),
            "type": "server_error",
            "param": null,
            "code": null,
        }});
        return (status, axum::Json(error)).into_response();
    }
    let completion = json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": chrono::Utc::now().timestamp(),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": knobs.reply},
            "finish_reason": "stop",
        }],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    });
    (status, axum::Json(completion)).into_response()
}
