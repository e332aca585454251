//! The WhatsApp inbound path in storage: each message stored once per tenant together with
//! its processing job, delivery receipts applied monotonically, and deliveries that matched
//! no tenant kept for the operator.

use crate::{Result, Store, TenantScope, now};
use alphadome_core::whatsapp::{InboundMessage, StatusUpdate};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

/// The job kind that answers an inbound WhatsApp message.
pub const REPLY_JOB: &str = "whatsapp.reply";

/// What storing an inbound message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// First delivery: stored, and a reply job queued in the same transaction.
    New {
        /// The message log row.
        log_id: Uuid,
        /// The queued job.
        job_id: Uuid,
    },
    /// Meta delivered this wamid before; nothing changed.
    Duplicate,
}

/// A queued or finished job.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Job {
    /// Id.
    pub id: Uuid,
    /// What to do.
    pub kind: String,
    /// Its input.
    pub payload: Json<serde_json::Value>,
    /// `pending`, `done` or `dead`.
    pub state: String,
    /// Attempts made.
    pub attempts: i32,
    /// When it may run next.
    pub run_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// One line of a tenant's message log.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MessageLogEntry {
    /// Id.
    pub id: Uuid,
    /// The customer's phone (empty for username-only customers).
    pub user_phone: Option<String>,
    /// `incoming` or `outgoing`.
    pub direction: String,
    /// Text, or a description of the media.
    pub message_text: Option<String>,
    /// Meta's id.
    pub whatsapp_message_id: Option<String>,
    /// Delivery state.
    pub status: Option<String>,
    /// Error, if any.
    pub error_message: Option<String>,
    /// When stored.
    pub created_at: DateTime<Utc>,
}

const INSERT_LOG: &str = "INSERT INTO bot_message_logs (id, bot_tenant_id, user_phone, user_id, direction, \
     message_text, whatsapp_message_id, status, metadata, created_at) \
     VALUES ($1, $2, $3, $4, 'incoming', $5, $6, 'received', $7, $8) \
     ON CONFLICT (bot_tenant_id, whatsapp_message_id) WHERE direction = 'incoming' DO NOTHING";

const UPSERT_USER: &str = "INSERT INTO users (id, phone, full_name, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $4) ON CONFLICT (phone) DO UPDATE SET \
     full_name = COALESCE(excluded.full_name, users.full_name), updated_at = excluded.updated_at \
     RETURNING id";

const UPSERT_SESSION: &str = "INSERT INTO user_sessions (bot_tenant_id, phone, last_inbound_at, updated_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (bot_tenant_id, phone) DO UPDATE SET \
     last_inbound_at = CASE WHEN user_sessions.last_inbound_at IS NULL \
         OR excluded.last_inbound_at > user_sessions.last_inbound_at \
         THEN excluded.last_inbound_at ELSE user_sessions.last_inbound_at END, \
     updated_at = excluded.updated_at";

const INSERT_JOB: &str = "INSERT INTO jobs (id, bot_tenant_id, kind, payload, run_at, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $5, $5)";

/// Moves an outgoing message's status forward only: statuses are ranked, an update applies
/// when its rank ($5) is higher than the stored one, and `failed` is final.
const ADVANCE_STATUS: &str = "UPDATE bot_message_logs SET status = $3, error_message = COALESCE($4, error_message) \
     WHERE bot_tenant_id = $1 AND whatsapp_message_id = $2 AND direction = 'outgoing' \
     AND (CASE status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 \
          WHEN 'played' THEN 4 WHEN 'failed' THEN 99 ELSE 0 END) < $5 \
     AND COALESCE(status, '') <> 'failed'";

