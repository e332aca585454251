//! The reply worker: claims queued `whatsapp.reply` jobs, decides the reply, sends it with
//! the tenant's own token, and logs the outcome. Runs inside `serve`; tests drain it with
//! [`Worker::run_until_empty`].
//!
//! Each job goes through guards (bot switched off, unknown job, outside WhatsApp's 24-hour
//! window, message limits), then the decision ([`crate::reply`]), then the send. The send
//! is bracketed in storage (`begin_send` … `finish_reply`) and carries the job id to Meta
//! as `biz_opaque_callback_data`, so a job cut off mid-send by a crash is settled from
//! Meta's receipts instead of being sent twice.

use crate::engine::{Decision, Source};
use crate::graph::{Content, GraphClient, Message, SendError};
use crate::{Result, Services, TenantRuntime};
use alphadome_core::whatsapp;
use alphadome_store::{ClaimedJob, OutgoingReply, PendingReply, REPLY_JOB, ReplyJob, TenantScope};
use chrono::Duration;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use tokio::sync::Semaphore;

/// When to try a job again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Delay before the second attempt; doubled for each later one.
    pub base: StdDuration,
    /// Longest delay.
    pub cap: StdDuration,
    /// Attempts before the job is dead.
    pub max_attempts: i32,
    /// How long a claim lasts before another worker may take the job over (its worker
    /// presumably died). Well beyond one job's worst case: a read receipt and a send, each
    /// cut off at 15 s.
    pub lease: StdDuration,
    /// How long a send cut off by a crash waits for Meta's receipts before it is sent
    /// again.
    pub receipt_wait: StdDuration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: StdDuration::from_secs(2),
            cap: StdDuration::from_secs(300),
            max_attempts: 8,
            lease: StdDuration::from_secs(60),
            receipt_wait: StdDuration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The delay after `attempt` failed: exponential with ±20% jitter, at least Meta's
    /// `Retry-After`.
    pub fn delay(&self, attempt: i32, retry_after: Option<StdDuration>) -> StdDuration {
        let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(20);
        let backoff = self.base.saturating_mul(2u32.saturating_pow(exponent)).min(self.cap);
        let jitter = f64::from(alphadome_crypto::random_bytes::<1>()[0]) / 255.0 * 0.4 + 0.8;
        backoff.mul_f64(jitter).max(retry_after.unwrap_or_default())
    }
}

/// Answers stored WhatsApp messages.
#[derive(Debug, Clone)]
pub struct Worker {
    services: Services,
    graph: GraphClient,
    retry: RetryPolicy,
    pacer: crate::pacer::Pacer,
}

/// Why a message older than WhatsApp's customer-service window got no reply, when the tenant
/// has no re-engagement template.
const OUTSIDE_WINDOW: &str =
    "131047: outside the 24-hour customer-service window and no re-engagement template is configured";

/// What a customer is told, once, when a limit is first hit.
const LIMIT_NOTICE_TEXT: &str =
    "We have received many messages and will get back to you soon. Thank you for your patience!";

/// A customer's standing against the tenant's message limits.
enum Limit {
    /// Answer normally.
    Under,
    /// Over a limit for the first time in its window: send the notice once.
    FirstHit,
    /// Over a limit and already told: log only.
    Noticed,
}

/// Jobs in progress at once (they mostly wait on Meta), and at most this many claimed from
/// one tenant per round, so a busy tenant cannot delay the others.
const IN_FLIGHT: usize = 32;
const PER_TENANT: usize = 16;

/// How often a job cut off mid-send looks for its receipts.
const RECEIPT_POLL: Duration = Duration::seconds(2);

impl Worker {
    /// A worker over the services, sending through `graph`.
    pub fn new(services: Services, graph: GraphClient, retry: RetryPolicy) -> Self {
        Self { services, graph, retry, pacer: crate::pacer::Pacer::default() }
    }

    async fn claim(&self, limit: usize) -> Result<Vec<ClaimedJob>> {
        let lease = Duration::from_std(self.retry.lease).unwrap_or(Duration::seconds(60));
        store(self.services.store.claim_jobs(limit, PER_TENANT, lease).await)
    }

    /// Claims and processes one round of due jobs; returns how many it processed.
    pub async fn run_once(&self) -> Result<usize> {
        let claimed = self.claim(IN_FLIGHT).await?;
        let count = claimed.len();
        let mut running = tokio::task::JoinSet::new();
        for job in claimed {
            let worker = self.clone();
            running.spawn(async move { worker.process_logged(&job).await });
        }
        while running.join_next().await.is_some() {}
        Ok(count)
    }

