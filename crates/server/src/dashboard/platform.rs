//! The platform admin's pages: every tenant with its traffic and warnings, the platform's
//! health, a short form that provisions a tenant (and its admin), and switching a tenant
//! on and off.

use super::layout::{csrf_field, page};
use super::{Fields, Flash, PlatformForm, TenantForm, Visitor, not_found, to_login, visitor};
use crate::{ApiError, AppState};
use alphadome_core::tenant::{SecretFields, TenantFields};
use alphadome_crypto::SecretString;
use alphadome_service::alerts::token_problem;
use alphadome_service::{CreatedTenant, ServiceError};
use alphadome_store::ApiKeyScope;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DurationRound, TimeDelta, Utc};
use maud::{Markup, html};
use std::collections::HashMap;

/// The platform's home; a tenant admin goes straight to his tenant.
pub(super) async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(who) = visitor(&state, &headers).await? else { return Ok(to_login()) };
    if let ApiKeyScope::Tenant(own) = who.principal.scope {
        return Ok(match state.services.store.tenant_by_id(own).await {
            Ok(t) => Redirect::to(&format!("/dashboard/t/{}", t.slug.as_str())).into_response(),
            Err(_) => not_found(&who),
        });
    }
    Ok(tenants_page(&state, &who, None).await?.into_response())
}

