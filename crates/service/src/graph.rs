//! The WhatsApp Cloud API (Graph API) client: sending replies and read receipts with a
//! tenant's own token, and classifying Meta's errors *before* anyone decides to retry.

use alphadome_crypto::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// The Graph API version used unless configured otherwise.
pub const DEFAULT_VERSION: &str = "v23.0";

/// How a send failed, decided from Meta's HTTP status and error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: 5xx, timeouts, throughput limits, `is_transient`.
    #[error("transient Graph API failure ({code:?}): {message}")]
    Transient {
        /// Meta's error code, if it sent one.
        code: Option<i64>,
        /// What happened (never the token).
        message: String,
        /// Meta's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help: outside the 24-hour window, not a WhatsApp user, bad request, …
    #[error("permanent Graph API failure ({code}): {message}")]
    Permanent {
        /// Meta's error code.
        code: i64,
        /// What happened.
        message: String,
    },
    /// The request may have reached Meta, but no usable answer came back (a timeout after
    /// connecting, a connection lost mid-request, an unreadable success): sending again could
    /// duplicate the message, so its receipts are awaited first.
    #[error("Graph API outcome unknown: {message}")]
    Unknown {
        /// What happened.
        message: String,
    },
    /// The tenant's token was refused (code 190): its sends must pause until it is replaced.
    #[error("the WhatsApp access token was rejected (190): {message}")]
    InvalidToken {
        /// Meta's message.
        message: String,
    },
}

impl SendError {
    /// Meta's error code, if any.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Transient { code, .. } => *code,
            Self::Permanent { code, .. } => Some(*code),
            Self::InvalidToken { .. } => Some(190),
            Self::Unknown { .. } => None,
        }
    }
}

/// Codes the protocol notes (shared/protocols, b.3) list as worth retrying.
const TRANSIENT_CODES: &[i64] = &[4, 80007, 130429, 131000, 131016, 131056];

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    message: String,
    #[serde(default)]
    is_transient: bool,
}

/// Classifies a failed response.
pub fn classify(status: u16, body: &[u8], retry_after: Option<Duration>) -> SendError {
    let parsed = serde_json::from_slice::<ErrorEnvelope>(body).ok().map(|e| e.error);
    match parsed {
        Some(e) if e.code == 190 => SendError::InvalidToken { message: e.message },
        Some(e) if e.is_transient || TRANSIENT_CODES.contains(&e.code) || status >= 500 => {
            SendError::Transient { code: Some(e.code), message: e.message, retry_after }
        }
        Some(e) => SendError::Permanent { code: e.code, message: e.message },
        None if status >= 500 || status == 429 || status == 408 => {
            SendError::Transient { code: None, message: format!("HTTP {status}"), retry_after }
        }
        None => SendError::Permanent {
            code: i64::from(status),
            message: format!("HTTP {status} without a Graph error"),
        },
    }
}

/// A Graph API client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base_url: String,
    version: String,
}

#[derive(Deserialize)]
struct SendResponse {
    messages: Vec<SentMessage>,
}

#[derive(Deserialize)]
struct SentMessage {
    id: String,
}

/// A message to send.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The customer: `wa_id` or business-scoped user id.
    pub to: &'a str,
    /// What it says.
    pub content: Content<'a>,
    /// The customer's message this answers (shown quoted).
    pub reply_to: Option<&'a str>,
    /// Echoed by Meta in every receipt of this message (`biz_opaque_callback_data`).
    pub callback_data: Option<&'a str>,
}

/// The body of a message.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    /// Free text (only within 24 hours of the customer's last message).
    Text(&'a str),
    /// An approved message template, by name and language code (allowed at any time).
    Template {
        /// The template's name.
        name: &'a str,
        /// Its language code.
        language: &'a str,
    },
}

impl GraphClient {
    /// A client for `base_url` (e.g. `https://graph.facebook.com`) and API `version`.
    pub fn new(base_url: &str, version: &str) -> Self {
        Self::with_timeout(base_url, version, Duration::from_secs(15))
    }

    /// Like [`GraphClient::new`], giving up on a request after `timeout`.
    pub fn with_timeout(base_url: &str, version: &str, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("an HTTP client with default TLS settings");
        Self { http, base_url: base_url.trim_end_matches('/').to_owned(), version: version.to_owned() }
    }

    fn messages_url(&self, phone_number_id: &str) -> String {
        format!("{}/{}/{phone_number_id}/messages", self.base_url, self.version)
    }

