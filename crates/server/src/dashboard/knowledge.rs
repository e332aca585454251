//! The tenant's knowledge (training data): a searchable table, add, edit, deactivate and
//! delete; CSV import with a preview (or the line of the first error) and CSV export.

use super::layout::{FILE_TO_TEXT, csrf_field, tenant_page};
use super::{Fields, Flash, TenantForm, TenantPage, Visitor, answer, not_found};
use crate::{ApiError, AppState};
use alphadome_core::TrainingEntryId;
use alphadome_core::ValidationError;
use alphadome_core::training::{TrainingEntryIn, TrainingFields};
use alphadome_core::training_io::{self, Format};
use alphadome_store::{Tenant, TrainingEntry, TrainingQuery};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

/// Entries shown on one page of the table.
const PAGE: i64 = 200;
/// Rows shown in an import's preview.
const PREVIEW_ROWS: usize = 20;

/// The table's search.
#[derive(Deserialize, Default)]
pub(super) struct Search {
    #[serde(default)]
    q: String,
}

fn base(tenant: &Tenant) -> String {
    format!("/dashboard/t/{}/knowledge", tenant.slug.as_str())
}

/// The fields of one entry, filled from `values` (blank for a new entry).
fn entry_fields(values: &Fields) -> Markup {
    let kind = Some(values.get("data_type")).filter(|k| !k.is_empty()).unwrap_or("faq");
    html! {
        label for="data_type" { "Type" }
        select id="data_type" name="data_type" {
            @for (value, label) in [("faq", "FAQ"), ("canned_reply", "Canned reply"), ("example", "Example")] {
                option value=(value) selected[kind == value] { (label) }
            }
        }
        label for="question" { "Question (or intent)" }
        input id="question" name="question" required value=(values.get("question"));
        label for="answer" { "Answer" }
        textarea id="answer" name="answer" required { (values.get("answer")) }
        label for="category" { "Category " small { "(optional)" } }
        input id="category" name="category" value=(values.get("category"));
        label for="priority" { "Priority " small { "(-1000 to 1000; higher wins ties)" } }
        input id="priority" name="priority" inputmode="numeric" value=(Some(values.get("priority")).filter(|p| !p.is_empty()).unwrap_or("0"));
        label.check { input type="checkbox" name="is_active" value="true" checked[values.get("is_active") != "false"]; "Active (the bot may use it)" }
    }
}

/// An entry as form values.
fn values_of(entry: &TrainingEntryIn) -> Fields {
    Fields(vec![
        ("data_type".into(), entry.data_type.as_str().into()),
        ("question".into(), entry.question.clone()),
        ("answer".into(), entry.answer.clone()),
        ("category".into(), entry.category.clone().unwrap_or_default()),
        ("priority".into(), entry.priority.to_string()),
        ("is_active".into(), entry.is_active.to_string()),
    ])
}

/// The form's fields as a complete entry (a blank category clears it).
fn training_fields(f: &Fields) -> Result<TrainingFields, ValidationError> {
    let priority = match f.filled("priority") {
        Some(p) => Some(p.parse().map_err(|_| ValidationError::new("priority", "must be a whole number"))?),
        None => Some(0),
    };
    Ok(TrainingFields {
        data_type: Some(f.get("data_type").to_owned()),
        question: Some(f.get("question").to_owned()),
        answer: Some(f.get("answer").to_owned()),
        category: Some(f.get("category").trim().to_owned()),
        priority,
        confidence_score: None,
        is_active: Some(f.ticked("is_active")),
    })
}

