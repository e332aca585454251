//! `/tenants/{slug}/handoffs`: conversations a person has taken over from the bot.

use super::extract::Caller;
use crate::{ApiError, AppState};
use alphadome_store::Handoff;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// The tenant's conversations with a person, newest first.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Handoff>>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(state.services.handoffs(tenant.id).await?))
}

/// Gives one customer's conversation back to the bot.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, customer)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    state.services.release_handoff(tenant.id, &customer, caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