    /// Sends a message; returns Meta's id for it.
    pub async fn send(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        message: &Message<'_>,
    ) -> Result<String, SendError> {
        let mut request = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to,
        });
        match message.content {
            Content::Text(body) => {
                request["type"] = json!("text");
                request["text"] = json!({ "body": body, "preview_url": false });
            }
            Content::Template { name, language } => {
                request["type"] = json!("template");
                request["template"] = json!({ "name": name, "language": { "code": language } });
            }
        }
        if let Some(id) = message.reply_to {
            request["context"] = json!({ "message_id": id });
        }
        if let Some(data) = message.callback_data {
            request["biz_opaque_callback_data"] = json!(data);
        }
        let response = self.post(phone_number_id, token, &request).await?;
        let sent: SendResponse = serde_json::from_slice(&response)
            .map_err(|_| SendError::Unknown { message: "unreadable send response".into() })?;
        sent.messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .ok_or(SendError::Unknown { message: "send response without a message id".into() })
    }

    /// Marks a customer's message as read (blue ticks).
    pub async fn mark_read(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        wamid: &str,
    ) -> Result<(), SendError> {
        let request = json!({ "messaging_product": "whatsapp", "status": "read", "message_id": wamid });
        self.post(phone_number_id, token, &request).await.map(drop)
    }

    /// Asks Meta about a business number with `token`: the "test connection" of a tenant's
    /// credentials. A rejected token is `SendError::InvalidToken`.
    pub async fn check_number(
        &self,
        phone_number_id: &str,
        token: &SecretString,
    ) -> Result<NumberInfo, SendError> {
        let url = format!("{}/{}/{phone_number_id}", self.base_url, self.version);
        let request =
            self.http.get(url).query(&[("fields", "display_phone_number,verified_name,quality_rating")]);
        let body = self.exchange(request, token).await?;
        serde_json::from_slice(&body).map_err(|_| SendError::Unknown { message: "unreadable answer".into() })
    }

    async fn post(
        &self,
        phone_number_id: &str,
        token: &SecretString,
        body: &serde_json::Value,
    ) -> Result<Vec<u8>, SendError> {
        self.exchange(self.http.post(self.messages_url(phone_number_id)).json(body), token).await
    }

    /// Sends `request` with the token; a non-2xx answer is classified by Meta's error code.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
        token: &SecretString,
    ) -> Result<Vec<u8>, SendError> {
        let response = request.bearer_auth(token.expose_secret()).send().await.map_err(|e| {
            // Refused before connecting: Meta never saw it. Anything later: it may have.
            if e.is_connect() {
                SendError::Transient { code: None, message: network_error(&e), retry_after: None }
            } else {
                SendError::Unknown { message: network_error(&e) }
            }
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .map(Duration::from_secs);
        let bytes = response.bytes().await.map_err(|e| SendError::Unknown { message: network_error(&e) })?;
        if (200..300).contains(&status) {
            Ok(bytes.to_vec())
        } else {
            Err(classify(status, &bytes, retry_after))
        }
    }
}

/// What Meta says about a business number.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NumberInfo {
    /// The number as customers see it.
    #[serde(default)]
    pub display_phone_number: Option<String>,
    /// The business name Meta verified.
    #[serde(default)]
    pub verified_name: Option<String>,
    /// GREEN, YELLOW, RED or UNKNOWN.
    #[serde(default)]
    pub quality_rating: Option<String>,
}

/// Describes a network failure without the URL's details.
fn network_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        "network error".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: i64) -> Vec<u8> {
        json!({ "error": { "message": format!("(#{code}) x"), "type": "OAuthException", "code": code } })
            .to_string()
            .into_bytes()
    }

    #[test]
    fn meta_errors_are_classified_before_any_retry() {
        for code in [130429, 131056, 131000, 131016, 4, 80007] {
            assert!(matches!(classify(400, &error(code), None), SendError::Transient { .. }), "{code}");
        }
        for code in [131047, 131026, 100, 368, 131048] {
            assert!(matches!(classify(400, &error(code), None), SendError::Permanent { .. }), "{code}");
        }
        assert!(matches!(classify(401, &error(190), None), SendError::InvalidToken { .. }));
        assert!(matches!(classify(503, b"<html>", None), SendError::Transient { code: None, .. }));
        assert!(matches!(classify(500, &error(100), None), SendError::Transient { .. }));
        let flagged = json!({ "error": { "code": 99999, "is_transient": true } }).to_string();
        assert!(matches!(classify(400, flagged.as_bytes(), None), SendError::Transient { .. }));
    }
}
