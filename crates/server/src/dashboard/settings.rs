//! Every switch and limit of `bot_control_settings`, as one form saved all at once.

use super::layout::{csrf_field, tenant_page};
use super::{Flash, TenantForm, TenantPage, Visitor, answer};
use crate::{ApiError, AppState};
use alphadome_core::settings::KEYS;
use alphadome_store::Tenant;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};

fn form(who: &Visitor, tenant: &Tenant, values: &serde_json::Value, flash: Option<&Flash>) -> Markup {
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        form method="post" {
            (csrf_field(who))
            @for key in KEYS {
                @let value = &values[*key];
                label for=(key) { (key.replace('_', " ")) }
                @if let Some(on) = value.as_bool() {
                    select id=(key) name=(key) {
                        option value="true" selected[on] { "on" }
                        option value="false" selected[!on] { "off" }
                    }
                } @else {
                    input id=(key) name=(key) value=(value.as_str().map_or_else(|| if value.is_null() { String::new() } else { value.to_string() }, str::to_owned));
                }
            }
            p { button type="submit" { "Save" } }
        }
    };
    tenant_page(who, tenant, "/settings", "Switches and limits", body)
}

pub(super) async fn page(
    State(state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    let values = serde_json::to_value(state.services.settings(tenant.id).await?).unwrap_or_default();
    Ok(answer(None, form(&who, &tenant, &values, None)))
}

/// Saves every field at once; a bad value changes nothing and says which field and why.
pub(super) async fn save(
    State(state): State<AppState>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let pairs: Vec<(String, String)> =
        fields.0.into_iter().filter(|(k, _)| KEYS.contains(&k.as_str())).collect();
    let outcome = state.services.set_settings(tenant.id, &pairs, who.actor()).await;
    let flash = Flash::of(outcome, |_| "Saved.".to_owned())?;
    let current = serde_json::to_value(state.services.settings(tenant.id).await?).unwrap_or_default();
    Ok(answer(Some(&flash), form(&who, &tenant, &current, Some(&flash))))
}
