//! Conversations: one thread per customer, newest first; each reply with its delivery ticks
//! and why the bot answered so; a conversation with a person can be handed back to the bot.

use super::layout::{csrf_field, tenant_page};
use super::{Flash, TenantForm, TenantPage, Visitor, answer};
use crate::{ApiError, AppState};
use alphadome_store::{Tenant, ThreadMessage};
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};

/// Threads listed.
const THREADS: i64 = 100;
/// Messages shown of one thread.
const MESSAGES: i64 = 200;

pub(super) async fn list(
    State(state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    let threads = state.services.threads(tenant.id, THREADS).await?;
    let base = format!("/dashboard/t/{}/conversations", tenant.slug.as_str());
    let body = html! {
        @if threads.is_empty() { p { "No conversations yet." } }
        div.scroll {
            table #threads {
                tbody {
                    @for t in &threads {
                        tr {
                            td {
                                a href={ (base) "/" (t.customer) } { "+" (t.customer) }
                                @if let Some(reason) = &t.handoff { " " span.badge.warn { "with a person (" (reason.replace('_', " ")) ")" } }
                                br; small { (t.last_text.as_deref().unwrap_or("")) }
                            }
                            td { (t.last_at.format("%Y-%m-%d %H:%M")) br; small { (t.messages) " messages" } }
                        }
                    }
                }
            }
        }
    };
    Ok(answer(None, tenant_page(&who, &tenant, "/conversations", "Conversations", body)))
}

/// WhatsApp's ticks for a delivery status.
fn ticks(status: Option<&str>) -> &'static str {
    match status {
        Some("sent") => "✓ sent",
        Some("delivered") => "✓✓ delivered",
        Some("read") | Some("played") => "✓✓ read",
        Some("failed") => "✗ failed",
        Some("pending") => "… sending",
        _ => "not sent",
    }
}

/// Why the bot answered as it did.
fn why(m: &ThreadMessage) -> Markup {
    html! {
        small.why {
            @if m.draft { strong { "draft (training mode) · " } }
            (m.source.as_deref().unwrap_or("—").replace('_', " "))
            @if let Some(q) = &m.matched { " · matched “" (q) "”" }
            @if let Some(score) = m.score { " · score " (format!("{score:.2}")) }
            @if let Some(t) = &m.template_used { " · " (t) }
            " · " (ticks(m.status.as_deref()))
            @if let Some(e) = &m.error_message { " · " (e) }
        }
    }
}

async fn thread_page(
    state: &AppState,
    who: &Visitor,
    tenant: &Tenant,
    customer: &str,
    flash: Option<&Flash>,
) -> Result<Response, ApiError> {
    let messages = state.services.thread(tenant.id, customer, MESSAGES).await?;
    let handoff = state.services.handoffs(tenant.id).await?.into_iter().find(|h| h.customer == customer);
    let base = format!("/dashboard/t/{}/conversations", tenant.slug.as_str());
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        p { a href=(base) { "← All conversations" } }
        @if let Some(h) = &handoff {
            div.flash.error role="status" {
                "A person has this conversation (" (h.reason.replace('_', " ")) ") since " (h.since.format("%Y-%m-%d %H:%M")) " UTC; the bot is silent."
                form method="post" action={ (base) "/" (customer) "/release" } {
                    (csrf_field(who))
                    button type="submit" { "Hand back to the bot" }
                }
            }
        }
        @if messages.is_empty() { p { "No messages with this customer." } }
        section #thread {
            @for m in &messages {
                div class={ "msg " (m.direction) } {
                    (m.message_text.as_deref().unwrap_or(""))
                    @if m.direction == "outgoing" { (why(m)) } @else { small { (m.created_at.format("%Y-%m-%d %H:%M")) } }
                }
            }
        }
    };
    let heading = format!("+{customer}");
    Ok(answer(flash, tenant_page(who, tenant, "/conversations", &heading, body)))
}

pub(super) async fn thread(
    State(state): State<AppState>,
    Path((_, customer)): Path<(String, String)>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    thread_page(&state, &who, &tenant, &customer, None).await
}

/// Gives the conversation back to the bot.
pub(super) async fn release(
    State(state): State<AppState>,
    Path((_, customer)): Path<(String, String)>,
    TenantForm { who, tenant, fields: _ }: TenantForm,
) -> Result<Response, ApiError> {
    let outcome = state.services.release_handoff(tenant.id, &customer, who.actor()).await;
    let flash = Flash::of(outcome, |()| "The bot answers this customer again.".to_owned())?;
    thread_page(&state, &who, &tenant, &customer, Some(&flash)).await
}
