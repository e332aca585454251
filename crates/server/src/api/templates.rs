//! `/tenants/{slug}/templates`: personas.

use super::extract::{ApiJson, Caller};
use crate::{ApiError, AppState};
use alphadome_core::template::TemplateFields;
use alphadome_service::views::TemplateOut;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// The tenant's templates, default first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<TemplateOut>>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    let templates = state.services.templates(tenant.id).await?;
    Ok(Json(templates.iter().map(TemplateOut::from).collect()))
}

/// One template.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, name)): Path<(String, String)>,
) -> Result<Json<TemplateOut>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(TemplateOut::from(&state.services.template(tenant.id, &name).await?)))
}

/// Creates the named template or changes the fields present.
pub async fn save(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, name)): Path<(String, String)>,
    ApiJson(fields): ApiJson<TemplateFields>,
) -> Result<Json<TemplateOut>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    let template = state.services.set_template(tenant.id, &name, &fields, caller.actor()).await?;
    Ok(Json(TemplateOut::from(&template)))
}

/// Deletes a template that is not the default.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, name)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    state.services.delete_template(tenant.id, &name, caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
