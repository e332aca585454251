//! Credentials: write-only fields shown masked (last four characters), the token's expiry,
//! what to paste into Meta, and a "test connection" that asks the Graph API with the token.

use super::layout::{csrf_field, tenant_page};
use super::platform::public_base;
use super::{Fields, Flash, TenantForm, TenantPage, Visitor, answer};
use crate::{ApiError, AppState};
use alphadome_core::ValidationError;
use alphadome_core::tenant::{SecretFields, TenantFields};
use alphadome_service::views::TenantOut;
use alphadome_store::Tenant;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

fn credentials_page(who: &Visitor, tenant: &Tenant, webhook: &str, flash: Option<&Flash>) -> Markup {
    let t = TenantOut::from(tenant);
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "not set".to_owned());
    let secret = |name: &str, label: &str, current: &Option<String>| {
        html! {
            label for=(name) { (label) " " small { "(now " (shown(current)) "; leave blank to keep)" } }
            input id=(name) name=(name) type="password" autocomplete="off";
        }
    };
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        table {
            tbody {
                tr { th { "WhatsApp phone number id" } td { (t.whatsapp_phone_number_id.as_deref().unwrap_or("not set")) } }
                tr { th { "Access token" } td #token-masked { (shown(&t.whatsapp_access_token)) } }
                tr { th { "Token expires" } td { (t.whatsapp_token_expires_at.map_or_else(|| "never (or not set)".to_owned(), |at| at.format("%Y-%m-%d").to_string())) } }
                @if let Some(at) = t.whatsapp_token_broken_at {
                    tr { th { "Token rejected" } td { span.badge.warn { "since " (at.format("%Y-%m-%d %H:%M")) " UTC; sends paused" } } }
                }
                tr { th { "Webhook URL" } td { code { (webhook) } } }
                tr { th { "Verify token" } td { (t.webhook_verify_token) } }
                tr { th { "AI provider" } td { (t.ai_provider.as_deref().unwrap_or("none")) " " (t.ai_model.as_deref().unwrap_or("")) } }
                tr { th { "AI key" } td { (shown(&t.ai_api_key)) } }
            }
        }
        form method="post" action={ "/dashboard/t/" (tenant.slug.as_str()) "/credentials/test" } {
            (csrf_field(who))
            button.secondary type="submit" { "Test connection" }
        }
        h2 { "Change" }
        form method="post" {
            (csrf_field(who))
            label for="whatsapp_phone_number_id" { "WhatsApp phone number id" }
            input id="whatsapp_phone_number_id" name="whatsapp_phone_number_id" value=(t.whatsapp_phone_number_id.as_deref().unwrap_or(""));
            (secret("whatsapp_access_token", "New access token", &t.whatsapp_access_token))
            label for="whatsapp_token_expires_on" { "Token expires on" }
            input id="whatsapp_token_expires_on" name="whatsapp_token_expires_on" type="date"
                value=(t.whatsapp_token_expires_at.map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or_default());
            (secret("whatsapp_app_secret", "App secret of the business's own Meta app", &t.whatsapp_app_secret))
            (secret("ai_api_key", "New AI key", &t.ai_api_key))
            p { button type="submit" { "Save" } }
        }
    };
    tenant_page(who, tenant, "/credentials", "Credentials", body)
}

fn webhook(state: &AppState, headers: &HeaderMap, tenant: &Tenant) -> String {
    format!("{}/webhooks/whatsapp/{}", public_base(state, headers), tenant.slug.as_str())
}

pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    let url = webhook(&state, &headers, &tenant);
    Ok(answer(None, credentials_page(&who, &tenant, &url, None)))
}

/// The fields to change: a blank secret or date is kept as it is.
fn changes(f: &Fields) -> Result<TenantFields, ValidationError> {
    let expires = f.end_of_day("whatsapp_token_expires_on")?;
    Ok(TenantFields {
        whatsapp_phone_number_id: Some(f.get("whatsapp_phone_number_id").trim().to_owned()),
        whatsapp_token_expires_at: expires,
        secrets: Some(SecretFields {
            whatsapp_access_token: f.filled("whatsapp_access_token"),
            whatsapp_app_secret: f.filled("whatsapp_app_secret"),
            ai_api_key: f.filled("ai_api_key"),
        }),
        ..TenantFields::default()
    })
}

pub(super) async fn save(
    State(state): State<AppState>,
    headers: HeaderMap,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let outcome = match changes(&fields) {
        Ok(changes) => state.services.update_tenant(tenant.slug.as_str(), &changes, who.actor()).await,
        Err(e) => Err(e.into()),
    };
    let flash = Flash::of(outcome, |_| "Saved.".to_owned())?;
    let tenant = state.services.tenant(tenant.slug.as_str()).await?;
    let url = webhook(&state, &headers, &tenant);
    Ok(answer(Some(&flash), credentials_page(&who, &tenant, &url, Some(&flash))))
}

/// Asks Meta about the tenant's number with its token.
pub(super) async fn test_connection(
    State(state): State<AppState>,
    headers: HeaderMap,
    TenantForm { who, tenant, fields: _ }: TenantForm,
) -> Result<Response, ApiError> {
    let flash = match state.services.test_whatsapp(&tenant, &state.graph).await {
        Ok(number) => Flash::Ok(format!(
            "Connected: {} ({}), quality {}.",
            number.verified_name.as_deref().unwrap_or("unnamed"),
            number.display_phone_number.as_deref().unwrap_or("number hidden"),
            number.quality_rating.as_deref().unwrap_or("unknown"),
        )),
        Err(why) => Flash::Error(format!("The connection failed: {why}")),
    };
    let url = webhook(&state, &headers, &tenant);
    Ok(answer(Some(&flash), credentials_page(&who, &tenant, &url, Some(&flash))))
}
