//! The reply side of the job queue: what a worker reads and writes around one send.
//!
//! A send is bracketed. [`TenantScope::begin_send`] records, on the job, that the reply is
//! being handed to Meta (and what it says); [`TenantScope::finish_reply`] logs the outcome
//! and closes the job. A job found with a send begun but not finished was cut off by a
//! crash: Meta may or may not have the message, so the worker asks the receipts
//! ([`TenantScope::send_receipt`]) before it sends anything again.

use crate::inbound::status_rank;
use crate::jobs::JobRows;
use crate::{Result, StoreError, TenantScope, now};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use uuid::Uuid;

/// `template_used` of the notice a customer gets when a limit is first hit.
pub const LIMIT_NOTICE: &str = "rate_limit_notice";

/// A reply on its way out, kept on its job while it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingReply {
    /// The text.
    pub text: String,
    /// Why the bot answered so (`faq`, `fallback`, …).
    pub source: String,
    /// The training entry used, if any.
    pub training_data_id: Option<Uuid>,
    /// The template used, if any.
    pub template_used: Option<String>,
    /// The retrieval score, when retrieval chose the answer.
    pub score: Option<f64>,
    /// Set when this is an approved WhatsApp template (name, language) rather than free text.
    #[serde(default)]
    pub whatsapp_template: Option<(String, String)>,
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
    /// `sent`, `failed`, `skipped` (decided not to send), or a later status when reconciled
    /// from receipts.
    pub status: &'a str,
    /// Meta's error, when it failed.
    pub error: Option<&'a str>,
    /// The customer's message this answers.
    pub in_reply_to: Option<&'a str>,
    /// The training entry that answered, if any.
    pub training_data_id: Option<Uuid>,
    /// The template used, if any.
    pub template_used: Option<&'a str>,
    /// Why the bot answered so (`faq`, `ai`, `fallback`, `disabled`, …).
    pub source: &'a str,
    /// The retrieval score, when retrieval chose the answer.
    pub score: Option<f64>,
    /// Drafted in training mode for the owner to review, not sent.
    pub draft: bool,
}

/// A tenant's and a customer's recent replies, against the message limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentReplies {
    /// Replies the tenant sent in the last hour (counted up to the hourly limit).
    pub tenant_last_hour: i64,
    /// Replies this customer got in the last 24 hours (counted up to the daily limit).
    pub customer_last_day: i64,
    /// Whether this customer got the limit notice in the last hour.
    pub noticed_last_hour: bool,
    /// Whether this customer got the limit notice in the last 24 hours.
    pub noticed_last_day: bool,
}

/// What Meta's receipts say about a send whose outcome was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// Meta's id of the reply.
    pub wamid: String,
    /// The furthest status received.
    pub status: String,
    /// Meta's error, on `failed`.
    pub error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReceiptRow {
    whatsapp_message_id: String,
    status: String,
    error_code: Option<i32>,
    error_title: Option<String>,
}

impl ReceiptRow {
    fn error(&self) -> Option<String> {
        self.error_code.map(|code| format!("{code}: {}", self.error_title.as_deref().unwrap_or("")))
    }
}

/// The furthest of several receipts.
fn furthest(rows: Vec<ReceiptRow>) -> Option<ReceiptRow> {
    rows.into_iter().max_by_key(|r| status_rank(&r.status))
}

