//! A local stand-in for Meta's Graph API: it speaks the real request and response formats
//! (`POST /{version}/{phone-number-id}/messages`, and `GET /{version}/{phone-number-id}` for a
//! number's details, which checks the token), records every request, and can be told
//! to answer the next sends with errors, to answer slowly, and to send a `sent` receipt
//! for each accepted message to a webhook, signed and retried until answered with 200, as
//! Meta does.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    delay: Duration,
    receipts: Option<ReceiptTarget>,
    /// Business numbers the fake knows, with the one token that may read each.
    numbers: HashMap<String, String>,
}

/// Where receipts go, and the app secret that signs them.
#[derive(Clone)]
struct ReceiptTarget {
    url: String,
    app_secret: String,
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
            .route("/{version}/{number}", get(number_details))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake Graph API");
        let url = format!("http://{}", listener.local_addr().unwrap());
        // Like Meta's edge, answer without Nagle's delay.
        let listener = axum::serve::ListenerExt::tap_io(listener, |s| drop(s.set_nodelay(true)));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inner }
    }

    /// Answers the next send with `status` and Meta's error envelope for `code`.
    pub fn fail_next(&self, status: u16, code: i64) {
        let body = graph_error(code, &format!("(#{code}) simulated"));
        self.inner.lock().unwrap().script.push_back((status, body));
    }

    /// Answers every send only `delay` after accepting it, so a test can stop the caller
    /// after Meta has the message but before the caller hears so.
    pub fn set_delay(&self, delay: Duration) {
        self.inner.lock().unwrap().delay = delay;
    }

    /// From now on, delivers a `sent` receipt for every accepted message to `webhook_url`,
    /// signed with `app_secret` and echoing `biz_opaque_callback_data`; a delivery that is
    /// not answered with 200 is tried again (every 100 ms, for up to a minute).
    pub fn send_receipts_to(&self, webhook_url: &str, app_secret: &str) {
        let target = ReceiptTarget { url: webhook_url.to_owned(), app_secret: app_secret.to_owned() };
        self.inner.lock().unwrap().receipts = Some(target);
    }

    /// Makes `number` a business number the fake knows, readable with `token` only.
    pub fn add_number(&self, number: &str, token: &str) {
        self.inner.lock().unwrap().numbers.insert(number.to_owned(), token.to_owned());
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
    let (status, reply, delay) = accept(&inner, number, authorization, body);
    // Meta has the message now; the answer can still be slow to come back.
    tokio::time::sleep(delay).await;
    (status, Json(reply))
}

/// A number's details, as Meta answers them: 401 with code 190 for a token that may not read
/// it, 400 with code 100 for a number it does not know.
async fn number_details(
    State(inner): State<Arc<Mutex<Inner>>>,
    Path((_version, number)): Path<(String, String)>,
    headers: HeaderMap,
) -> (StatusCode, Json<Value>) {
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let known = inner.lock().unwrap().numbers.get(&number).cloned();
    match known {
        Some(token) if authorization == format!("Bearer {token}") => (
            StatusCode::OK,
            Json(json!({ "display_phone_number": "+254 700 000000", "verified_name": "Fake Business",
                "quality_rating": "GREEN", "id": number })),
        ),
        Some(_) => (StatusCode::UNAUTHORIZED, Json(graph_error(190, "Error validating access token"))),
        None => (
            StatusCode::BAD_REQUEST,
            Json(graph_error(
                100,
                &format!("Unsupported get request. Object with ID '{number}' does not exist"),
            )),
        ),
    }
}

/// Meta's error envelope.
fn graph_error(code: i64, message: &str) -> Value {
    json!({ "error": { "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AFakeTrace" } })
}

fn accept(
    inner: &Mutex<Inner>,
    number: String,
    authorization: String,
    body: Value,
) -> (StatusCode, Value, Duration) {
    let mut inner = inner.lock().unwrap();
    let delay = inner.delay;
    inner.received.push(Received { phone_number_id: number.clone(), authorization, body: body.clone() });
    if body["status"] == "read" {
        return (StatusCode::OK, json!({ "success": true }), Duration::ZERO);
    }
    if let Some((status, error)) = inner.script.pop_front() {
        return (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), error, delay);
    }
    inner.sent += 1;
    let to = body["to"].as_str().unwrap_or("").to_owned();
    let wamid = format!("wamid.FAKE{:06}", inner.sent);
    if let Some(target) = inner.receipts.clone() {
        let receipt = sent_receipt(&number, &wamid, &to, body.get("biz_opaque_callback_data"));
        tokio::spawn(deliver(target, receipt));
    }
    let reply = json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": to }],
        "messages": [{ "id": wamid }]
    });
    (StatusCode::OK, reply, delay)
}

/// A `sent` status webhook as Meta sends it.
fn sent_receipt(number: &str, wamid: &str, to: &str, callback: Option<&Value>) -> String {
    let mut status = json!({ "id": wamid, "status": "sent", "recipient_id": to,
        "timestamp": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string() });
    if let Some(data) = callback {
        status["biz_opaque_callback_data"] = data.clone();
    }
    json!({ "object": "whatsapp_business_account", "entry": [{ "id": "0", "changes": [{ "field": "messages",
        "value": { "messaging_product": "whatsapp",
                   "metadata": { "display_phone_number": "15550000000", "phone_number_id": number },
                   "statuses": [status] } }] }] })
    .to_string()
}

/// Delivers one webhook until it is answered with 200, as Meta retries.
async fn deliver(target: ReceiptTarget, body: String) {
    let client = reqwest::Client::new();
    let signature = alphadome_crypto::hub_signature(target.app_secret.as_bytes(), body.as_bytes());
    for _ in 0..600 {
        let sent = client
            .post(&target.url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &signature)
            .body(body.clone())
            .send()
            .await;
        if sent.is_ok_and(|r| r.status() == reqwest::StatusCode::OK) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
