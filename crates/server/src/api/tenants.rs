//! `/tenants`: provisioning and managing client businesses.

use super::extract::{ApiJson, Caller};
use crate::{ApiError, AppState};
use alphadome_core::tenant::TenantFields;
use alphadome_service::CreatedTenant;
use alphadome_service::views::TenantOut;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// The tenants this key can see: all for a platform key, its own for a tenant key.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<TenantOut>>, ApiError> {
    let tenants = state.services.tenants().await?;
    Ok(Json(tenants.iter().filter(|t| caller.0.can_access(t.id)).map(TenantOut::from).collect()))
}

/// Provisions a tenant; the answer carries the verify token, shown this once.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(fields): ApiJson<TenantFields>,
) -> Result<(StatusCode, Json<CreatedTenant>), ApiError> {
    caller.require_platform()?;
    let created = state.services.create_tenant(&fields, caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One tenant.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<TenantOut>, ApiError> {
    Ok(Json(TenantOut::from(&caller.tenant(&state, &slug).await?)))
}

/// Changes the fields present. A tenant key may not switch itself on or off.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(fields): ApiJson<TenantFields>,
) -> Result<Json<TenantOut>, ApiError> {
    caller.tenant(&state, &slug).await?;
    if fields.is_active.is_some() || fields.is_verified.is_some() {
        caller.require_platform()?;
    }
    let tenant = state.services.update_tenant(&slug, &fields, caller.actor()).await?;
    Ok(Json(TenantOut::from(&tenant)))
}

/// Deletes a tenant and everything it owns.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_platform()?;
    state.services.delete_tenant(&slug, caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Switches a tenant on.
pub async fn activate(
    state: State<AppState>,
    caller: Caller,
    slug: Path<String>,
) -> Result<Json<TenantOut>, ApiError> {
    set_active(state, caller, slug, true).await
}

/// Switches a tenant off.
pub async fn deactivate(
    state: State<AppState>,
    caller: Caller,
    slug: Path<String>,
) -> Result<Json<TenantOut>, ApiError> {
    set_active(state, caller, slug, false).await
}

async fn set_active(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    active: bool,
) -> Result<Json<TenantOut>, ApiError> {
    caller.require_platform()?;
    let tenant = state.services.set_tenant_active(&slug, active, caller.actor()).await?;
    Ok(Json(TenantOut::from(&tenant)))
}
