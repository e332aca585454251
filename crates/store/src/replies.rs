//! The reply side of the job queue: what a worker reads and writes around one send.
//!
//! A send is bracketed. [`TenantScope::begin_send`] records, on the job, that the reply is
//! being handed to Meta (and what it says); [`TenantScope::finish_reply`] logs the outcome
//! and closes the job. A job found with a send begun but not finished was cut off by a
//! crash: Meta may or may not have the message, so the worker asks the receipts
//! ([`TenantScope::send_receipt`]) before it sends anything again.

use crate::group_commit::{RoutineCall, WriteKind};
use crate::inbound::{rank_sql, status_rank};
use crate::pool::Pool;
use crate::{Result, StoreError, TenantScope, now};
use alphadome_core::TenantId;
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

/// What the worker reads about a customer before it decides a reply: with each job it claims
/// ([`crate::ClaimedJob::standing`]), or alone ([`TenantScope::customer_standing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerStanding {
    /// Since when a person has the conversation, if one has it.
    pub handoff_since: Option<DateTime<Utc>>,
    /// The replies the message limits look at.
    pub recent: RecentReplies,
}

/// A tenant's and a customer's recent replies, against the message limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecentReplies {
    /// Replies the tenant sent in the last sixty minutes (whole minutes: at most a minute
    /// less than an hour).
    pub tenant_last_hour: i64,
    /// Replies this customer got in the last 24 hours (counted up to the daily limit).
    pub customer_last_day: i64,
    /// Whether this customer got the limit notice in the last hour.
    pub noticed_last_hour: bool,
    /// Whether this customer got the limit notice in the last 24 hours.
    pub noticed_last_day: bool,
}

/// Where a customer stands ([`CustomerStanding`]), as four columns over SQL expressions for
/// the tenant, the customer, the day's start, the first minute of the hour and the daily cap:
/// since when a person has the conversation, the tenant's replies in the hour (summed from
/// per-minute tallies), the customer's replies in the day (counted up to the cap, so the cost
/// does not grow with a busy customer's history) and their last limit notice of the day. Read
/// by [`TenantScope::customer_standing`] and, for each job it claims, by the claim.
macro_rules! standing_columns {
    ($tenant:literal, $customer:literal, $day:literal, $minute:literal, $cap:literal) => {
        concat!(
            "(SELECT s.handoff_at FROM user_sessions s WHERE s.bot_tenant_id = ",
            $tenant,
            " AND s.phone = ",
            $customer,
            " AND s.handoff_state IS NOT NULL) AS handoff_since, \
             (SELECT CAST(COALESCE(SUM(m.replies), 0) AS BIGINT) FROM reply_minutes m \
                 WHERE m.bot_tenant_id = ",
            $tenant,
            " AND m.minute > ",
            $minute,
            ") AS tenant_last_hour, \
             (SELECT COUNT(*) FROM (SELECT 1 FROM bot_message_logs l WHERE l.bot_tenant_id = ",
            $tenant,
            " AND l.user_phone = ",
            $customer,
            " AND l.created_at >= ",
            $day,
            " AND l.direction = 'outgoing' \
                 AND l.status IN ('sent', 'delivered', 'read', 'played') \
                 AND COALESCE(l.template_used, '') <> 'rate_limit_notice' LIMIT ",
            $cap,
            ") d) AS customer_last_day, \
             (SELECT MAX(l.created_at) FROM bot_message_logs l WHERE l.bot_tenant_id = ",
            $tenant,
            " AND l.user_phone = ",
            $customer,
            " AND l.created_at >= ",
            $day,
            " AND l.direction = 'outgoing' AND l.template_used = 'rate_limit_notice') AS last_notice"
        )
    };
}
pub(crate) use standing_columns;

/// [`TenantScope::customer_standing`] ($1 tenant, $2 the day's start, $3 the first minute of
/// the hour, $4 the daily cap, $5 the customer).
const CUSTOMER_STANDING: &str = concat!("SELECT ", standing_columns!("$1", "$5", "$2", "$3", "$4"));

/// The columns of [`standing_columns!`], as read.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub(crate) struct StandingRow {
    handoff_since: Option<DateTime<Utc>>,
    tenant_last_hour: i64,
    customer_last_day: i64,
    last_notice: Option<DateTime<Utc>>,
}

impl StandingRow {
    /// The standing read at `at`.
    pub(crate) fn at(self, at: DateTime<Utc>) -> CustomerStanding {
        CustomerStanding {
            handoff_since: self.handoff_since,
            recent: RecentReplies {
                tenant_last_hour: self.tenant_last_hour,
                customer_last_day: self.customer_last_day,
                noticed_last_hour: self
                    .last_notice
                    .is_some_and(|notice| notice >= at - chrono::Duration::hours(1)),
                noticed_last_day: self.last_notice.is_some(),
            },
        }
    }
}

