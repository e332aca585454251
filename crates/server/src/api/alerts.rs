//! Alerts about tenants' WhatsApp tokens (expiring within 14 days, or rejected by Meta).

use super::extract::Caller;
use crate::{ApiError, AppState};
use alphadome_service::alerts::TokenAlert;
use axum::Json;
use axum::extract::{Path, State};

/// One tenant's current alerts.
pub async fn tenant(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<TokenAlert>>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(state.services.token_alerts(Some(tenant.id)).await?))
}

/// Every tenant's current alerts.
pub async fn platform(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenAlert>>, ApiError> {
    caller.require_platform()?;
    Ok(Json(state.services.token_alerts(None).await?))
}
