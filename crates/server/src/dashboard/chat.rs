//! The test chat: the owner writes as a customer would and sees each reply with why the bot
//! gave it (source, matched entry, score), through the same engine WhatsApp messages take,
//! without WhatsApp and without logging anything.

use super::layout::{csrf_field, tenant_page};
use super::{Flash, TenantForm, TenantPage, Visitor, answer};
use crate::{ApiError, AppState};
use alphadome_store::Tenant;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

/// Exchanges kept on the page (carried in the form, newest last).
const KEPT: usize = 10;

/// One question and the bot's answer, as shown.
#[derive(Serialize, Deserialize)]
struct Exchange {
    asked: String,
    reply: Option<String>,
    why: String,
}

fn chat_page(who: &Visitor, tenant: &Tenant, exchanges: &[Exchange], flash: Option<&Flash>) -> Markup {
    let body = html! {
        p { "Write as a customer would. Nothing is sent or logged." }
        @if let Some(flash) = flash { (flash.render()) }
        section #transcript aria-live="polite" {
            @for e in exchanges {
                div.msg.incoming { (e.asked) }
                div.msg.outgoing {
                    @match &e.reply { Some(reply) => (reply), None => em { "(no reply)" } }
                    small.why { (e.why) }
                }
            }
        }
        form method="post" {
            (csrf_field(who))
            @for e in exchanges.iter().rev().take(KEPT).rev() {
                input type="hidden" name="turn" value=(serde_json::to_string(e).unwrap_or_default());
            }
            label for="message" { "Message" }
            input id="message" name="message" autocomplete="off" autofocus required;
            p { button type="submit" { "Send" } }
        }
    };
    tenant_page(who, tenant, "/chat", "Test chat", body)
}

pub(super) async fn page(
    State(_state): State<AppState>,
    TenantPage { who, tenant }: TenantPage,
) -> Result<Response, ApiError> {
    Ok(answer(None, chat_page(&who, &tenant, &[], None)))
}

pub(super) async fn ask(
    State(state): State<AppState>,
    TenantForm { who, tenant, fields }: TenantForm,
) -> Result<Response, ApiError> {
    let mut exchanges: Vec<Exchange> = fields
        .0
        .iter()
        .filter(|(k, _)| k == "turn")
        .filter_map(|(_, v)| serde_json::from_str(v).ok())
        .collect();
    let asked = fields.get("message").to_owned();
    let flash = match state.services.simulate(tenant.id, &asked).await {
        Ok(out) => {
            let why = why(&out);
            exchanges.push(Exchange { asked, reply: out.reply, why });
            None
        }
        Err(e) => Some(Flash::refused(e)?),
    };
    Ok(answer(flash.as_ref(), chat_page(&who, &tenant, &exchanges, flash.as_ref())))
}

/// Why the bot answered so, in a line: source, matched entry, score, persona.
fn why(out: &alphadome_service::engine::SimulateOut) -> String {
    let mut why = format!("source: {}", out.source.as_str());
    if let Some(question) = &out.matched_question {
        why.push_str(&format!(" · matched: “{question}”"));
    }
    if let Some(score) = out.score {
        why.push_str(&format!(" · score {score:.2}"));
    }
    if let Some(template) = &out.template_used {
        why.push_str(&format!(" · persona: {template}"));
    }
    why
}
