//! The reply engine: what the bot answers to a customer's message, and why. One decision
//! pipeline, shared by the WhatsApp worker, `alphadome chat` and the simulate endpoint:
//!
//! 1. the bot is off (tenant inactive or `is_bot_enabled` false) → no reply (`disabled`);
//! 2. the conversation is with a person (`handoff`) → no reply;
//! 3. reactions and system notices → no reply; media → ask for text (`fallback`);
//! 4. a message that is only a greeting, thanks, help, goodbye or a request for a person →
//!    the tenant's canned reply for it (`canned_reply`; a request for a person also hands
//!    the conversation over);
//! 5. retrieval over the tenant's FAQ and example entries, answering only above a calibrated
//!    threshold (`faq`);
//! 6. the tenant's AI model, when `enable_ai_responses` and a provider are set (`ai`);
//! 7. an honest "I don't know" with the escalation contact (`fallback`).
//!
//! Message limits and WhatsApp's 24-hour window are about sending, so the worker applies
//! them after the decision (`rate_limited`).

mod ai;
pub use ai::month_start;
mod knowledge;

pub use ai::{AiClient, ChatMessage, base_url, cut_at_sentence};
pub use knowledge::{Canned, Knowledge, Match};

use crate::TenantRuntime;
use alphadome_core::whatsapp::MessageKind;
use alphadome_retrieval::Intent;
use uuid::Uuid;

/// Why the bot answered as it did (recorded with every decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A training FAQ or example matched.
    Faq,
    /// A canned reply to an intent.
    CannedReply,
    /// The tenant's AI model wrote it.
    Ai,
    /// Nothing matched: the honest fallback.
    Fallback,
    /// A message limit was hit.
    RateLimited,
    /// The bot is switched off.
    Disabled,
    /// A person has the conversation.
    Handoff,
}

impl Source {
    /// The name stored in the message log.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Faq => "faq",
            Source::CannedReply => "canned_reply",
            Source::Ai => "ai",
            Source::Fallback => "fallback",
            Source::RateLimited => "rate_limited",
            Source::Disabled => "disabled",
            Source::Handoff => "handoff",
        }
    }
}

/// What the bot does with one message.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The reply, or `None` when the bot stays silent.
    pub text: Option<String>,
    /// Why.
    pub source: Source,
    /// The training entry used, if any.
    pub training_data_id: Option<Uuid>,
    /// The template (persona) used, if any.
    pub template_used: Option<String>,
    /// The retrieval score, when retrieval decided.
    pub score: Option<f64>,
    /// When this message hands the conversation to a person: why (`requested` or
    /// `auto_reply_off`).
    pub hand_off: Option<&'static str>,
}

impl Decision {
    fn silent(source: Source) -> Self {
        Self { text: None, source, training_data_id: None, template_used: None, score: None, hand_off: None }
    }

    fn say(text: impl Into<String>, source: Source) -> Self {
        Self { text: Some(text.into()), ..Self::silent(source) }
    }

    fn from_canned(canned: &Canned) -> Self {
        Self { training_data_id: Some(canned.id), ..Self::say(&canned.text, Source::CannedReply) }
    }
}

/// What the bot says to a photo, voice note or document.
const TEXT_ONLY: &str = "I can only read text messages for now. Please type your question.";

/// Decides without the AI model: everything up to and including retrieval. `Err` carries
/// the text the AI model may try (nothing the tenant wrote answers it).
pub fn decide_locally(
    tenant: &TenantRuntime,
    kind: &MessageKind,
    in_handoff: bool,
) -> Result<Decision, String> {
    let profile = &tenant.tenant.profile;
    if !profile.is_active || !tenant.settings.is_bot_enabled {
        return Ok(Decision::silent(Source::Disabled));
    }
    if in_handoff {
        return Ok(Decision::silent(Source::Handoff));
    }
    if !tenant.settings.enable_auto_reply {
        // The owner answers everyone himself: say once who will reply, then stay quiet.
        return Ok(Decision {
            hand_off: Some("auto_reply_off"),
            ..Decision::say(handoff_text(tenant), Source::Handoff)
        });
    }
    if matches!(kind, MessageKind::Reaction { .. } | MessageKind::System { .. }) {
        return Ok(Decision::silent(Source::Fallback));
    }
    let Some(text) = kind.text() else {
        return Ok(Decision::say(TEXT_ONLY, Source::Fallback));
    };
    if let Some(intent) = alphadome_retrieval::intent(text) {
        return Ok(canned_for(tenant, intent));
    }
    match tenant.knowledge.answer(text) {
        Some(m) => Ok(Decision {
            training_data_id: Some(m.id),
            score: Some(m.score),
            ..Decision::say(m.answer, Source::Faq)
        }),
        None => Err(text.to_owned()),
    }
}

/// The reply to a bare intent: the tenant's own canned reply, or a sensible default.
fn canned_for(tenant: &TenantRuntime, intent: Intent) -> Decision {
    let mut decision = match tenant.knowledge.canned(intent) {
        Some(canned) => Decision::from_canned(canned),
        None => match intent {
            Intent::Human => Decision::say(handoff_text(tenant), Source::CannedReply),
            Intent::Help => fallback(tenant),
            Intent::Greeting => Decision::say(
                format!("Hello! Welcome to {}. How can we help you?", tenant.tenant.profile.client_name),
                Source::CannedReply,
            ),
            Intent::Thanks => Decision::say("You're welcome!", Source::CannedReply),
            Intent::Goodbye => Decision::say("Goodbye, and thank you!", Source::CannedReply),
        },
    };
    if intent == Intent::Human {
        decision.hand_off = Some("requested");
    }
    decision
}

