//! The reply worker: claims queued `whatsapp.reply` jobs, decides the reply, sends it with
//! the tenant's own token, and logs the outcome. Runs inside `serve`; tests drain it with
//! [`Worker::run_until_empty`].

use crate::graph::{GraphClient, SendError};
use crate::{Result, Services};
use alphadome_core::whatsapp;
use alphadome_store::{ClaimedJob, OutgoingReply, REPLY_JOB, Tenant};
use chrono::Duration;
use std::time::Duration as StdDuration;
use uuid::Uuid;

/// When to try a failed send again.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Delay before the second attempt; doubled for each later one.
    pub base: StdDuration,
    /// Longest delay.
    pub cap: StdDuration,
    /// Attempts before the job is dead.
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { base: StdDuration::from_secs(2), cap: StdDuration::from_secs(300), max_attempts: 8 }
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

/// Why a message older than WhatsApp's customer-service window got no reply. Re-engagement
/// templates are not configured per tenant yet.
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

/// Jobs claimed per round, and at most this many from one tenant, so a busy tenant cannot
/// delay the others.
const BATCH: i64 = 32;
const PER_TENANT: usize = 8;
/// How long a claim lasts before another worker may take the job over: well beyond one
/// job's worst case (a read receipt and a send, each cut off at 15 s).
const LEASE_SECONDS: i64 = 60;

impl Worker {
    /// A worker over the services, sending through `graph`.
    pub fn new(services: Services, graph: GraphClient, retry: RetryPolicy) -> Self {
        Self { services, graph, retry, pacer: crate::pacer::Pacer::default() }
    }

    /// Claims and processes one round of due jobs; returns how many it processed.
    pub async fn run_once(&self) -> Result<usize> {
        let lease = Duration::seconds(LEASE_SECONDS);
        let claimed = self
            .services
            .store
            .claim_jobs(BATCH, PER_TENANT, lease)
            .await
            .map_err(|e| crate::ServiceError::from_store(e, "job"))?;
        let count = claimed.len();
        // The claimed jobs run side by side, so each finishes well within its lease.
        let mut running = tokio::task::JoinSet::new();
        for job in claimed {
            let worker = self.clone();
            running.spawn(async move {
                if let Err(e) = worker.process(&job).await {
                    // Left leased: it becomes due again when the lease runs out.
                    tracing::error!(tenant.id = %job.tenant, job.id = %job.job.id, error = %e, "job failed unexpectedly");
                }
            });
        }
        while running.join_next().await.is_some() {}
        Ok(count)
    }

    /// Processes due jobs until none is left (for tests and for draining at shutdown).
    pub async fn run_until_empty(&self) -> Result<()> {
        while self.run_once().await? > 0 {}
        Ok(())
    }