impl TenantScope<'_> {
    /// Stores an inbound message and queues its reply job, in one transaction; a wamid seen
    /// before changes nothing. Also keeps the customer's profile name and the time of their
    /// last message (WhatsApp's 24-hour window).
    pub async fn record_inbound(&self, m: &InboundMessage) -> Result<Recorded> {
        let (tenant, at) = (self.tenant, now());
        let sent_at = DateTime::from_timestamp(m.timestamp, 0).unwrap_or(at);
        let customer =
            if m.from.is_empty() { m.from_user_id.clone().unwrap_or_default() } else { m.from.clone() };
        let metadata = serde_json::json!({
            "waba_id": m.waba_id, "from_user_id": m.from_user_id, "profile_name": m.profile_name,
            "context_id": m.context_id, "timestamp": m.timestamp, "message": m.raw,
        });
        let (log_id, job_id) = (Uuid::new_v4(), Uuid::new_v4());
        let inserted = in_tx!(self.store, tenant = tenant, |tx| {
            let user_id: Option<Uuid> = if m.from.is_empty() {
                None
            } else {
                Some(
                    sqlx::query_scalar(UPSERT_USER)
                        .bind(Uuid::new_v4())
                        .bind(&m.from)
                        .bind(&m.profile_name)
                        .bind(at)
                        .fetch_one(&mut *tx)
                        .await?,
                )
            };
            let done = sqlx::query(INSERT_LOG)
                .bind(log_id)
                .bind(tenant.0)
                .bind(&m.from)
                .bind(user_id)
                .bind(m.kind.describe())
                .bind(&m.wamid)
                .bind(Json(&metadata))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            let inserted = done.rows_affected() == 1;
            if inserted {
                let payload = serde_json::json!({ "message_log_id": log_id, "wamid": m.wamid });
                sqlx::query(INSERT_JOB)
                    .bind(job_id)
                    .bind(tenant.0)
                    .bind(REPLY_JOB)
                    .bind(Json(&payload))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                if !customer.is_empty() {
                    sqlx::query(UPSERT_SESSION)
                        .bind(tenant.0)
                        .bind(&customer)
                        .bind(sent_at)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            inserted
        });
        Ok(if inserted { Recorded::New { log_id, job_id } } else { Recorded::Duplicate })
    }

    /// Applies a delivery receipt: recorded once per (wamid, status); the outgoing message's
    /// status only moves forward. Returns whether the receipt was new.
    pub async fn record_status(&self, s: &StatusUpdate) -> Result<bool> {
        const INSERT_EVENT: &str = "INSERT INTO wa_status_events (bot_tenant_id, whatsapp_message_id, status, \
             error_code, error_title, occurred_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (bot_tenant_id, whatsapp_message_id, status) DO NOTHING";
        let rank = match s.status.as_str() {
            "sent" => 1,
            "delivered" => 2,
            "read" => 3,
            "played" => 4,
            _ => 99,
        };
        let error = s.error_code.map(|code| format!("{code}: {}", s.error_title.as_deref().unwrap_or("")));
        let occurred = DateTime::from_timestamp(s.timestamp, 0);
        let tenant = self.tenant;
        let new = in_tx!(self.store, tenant = tenant, |tx| {
            let done = sqlx::query(INSERT_EVENT)
                .bind(tenant.0)
                .bind(&s.wamid)
                .bind(s.status.as_str())
                .bind(s.error_code.and_then(|c| i32::try_from(c).ok()))
                .bind(&s.error_title)
                .bind(occurred)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            sqlx::query(ADVANCE_STATUS)
                .bind(tenant.0)
                .bind(&s.wamid)
                .bind(s.status.as_str())
                .bind(error)
                .bind(rank)
                .execute(&mut *tx)
                .await?;
            done.rows_affected() == 1
        });
        Ok(new)
    }

    /// The tenant's jobs, oldest first (for workers' tests and the health pages).
    pub async fn jobs(&self) -> Result<Vec<Job>> {
        const SQL: &str = "SELECT id, kind, payload, state, attempts, run_at, last_error FROM jobs \
             WHERE bot_tenant_id = $1 ORDER BY created_at, id";
        let jobs = in_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).fetch_all(&mut *tx).await?
        });
        Ok(jobs)
    }

    /// The tenant's newest messages first.
    pub async fn message_log(&self, limit: i64) -> Result<Vec<MessageLogEntry>> {
        const SQL: &str = "SELECT id, user_phone, direction, message_text, whatsapp_message_id, status, \
             error_message, created_at FROM bot_message_logs WHERE bot_tenant_id = $1 \
             ORDER BY created_at DESC, id LIMIT $2";
        let rows = in_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(limit).fetch_all(&mut *tx).await?
        });
        Ok(rows)
    }
}

impl Store {
    /// Keeps a delivery for a business number no tenant owns (acknowledged to Meta).
    pub async fn record_unroutable(
        &self,
        phone_number_id: &str,
        reason: &str,
        payload: &serde_json::Value,
    ) -> Result<()> {
        const SQL: &str = "INSERT INTO wa_unroutable (id, phone_number_id, reason, payload, received_at) \
             VALUES ($1, $2, $3, $4, $5)";
        with_pool!(self, |pool| sqlx::query(SQL)
            .bind(Uuid::new_v4())
            .bind(phone_number_id)
            .bind(reason)
            .bind(Json(payload))
            .bind(now())
            .execute(pool)
            .await
            .map(drop)?);
        Ok(())
    }

    /// How many deliveries matched no tenant.
    pub async fn unroutable_count(&self) -> Result<i64> {
        let n = with_pool!(self, |pool| sqlx::query_scalar("SELECT COUNT(*) FROM wa_unroutable")
            .fetch_one(pool)
            .await?);
        Ok(n)
    }
}

/// An inbound message as a worker needs it to answer.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InboundRow {
    /// The log row's id.
    pub id: Uuid,
    /// The customer's phone (may be empty).
    pub user_phone: Option<String>,
    /// The logged text or media description.
    pub message_text: Option<String>,
    /// Meta's id of the customer's message.
    pub whatsapp_message_id: Option<String>,
    /// The stored metadata (raw message, profile, user id).
    pub metadata: Json<serde_json::Value>,
}