async fn list(
    state: &AppState,
    who: &Visitor,
    tenant: &Tenant,
    search: &str,
    form_values: &Fields,
    flash: Option<&Flash>,
) -> Result<Response, ApiError> {
    let query = TrainingQuery {
        search: Some(search.trim().to_owned()).filter(|s| !s.is_empty()),
        limit: Some(PAGE),
        ..TrainingQuery::default()
    };
    let entries = state.services.training(tenant.id, &query).await?;
    let base = base(tenant);
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        p {
            a href={ (base) "/import" } { "Import CSV" } " · "
            a href={ (base) "/export.csv" } download { "Export CSV" }
        }
        form method="get" role="search" {
            label for="q" { "Search" }
            input id="q" name="q" type="search" value=(search);
            button.secondary type="submit" { "Search" }
        }
        div.scroll { (table(&base, &entries)) }
        @if entries.len() as i64 == PAGE { p { small { "Showing the first " (PAGE) "; search to narrow." } } }
        h2 #add { "Add an entry" }
        form method="post" action=(base) {
            (csrf_field(who))
            (entry_fields(form_values))
            p { button type="submit" { "Add" } }
        }
    };
    Ok(answer(flash, tenant_page(who, tenant, "/knowledge", "Knowledge", body)))
}

fn table(base: &str, entries: &[TrainingEntry]) -> Markup {
    html! {
        table #entries {
            thead { tr { th { "Question" } th.wide { "Answer" } th { "Type" } th { "" } } }
            tbody {
                @if entries.is_empty() { tr { td colspan="4" { "No entries." } } }
                @for e in entries {
                    tr {
                        td { (e.entry.question) @if !e.entry.is_active { " " span.badge.warn { "inactive" } } }
                        td.wide { (e.entry.answer) }
                        td { (e.entry.data_type.as_str().replace('_', " ")) }
                        td { a href={ (base) "/" (e.id.0) } aria-label={ "Edit: " (e.entry.question) } { "Edit" } }
                    }
                }
            }
        }
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    Query(search): Query<Search>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    list(&state, &who, &tenant, &search.q, &Fields(Vec::new()), None).await
}

pub(super) async fn add(
    State(state): State<AppState>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let outcome = match training_fields(&fields) {
        Ok(entry) => state.services.add_training(tenant.id, &entry, who.actor()).await,
        Err(e) => Err(e.into()),
    };
    let flash = Flash::of(outcome, |e| format!("Added: “{}”.", e.entry.question))?;
    // Keep what was typed when it was refused, so nothing has to be typed again.
    let kept = if matches!(flash, Flash::Error(_)) { fields } else { Fields(Vec::new()) };
    list(&state, &who, &tenant, "", &kept, Some(&flash)).await
}

fn parse_id(id: &str) -> Option<TrainingEntryId> {
    id.parse().ok()
}

fn edit_page(
    who: &Visitor,
    tenant: &Tenant,
    id: TrainingEntryId,
    values: &Fields,
    flash: Option<&Flash>,
) -> Markup {
    let action = format!("{}/{}", base(tenant), id.0);
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        p { a href=(base(tenant)) { "← All entries" } }
        form method="post" action=(action) {
            (csrf_field(who))
            (entry_fields(values))
            p {
                button type="submit" name="action" value="save" { "Save" } " "
                button.danger type="submit" name="action" value="delete" { "Delete" }
            }
        }
    };
    tenant_page(who, tenant, "/knowledge", "Edit entry", body)
}

pub(super) async fn edit_form(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    let Some(id) = parse_id(&id) else { return Ok(not_found(&who)) };
    match state.services.training_entry(tenant.id, id).await {
        Ok(entry) => Ok(answer(None, edit_page(&who, &tenant, id, &values_of(&entry.entry), None))),
        Err(alphadome_service::ServiceError::NotFound(_)) => Ok(not_found(&who)),
        Err(e) => Err(e.into()),
    }
}

