//! `/tenants/{slug}/training`: FAQ entries, canned replies and examples.

use super::extract::{ApiJson, Caller};
use crate::{ApiError, AppState};
use alphadome_core::TrainingEntryId;
use alphadome_core::training::{DataType, TrainingFields};
use alphadome_core::training_io::{self, Format};
use alphadome_service::views::TrainingOut;
use alphadome_store::TrainingQuery;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

/// Largest request body: an import file of up to 20 MiB plus headroom.
pub const MAX_BODY: usize = 21 * 1024 * 1024;

/// Filters for a listing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    q: Option<String>,
    data_type: Option<String>,
    #[serde(default)]
    active_only: bool,
    limit: Option<i64>,
    #[serde(default)]
    offset: i64,
}

/// Entries, optionally searched (`q`) and filtered.
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<TrainingOut>>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    let data_type = p
        .data_type
        .as_deref()
        .map(str::parse::<DataType>)
        .transpose()
        .map_err(alphadome_service::ServiceError::from)?;
    if p.limit.is_some_and(|l| !(1..=10_000).contains(&l)) || p.offset < 0 {
        return Err(ApiError::bad_request("limit must be 1 to 10000 and offset not negative"));
    }
    let query = TrainingQuery {
        data_type,
        search: p.q,
        active_only: p.active_only,
        limit: p.limit,
        offset: p.offset,
    };
    let entries = state.services.training(tenant.id, &query).await?;
    Ok(Json(entries.iter().map(TrainingOut::from).collect()))
}

/// Adds one entry.
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(fields): ApiJson<TrainingFields>,
) -> Result<(StatusCode, Json<TrainingOut>), ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    let entry = state.services.add_training(tenant.id, &fields, caller.actor()).await?;
    Ok((StatusCode::CREATED, Json(TrainingOut::from(&entry))))
}

fn entry_id(raw: &str) -> Result<TrainingEntryId, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found("training entry"))
}

/// One entry.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<TrainingOut>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    Ok(Json(TrainingOut::from(&state.services.training_entry(tenant.id, entry_id(&id)?).await?)))
}

/// Changes the fields present.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
    ApiJson(fields): ApiJson<TrainingFields>,
) -> Result<Json<TrainingOut>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    let entry = state.services.update_training(tenant.id, entry_id(&id)?, &fields, caller.actor()).await?;
    Ok(Json(TrainingOut::from(&entry)))
}

/// Deletes one entry.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    state.services.delete_training(tenant.id, entry_id(&id)?, caller.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Import options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    #[serde(default)]
    replace: bool,
    format: Option<String>,
}

/// Imports a CSV (`text/csv`) or JSON (`application/json`) file, all-or-nothing.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(p): Query<ImportParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    let format = match p.format.as_deref() {
        Some(f) => f.parse::<Format>().map_err(alphadome_service::ServiceError::from)?,
        None => format_of(&headers),
    };
    let entries = state.services.import_training(tenant.id, format, &body, p.replace, caller.actor()).await?;
    Ok(Json(
        serde_json::json!({ "imported": entries.len(), "summary": training_io::summary(&entries), "replaced": p.replace }),
    ))
}

fn format_of(headers: &HeaderMap) -> Format {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if content_type.starts_with("application/json") { Format::Json } else { Format::Csv }
}

/// Export options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    format: Option<String>,
}

/// Every entry as CSV (default) or JSON.
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(p): Query<ExportParams>,
) -> Result<impl IntoResponse, ApiError> {
    let tenant = caller.tenant(&state, &slug).await?;
    let format = p
        .format
        .as_deref()
        .unwrap_or("csv")
        .parse::<Format>()
        .map_err(alphadome_service::ServiceError::from)?;
    let body = state.services.export_training(tenant.id, format).await?;
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Json => "application/json",
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body))
}
