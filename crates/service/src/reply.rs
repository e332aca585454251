//! A deliberately simple reply, until the reply engine issue replaces it: the tenant's best
//! FAQ by plain word overlap, a greeting for a greeting, otherwise the tenant's help reply
//! or an honest fallback with the escalation contact. One function, so the engine can
//! replace it without touching the worker.

use crate::TenantRuntime;
use alphadome_core::training::DataType;
use alphadome_core::whatsapp::MessageKind;
use alphadome_store::TrainingEntry;
use std::collections::HashSet;

/// What the bot answers, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The text to send.
    pub text: String,
    /// `faq`, `canned_reply` or `fallback`.
    pub source: &'static str,
    /// The training entry used, if any.
    pub training_data_id: Option<uuid::Uuid>,
}

const GREETINGS: &[&str] =
    &["hi", "hello", "hey", "habari", "niaje", "mambo", "jambo", "hujambo", "sasa", "salaam"];
/// Share of an FAQ question's words the message must contain.
const MIN_OVERLAP: f64 = 0.5;

fn words(text: &str) -> HashSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 || GREETINGS.contains(w))
        .map(str::to_owned)
        .collect()
}

fn canned<'a>(entries: &'a [TrainingEntry], intent: &str) -> Option<&'a TrainingEntry> {
    entries.iter().find(|e| e.entry.data_type == DataType::CannedReply && e.entry.question == intent)
}

fn from_entry(entry: &TrainingEntry, source: &'static str) -> Reply {
    Reply { text: entry.entry.answer.clone(), source, training_data_id: Some(entry.id.0) }
}

/// The reply to a customer's message, or `None` when none is due (a reaction).
pub fn simple_reply(tenant: &TenantRuntime, kind: &MessageKind) -> Option<Reply> {
    if matches!(kind, MessageKind::Reaction { .. } | MessageKind::System { .. }) {
        return None;
    }
    let Some(text) = kind.text() else {
        let text = "I can only read text messages for now. Please type your question.".to_owned();
        return Some(Reply { text, source: "fallback", training_data_id: None });
    };
    let entries = &tenant.training;
    let said = words(text);
    let only_greeting = !said.is_empty() && said.iter().all(|w| GREETINGS.contains(&w.as_str()));
    if only_greeting && let Some(greeting) = canned(entries, "greeting") {
        return Some(from_entry(greeting, "canned_reply"));
    }
    let best = entries
        .iter()
        .filter(|e| e.entry.data_type == DataType::Faq)
        .map(|e| {
            let asked = words(&e.entry.question);
            let shared = asked.intersection(&said).count() as f64;
            (shared / asked.len().max(1) as f64, e.entry.priority, e)
        })
        .filter(|(score, _, _)| *score >= MIN_OVERLAP)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    if let Some((_, _, entry)) = best {
        return Some(from_entry(entry, "faq"));
    }
    Some(fallback(tenant))
}

fn fallback(tenant: &TenantRuntime) -> Reply {
    if let Some(help) = canned(&tenant.training, "help") {
        return from_entry(help, "fallback");
    }
    let contact = tenant
        .settings
        .escalation_phone
        .as_ref()
        .map(|p| format!(" You can reach a person on +{p}."))
        .unwrap_or_default();
    let text = format!("Sorry, I don't know the answer to that yet.{contact}");
    Reply { text, source: "fallback", training_data_id: None }
}