/// The bounds a standing is read within, at `at`: the day's start and the first minute of
/// the hour.
pub(crate) fn standing_window(at: DateTime<Utc>) -> (DateTime<Utc>, i64) {
    (at - chrono::Duration::hours(24), minute_of(at) - 60)
}

/// How long a minute's tally is kept: twice the hour the limit looks at.
const TALLY_KEPT_MINUTES: i64 = 120;

/// The minute `at` falls in, as the tallies number them: Unix time / 60.
fn minute_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

/// SQLite: the whole of [`TenantScope::finish_reply`] as one group-committed write. The log
/// row is written, the tally counted (if the row ended up delivered) and the job closed only
/// while the job is pending, so writing it again after a commit (a batch retried write by
/// write) changes nothing; receipts that beat the row are applied by rank. It took effect
/// when the row exists.
pub(crate) const FINISH_REPLY_SQLITE: WriteKind = WriteKind {
    statements: concat!(
        "INSERT INTO bot_message_logs (id, bot_tenant_id, user_phone, direction, message_text, \
             whatsapp_message_id, status, error_message, template_used, training_data_id, metadata, created_at) \
             SELECT $1, $2, $3, 'outgoing', $4, $5, $6, $7, $8, $9, $10, $11 \
             WHERE EXISTS (SELECT 1 FROM jobs WHERE bot_tenant_id = $2 AND id = $12 AND state = 'pending'); \
         UPDATE bot_message_logs SET status = e.status, \
             error_message = COALESCE(e.error_code || ': ' || COALESCE(e.error_title, ''), bot_message_logs.error_message) \
             FROM (SELECT status, error_code, error_title FROM wa_status_events \
                 WHERE bot_tenant_id = $2 AND whatsapp_message_id = $5 ORDER BY ",
        rank_sql!("status"),
        " DESC LIMIT 1) AS e \
             WHERE bot_message_logs.bot_tenant_id = $2 AND bot_message_logs.id = $1 AND ",
        rank_sql!("e.status"),
        " > ",
        rank_sql!("$6"),
        "; \
         INSERT INTO reply_minutes (bot_tenant_id, minute, replies) \
             SELECT $2, $15, 1 FROM bot_message_logs WHERE bot_tenant_id = $2 AND id = $1 \
             AND status IN ('sent', 'delivered', 'read', 'played') \
             AND COALESCE(template_used, '') <> 'rate_limit_notice' \
             AND EXISTS (SELECT 1 FROM jobs WHERE bot_tenant_id = $2 AND id = $12 AND state = 'pending') \
             ON CONFLICT (bot_tenant_id, minute) DO UPDATE SET replies = replies + 1; \
         UPDATE jobs SET state = $13, locked_until = NULL, last_error = COALESCE($14, last_error), \
             send_started_at = NULL, pending_reply = NULL, updated_at = $11 \
             WHERE bot_tenant_id = $2 AND id = $12 AND state = 'pending'; \
         DELETE FROM reply_minutes WHERE bot_tenant_id = $2 AND minute < $16;"
    ),
    took_effect: "EXISTS (SELECT 1 FROM bot_message_logs WHERE bot_tenant_id = $2 AND id = $1)",
};

/// PostgreSQL: the whole of [`TenantScope::finish_reply`] as one call of its routine
/// (migration 0016), with the same parameters as [`FINISH_REPLY_SQLITE`]. When the reply
/// opens a new minute's tally, the tallies no longer needed go.
pub(crate) const FINISH_REPLY_POSTGRES: RoutineCall = RoutineCall(
    "alphadome_finish_reply($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
);

/// SQLite: [`TenantScope::begin_send`] as a group-committed write; it took effect when the job
/// exists.
pub(crate) const BEGIN_SEND_SQLITE: WriteKind = WriteKind {
    statements: "UPDATE jobs SET send_started_at = $3, pending_reply = $4, updated_at = $3 \
         WHERE bot_tenant_id = $1 AND id = $2;",
    took_effect: "EXISTS (SELECT 1 FROM jobs WHERE bot_tenant_id = $1 AND id = $2)",
};

/// PostgreSQL: [`TenantScope::begin_send`] as one call of its routine (migration 0016),
/// answering whether the job was found.
pub(crate) const BEGIN_SEND_POSTGRES: RoutineCall = RoutineCall("alphadome_begin_send($1, $2, $3, $4)");

/// The mark a send's start leaves on its job: the reply being handed to Meta.
struct SendStarted {
    tenant: TenantId,
    job_id: Uuid,
    at: DateTime<Utc>,
    reply: String,
}

