//! A local stand-in for an OpenAI-compatible Chat Completions endpoint
//! (`POST {base}/chat/completions`), the API OpenAI, OpenRouter, Hugging Face's router,
//! Ollama and llama.cpp all speak. It records every request and answers with the real
//! response shape (`choices[].message.content`, `finish_reason`, `usage`); it can be told to
//! fail or refuse.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct AiRequest {
    /// The `Authorization` header.
    pub authorization: String,
    /// The JSON body (model, messages, max_tokens, …).
    pub body: Value,
}

impl AiRequest {
    /// Every message's content, joined: what the model was shown.
    pub fn prompt_text(&self) -> String {
        let messages = self.body["messages"].as_array().cloned().unwrap_or_default();
        messages.iter().filter_map(|m| m["content"].as_str()).collect::<Vec<_>>().join("\n")
    }
}

/// What the fake does with the next request.
#[derive(Debug, Clone)]
pub enum AiScript {
    /// Answer with this text.
    Answer(String),
    /// Answer with this HTTP status and an error body.
    Fail(u16),
    /// Refuse (`finish_reason: content_filter`, no content).
    Refuse,
}

#[derive(Default)]
struct Inner {
    requests: Vec<AiRequest>,
    script: VecDeque<AiScript>,
}

/// The fake server; dropped with the test's runtime.
#[derive(Clone)]
pub struct FakeAi {
    /// The base URL to configure as a tenant's `ai_base_url` (`http://127.0.0.1:PORT/v1`).
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeAi {
    /// Starts the fake on a free local port.
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new().route("/v1/chat/completions", post(complete)).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake AI API");
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base_url, inner }
    }

    /// Scripts the next answer (by default the fake answers "AI answer to: <last message>").
    pub fn next(&self, script: AiScript) {
        self.inner.lock().unwrap().script.push_back(script);
    }

    /// Every request received.
    pub fn requests(&self) -> Vec<AiRequest> {
        self.inner.lock().unwrap().requests.clone()
    }
}

async fn complete(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let last = body["messages"].as_array().and_then(|m| m.last()).and_then(|m| m["content"].as_str());
    let default = format!("AI answer to: {}", last.unwrap_or(""));
    let script = {
        let mut inner = inner.lock().unwrap();
        inner.requests.push(AiRequest { authorization, body: body.clone() });
        inner.script.pop_front()
    };
    let prompt_tokens = body.to_string().len() as i64 / 4;
    let answer = |text: Option<String>, reason: &str| {
        let completion_tokens = text.as_deref().map_or(0, |t| t.len() as i64 / 4 + 1);
        json!({ "id": "chatcmpl-fake", "object": "chat.completion", "model": body["model"],
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": reason }],
            "usage": { "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                       "total_tokens": prompt_tokens + completion_tokens } })
    };
    match script {
        None => (StatusCode::OK, Json(answer(Some(default), "stop"))),
        Some(AiScript::Answer(text)) => (StatusCode::OK, Json(answer(Some(text), "stop"))),
        Some(AiScript::Refuse) => (StatusCode::OK, Json(answer(None, "content_filter"))),
        Some(AiScript::Fail(status)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            Json(
                json!({ "error": { "message": "simulated failure", "type": "server_error", "code": null } }),
            ),
        ),
    }
}