impl TenantScope<'_> {
    /// Counts the replies that the tenant's message limits look at. Each count stops at its
    /// cap, so the cost does not grow with a busy tenant's history.
    pub async fn recent_replies(
        &self,
        customer: &str,
        hourly_cap: i64,
        daily_cap: i64,
    ) -> Result<RecentReplies> {
        const SQL: &str = "SELECT \
             (SELECT COUNT(*) FROM (SELECT 1 FROM bot_message_logs WHERE bot_tenant_id = $1 \
                 AND direction = 'outgoing' AND created_at >= $2 \
                 AND status IN ('sent', 'delivered', 'read', 'played') \
                 AND COALESCE(template_used, '') <> 'rate_limit_notice' LIMIT $4) h), \
             (SELECT COUNT(*) FROM (SELECT 1 FROM bot_message_logs WHERE bot_tenant_id = $1 \
                 AND user_phone = $6 AND created_at >= $3 AND direction = 'outgoing' \
                 AND status IN ('sent', 'delivered', 'read', 'played') \
                 AND COALESCE(template_used, '') <> 'rate_limit_notice' LIMIT $5) d), \
             (SELECT COUNT(*) FROM bot_message_logs WHERE bot_tenant_id = $1 AND user_phone = $6 \
                 AND created_at >= $2 AND direction = 'outgoing' AND template_used = 'rate_limit_notice'), \
             (SELECT COUNT(*) FROM bot_message_logs WHERE bot_tenant_id = $1 AND user_phone = $6 \
                 AND created_at >= $3 AND direction = 'outgoing' AND template_used = 'rate_limit_notice')";
        let at = now();
        let (hour, day) = (at - chrono::Duration::hours(1), at - chrono::Duration::hours(24));
        let counts: (i64, i64, i64, i64) = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL)
                .bind(self.tenant.0)
                .bind(hour)
                .bind(day)
                .bind(hourly_cap)
                .bind(daily_cap)
                .bind(customer)
                .fetch_one(&mut *tx)
                .await?
        });
        Ok(RecentReplies {
            tenant_last_hour: counts.0,
            customer_last_day: counts.1,
            noticed_last_hour: counts.2 > 0,
            noticed_last_day: counts.3 > 0,
        })
    }

    /// Records on the job that its reply is being handed to Meta.
    pub async fn begin_send(&self, job_id: Uuid, reply: &PendingReply) -> Result<()> {
        const SQL: &str = "UPDATE jobs SET send_started_at = $3, pending_reply = $4, updated_at = $3 \
             WHERE bot_tenant_id = $1 AND id = $2";
        let text = serde_json::to_string(reply).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tenant = self.tenant;
        write_one!(self.store, tenant = tenant, |tx| {
            let done = sqlx::query(SQL)
                .bind(tenant.0)
                .bind(job_id)
                .bind(now())
                .bind(&text)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        });
        Ok(())
    }

    /// The reply a job was sending when it was cut off, if any.
    pub async fn pending_reply(&self, job_id: Uuid) -> Result<Option<PendingReply>> {
        const SQL: &str = "SELECT pending_reply FROM jobs WHERE bot_tenant_id = $1 AND id = $2";
        let text: Option<String> = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_scalar(SQL).bind(self.tenant.0).bind(job_id).fetch_one(&mut *tx).await?
        });
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
    }

    /// What Meta's receipts say about the reply sent for this job (Meta echoes the job id
    /// as `biz_opaque_callback_data`); `None` when no receipt has arrived.
    pub async fn send_receipt(&self, job_id: Uuid) -> Result<Option<SendReceipt>> {
        const SQL: &str = "SELECT whatsapp_message_id, status, error_code, error_title FROM wa_status_events \
             WHERE bot_tenant_id = $1 AND callback_data = $2";
        let rows: Vec<ReceiptRow> = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(job_id.to_string()).fetch_all(&mut *tx).await?
        });
        Ok(furthest(rows).map(|r| SendReceipt {
            error: r.error(),
            wamid: r.whatsapp_message_id,
            status: r.status,
        }))
    }

    /// Logs the outgoing reply and closes its job, in one transaction. Receipts that
    /// arrived before this (Meta can be faster than the log) are applied at once.
    pub async fn finish_reply(&self, r: &OutgoingReply<'_>) -> Result<()> {
        const LOG: &str = "INSERT INTO bot_message_logs (id, bot_tenant_id, user_phone, direction, message_text, \
             whatsapp_message_id, status, error_message, template_used, training_data_id, metadata, created_at) \
             VALUES ($1, $2, $3, 'outgoing', $4, $5, $6, $7, $8, $9, $10, $11)";
        const RECEIPTS: &str = "SELECT whatsapp_message_id, status, error_code, error_title FROM wa_status_events \
             WHERE bot_tenant_id = $1 AND whatsapp_message_id = $2";
        let (tenant, at) = (self.tenant, now());
        let mut metadata =
            serde_json::json!({ "in_reply_to": r.in_reply_to, "source": r.source, "score": r.score });
        if r.draft {
            // Present only on drafts: the review queue asks whether the key exists.
            metadata["draft"] = serde_json::Value::Bool(true);
        }
        let job_state = if r.status == "failed" { "dead" } else { "done" };
        in_tx!(self.store, tenant = tenant, |tx| {
            let early = match r.wamid {
                Some(wamid) => {
                    let rows: Vec<ReceiptRow> =
                        sqlx::query_as(RECEIPTS).bind(tenant.0).bind(wamid).fetch_all(&mut *tx).await?;
                    furthest(rows).filter(|e| status_rank(&e.status) > status_rank(r.status))
                }
                None => None,
            };
            let status = early.as_ref().map_or(r.status, |e| e.status.as_str());
            // A decision not to send has no delivery status.
            let status = Some(status).filter(|s| *s != "skipped");
            let error = early.as_ref().and_then(ReceiptRow::error);
            sqlx::query(LOG)
                .bind(Uuid::new_v4())
                .bind(tenant.0)
                .bind(r.to)
                .bind(r.text)
                .bind(r.wamid)
                .bind(status)
                .bind(error.as_deref().or(r.error))
                .bind(r.template_used)
                .bind(r.training_data_id)
                .bind(Json(&metadata))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.close_job(tenant, r.job_id, job_state, r.error, at).await?;
        });
        Ok(())
    }

    /// When this customer last wrote to the tenant: the start of WhatsApp's 24-hour
    /// customer-service window.
    pub async fn last_inbound_at(&self, customer: &str) -> Result<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT last_inbound_at FROM user_sessions WHERE bot_tenant_id = $1 AND phone = $2";
        let at: Option<Option<DateTime<Utc>>> = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_scalar(SQL).bind(self.tenant.0).bind(customer).fetch_optional(&mut *tx).await?
        });
        Ok(at.flatten())
    }
}