/// Who will answer once the conversation is handed to a person.
fn handoff_text(tenant: &TenantRuntime) -> String {
    match contact(tenant) {
        Some(contact) => format!("A person from our team will reply to you soon.{contact}"),
        None => "A person from our team will reply to you soon.".to_owned(),
    }
}

fn contact(tenant: &TenantRuntime) -> Option<String> {
    let s = &tenant.settings;
    match (&s.escalation_phone, &s.escalation_email) {
        (Some(phone), _) => Some(format!(" You can also reach us on +{phone}.")),
        (None, Some(email)) => Some(format!(" You can also write to {email}.")),
        (None, None) => None,
    }
}

/// The honest answer when nothing the tenant wrote (nor its AI model) answers.
pub fn fallback(tenant: &TenantRuntime) -> Decision {
    if let Some(help) = tenant.knowledge.canned(Intent::Help) {
        return Decision { source: Source::Fallback, ..Decision::from_canned(help) };
    }
    let text = format!("Sorry, I don't know the answer to that yet.{}", contact(tenant).unwrap_or_default());
    Decision::say(text, Source::Fallback)
}

/// Who a message is from, as the decision needs it.
#[derive(Debug, Clone, Copy)]
pub struct Customer<'a> {
    /// The customer's id (`wa_id` or user id).
    pub id: &'a str,
    /// Since when a person has the conversation, if one has it (the worker has it, with the
    /// message limits, from the job's claim: `ClaimedJob::standing`).
    pub handoff_since: Option<chrono::DateTime<chrono::Utc>>,
}

impl crate::Services {
    /// The bot's decision on one message from `customer` (`None`: a simulated customer,
    /// with no hand-off and no history).
    pub async fn decide(
        &self,
        tenant: &TenantRuntime,
        customer: Option<Customer<'_>>,
        kind: &MessageKind,
    ) -> crate::Result<Decision> {
        let in_handoff = match customer {
            Some(customer) => self.in_handoff(tenant, customer).await?,
            None => false,
        };
        match decide_locally(tenant, kind, in_handoff) {
            Ok(decision) => Ok(decision),
            Err(unanswered) => match self.ai_answer(tenant, customer.map(|c| c.id), &unanswered).await {
                Some(decision) => Ok(decision),
                None => Ok(fallback(tenant)),
            },
        }
    }
}

/// A customer's message to try the bot with, as the simulate endpoint takes it.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateIn {
    /// What the customer writes (required).
    #[serde(default)]
    pub message: Option<String>,
}

/// What the bot would answer, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SimulateOut {
    /// The reply (`null` when the bot would stay silent).
    pub reply: Option<String>,
    /// `faq`, `canned_reply`, `ai`, `fallback`, `disabled` or `handoff`.
    pub source: Source,
    /// The training entry used, if any.
    pub training_data_id: Option<Uuid>,
    /// That entry's question.
    pub matched_question: Option<String>,
    /// The retrieval score (0–1), when retrieval answered.
    pub score: Option<f64>,
    /// The template used, if any.
    pub template_used: Option<String>,
}

impl crate::Services {
    /// What the bot would answer to `message` right now, using exactly the pipeline the
    /// worker uses; nothing is sent or recorded. Limits and hand-offs of real customers
    /// do not apply to this test customer.
    pub async fn simulate(
        &self,
        tenant: alphadome_core::TenantId,
        message: &str,
    ) -> crate::Result<SimulateOut> {
        let text = alphadome_core::error::required_text("message", message, 4096)?;
        let row = self
            .store
            .tenant_by_id(tenant)
            .await
            .map_err(|e| crate::ServiceError::from_store(e, "tenant"))?;
        let runtime = self.runtime(tenant, row.config_version).await?;
        let decision = self.decide(&runtime, None, &MessageKind::Text { body: text }).await?;
        let matched_question =
            decision.training_data_id.and_then(|id| runtime.knowledge.question_of(id)).map(str::to_owned);
        Ok(SimulateOut {
            reply: decision.text,
            source: decision.source,
            training_data_id: decision.training_data_id,
            matched_question,
            score: decision.score,
            template_used: decision.template_used,
        })
    }
}

/// How long a conversation stays with a person unless the owner hands it back sooner.
pub const HANDOFF_TIMEOUT: chrono::Duration = chrono::Duration::hours(24);

impl crate::Services {
    /// Whether a person has this customer's conversation; a hand-off older than
    /// [`HANDOFF_TIMEOUT`] goes back to the bot here.
    async fn in_handoff(&self, tenant: &TenantRuntime, customer: Customer<'_>) -> crate::Result<bool> {
        let Some(since) = customer.handoff_since else { return Ok(false) };
        if chrono::Utc::now() - since < HANDOFF_TIMEOUT {
            return Ok(true);
        }
        match self.store.tenant(tenant.tenant.id).release_handoff(customer.id, "timeout").await {
            Ok(()) | Err(alphadome_store::StoreError::NotFound) => Ok(false),
            Err(e) => Err(crate::ServiceError::from_store(e, "handoff")),
        }
    }

    /// The tenant's conversations with a person.
    pub async fn handoffs(
        &self,
        tenant: alphadome_core::TenantId,
    ) -> crate::Result<Vec<alphadome_store::Handoff>> {
        self.store.tenant(tenant).handoffs().await.map_err(|e| crate::ServiceError::from_store(e, "handoff"))
    }

    /// Gives a customer's conversation back to the bot.
    pub async fn release_handoff(
        &self,
        tenant: alphadome_core::TenantId,
        customer: &str,
        actor: &str,
    ) -> crate::Result<()> {
        self.store
            .tenant(tenant)
            .release_handoff(customer, actor)
            .await
            .map_err(|e| crate::ServiceError::from_store(e, "handoff"))
    }
}
