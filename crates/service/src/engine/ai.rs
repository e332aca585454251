//! Answers from the tenant's own AI model, through any OpenAI-compatible Chat Completions
//! endpoint (OpenAI, OpenRouter, Hugging Face's router, Ollama, llama.cpp, …).
//!
//! The prompt holds only this tenant's persona (its default template), the entries of its
//! own knowledge closest to the question (grounding), and the recent turns with this one
//! customer. Every call's token usage is recorded; once the tenant's monthly budget is
//! spent, no call is made. Timeouts, errors and refusals return `None`, and the engine falls
//! back to its honest fallback.

use super::{Decision, Source};
use crate::{Services, TenantRuntime};
use alphadome_core::tenant::AiProvider;
use alphadome_crypto::{ExposeSecret, SecretString};
use alphadome_store::{AiCall, TenantScope};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde::Deserialize;
use serde_json::json;

/// Calls Chat Completions endpoints. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AiClient {
    http: reqwest::Client,
}

impl Default for AiClient {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self { http }
    }
}

/// How long a customer may wait for the model before the fallback answers instead.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// Entries of the tenant's knowledge given to the model as grounding.
const GROUNDING: usize = 3;
/// Earlier messages with the customer the model sees (within the last day).
const MEMORY_TURNS: i64 = 6;

/// One message of the prompt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: &'static str,
    /// Its text.
    pub content: String,
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
    refusal: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy)]
struct Usage {
    #[serde(default)]
    prompt_tokens: i64,
    #[serde(default)]
    completion_tokens: i64,
}

/// The base URL of a provider's OpenAI-compatible API (a tenant's `ai_base_url` wins).
pub fn base_url(provider: AiProvider, configured: Option<&str>) -> Option<String> {
    if let Some(url) = configured.map(str::trim).filter(|u| !u.is_empty()) {
        return Some(url.trim_end_matches('/').to_owned());
    }
    match provider {
        AiProvider::Openai => Some("https://api.openai.com/v1".into()),
        AiProvider::Openrouter => Some("https://openrouter.ai/api/v1".into()),
        AiProvider::Huggingface => Some("https://router.huggingface.co/v1".into()),
        AiProvider::Custom => None,
    }
}

/// What one call came to.
struct Called {
    text: Option<String>,
    usage: Usage,
    outcome: &'static str,
}

impl AiClient {
    async fn complete(
        &self,
        url: &str,
        key: Option<&SecretString>,
        model: &str,
        messages: &[ChatMessage],
        max_tokens: i32,
    ) -> Called {
        let body =
            json!({ "model": model, "messages": messages, "max_tokens": max_tokens, "temperature": 0.3 });
        let mut request = self.http.post(format!("{url}/chat/completions")).json(&body);
        if let Some(key) = key {
            request = request.bearer_auth(key.expose_secret());
        }
        let failed = |outcome| Called { text: None, usage: Usage::default(), outcome };
        let response = match request.send().await {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => {
                tracing::warn!(status = r.status().as_u16(), "the AI provider answered with an error");
                return failed("failed");
            }
            Err(e) if e.is_timeout() => return failed("timeout"),
            Err(e) => {
                tracing::warn!(error = %e.without_url(), "the AI provider could not be reached");
                return failed("failed");
            }
        };
        let Ok(completion) = response.json::<Completion>().await else { return failed("failed") };
        let usage = completion.usage.unwrap_or_default();
        let choice = completion.choices.into_iter().next();
        let refused = choice.as_ref().is_some_and(|c| {
            c.finish_reason.as_deref() == Some("content_filter")
                || c.message.as_ref().is_some_and(|m| m.refusal.is_some())
        });
        let text = choice
            .and_then(|c| c.message)
            .and_then(|m| m.content)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty() && !refused);
        let outcome = if text.is_some() { "answered" } else { "refused" };
        Called { text, usage, outcome }
    }
}

impl Services {
    /// The tenant's AI model's answer to `text`, if AI is on, configured, within budget, and
    /// the model answers in time.
    pub(super) async fn ai_answer(
        &self,
        tenant: &TenantRuntime,
        customer: Option<&str>,
        text: &str,
    ) -> Option<Decision> {
        let t = &tenant.tenant;
        let (Some(provider), Some(model)) = (t.profile.ai_provider, t.profile.ai_model.as_deref()) else {
            return None;
        };
        if !tenant.settings.enable_ai_responses {
            return None;
        }
        let url = base_url(provider, t.profile.ai_base_url.as_deref())?;
        let scope = self.store.tenant(t.id);
        if !self.ai_budget_left(&scope, tenant).await {
            tracing::info!(tenant.id = %t.id, "monthly AI budget spent: answering without AI");
            return None;
        }
        // A self-hosted model (custom) may need no key; the hosted providers do.
        let key = match &tenant.ai_key {
            Some(key) => Some(key.clone()),
            None if provider == AiProvider::Custom && t.secrets.ai_api_key.is_none() => None,
            None => return None,
        };
        let messages = self.prompt(&scope, tenant, customer, text).await;
        let max_length = tenant.template.as_ref().map_or(500, |t| t.fields.max_response_length);
        // About four characters per token, with room for the model to finish a sentence.
        let max_tokens = (max_length / 3).max(32);
        let called = self.ai.complete(&url, key.as_ref(), model, &messages, max_tokens).await;
        let call = AiCall {
            model,
            prompt_tokens: called.usage.prompt_tokens,
            completion_tokens: called.usage.completion_tokens,
            outcome: called.outcome,
        };
        if let Err(e) = scope.record_ai_call(&call).await {
            tracing::warn!(tenant.id = %t.id, error = %e, "AI usage not recorded");
        }
        let answer = called.text?;
        Some(Decision {
            template_used: tenant.template.as_ref().map(|t| t.fields.template_name.clone()),
            ..Decision::say(cut_at_sentence(&answer, max_length), Source::Ai)
        })
    }

