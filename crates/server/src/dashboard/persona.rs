//! The bot's persona: its templates (system prompt, tone, context, maximum length), one of
//! them the default, edited in place or added.

use super::layout::{csrf_field, tenant_page};
use super::{Fields, Flash, TenantForm, TenantPage, Visitor, answer};
use crate::{ApiError, AppState};
use alphadome_core::ValidationError;
use alphadome_core::template::{TemplateFields, TemplateIn};
use alphadome_store::Tenant;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

/// One template's form (a blank name for a new one).
fn template_form(who: &Visitor, t: Option<&TemplateIn>) -> Markup {
    let id = |field: &str| format!("{}-{field}", t.map_or("new", |t| t.template_name.as_str()));
    let context = t.map(|t| t.conversation_context.to_string()).unwrap_or_else(|| "{}".to_owned());
    html! {
        form method="post" {
            (csrf_field(who))
            @match t {
                Some(t) => input type="hidden" name="template_name" value=(t.template_name);,
                None => {
                    label for=(id("name")) { "Name " small { "(lowercase letters, digits, - and _)" } }
                    input id=(id("name")) name="template_name" required;
                },
            }
            label for=(id("prompt")) { "System prompt" }
            textarea id=(id("prompt")) name="system_prompt" rows="6" { (t.map_or("", |t| t.system_prompt.as_str())) }
            label for=(id("tone")) { "Tone" }
            input id=(id("tone")) name="tone" value=(t.map_or("friendly", |t| t.tone.as_str()));
            label for=(id("context")) { "Context " small { "(a JSON object: opening hours, location, …)" } }
            textarea id=(id("context")) name="conversation_context" rows="3" { (context) }
            label for=(id("max")) { "Longest reply (characters, 20 to 4096)" }
            input id=(id("max")) name="max_response_length" inputmode="numeric" value=(t.map_or(600, |t| t.max_response_length));
            label.check { input type="checkbox" name="is_default" value="true" checked[t.is_some_and(|t| t.is_default)]; "The default persona" }
            p { button type="submit" { @if t.is_some() { "Save" } @else { "Add" } } }
        }
    }
}

async fn personas(
    state: &AppState,
    who: &Visitor,
    tenant: &Tenant,
    flash: Option<&Flash>,
) -> Result<Response, ApiError> {
    let templates = state.services.templates(tenant.id).await?;
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        @for t in &templates {
            section.card {
                h2 { (t.fields.template_name) @if t.fields.is_default { " " span.badge { "default" } } }
                (template_form(who, Some(&t.fields)))
            }
        }
        section.card { h2 { "Add a persona" } (template_form(who, None)) }
    };
    Ok(answer(flash, tenant_page(who, tenant, "/persona", "Persona", body)))
}

pub(super) async fn page(
    State(state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    personas(&state, &who, &tenant, None).await
}

fn template_fields(f: &Fields) -> Result<TemplateFields, ValidationError> {
    let context = serde_json::from_str(f.get("conversation_context"))
        .map_err(|_| ValidationError::new("conversation_context", "is not valid JSON"))?;
    let max = f
        .get("max_response_length")
        .trim()
        .parse()
        .map_err(|_| ValidationError::new("max_response_length", "must be a whole number"))?;
    Ok(TemplateFields {
        system_prompt: Some(f.get("system_prompt").to_owned()),
        tone: Some(f.get("tone").to_owned()),
        conversation_context: Some(context),
        max_response_length: Some(max),
        // Unticking the default is refused by the service; only a tick changes it.
        is_default: f.ticked("is_default").then_some(true),
        ..TemplateFields::default()
    })
}

pub(super) async fn save(
    State(state): State<AppState>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let name = fields.get("template_name").trim().to_owned();
    let outcome = match template_fields(&fields) {
        Ok(changes) => state.services.set_template(tenant.id, &name, &changes, who.actor()).await,
        Err(e) => Err(e.into()),
    };
    let flash = Flash::of(outcome, |t| format!("Saved persona “{}”.", t.fields.template_name))?;
    personas(&state, &who, &tenant, Some(&flash)).await
}