/// A reply that was sent (or finally failed), to log and close its job with.
#[derive(Debug, Clone)]
pub struct OutgoingReply<'a> {
    /// The job being finished.
    pub job_id: Uuid,
    /// The customer (`wa_id`, or user id).
    pub to: &'a str,
    /// The reply text.
    pub text: &'a str,
    /// Meta's id for the reply, when it was accepted.
    pub wamid: Option<&'a str>,
    /// `sent` or `failed`.
    pub status: &'a str,
    /// Meta's error, when it failed.
    pub error: Option<&'a str>,
    /// The customer's message this answers.
    pub in_reply_to: Option<&'a str>,
    /// The training entry that answered, if any.
    pub training_data_id: Option<Uuid>,
    /// The template used, if any.
    pub template_used: Option<&'a str>,
}

impl TenantScope<'_> {
    /// The inbound message behind a reply job.
    pub async fn inbound_message(&self, log_id: Uuid) -> Result<InboundRow> {
        const SQL: &str = "SELECT id, user_phone, message_text, whatsapp_message_id, metadata \
             FROM bot_message_logs WHERE bot_tenant_id = $1 AND id = $2 AND direction = 'incoming'";
        let row = in_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(log_id).fetch_one(&mut *tx).await?
        });
        Ok(row)
    }

    /// Logs the outgoing reply and closes its job, in one transaction.
    pub async fn finish_reply(&self, r: &OutgoingReply<'_>) -> Result<()> {
        const LOG: &str = "INSERT INTO bot_message_logs (id, bot_tenant_id, user_phone, direction, message_text, \
             whatsapp_message_id, status, error_message, template_used, training_data_id, metadata, created_at) \
             VALUES ($1, $2, $3, 'outgoing', $4, $5, $6, $7, $8, $9, $10, $11)";
        const JOB: &str = "UPDATE jobs SET state = $3, locked_until = NULL, last_error = $4, updated_at = $5 \
             WHERE bot_tenant_id = $1 AND id = $2";
        let (tenant, at) = (self.tenant, now());
        let metadata = serde_json::json!({ "in_reply_to": r.in_reply_to });
        let job_state = if r.status == "failed" { "dead" } else { "done" };
        in_tx!(self.store, tenant = tenant, |tx| {
            sqlx::query(LOG)
                .bind(Uuid::new_v4())
                .bind(tenant.0)
                .bind(r.to)
                .bind(r.text)
                .bind(r.wamid)
                .bind(r.status)
                .bind(r.error)
                .bind(r.template_used)
                .bind(r.training_data_id)
                .bind(Json(&metadata))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(JOB)
                .bind(tenant.0)
                .bind(r.job_id)
                .bind(job_state)
                .bind(r.error)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }
}

impl TenantScope<'_> {
    /// When this customer last wrote to the tenant: the start of WhatsApp's 24-hour
    /// customer-service window.
    pub async fn last_inbound_at(&self, customer: &str) -> Result<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT last_inbound_at FROM user_sessions WHERE bot_tenant_id = $1 AND phone = $2";
        let at: Option<Option<DateTime<Utc>>> = in_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_scalar(SQL).bind(self.tenant.0).bind(customer).fetch_optional(&mut *tx).await?
        });
        Ok(at.flatten())
    }
}

/// `template_used` of the notice a customer gets when a limit is first hit.
pub const LIMIT_NOTICE: &str = "rate_limit_notice";

impl TenantScope<'_> {
    /// Replies sent since `since` (notices excluded): the tenant's, or one customer's.
    pub async fn replies_since(&self, since: DateTime<Utc>, customer: Option<&str>) -> Result<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM bot_message_logs WHERE bot_tenant_id = $1 \
             AND direction = 'outgoing' AND created_at >= $2 AND status IN ('sent', 'delivered', 'read', 'played') \
             AND COALESCE(template_used, '') <> 'rate_limit_notice' AND ($3 IS NULL OR user_phone = $3)";
        let n = in_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_scalar(SQL).bind(self.tenant.0).bind(since).bind(customer).fetch_one(&mut *tx).await?
        });
        Ok(n)
    }

    /// Whether this customer got the limit notice since `since`.
    pub async fn noticed_since(&self, since: DateTime<Utc>, customer: &str) -> Result<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM bot_message_logs WHERE bot_tenant_id = $1 \
             AND direction = 'outgoing' AND created_at >= $2 AND template_used = 'rate_limit_notice' AND user_phone = $3";
        let n: i64 = in_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_scalar(SQL).bind(self.tenant.0).bind(since).bind(customer).fetch_one(&mut *tx).await?
        });
        Ok(n > 0)
    }
}
