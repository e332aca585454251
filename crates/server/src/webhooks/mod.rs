//! Webhooks from the outside services. Each channel is one module with its own router.

pub mod whatsapp;

use crate::AppState;
use axum::Router;

/// `/webhooks/…`.
pub fn router() -> Router<AppState> {
    Router::new().nest("/whatsapp", whatsapp::router())
}
