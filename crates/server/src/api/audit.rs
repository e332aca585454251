//! The audit log: `/tenants/{slug}/audit` (that tenant's) and `/audit` (the platform's, for
//! platform keys).

use super::extract::Caller;
use crate::{ApiError, AppState};
use alphadome_store::AuditEntry;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

/// `?limit=` (default 100, at most 1,000).
#[derive(Debug, Deserialize)]
pub struct Page {
    limit: Option<i64>,
}

/// A tenant's newest audit entries.
pub async fn tenant(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(page): Query<Page>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(state.services.audit_log(Some(tenant.id), page.limit.unwrap_or(100)).await?))
}

/// Every tenant's and the platform's newest audit entries.
pub async fn platform(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    caller.require_platform()?;
    Ok(Json(state.services.audit_log(None, page.limit.unwrap_or(100)).await?))
}
