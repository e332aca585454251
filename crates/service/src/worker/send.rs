//! Sending a decided reply: the guards before it (24-hour window, limits), the bracketed send
//! through the Graph API, and what each kind of failure leads to.

use super::guards::limit_state;
use super::{LIMIT_NOTICE_TEXT, Limit, OUTSIDE_WINDOW, RECEIPT_POLL, Worker, outgoing, store};
use crate::engine::Source;
use crate::graph::{Content, Message, SendError};
use crate::{Result, TenantRuntime};
use alphadome_store::{ClaimedJob, OutgoingReply, PendingReply, RecentReplies, ReplyJob, TenantScope};
use chrono::Duration;

impl Worker {
    /// Checks the window and the limits, then sends `reply` (or the limit notice).
    pub(super) async fn answer(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        tenant: &TenantRuntime,
        payload: &ReplyJob,
        mut outgoing: PendingReply,
        recent: Option<RecentReplies>,
    ) -> Result<()> {
        let job = &claimed.job;
        // The replies counted exist exactly when the customer has an id.
        let (Some(recent), Some(_)) = (recent, &tenant.tenant.profile.whatsapp_phone_number_id) else {
            let error = "the tenant has no WhatsApp number, or the customer no id";
            return self.log_unsent(scope, claimed, payload, &outgoing, error).await;
        };
        if !self.window_open(scope, payload).await? {
            let Some(template) = &tenant.settings.reengagement_template else {
                tracing::info!(tenant.id = %claimed.tenant, "outside the 24-hour window: no free-text reply");
                return self.log_unsent(scope, claimed, payload, &outgoing, OUTSIDE_WINDOW).await;
            };
            // Only an approved template may reach a customer after 24 hours.
            tracing::info!(tenant.id = %claimed.tenant, template, "outside the 24-hour window: re-engagement template");
            let language = tenant.settings.reengagement_language.clone();
            outgoing = PendingReply {
                text: format!("[template {template}]"),
                source: "reengagement".to_owned(),
                training_data_id: None,
                template_used: Some(template.clone()),
                score: None,
                whatsapp_template: Some((template.clone(), language)),
            };
        }
        match limit_state(tenant, &recent) {
            Limit::Under => {}
            Limit::FirstHit => {
                outgoing = PendingReply {
                    text: LIMIT_NOTICE_TEXT.to_owned(),
                    source: Source::RateLimited.as_str().to_owned(),
                    training_data_id: None,
                    template_used: Some(alphadome_store::LIMIT_NOTICE.to_owned()),
                    score: None,
                    whatsapp_template: None,
                };
            }
            Limit::Noticed => {
                tracing::info!(tenant.id = %claimed.tenant, "message limit reached: logged, not answered");
                return store(scope.complete_job(job.id).await);
            }
        }
        self.send(scope, claimed, tenant, payload, &outgoing).await
    }

    /// Hands the reply to Meta and records the outcome.
    pub(super) async fn send(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        tenant: &TenantRuntime,
        payload: &ReplyJob,
        reply: &PendingReply,
    ) -> Result<()> {
        let job = &claimed.job;
        let Some(token) = self.token(tenant) else {
            return self.log_unsent(scope, claimed, payload, reply, "no usable WhatsApp access token").await;
        };
        let number = tenant.tenant.profile.whatsapp_phone_number_id.as_deref().unwrap_or_default();
        self.pacer.wait(number, tenant.settings.whatsapp_messages_per_second).await;
        self.services.after_deliveries().await;
        store(scope.begin_send(job.id, reply).await)?;
        let callback = job.id.to_string();
        let content = match &reply.whatsapp_template {
            Some((name, language)) => Content::Template { name, language },
            None => Content::Text(&reply.text),
        };
        let message = Message {
            to: &payload.customer,
            content,
            reply_to: Some(&payload.wamid),
            callback_data: Some(&callback),
        };
        let (read, sent) = tokio::join!(
            self.graph.mark_read(number, &token, &payload.wamid),
            self.graph.send(number, &token, &message),
        );
        if let Err(e) = read {
            tracing::debug!(tenant.id = %claimed.tenant, error = %e, "read receipt not sent");
        }
        let mut outcome = outgoing(job.id, payload, reply);
        self.services.after_deliveries().await;
        match sent {
            Ok(wamid) => {
                tracing::info!(tenant.id = %claimed.tenant, wa.message_id = %wamid, source = %reply.source, "reply sent");
                outcome.wamid = Some(&wamid);
                outcome.status = "sent";
                store(scope.finish_reply(&outcome).await)
            }
            Err(e) => self.send_failed(scope, claimed, outcome, e).await,
        }
    }

    /// Classifies a failed send: pause the tenant, try again later, or give up.
    pub(super) async fn send_failed(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        mut outcome: OutgoingReply<'_>,
        e: SendError,
    ) -> Result<()> {
        let job = &claimed.job;
        match e {
            SendError::InvalidToken { ref message } => {
                // Pause the tenant: its jobs (this one included) wait for a new token.
                tracing::error!(tenant.id = %claimed.tenant, %message, "ALERT: Meta rejected the tenant's WhatsApp token; sends paused");
                store(scope.set_token_broken(Some(alphadome_store::now()), "worker").await)?;
                store(scope.retry_job(job.id, alphadome_store::now(), "190: access token rejected").await)
            }
            SendError::Unknown { ref message } => {
                // Meta may have the reply: settle it from its receipts before sending again.
                tracing::warn!(tenant.id = %claimed.tenant, job.id = %job.id, %message, "send outcome unknown; awaiting receipts");
                let note = format!("outcome unknown ({message}): waiting for Meta's receipts");
                store(scope.await_receipts(job.id, alphadome_store::now() + RECEIPT_POLL, &note).await)
            }
            SendError::Transient { retry_after, ref message, code }
                if job.attempts < self.retry.max_attempts =>
            {
                let delay = self.retry.delay(job.attempts, retry_after);
                let next = alphadome_store::now() + Duration::from_std(delay).unwrap_or_default();
                let error = format!("attempt {}: {} ({code:?})", job.attempts, message);
                tracing::warn!(tenant.id = %claimed.tenant, job.id = %job.id, %error, "send failed; will retry");
                store(scope.retry_job(job.id, next, &error).await)
            }
            e => {
                let error = e.to_string();
                tracing::warn!(tenant.id = %claimed.tenant, job.id = %job.id, %error, "send failed for good");
                outcome.error = Some(&error);
                store(scope.finish_reply(&outcome).await)
            }
        }
    }

    /// Logs a reply that could not be sent, with why, and closes the job.
    pub(super) async fn log_unsent(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        payload: &ReplyJob,
        reply: &PendingReply,
        error: &str,
    ) -> Result<()> {
        self.log_outcome(scope, claimed, payload, reply, "failed", Some(error)).await
    }

    /// Logs a reply drafted in training mode (for the owner's review queue), and closes the job.
    pub(super) async fn log_draft(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        payload: &ReplyJob,
        reply: &PendingReply,
    ) -> Result<()> {
        let mut outcome = outgoing(claimed.job.id, payload, reply);
        outcome.status = "skipped";
        outcome.draft = true;
        store(scope.finish_reply(&outcome).await)
    }

    /// Logs the decision on a message that got no reply, and closes the job.
    pub(super) async fn log_outcome(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        payload: &ReplyJob,
        reply: &PendingReply,
        status: &str,
        error: Option<&str>,
    ) -> Result<()> {
        let mut outcome = outgoing(claimed.job.id, payload, reply);
        outcome.status = status;
        outcome.error = error;
        store(scope.finish_reply(&outcome).await)
    }
}
