//! The reply worker: claims queued `whatsapp.reply` jobs, decides the reply, sends it with
//! the tenant's own token, and logs the outcome. Runs inside `serve`; tests drain it with
//! [`Worker::run_until_empty`].
//!
//! Each job goes through guards (bot switched off, unknown job, outside WhatsApp's 24-hour
//! window, message limits), then the decision ([`crate::reply`]), then the send. The send
//! is bracketed in storage (`begin_send` … `finish_reply`) and carries the job id to Meta
//! as `biz_opaque_callback_data`, so a job cut off mid-send by a crash is settled from
//! Meta's receipts instead of being sent twice.

use crate::engine::{Customer, Decision, Source};
use crate::graph::GraphClient;
use crate::{Result, Services};
use alphadome_core::whatsapp;
use alphadome_store::{ClaimedJob, OutgoingReply, PendingReply, REPLY_JOB, ReplyJob};
use chrono::Duration;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use tokio::sync::Semaphore;

mod guards;
mod reconcile;
mod send;
mod shares;

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
    held: shares::Holdings,
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

/// Jobs in progress at once. A job mostly waits on Meta: at a Graph API round trip of
/// 200 ms, 256 jobs in progress are about 1,280 replies a second for the process.
const IN_FLIGHT: usize = 256;

/// The most jobs of one tenant the worker holds at once (claimed, not finished), give or take
/// one claim's [`PER_TENANT`]: a tenant whose sends wait on its number's pace (80 a second by
/// default) holds at most this many slots, so another tenant's message always finds one. At
/// 200 ms a send it still allows about 320 sends a second per tenant.
const TENANT_SHARE: usize = 64;

/// At most this many jobs of one tenant per claim, so one tenant's backlog cannot crowd the
/// others out of a claim.
const PER_TENANT: usize = 32;

/// The fewest jobs the worker claims at once while it is busy (see `claim_ahead`).
const CLAIM_BATCH: usize = 8;

/// How often a job cut off mid-send looks for its receipts.
const RECEIPT_POLL: Duration = Duration::seconds(2);

impl Worker {
    /// A worker over the services, sending through `graph`.
    pub fn new(services: Services, graph: GraphClient, retry: RetryPolicy) -> Self {
        Self {
            services,
            graph,
            retry,
            pacer: crate::pacer::Pacer::default(),
            held: shares::Holdings::default(),
        }
    }

    /// The same worker pacing its sends with `pacer` (say, one shared through Redis).
    #[must_use]
    pub fn with_pacer(self, pacer: crate::pacer::Pacer) -> Self {
        Self { pacer, ..self }
    }

    async fn claim(&self, limit: usize) -> Result<Vec<ClaimedJob>> {
        let lease = Duration::from_std(self.retry.lease).unwrap_or(Duration::seconds(60));
        self.services.after_deliveries().await;
        let full = self.held.at_share(TENANT_SHARE);
        let claimed = store(self.services.store.claim_jobs_except(limit, PER_TENANT, lease, &full).await)?;
        for job in &claimed {
            self.held.hold(job.tenant);
        }
        Ok(claimed)
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

    /// Runs until `shutdown` turns true: keeps up to [`IN_FLIGHT`] jobs going and as many
    /// claimed ahead, so a job can start the moment a slot frees up instead of waiting for
    /// a claim; sleeps (at most `idle`) when nothing is due, waking early when this process
    /// queues a job. At shutdown the jobs in progress and those claimed ahead are finished;
    /// anything else is picked up after restart.
    pub async fn run(self, idle: StdDuration, shutdown: tokio::sync::watch::Receiver<bool>) {
        let (ready, mut claimed) = tokio::sync::mpsc::channel(IN_FLIGHT);
        let claimer = tokio::spawn(self.clone().claim_ahead(ready, idle, shutdown));
        let slots = Arc::new(Semaphore::new(IN_FLIGHT));
        while let Some(job) = claimed.recv().await {
            let Ok(slot) = slots.clone().acquire_owned().await else { break };
            let worker = self.clone();
            tokio::spawn(async move {
                worker.process_logged(&job).await;
                drop(slot);
            });
        }
        // The claimer has stopped and every job it claimed has started: wait for them.
        let _all = slots.acquire_many(IN_FLIGHT as u32).await;
        let _ = claimer.await;
    }

    /// Claims due jobs into `ready` while it has room for at least [`CLAIM_BATCH`], until
    /// `shutdown`. Waiting for that much room costs nothing: the slots still have more than
    /// `IN_FLIGHT - CLAIM_BATCH` jobs queued meanwhile, and each claim (a statement) then
    /// serves several jobs instead of the one or two that had just finished.
    async fn claim_ahead(
        self,
        ready: tokio::sync::mpsc::Sender<ClaimedJob>,
        idle: StdDuration,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        while !*shutdown.borrow() {
            let room = tokio::select! {
                room = ready.reserve_many(CLAIM_BATCH) => match room {
                    Ok(room) => room,
                    Err(_) => return,
                },
                // A dropped sender can never say stop: treat it as stop rather than spin.
                changed = shutdown.changed() => match changed {
                    Ok(()) => continue,
                    Err(_) => return,
                },
            };
            let claimed = self.claim(ready.capacity() + CLAIM_BATCH).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "claiming jobs failed");
                Vec::new()
            });
            if claimed.is_empty() {
                drop(room);
                tokio::select! {
                    () = tokio::time::sleep(idle) => {}
                    () = self.services.jobs_queued() => {}
                    changed = shutdown.changed() => if changed.is_err() { return },
                }
                continue;
            }
            let mut claimed = claimed.into_iter();
            for (permit, job) in room.zip(claimed.by_ref()) {
                permit.send(job);
            }
            for job in claimed {
                // Room was counted before the claim, and only this task sends.
                if ready.send(job).await.is_err() {
                    return;
                }
            }
        }
    }

    async fn process_logged(&self, job: &ClaimedJob) {
        let _released = self.held.release_on_drop(job.tenant);
        if let Err(e) = self.process(job).await {
            // Left leased: it becomes due again when the lease runs out.
            tracing::error!(tenant.id = %job.tenant, job.id = %job.job.id, error = %e, "job failed unexpectedly");
        }
    }

    async fn process(&self, claimed: &ClaimedJob) -> Result<()> {
        self.services.after_deliveries().await;
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
        // The hand-off and the limits as the claim read them (one read for both, with the
        // claim, instead of one per job).
        let standing = claimed.standing;
        let from = customer.zip(standing).map(|(id, s)| Customer { id, handoff_since: s.handoff_since });
        let decision = self.services.decide(&tenant, from, &kind).await?;
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
        let reply = pending(&decision, text);
        if tenant.settings.enable_training_mode {
            tracing::info!(tenant.id = %claimed.tenant, source = decision.source.as_str(), "training mode: reply drafted, not sent");
            return self.log_draft(&scope, claimed, &payload, &reply).await;
        }
        self.answer(&scope, claimed, &tenant, &payload, reply, standing.map(|s| s.recent)).await
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
        draft: false,
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