    async fn ai_budget_left(&self, scope: &TenantScope<'_>, tenant: &TenantRuntime) -> bool {
        let budget = i64::from(tenant.settings.ai_monthly_token_budget);
        match scope.ai_tokens_since(month_start(Utc::now())).await {
            Ok(used) => used < budget,
            Err(e) => {
                tracing::warn!(error = %e, "AI usage unknown: not calling the model");
                false
            }
        }
    }

    /// Persona, grounding and memory: everything from this tenant and this customer only.
    async fn prompt(
        &self,
        scope: &TenantScope<'_>,
        tenant: &TenantRuntime,
        customer: Option<&str>,
        text: &str,
    ) -> Vec<ChatMessage> {
        let mut messages = vec![ChatMessage { role: "system", content: system_prompt(tenant, text) }];
        let since = Utc::now() - Duration::hours(24);
        let mut turns = match customer {
            Some(customer) => scope.recent_turns(customer, since, MEMORY_TURNS + 1).await.unwrap_or_default(),
            None => Vec::new(),
        };
        // The message being answered is usually logged already; it goes last, once.
        if turns.last().is_some_and(|t| t.direction == "incoming" && t.message_text == text) {
            turns.pop();
        }
        let skip = turns.len().saturating_sub(MEMORY_TURNS as usize);
        for turn in turns.into_iter().skip(skip) {
            let role = if turn.direction == "incoming" { "user" } else { "assistant" };
            messages.push(ChatMessage { role, content: turn.message_text });
        }
        messages.push(ChatMessage { role: "user", content: text.to_owned() });
        messages
    }
}

fn system_prompt(tenant: &TenantRuntime, text: &str) -> String {
    let name = &tenant.tenant.profile.client_name;
    let mut prompt = match &tenant.template {
        Some(t) => {
            let mut p = t.fields.system_prompt.clone();
            p.push_str(&format!("\n\nTone: {}.", t.fields.tone));
            let context = &t.fields.conversation_context;
            if context.as_object().is_some_and(|o| !o.is_empty()) {
                p.push_str(&format!("\nContext: {context}"));
            }
            p
        }
        None => format!("You are the WhatsApp assistant of {name}."),
    };
    let grounding = tenant.knowledge.closest(text, GROUNDING);
    if !grounding.is_empty() {
        prompt.push_str(&format!(
            "\n\nFacts from {name} (use only these; never invent prices, stock or contacts):"
        ));
        for m in grounding {
            prompt.push_str(&format!("\n- Q: {}\n  A: {}", m.question, m.answer));
        }
    }
    prompt.push_str("\n\nIf these facts do not answer the customer, say honestly that you don't know and offer to connect them with a person.");
    prompt
}

/// `text` cut to at most `max` characters, at the end of a sentence when there is one.
pub fn cut_at_sentence(text: &str, max: i32) -> String {
    let max = usize::try_from(max).unwrap_or(0).max(1);
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let head: String = text.chars().take(max).collect();
    match head.rfind(['.', '!', '?']) {
        Some(end) if end > 0 => head[..=end].to_owned(),
        _ => match head.rfind(' ') {
            Some(space) if space > 0 => format!("{}…", head[..space].trim_end()),
            _ => head,
        },
    }
}

/// The start of `now`'s calendar month (UTC): the AI budget is counted from here.
pub fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0).single().unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_cut_at_a_sentence_boundary() {
        let text = "We open at 9am. We close at 6pm. Sundays we rest.";
        assert_eq!(cut_at_sentence(text, 100), text);
        assert_eq!(cut_at_sentence(text, 35), "We open at 9am. We close at 6pm.");
        assert_eq!(cut_at_sentence("one two three four", 9), "one two…");
        assert_eq!(cut_at_sentence("Karibu sana!", 5), "Karib");
    }

    #[test]
    fn providers_have_their_base_urls_and_a_configured_one_wins() {
        assert_eq!(base_url(AiProvider::Openai, None).unwrap(), "https://api.openai.com/v1");
        assert_eq!(base_url(AiProvider::Custom, None), None);
        assert_eq!(
            base_url(AiProvider::Custom, Some("http://127.0.0.1:11434/v1/")).unwrap(),
            "http://127.0.0.1:11434/v1"
        );
    }
}