    /// Runs until `shutdown` turns true, waiting `idle` between empty rounds. A job in
    /// progress is finished first; anything not finished is picked up after restart.
    pub async fn run(self, idle: StdDuration, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        while !*shutdown.borrow() {
            let processed = self.run_once().await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "worker round failed");
                0
            });
            if processed == 0 {
                tokio::select! {
                    () = tokio::time::sleep(idle) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }

    async fn process(&self, claimed: &ClaimedJob) -> Result<()> {
        let scope = self.services.store.tenant(claimed.tenant);
        let job = &claimed.job;
        let log_id =
            job.payload.0.get("message_log_id").and_then(|v| v.as_str()).and_then(|s| s.parse::<Uuid>().ok());
        let (Some(log_id), true) = (log_id, job.kind == REPLY_JOB) else {
            return store(scope.kill_job(job.id, "unknown job").await);
        };
        let message = store(scope.inbound_message(log_id).await)?;
        let tenant = store(self.services.store.tenant_by_id(claimed.tenant).await)?;
        let settings = self.services.settings(tenant.id).await?;
        if !tenant.profile.is_active || !settings.is_bot_enabled || !settings.enable_auto_reply {
            tracing::info!(tenant.id = %tenant.id, "bot off for this tenant: message logged, no reply");
            return store(scope.complete_job(job.id).await);
        }
        let kind = whatsapp::kind(&message.metadata.0["message"]);
        let Some(reply) = self.services.simple_reply(tenant.id, &kind).await? else {
            return store(scope.complete_job(job.id).await);
        };
        let to = message
            .user_phone
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| message.metadata.0["from_user_id"].as_str().map(str::to_owned));
        let wamid = message.whatsapp_message_id.as_deref();
        let mut outcome = OutgoingReply {
            job_id: job.id,
            to: to.as_deref().unwrap_or(""),
            text: &reply.text,
            wamid: None,
            status: "failed",
            error: None,
            in_reply_to: wamid,
            training_data_id: reply.training_data_id,
            template_used: None,
        };
        let (Some(number), Some(_)) = (&tenant.profile.whatsapp_phone_number_id, &to) else {
            outcome.error = Some("the tenant has no WhatsApp number, or the customer no id");
            return store(scope.finish_reply(&outcome).await);
        };
        if !self.window_open(&scope, outcome.to).await? {
            outcome.error = Some(OUTSIDE_WINDOW);
            tracing::info!(tenant.id = %tenant.id, "outside the 24-hour window: no free-text reply");
            return store(scope.finish_reply(&outcome).await);
        }
        let mut source = reply.source;
        match self.limit_state(&scope, &settings, outcome.to).await? {
            Limit::Under => {}
            Limit::FirstHit => {
                source = "rate_limited";
                outcome.text = LIMIT_NOTICE_TEXT;
                outcome.training_data_id = None;
                outcome.template_used = Some(alphadome_store::LIMIT_NOTICE);
            }
            Limit::Noticed => {
                tracing::info!(tenant.id = %tenant.id, "message limit reached: logged, not answered");
                return store(scope.complete_job(job.id).await);
            }
        }
        let token = match self.token(&tenant) {
            Some(token) => token,
            None => {
                outcome.error = Some("no usable WhatsApp access token");
                return store(scope.finish_reply(&outcome).await);
            }
        };
        if let Some(wamid) = wamid
            && let Err(e) = self.graph.mark_read(number, &token, wamid).await
        {
            tracing::debug!(tenant.id = %tenant.id, error = %e, "read receipt not sent");
        }
        self.pacer.wait(number, settings.whatsapp_messages_per_second).await;
        match self.graph.send_text(number, &token, outcome.to, outcome.text, wamid).await {
            Ok(sent) => {
                outcome.wamid = Some(&sent);
                outcome.status = "sent";
                tracing::info!(tenant.id = %tenant.id, wa.message_id = %sent, source, "reply sent");
                store(scope.finish_reply(&outcome).await)
            }
            Err(SendError::InvalidToken { ref message }) => {
                // Pause the tenant: its jobs (this one included) wait for a new token.
                tracing::error!(tenant.id = %tenant.id, %message, "ALERT: Meta rejected the tenant's WhatsApp token; sends paused");
                store(scope.set_token_broken(Some(alphadome_store::now()), "worker").await)?;
                store(scope.retry_job(job.id, alphadome_store::now(), "190: access token rejected").await)
            }
            Err(SendError::Transient { retry_after, ref message, code })
                if job.attempts < self.retry.max_attempts =>
            {
                let delay = self.retry.delay(job.attempts, retry_after);
                let next = alphadome_store::now() + Duration::from_std(delay).unwrap_or_default();
                let error = format!("attempt {}: {} ({code:?})", job.attempts, message);
                tracing::warn!(tenant.id = %tenant.id, job.id = %job.id, %error, "send failed; will retry");
                store(scope.retry_job(job.id, next, &error).await)
            }
            Err(e) => {
                let error = e.to_string();
                tracing::warn!(tenant.id = %tenant.id, job.id = %job.id, %error, "send failed for good");
                outcome.error = Some(&error);
                store(scope.finish_reply(&outcome).await)
            }
        }
    }

    /// Where this customer stands against the tenant's hourly and per-customer daily limits.
    async fn limit_state(
        &self,
        scope: &alphadome_store::TenantScope<'_>,
        settings: &alphadome_core::settings::ControlSettings,
        customer: &str,
    ) -> Result<Limit> {
        let now = alphadome_store::now();
        let (hour, day) = (now - Duration::hours(1), now - Duration::hours(24));
        let hourly =
            store(scope.replies_since(hour, None).await)? >= i64::from(settings.max_messages_per_hour);
        let daily = store(scope.replies_since(day, Some(customer)).await)?
            >= i64::from(settings.max_messages_per_user_per_day);
        if !hourly && !daily {
            return Ok(Limit::Under);
        }
        let window = if daily { day } else { hour };
        Ok(if store(scope.noticed_since(window, customer).await)? { Limit::Noticed } else { Limit::FirstHit })
    }

    /// Whether WhatsApp still allows a free-text reply: the customer wrote within 24 hours.
    async fn window_open(&self, scope: &alphadome_store::TenantScope<'_>, customer: &str) -> Result<bool> {
        let last = store(scope.last_inbound_at(customer).await)?;
        Ok(last.is_some_and(|at| alphadome_store::now() - at < Duration::hours(24)))
    }

    /// The tenant's WhatsApp token, opened at the moment of use.
    fn token(&self, tenant: &Tenant) -> Option<alphadome_crypto::SecretString> {
        let sealed = tenant.secrets.whatsapp_access_token.as_ref()?;
        match self.services.keyring.open(sealed, &tenant.id.to_string(), "whatsapp_access_token") {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::error!(tenant.id = %tenant.id, error = %e, "cannot open the WhatsApp token");
                None
            }
        }
    }
}

fn store<T>(r: Result<T, alphadome_store::StoreError>) -> Result<T> {
    r.map_err(|e| crate::ServiceError::from_store(e, "job"))
}
