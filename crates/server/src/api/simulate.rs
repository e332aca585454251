//! `/tenants/{slug}/simulate`: talk to the bot as a customer would, without WhatsApp.

use super::extract::{ApiJson, Caller};
use crate::{ApiError, AppState};
use alphadome_service::engine::{SimulateIn, SimulateOut};
use axum::Json;
use axum::extract::{Path, State};

/// What the bot would answer to a message, with its source, matched entry and score.
pub async fn simulate(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<SimulateIn>,
) -> Result<Json<SimulateOut>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(state.services.simulate(tenant.id, body.message.as_deref().unwrap_or_default()).await?))
}