    /// Processes due jobs until none is left (for tests and for draining at shutdown).
    pub async fn run_until_empty(&self) -> Result<()> {
        while self.run_once().await? > 0 {}
        Ok(())
    }

    /// Runs until `shutdown` turns true: keeps up to [`IN_FLIGHT`] jobs going, claims more
    /// as slots free up, and sleeps (at most `idle`) when nothing is due, waking early when
    /// this process queues a job. Jobs in progress are finished first; anything not
    /// finished is picked up after restart.
    pub async fn run(self, idle: StdDuration, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        while !*shutdown.borrow() {
            let Ok(first) = slots.clone().acquire_owned().await else { break };
            let free = slots.available_permits() + 1;
            let claimed = self.claim(free).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "claiming jobs failed");
                Vec::new()
            });
            if claimed.is_empty() {
                drop(first);
                tokio::select! {
                    () = tokio::time::sleep(idle) => {}
                    () = self.services.jobs_queued() => {}
                    _ = shutdown.changed() => {}
                }
                continue;
            }
            let mut permit = Some(first);
            for job in claimed {
                let Some(slot) = permit.take().or_else(|| slots.clone().try_acquire_owned().ok()) else {
                    break;
                };
                let worker = self.clone();
                tokio::spawn(async move {
                    worker.process_logged(&job).await;
                    drop(slot);
                });
            }
        }
        // Wait for the jobs in progress.
        let _all = slots.acquire_many(IN_FLIGHT as u32).await;
    }

    async fn process_logged(&self, job: &ClaimedJob) {
        if let Err(e) = self.process(job).await {
            // Left leased: it becomes due again when the lease runs out.
            tracing::error!(tenant.id = %job.tenant, job.id = %job.job.id, error = %e, "job failed unexpectedly");
        }
    }

    async fn process(&self, claimed: &ClaimedJob) -> Result<()> {
        let scope = self.services.store.tenant(claimed.tenant);
        let job = &claimed.job;
        let payload = (job.kind == REPLY_JOB)
            .then(|| serde_json::from_value::<ReplyJob>(job.payload.0.clone()).ok())
            .flatten();
        let Some(payload) = payload else {
            return store(scope.kill_job(job.id, "unknown job").await);
        };
        let tenant = self.services.runtime(claimed.tenant, claimed.config_version).await?;
        if job.send_started_at.is_some() {
            return self.reconcile(&scope, claimed, &tenant, &payload).await;
        }
        let kind = whatsapp::kind(&payload.message);
        let customer = Some(payload.customer.as_str()).filter(|c| !c.is_empty());
        let decision = self.services.decide(&tenant, customer, &kind).await?;
        if let (Some(reason), Some(customer)) = (decision.hand_off, customer) {
            tracing::info!(tenant.id = %claimed.tenant, reason, "conversation handed to a person");
            store(scope.start_handoff(customer, reason).await)?;
        }
        let Some(text) = decision.text.clone() else {
            if matches!(decision.source, Source::Disabled | Source::Handoff) {
                tracing::info!(tenant.id = %claimed.tenant, source = decision.source.as_str(), "no reply: logged");
                let reply = pending(&decision, String::new());
                return self.log_outcome(&scope, claimed, &payload, &reply, "skipped", None).await;
            }
            return store(scope.complete_job(job.id).await);
        };
        self.answer(&scope, claimed, &tenant, &payload, pending(&decision, text)).await
    }

    /// Checks the window and the limits, then sends `reply` (or the limit notice).
    async fn answer(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        tenant: &TenantRuntime,
        payload: &ReplyJob,
        mut outgoing: PendingReply,
    ) -> Result<()> {
        let job = &claimed.job;
        if payload.customer.is_empty() || tenant.tenant.profile.whatsapp_phone_number_id.is_none() {
            let error = "the tenant has no WhatsApp number, or the customer no id";
            return self.log_unsent(scope, claimed, payload, &outgoing, error).await;
        }
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
        match self.limit_state(scope, tenant, &payload.customer).await? {
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
    async fn send(
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
    async fn send_failed(
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

    /// Settles a job whose send has no known outcome: the process died between handing the
    /// reply to Meta and logging it, or Meta's answer never came back (a timeout after
    /// connecting). Meta's receipts carry the job id: if one arrived, the reply went out and
    /// is logged now; if none arrives within the receipt wait, it never reached Meta and is
    /// sent again.
    async fn reconcile(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        tenant: &TenantRuntime,
        payload: &ReplyJob,
    ) -> Result<()> {
        let job = &claimed.job;
        let reply = store(scope.pending_reply(job.id).await)?;
        if let (Some(receipt), Some(reply)) = (store(scope.send_receipt(job.id).await)?, &reply) {
            tracing::info!(tenant.id = %claimed.tenant, job.id = %job.id, wa.message_id = %receipt.wamid, "send cut off by a restart went out: logged from its receipts");
            let mut outcome = outgoing(job.id, payload, reply);
            outcome.wamid = Some(&receipt.wamid);
            outcome.status = &receipt.status;
            outcome.error = receipt.error.as_deref();
            return store(scope.finish_reply(&outcome).await);
        }
        let started = job.send_started_at.unwrap_or_else(alphadome_store::now);
        let waited = (alphadome_store::now() - started).to_std().unwrap_or_default();
        match reply {
            Some(reply) if waited >= self.retry.receipt_wait => {
                tracing::warn!(tenant.id = %claimed.tenant, job.id = %job.id, "no receipt for a send cut off by a restart: sending again");
                self.send(scope, claimed, tenant, payload, &reply).await
            }
            Some(_) => {
                let note = "send cut off by a restart: waiting for Meta's receipts";
                store(scope.await_receipts(job.id, alphadome_store::now() + RECEIPT_POLL, note).await)
            }
            None => store(scope.kill_job(job.id, "send cut off, and the reply was not kept").await),
        }
    }

    /// Logs a reply that could not be sent, with why, and closes the job.
    async fn log_unsent(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        payload: &ReplyJob,
        reply: &PendingReply,
        error: &str,
    ) -> Result<()> {
        self.log_outcome(scope, claimed, payload, reply, "failed", Some(error)).await
    }

    /// Logs the decision on a message that got no reply, and closes the job.
    async fn log_outcome(
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

    /// Where this customer stands against the tenant's hourly and per-customer daily limits.
    async fn limit_state(
        &self,
        scope: &TenantScope<'_>,
        tenant: &TenantRuntime,
        customer: &str,
    ) -> Result<Limit> {
        let (hourly_cap, daily_cap) = (
            i64::from(tenant.settings.max_messages_per_hour),
            i64::from(tenant.settings.max_messages_per_user_per_day),
        );
        let recent = store(scope.recent_replies(customer, hourly_cap, daily_cap).await)?;
        let hourly = recent.tenant_last_hour >= hourly_cap;
        let daily = recent.customer_last_day >= daily_cap;
        let noticed = if daily { recent.noticed_last_day } else { recent.noticed_last_hour };
        Ok(match (hourly || daily, noticed) {
            (false, _) => Limit::Under,
            (true, false) => Limit::FirstHit,
            (true, true) => Limit::Noticed,
        })
    }

    /// Whether WhatsApp still allows a free-text reply: the customer wrote within 24 hours.
    /// The message being answered usually proves it; only an old one needs the customer's
    /// latest message looked up.
    async fn window_open(&self, scope: &TenantScope<'_>, payload: &ReplyJob) -> Result<bool> {
        let now = alphadome_store::now();
        let open = |at: chrono::DateTime<chrono::Utc>| now - at < Duration::hours(24);
        if chrono::DateTime::from_timestamp(payload.sent_at, 0).is_some_and(open) {
            return Ok(true);
        }
        Ok(store(scope.last_inbound_at(&payload.customer).await)?.is_some_and(open))
    }

    /// The tenant's WhatsApp token (opened once per configuration version, audited).
    fn token(&self, tenant: &TenantRuntime) -> Option<alphadome_crypto::SecretString> {
        tenant.whatsapp_token.clone()
    }
}

/// The log entry of `reply` to the job's message, not sent yet.
fn outgoing<'a>(job_id: uuid::Uuid, payload: &'a ReplyJob, reply: &'a PendingReply) -> OutgoingReply<'a> {
    OutgoingReply {
        job_id,
        to: &payload.customer,
        text: &reply.text,
        wamid: None,
        status: "failed",
        error: None,
        in_reply_to: Some(&payload.wamid),
        training_data_id: reply.training_data_id,
        template_used: reply.template_used.as_deref(),
        source: &reply.source,
        score: reply.score,
    }
}

/// A decision to send `text`, as kept on the job while it is sent.
fn pending(decision: &Decision, text: String) -> PendingReply {
    PendingReply {
        text,
        source: decision.source.as_str().to_owned(),
        training_data_id: decision.training_data_id,
        template_used: decision.template_used.clone(),
        score: decision.score,
        whatsapp_template: None,
    }
}

fn store<T>(r: Result<T, alphadome_store::StoreError>) -> Result<T> {
    r.map_err(|e| crate::ServiceError::from_store(e, "job"))
}
