//! A local stand-in for Meta's Graph API: it speaks the real request and response formats
//! (`POST /{version}/{phone-number-id}/messages`), records every request, and can be told
//! to answer the next sends with errors.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Received {
    /// The phone number id in the path.
    pub phone_number_id: String,
    /// The `Authorization` header.
    pub authorization: String,
    /// The JSON body.
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<(u16, Value)>,
    sent: usize,
}

/// The fake server; dropped with the test's runtime.
#[derive(Clone)]
pub struct FakeGraph {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeGraph {
    /// Starts the fake on a free local port.
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = axum::Router::new()
            .route("/{version}/{number}/messages", post(messages))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Graph API");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inner }
    }

    /// Answers the next send with `status` and Meta's error envelope for `code`.
    pub fn fail_next(&self, status: u16, code: i64) {
        let body = json!({ "error": {
            "message": format!("(#{code}) simulated"), "type": "OAuthException", "code": code,
            "fbtrace_id": "AFakeTrace" } });
        self.inner.lock().unwrap().script.push_back((status, body));
    }

    /// Every request received.
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// The text messages received (not read receipts).
    pub fn texts(&self) -> Vec<Received> {
        self.received().into_iter().filter(|r| r.body["type"] == "text").collect()
    }

    /// How many sends were accepted.
    pub fn accepted(&self) -> usize {
        self.inner.lock().unwrap().sent
    }
}

async fn messages(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path((_version, number)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let mut inner = inner.lock().unwrap();
    inner.received.push(Received { phone_number_id: number, authorization, body: body.clone() });
    if body["status"] == "read" {
        return (StatusCode::OK, Json(json!({ "success": true })));
    }
    if let Some((status, error)) = inner.script.pop_front() {
        return (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), Json(error));
    }
    inner.sent += 1;
    let to = body["to"].as_str().unwrap_or("").to_owned();
    let wamid = format!("wamid.FAKE{:06}", inner.sent);
    (
        StatusCode::OK,
        Json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{ "input": to, "wa_id": to }],
            "messages": [{ "id": wamid }]
        })),
    )
}