async fn tenants_page(state: &AppState, who: &Visitor, flash: Option<&Flash>) -> Result<Markup, ApiError> {
    let tenants = state.services.tenants().await?;
    let health = state.services.platform_health().await?;
    let now = Utc::now();
    let today = now.duration_trunc(TimeDelta::days(1)).unwrap_or(now);
    let traffic: HashMap<_, _> =
        state.services.traffic_since(today).await?.into_iter().map(|t| (t.tenant, t)).collect();
    let body = html! {
        h1 { "Tenants" }
        @if let Some(flash) = flash { (flash.render()) }
        section.cards aria-label="Platform health" {
            div.card { "Replies queued" strong { (health.queued) } }
            div.card { "Dead jobs" strong { (health.dead) } }
            div.card { "Unroutable deliveries" strong { (health.unroutable) } }
            div.card { "Tenants" strong { (tenants.len()) } }
        }
        p { a href="/dashboard/tenants/new" { "New tenant" } }
        div.scroll {
            table {
                thead { tr {
                    th { "Business" } th { "Status" } th.wide { "Plan" } th { "Messages today" }
                    th { "Errors today" } th { "Token" } th.wide { "Switch" }
                } }
                tbody {
                    @for t in &tenants {
                        @let day = traffic.get(&t.id.0);
                        tr {
                            td { a href={ "/dashboard/t/" (t.slug.as_str()) } { (t.profile.client_name) } br; small { (t.slug.as_str()) } }
                            td { @if t.profile.is_active { span.badge { "active" } } @else { span.badge.warn { "inactive" } } }
                            td.wide { (t.profile.metadata.get("plan").and_then(|p| p.as_str()).unwrap_or("—")) }
                            td { (day.map_or(0, |d| d.messages)) }
                            td { (day.map_or(0, |d| d.errors)) }
                            td {
                                @match token_problem(t, now) {
                                    Some(problem) => span.badge.warn { (problem.kind().replace('_', " ")) },
                                    None => "ok",
                                }
                            }
                            td.wide { (active_switch(who, t.slug.as_str(), t.profile.is_active)) }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Tenants", who.frame(), body))
}

/// The button that switches a tenant off (or back on).
pub(super) fn active_switch(who: &Visitor, slug: &str, active: bool) -> Markup {
    html! {
        form.inline method="post" action={ "/dashboard/t/" (slug) "/active" } {
            (csrf_field(who))
            input type="hidden" name="active" value=(if active { "false" } else { "true" });
            @if active {
                button.secondary type="submit" { "Deactivate" }
            } @else {
                button type="submit" { "Activate" }
            }
        }
    }
}

/// Switches a tenant on or off (platform admins only).
pub(super) async fn set_active(
    State(state): State<AppState>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    if !who.principal.is_platform() {
        return Ok(not_found(&who));
    }
    let active = fields.get("active") == "true";
    let outcome = state.services.set_tenant_active(tenant.slug.as_str(), active, who.actor()).await;
    let flash = Flash::of(outcome, |t| {
        format!("{} is now {}.", t.profile.client_name, if active { "active" } else { "inactive" })
    })?;
    Ok((flash.status(), tenants_page(&state, &who, Some(&flash)).await?).into_response())
}

/// The fields of the new-tenant form, kept when the form comes back with an error.
fn new_tenant_page(who: &Visitor, values: &Fields, flash: Option<&Flash>) -> Markup {
    let text = |name: &str, label: &str, hint: &str| {
        html! {
            label for=(name) { (label) @if !hint.is_empty() { " " small { (hint) } } }
            input id=(name) name=(name) value=(values.get(name));
        }
    };
    let secret = |name: &str, label: &str| {
        html! {
            label for=(name) { (label) " " small { "(write-only)" } }
            input id=(name) name=(name) type="password" autocomplete="off";
        }
    };
    let body = html! {
        h1 { "New tenant" }
        @if let Some(flash) = flash { (flash.render()) }
        form method="post" action="/dashboard/tenants/new" {
            (csrf_field(who))
            (text("client_name", "Business name", ""))
            (text("slug", "Short name", "(lowercase letters, digits and -; used in addresses)"))
            (text("client_phone", "Business phone", ""))
            (text("client_email", "Business email", ""))
            (text("whatsapp_phone_number_id", "WhatsApp phone number id", "(from Meta's API setup)"))
            (text("whatsapp_business_account_id", "WhatsApp Business Account id", ""))
            (secret("whatsapp_access_token", "WhatsApp access token"))
            label for="whatsapp_token_expires_on" { "Token expires on " small { "(blank if it does not expire)" } }
            input id="whatsapp_token_expires_on" name="whatsapp_token_expires_on" type="date"
                value=(values.get("whatsapp_token_expires_on"));
            label for="ai_provider" { "AI provider" }
            select id="ai_provider" name="ai_provider" {
                @for p in ["none", "openai", "openrouter", "huggingface", "custom"] {
                    option value=(p) selected[values.get("ai_provider") == p] { (p) }
                }
            }
            (text("ai_model", "AI model", ""))
            (text("ai_base_url", "AI endpoint", "(custom provider only)"))
            (secret("ai_api_key", "AI API key"))
            label.check {
                input type="checkbox" name="is_active" value="true" checked[values.0.is_empty() || values.ticked("is_active")];
                "Active now (the bot answers as soon as Meta sends messages)"
            }
            h2 { "The business's admin (optional)" }
            (text("admin_email", "Admin email", ""))
            label for="admin_password" { "Admin password " small { "(at least 12 characters)" } }
            input id="admin_password" name="admin_password" type="password" autocomplete="new-password";
            p { button type="submit" { "Create tenant" } }
        }
    };
    page("New tenant", who.frame(), body)
}

pub(super) async fn new_tenant_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(who) = visitor(&state, &headers).await? else { return Ok(to_login()) };
    if !who.principal.is_platform() {
        return Ok(not_found(&who));
    }
    Ok(new_tenant_page(&who, &Fields(Vec::new()), None).into_response())
}

/// Provisions the tenant (and its admin, when given); ends by showing what to paste into
/// Meta's webhook settings. A refused field changes nothing.
pub(super) async fn create_tenant(
    State(state): State<AppState>,
    headers: HeaderMap,
    PlatformForm { who, fields }: PlatformForm,
) -> Result<Response, ApiError> {
    let refused = |e: ServiceError| -> Result<Response, ApiError> {
        let flash = Flash::refused(e)?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, new_tenant_page(&who, &fields, Some(&flash))).into_response())
    };
    let admin =
        fields.filled("admin_email").map(|email| (email, SecretString::from(fields.get("admin_password"))));
    if let Some((email, password)) = &admin
        && let Err(e) = alphadome_service::check_new_account(email, password)
    {
        return refused(e);
    }
    let tenant_fields = match tenant_fields(&fields) {
        Ok(f) => f,
        Err(e) => return refused(e.into()),
    };
    let created = match state.services.create_tenant(&tenant_fields, who.actor()).await {
        Ok(created) => created,
        Err(e) => return refused(e),
    };
    if let Some((email, password)) = admin {
        let tenant = alphadome_core::TenantId(created.tenant.id);
        if let Err(e) = state.services.create_account(&email, password, Some(tenant), who.actor()).await {
            // The admin could not be made (say, the email is taken): take the tenant back out.
            state.services.delete_tenant(&created.tenant.slug, who.actor()).await?;
            return refused(e);
        }
    }
    Ok(created_page(&who, &headers, &state, &created).into_response())
}

/// The form's tenant fields; the expiry date is the end of that day (UTC).
fn tenant_fields(f: &Fields) -> Result<TenantFields, alphadome_core::ValidationError> {
    let expires = f.end_of_day("whatsapp_token_expires_on")?;
    Ok(TenantFields {
        slug: f.filled("slug"),
        client_name: f.filled("client_name"),
        client_phone: f.filled("client_phone"),
        client_email: f.filled("client_email"),
        whatsapp_phone_number_id: f.filled("whatsapp_phone_number_id"),
        whatsapp_business_account_id: f.filled("whatsapp_business_account_id"),
        whatsapp_token_expires_at: expires,
        ai_provider: f.filled("ai_provider"),
        ai_model: f.filled("ai_model"),
        ai_base_url: f.filled("ai_base_url"),
        is_active: Some(f.ticked("is_active")),
        secrets: Some(SecretFields {
            whatsapp_access_token: f.filled("whatsapp_access_token"),
            whatsapp_app_secret: None,
            ai_api_key: f.filled("ai_api_key"),
        }),
        ..TenantFields::default()
    })
}

/// What to paste into Meta: the webhook address and the tenant's verify token (shown here,
/// and on the tenant's credentials page to its admins).
fn created_page(who: &Visitor, headers: &HeaderMap, state: &AppState, created: &CreatedTenant) -> Markup {
    let url = format!("{}/webhooks/whatsapp/{}", public_base(state, headers), created.tenant.slug);
    let body = html! {
        h1 { "Tenant created" }
        div.flash.ok role="status" { (created.tenant.client_name) " is ready." }
        p { "In Meta's App Dashboard → WhatsApp → Configuration, set the webhook to:" }
        dl {
            dt { "Callback URL" } dd { code #webhook-url { (url) } }
            dt { "Verify token" } dd { code.secret #verify-token { (created.webhook_verify_token) } }
        }
        p { "Then subscribe the app to the " code { "messages" } " field." }
        p { a href={ "/dashboard/t/" (created.tenant.slug) } { "Go to " (created.tenant.client_name) } }
    };
    page("Tenant created", who.frame(), body)
}

/// The address the service is reached at, as the browser used it.
pub(super) fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = if crate::auth::secure(state, headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}
