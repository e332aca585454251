//! `/webhooks/whatsapp` (the platform's Meta app) and `/webhooks/whatsapp/{slug}` (a tenant
//! that brings its own Meta app): the verification handshake, and event deliveries that are
//! verified over the raw body, stored durably, and only then acknowledged.

use crate::{ApiError, AppState};
use alphadome_core::whatsapp;
use alphadome_crypto::{ExposeSecret, SecretString, verify_hub_signature};
use alphadome_store::Tenant;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde::Deserialize;
use subtle::ConstantTimeEq;

/// Meta's payloads are at most 3 MB; larger bodies get 413 before they are read whole.
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// The platform Meta app's settings.
#[derive(Clone, Default)]
pub struct WhatsAppConfig {
    /// Signs deliveries on `/webhooks/whatsapp`; without it signed deliveries are refused.
    pub app_secret: Option<SecretString>,
    /// Answers the handshake on `/webhooks/whatsapp`.
    pub verify_token: Option<SecretString>,
}

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(verify_platform).post(receive_platform))
        .route("/{slug}", get(verify_tenant).post(receive_tenant))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The handshake's query.
#[derive(Debug, Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

fn forbidden() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", "verification failed")
}

/// Answers the challenge only for `subscribe` with the expected token (constant-time).
fn answer(h: &Handshake, expected: Option<&str>) -> Result<String, ApiError> {
    let (Some(expected), Some(given), Some(challenge)) = (expected, &h.verify_token, &h.challenge) else {
        return Err(forbidden());
    };
    let token_ok: bool = given.as_bytes().ct_eq(expected.as_bytes()).into();
    let challenge_ok =
        !challenge.is_empty() && challenge.len() <= 256 && challenge.bytes().all(|b| b.is_ascii_graphic());
    if h.mode.as_deref() == Some("subscribe") && token_ok && challenge_ok {
        Ok(challenge.clone())
    } else {
        Err(forbidden())
    }
}

async fn verify_platform(
    State(state): State<AppState>,
    Query(h): Query<Handshake>,
) -> Result<String, ApiError> {
    answer(&h, state.whatsapp.verify_token.as_ref().map(|t| t.expose_secret()))
}

async fn verify_tenant(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(h): Query<Handshake>,
) -> Result<String, ApiError> {
    let tenant = state.services.tenant(&slug).await.map_err(|_| forbidden())?;
    answer(&h, Some(&tenant.profile.webhook_verify_token))
}

async fn receive_platform(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<&'static str, ApiError> {
    let secret = state.whatsapp.app_secret.clone();
    receive(&state, secret, None, &headers, &body).await
}

async fn receive_tenant(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<&'static str, ApiError> {
    let tenant = state.services.tenant(&slug).await.map_err(|_| unauthorized())?;
    let secret = match state.services.tenant_app_secret(&tenant).await {
        Ok(Some(own)) => Some(own),
        Ok(None) => state.whatsapp.app_secret.clone(),
        Err(e) => {
            tracing::error!(tenant.id = %tenant.id, error = %e, "cannot open the tenant's app secret");
            return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "try again later"));
        }
    };
    receive(&state, secret, Some(&tenant), &headers, &body).await
}

fn unauthorized() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "missing or invalid X-Hub-Signature-256")
}

/// Verify, parse, store, acknowledge — in that order, so a 200 means every event is durable.
async fn receive(
    state: &AppState,
    secret: Option<SecretString>,
    tenant: Option<&Tenant>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<&'static str, ApiError> {
    // The reply worker holds back until this delivery is stored.
    let _first = state.services.delivery_in_progress();
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok()).unwrap_or("");
    let verified =
        secret.is_some_and(|s| verify_hub_signature(s.expose_secret().as_bytes(), body, signature));
    if !verified {
        return Err(unauthorized());
    }
    let events = whatsapp::parse(body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let ingested = state.services.ingest_whatsapp(&events, tenant).await?;
    tracing::debug!(?ingested, "webhook delivery stored");
    Ok("EVENT_RECEIVED")
}
