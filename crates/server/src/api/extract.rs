//! Request extractors: the calling key, the tenant it addresses, and JSON bodies whose
//! rejections use the API's error envelope.

use crate::{ApiError, AppState};
use alphadome_service::Principal;
use alphadome_store::Tenant;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The authenticated caller, from `Authorization: Bearer <key>` or `X-API-Key: <key>`.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = |m: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m);
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let header = parts.headers.get("x-api-key").and_then(|v| v.to_str().ok());
        let key = bearer
            .or(header)
            .ok_or_else(|| unauthorized("an API key is required (Authorization: Bearer … or X-API-Key)"))?;
        match state.services.authenticate(key.trim()).await {
            Ok(principal) => Ok(Self(principal)),
            Err(alphadome_service::ServiceError::Forbidden(_)) => {
                Err(unauthorized("the API key is invalid, expired or revoked"))
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl Caller {
    /// The tenant at `slug`, if this caller may see it; another tenant's answers 404 as if
    /// it did not exist.
    pub async fn tenant(&self, state: &AppState, slug: &str) -> Result<Tenant, ApiError> {
        let tenant = state.services.tenant(slug).await?;
        if self.0.can_access(tenant.id) { Ok(tenant) } else { Err(ApiError::not_found("tenant")) }
    }

    /// Refuses a tenant key on a platform-only action.
    pub fn require_platform(&self) -> Result<(), ApiError> {
        if self.0.is_platform() {
            Ok(())
        } else {
            Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this action needs a platform API key"))
        }
    }

    /// For the audit log.
    pub fn actor(&self) -> &str {
        &self.0.actor
    }
}

/// A JSON body; malformed JSON, a wrong shape or a wrong content type answer 400 or 415
/// in the API's envelope.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send JSON with Content-Type: application/json",
            )),
            Err(JsonRejection::BytesRejection(_)) => {
                Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the body is too large"))
            }
            Err(e) => Err(ApiError::bad_request(explain(&e.body_text()))),
        }
    }
}

/// serde's messages quote the offending value, which may be a secret sent in the wrong
/// place: keep the location and the kind of problem, drop the value.
fn explain(text: &str) -> String {
    let text: String = text.chars().take(300).collect();
    for marker in [": invalid type", ": invalid value", ": invalid length"] {
        if let Some(i) = text.find(marker) {
            return format!("{}: a field has the wrong type or value", &text[..i]);
        }
    }
    if text.contains("invalid type") || text.contains("invalid value") {
        return "the JSON body has a field of the wrong type or value".into();
    }
    text
}
