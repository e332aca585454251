//! The tenant's API keys: create (the key is shown once), list, revoke.

use super::layout::{csrf_field, tenant_page};
use super::{Flash, TenantForm, TenantPage, Visitor, answer, not_found};
use crate::{ApiError, AppState};
use alphadome_store::Tenant;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;
use uuid::Uuid;

async fn keys_page(
    state: &AppState,
    who: &Visitor,
    tenant: &Tenant,
    new_key: Option<&str>,
    flash: Option<&Flash>,
) -> Result<Response, ApiError> {
    let keys = state.services.api_keys(Some(tenant.id)).await?;
    let base = format!("/dashboard/t/{}/keys", tenant.slug.as_str());
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        @if let Some(key) = new_key {
            p { "Copy the key now: it is not shown again." }
            p.secret #new-key { (key) }
        }
        div.scroll {
            table {
                thead { tr { th { "Name" } th { "Key" } th.wide { "Last used" } th { "" } } }
                tbody {
                    @for k in &keys {
                        tr {
                            td { (k.name) }
                            td { code { (k.key_prefix) "…" } }
                            td.wide { (k.last_used_at.map_or_else(|| "never".to_owned(), |at| at.format("%Y-%m-%d %H:%M").to_string())) }
                            td {
                                @if k.revoked_at.is_some() {
                                    span.badge.warn { "revoked" }
                                } @else {
                                    form.inline method="post" action={ (base) "/" (k.id) "/revoke" } {
                                        (csrf_field(who))
                                        button.danger type="submit" aria-label={ "Revoke " (k.name) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "New key" }
        form method="post" action=(base) {
            (csrf_field(who))
            label for="name" { "Name " small { "(what it is for)" } }
            input id="name" name="name" required;
            p { button type="submit" { "Create key" } }
        }
    };
    Ok(answer(flash, tenant_page(who, tenant, "/keys", "API keys", body)))
}

pub(super) async fn page(
    State(state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    keys_page(&state, &who, &tenant, None, None).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let outcome = state.services.create_api_key(Some(tenant.id), fields.get("name"), None, who.actor()).await;
    let key = outcome.as_ref().ok().map(|created| created.key.clone());
    let flash = Flash::of(outcome, |created| format!("Created key “{}”.", created.record.name))?;
    keys_page(&state, &who, &tenant, key.as_deref(), Some(&flash)).await
}

/// Revokes one of this tenant's keys (another tenant's key id is not found).
pub(super) async fn revoke(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    TenantForm { who, tenant, fields: _ }: TenantForm,
) -> Result<Response, ApiError> {
    let own = state.services.api_keys(Some(tenant.id)).await?;
    let Some(key) = id.parse::<Uuid>().ok().and_then(|id| own.into_iter().find(|k| k.id == id)) else {
        return Ok(not_found(&who));
    };
    let outcome = state.services.revoke_api_key(alphadome_core::ApiKeyId(key.id), who.actor()).await;
    let flash = Flash::of(outcome, |k| format!("Revoked key “{}”.", k.name))?;
    keys_page(&state, &who, &tenant, None, Some(&flash)).await
}