impl SendStarted {
    // The parameters of BEGIN_SEND_SQLITE and BEGIN_SEND_POSTGRES.
    binds_for_engines!(|self| [self.tenant.0, self.job_id, self.at, &self.reply]);
}

/// A finished reply as it is written: its log row, and its job closed.
struct Finished {
    tenant: TenantId,
    job_id: Uuid,
    log_id: Uuid,
    at: DateTime<Utc>,
    to: String,
    text: String,
    wamid: Option<String>,
    /// As the worker reported it (`skipped` included).
    status: String,
    error: Option<String>,
    template_used: Option<String>,
    training_data_id: Option<Uuid>,
    metadata: serde_json::Value,
}

impl Finished {
    fn of(tenant: TenantId, r: &OutgoingReply<'_>) -> Self {
        let mut metadata =
            serde_json::json!({ "in_reply_to": r.in_reply_to, "source": r.source, "score": r.score });
        if r.draft {
            // Present only on drafts: the review queue asks whether the key exists.
            metadata["draft"] = serde_json::Value::Bool(true);
        }
        Self {
            tenant,
            job_id: r.job_id,
            log_id: crate::row_id(),
            at: now(),
            to: r.to.to_owned(),
            text: r.text.to_owned(),
            wamid: r.wamid.map(str::to_owned),
            status: r.status.to_owned(),
            error: r.error.map(str::to_owned),
            template_used: r.template_used.map(str::to_owned),
            training_data_id: r.training_data_id,
            metadata,
        }
    }

    /// The job's last state: a reply that failed for good leaves its job dead.
    fn job_state(&self) -> &'static str {
        if self.status == "failed" { "dead" } else { "done" }
    }

    /// A decision not to send has no delivery status.
    fn logged_status(&self) -> Option<&str> {
        Some(self.status.as_str()).filter(|s| *s != "skipped")
    }

    // The parameters of FINISH_REPLY_SQLITE and FINISH_REPLY_POSTGRES.
    binds_for_engines!(|self| [
        self.log_id,
        self.tenant.0,
        &self.to,
        &self.text,
        &self.wamid,
        self.logged_status(),
        &self.error,
        &self.template_used,
        self.training_data_id,
        Json(&self.metadata),
        self.at,
        self.job_id,
        self.job_state(),
        &self.error,
        minute_of(self.at),
        minute_of(self.at) - TALLY_KEPT_MINUTES,
    ]);
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
    /// Where a customer stands now, in one read: whether a person has the conversation, and
    /// the replies the tenant's message limits look at (see [`standing_columns!`]). The
    /// worker gets the same with each job it claims.
    pub async fn customer_standing(&self, customer: &str, daily_cap: i64) -> Result<CustomerStanding> {
        let at = now();
        let (day, minute) = standing_window(at);
        let row: StandingRow = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(CUSTOMER_STANDING)
                .bind(self.tenant.0)
                .bind(day)
                .bind(minute)
                .bind(daily_cap)
                .bind(customer)
                .fetch_one(&mut *tx)
                .await?
        });
        Ok(row.at(at))
    }

    /// Records on the job that its reply is being handed to Meta.
    pub async fn begin_send(&self, job_id: Uuid, reply: &PendingReply) -> Result<()> {
        let reply = serde_json::to_string(reply).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let row = SendStarted { tenant: self.tenant, job_id, at: now(), reply };
        // Each write locks its own job only: any order will do.
        let key = job_id.to_string();
        let found = match &self.store.pool {
            Pool::Sqlite { hot, .. } => hot.begin_send.write(key, move |args| row.bind_sqlite(args)).await?,
            Pool::Postgres { hot, .. } => {
                hot.begin_send.write(key, move |args| row.bind_postgres(args)).await?
            }
        };
        if !found {
            return Err(StoreError::NotFound);
        }
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
    /// arrived before this (Meta can be faster than the log) are applied at once. A reply
    /// that reached Meta counts towards the tenant's hourly limit.
    pub async fn finish_reply(&self, r: &OutgoingReply<'_>) -> Result<()> {
        let row = Finished::of(self.tenant, r);
        // Besides its own job and log row, a write locks its tenant's tally of the minute.
        let key = self.tenant.0.to_string();
        let logged = match &self.store.pool {
            Pool::Sqlite { hot, .. } => {
                hot.finish_reply.write(key, move |args| row.bind_sqlite(args)).await?
            }
            Pool::Postgres { hot, .. } => {
                hot.finish_reply.write(key, move |args| row.bind_postgres(args)).await?
            }
        };
        if !logged {
            return Err(StoreError::NotFound);
        }
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
