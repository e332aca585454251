//! The one error type at the HTTP edge: each failure maps to a status and the stable body
//! `{"error": {"code", "message"}}`. Unexpected failures are logged once here and shown
//! only as an opaque 500.

use alphadome_service::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    /// An error with a status, a stable code and a message for people.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 404 for a resource.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        match e {
            ServiceError::Invalid(_) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
            ServiceError::Import(_) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_import", message),
            ServiceError::NotFound(what) => Self::not_found(what),
            ServiceError::Conflict { .. } => Self::new(StatusCode::CONFLICT, "conflict", message),
            ServiceError::Forbidden(_) => Self::new(StatusCode::FORBIDDEN, "forbidden", message),
            ServiceError::Unavailable(ref source) => {
                tracing::warn!(error = %source, "database unavailable");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            }
            ServiceError::Internal(ref source) => {
                tracing::error!(error = ?source, "internal error");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        (self.status, Json(body)).into_response()
    }
}

/// Answers paths that match no route.
pub async fn route_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "route_not_found", "no such route")
}
