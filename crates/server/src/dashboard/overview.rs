//! A tenant's overview: messages per hour and per day, answers by source, AI usage against
//! the budget, errors by Meta's code, and the token warning.

use super::layout::tenant_page;
use super::platform::active_switch;
use super::{TenantPage, chart};
use crate::{ApiError, AppState};
use alphadome_service::activity::{DAYS, HOURS};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::html;

pub(super) async fn page(
    State(state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    let usage = state.services.usage(tenant.id, Utc::now()).await?;
    let settings = state.services.settings(tenant.id).await?;
    let alerts = state.services.token_alerts(Some(tenant.id)).await?;
    let p = &tenant.profile;
    let budget_used = if usage.ai_budget > 0 { usage.ai_tokens * 100 / usage.ai_budget } else { 100 };
    let body = html! {
        @for alert in &alerts {
            div.flash.error role="alert" {
                "WhatsApp token: " (alert.problem.kind().replace('_', " "))
                " — " a href={ "/dashboard/t/" (tenant.slug.as_str()) "/credentials" } { "replace it" }
            }
        }
        section.cards aria-label="Status" {
            div.card { "Tenant" strong { @if p.is_active { "active" } @else { "inactive" } } }
            div.card { "Bot" strong { @if settings.is_bot_enabled { "answering" } @else { "off" } } }
            div.card { "AI this month" strong { (usage.ai_tokens) " / " (usage.ai_budget) } small { (budget_used) "% of the token budget" } }
            div.card { "Training mode" strong { @if settings.enable_training_mode { "on" } @else { "off" } } }
        }
        @if who.principal.is_platform() {
            p { (active_switch(&who, tenant.slug.as_str(), p.is_active)) }
        }
        (chart::messages(&format!("Messages per hour, last {HOURS} hours (UTC)"), &usage.hourly, 3, 11))
        (chart::messages(&format!("Messages per day, last {DAYS} days"), &usage.daily, 2, 5))
        (chart::tallies(&format!("Answers by source, last {DAYS} days"), &usage.by_source, "No answers yet."))
        (chart::tallies(&format!("Failed replies by Meta error code, last {DAYS} days"), &usage.errors_by_code, "No failed replies."))
    };
    Ok(tenant_page(&who, &tenant, "", "Overview", body).into_response())
}
