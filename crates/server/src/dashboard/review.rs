//! The review queue: drafts from training mode and questions the bot could not answer, each
//! turned into a training entry (or dismissed) in one step.

use super::layout::{csrf_field, tenant_page};
use super::{Flash, TenantForm, TenantPage, Visitor, answer, not_found};
use crate::{ApiError, AppState};
use alphadome_core::training::TrainingFields;
use alphadome_store::Tenant;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::html;
use uuid::Uuid;

/// Items shown at once.
const ITEMS: i64 = 50;

async fn queue(
    state: &AppState,
    who: &Visitor,
    tenant: &Tenant,
    flash: Option<&Flash>,
) -> Result<Response, ApiError> {
    let items = state.services.review_queue(tenant.id, ITEMS).await?;
    let base = format!("/dashboard/t/{}/review", tenant.slug.as_str());
    let body = html! {
        @if let Some(flash) = flash { (flash.render()) }
        p { "Write the answer the bot should give, and it will give it from now on." }
        @if items.is_empty() { p #empty { "Nothing to review." } }
        @for item in &items {
            article.card {
                p {
                    @if item.draft { span.badge { "draft" } } @else { span.badge.warn { "unanswered" } }
                    " " small { (item.created_at.format("%Y-%m-%d %H:%M")) @if let Some(c) = &item.customer { " · +" (c) } }
                }
                form method="post" action={ (base) "/" (item.id) } {
                    (csrf_field(who))
                    @let q = format!("question-{}", item.id);
                    @let a = format!("answer-{}", item.id);
                    label for=(q) { "Customer asked" }
                    input id=(q) name="question" value=(item.question) required;
                    label for=(a) { "Answer" }
                    textarea id=(a) name="answer" required {
                        @if item.draft { (item.reply.as_deref().unwrap_or("")) }
                    }
                    p {
                        button type="submit" name="action" value="learn" { "Save as FAQ" } " "
                        button.secondary type="submit" name="action" value="dismiss" { "Dismiss" }
                    }
                }
            }
        }
    };
    Ok(answer(flash, tenant_page(who, tenant, "/review", "Review", body)))
}

pub(super) async fn page(
    State(state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    queue(&state, &who, &tenant, None).await
}

/// Learns from an item (a new FAQ entry) or dismisses it.
pub(super) async fn decide(
    State(state): State<AppState>,
    Path((_, id)): Path<(String, String)>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let Ok(id) = id.parse::<Uuid>() else { return Ok(not_found(&who)) };
    let flash = if fields.get("action") == "dismiss" {
        let outcome = state.services.dismiss_review(tenant.id, id, who.actor()).await;
        Flash::of(outcome, |()| "Dismissed.".to_owned())?
    } else {
        let entry = TrainingFields {
            data_type: Some("faq".to_owned()),
            question: Some(fields.get("question").to_owned()),
            answer: Some(fields.get("answer").to_owned()),
            ..TrainingFields::default()
        };
        let outcome = state.services.learn_from_review(tenant.id, id, &entry, who.actor()).await;
        Flash::of(outcome, |e| format!("Learned: “{}”.", e.entry.question))?
    };
    queue(&state, &who, &tenant, Some(&flash)).await
}