/// Saves or deletes one entry.
pub(super) async fn change(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let Some(id) = parse_id(&id) else { return Ok(not_found(&who)) };
    if fields.get("action") == "delete" {
        let outcome = state.services.delete_training(tenant.id, id, who.actor()).await;
        let flash = Flash::of(outcome, |()| "Deleted.".to_owned())?;
        return list(&state, &who, &tenant, "", &Fields(Vec::new()), Some(&flash)).await;
    }
    let outcome = match training_fields(&fields) {
        Ok(entry) => state.services.update_training(tenant.id, id, &entry, who.actor()).await,
        Err(e) => Err(e.into()),
    };
    let flash = Flash::of(outcome, |_| "Saved.".to_owned())?;
    Ok(answer(Some(&flash), edit_page(&who, &tenant, id, &fields, Some(&flash))))
}

/// Every entry as CSV, in the exchange format import reads.
pub(super) async fn export(
    State(state): State<AppState>,
    TenantPage { who: _, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    let csv = state.services.export_training(tenant.id, Format::Csv).await?;
    let disposition = format!("attachment; filename=\"{}-knowledge.csv\"", tenant.slug.as_str());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

fn import_page(
    who: &Visitor,
    tenant: &Tenant,
    csv: &str,
    preview: Option<&[TrainingEntryIn]>,
    flash: Option<&Flash>,
) -> Markup {
    let action = format!("{}/import", base(tenant));
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        p { "Columns: " code { (training_io::CSV_HEADER.join(",")) } ". The first line is the header." }
        form method="post" action=(action) {
            (csrf_field(who))
            label for="file" { "CSV file" }
            input id="file" type="file" accept=".csv,text/csv" data-into="csv";
            label for="csv" { "…or paste it here" }
            textarea id="csv" name="csv" rows="10" { (csv) }
            label.check { input type="checkbox" name="replace" value="true"; "Replace every existing entry" }
            p {
                button.secondary type="submit" name="action" value="preview" { "Preview" } " "
                @if preview.is_some() { button type="submit" name="action" value="import" { "Import" } }
            }
        }
        @if let Some(entries) = preview {
            h2 { "Preview: " (entries.len()) " entries" }
            div.scroll {
                table #preview {
                    thead { tr { th { "Type" } th { "Question" } th.wide { "Answer" } } }
                    tbody {
                        @for e in entries.iter().take(PREVIEW_ROWS) {
                            tr { td { (e.data_type.as_str()) } td { (e.question) } td.wide { (e.answer) } }
                        }
                    }
                }
            }
            @if entries.len() > PREVIEW_ROWS { p { small { "…and " (entries.len() - PREVIEW_ROWS) " more." } } }
        }
        script { (PreEscaped(FILE_TO_TEXT)) }
    };
    tenant_page(who, tenant, "/knowledge", "Import knowledge", body)
}

pub(super) async fn import_form(
    State(_state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    Ok(answer(None, import_page(&who, &tenant, "", None, None)))
}

/// Previews a CSV (or names the line of its first error), then imports it all-or-nothing.
pub(super) async fn import(
    State(state): State<AppState>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let csv = fields.get("csv");
    let parsed = training_io::parse(Format::Csv, csv.as_bytes());
    let entries = match parsed {
        Ok(entries) => entries,
        Err(e) => {
            let flash = Flash::refused(e.into())?;
            return Ok(answer(Some(&flash), import_page(&who, &tenant, csv, None, Some(&flash))));
        }
    };
    if fields.get("action") != "import" {
        let flash = Flash::Ok(format!("{} entries read; nothing imported yet.", entries.len()));
        return Ok(answer(None, import_page(&who, &tenant, csv, Some(&entries), Some(&flash))));
    }
    let replace = fields.ticked("replace");
    let outcome =
        state.services.import_training(tenant.id, Format::Csv, csv.as_bytes(), replace, who.actor()).await;
    let flash = Flash::of(outcome, |stored| format!("Imported {} entries.", stored.len()))?;
    if matches!(flash, Flash::Error(_)) {
        return Ok(answer(Some(&flash), import_page(&who, &tenant, csv, Some(&entries), Some(&flash))));
    }
    list(&state, &who, &tenant, "", &Fields(Vec::new()), Some(&flash)).await
}
