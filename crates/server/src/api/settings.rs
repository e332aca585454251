//! `/tenants/{slug}/settings`: switches and limits.

use super::extract::{ApiJson, Caller};
use crate::{ApiError, AppState};
use alphadome_service::views::SettingsOut;
use axum::Json;
use axum::extract::{Path, State};

/// The tenant's settings.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<SettingsOut>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(state.services.settings(tenant.id).await?))
}

/// Changes the settings present in a JSON object; all are checked before any is saved.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(patch): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<SettingsOut>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(state.services.patch_settings(tenant.id, &patch, caller.actor()).await?))
}
