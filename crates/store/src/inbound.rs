//! The WhatsApp inbound path in storage: each message stored once per tenant together with
//! its processing job, delivery receipts applied monotonically, and deliveries that matched
//! no tenant kept for the operator.

use crate::group_commit::{RoutineCall, WriteKind};
use crate::jobs::JOB_COLUMNS;
use crate::pool::Pool;
use crate::{Result, Store, TenantScope, now};
use alphadome_core::TenantId;
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

/// The payload of a reply job: everything the worker needs, so answering a message reads
/// no other row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReplyJob {
    /// The stored inbound message.
    pub message_log_id: Uuid,
    /// Meta's id of the customer's message.
    pub wamid: String,
    /// Who to answer: their `wa_id`, or their business-scoped user id.
    pub customer: String,
    /// When the customer sent it (Unix seconds): it opened a 24-hour window.
    pub sent_at: i64,
    /// The message as Meta sent it.
    pub message: serde_json::Value,
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
    /// The customer it concerns: their jobs run one at a time, in order.
    pub subject: Option<String>,
    /// When its reply was handed to Meta, if the job was cut off after that.
    pub send_started_at: Option<DateTime<Utc>>,
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

/// PostgreSQL: the whole of [`TenantScope::record_inbound`] as one call of its routine
/// (migration 0016), group-committed, with the same parameters as [`RECORD_INBOUND_SQLITE`].
/// The job and the session are written only when the log row was new; it reports whether the
/// job was queued.
pub(crate) const RECORD_INBOUND_POSTGRES: RoutineCall =
    RoutineCall("alphadome_record_inbound($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)");

/// SQLite: the whole of [`TenantScope::record_inbound`] as one group-committed write. The
/// job and the session are written only when the log row was new (`changes()`); the write
/// took effect when its job exists.
pub(crate) const RECORD_INBOUND_SQLITE: WriteKind = WriteKind {
    statements: "INSERT INTO users (id, phone, full_name, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $4 WHERE $2 <> '' \
         ON CONFLICT (phone) DO UPDATE SET full_name = COALESCE(excluded.full_name, users.full_name), \
         updated_at = excluded.updated_at; \
     INSERT INTO bot_message_logs (id, bot_tenant_id, user_phone, user_id, direction, message_text, \
         whatsapp_message_id, status, metadata, created_at) \
         VALUES ($5, $6, $2, (SELECT id FROM users WHERE phone = $2 AND $2 <> ''), 'incoming', $7, $8, 'received', $9, $4) \
         ON CONFLICT (bot_tenant_id, whatsapp_message_id) WHERE direction = 'incoming' DO NOTHING; \
     INSERT INTO jobs (id, bot_tenant_id, kind, payload, subject, run_at, created_at, updated_at) \
         SELECT $10, $6, $11, $12, $13, $4, $4, $4 WHERE changes() = 1; \
     INSERT INTO user_sessions (bot_tenant_id, phone, last_inbound_at, updated_at) \
         SELECT $6, $13, $14, $4 WHERE changes() = 1 AND $13 IS NOT NULL \
         ON CONFLICT (bot_tenant_id, phone) DO UPDATE SET \
         last_inbound_at = CASE WHEN user_sessions.last_inbound_at IS NULL \
             OR excluded.last_inbound_at > user_sessions.last_inbound_at \
             THEN excluded.last_inbound_at ELSE user_sessions.last_inbound_at END, \
         updated_at = excluded.updated_at;",
    took_effect: "EXISTS (SELECT 1 FROM jobs WHERE bot_tenant_id = $6 AND id = $10)",
};

/// An inbound message as it is written: the log row, its reply job, the customer.
struct InboundRow {
    tenant: TenantId,
    from: String,
    profile_name: Option<String>,
    description: String,
    wamid: String,
    log_id: Uuid,
    job_id: Uuid,
    at: DateTime<Utc>,
    sent_at: DateTime<Utc>,
    /// Their `wa_id`, else their business-scoped user id; `None` when Meta gave neither.
    customer: Option<String>,
    metadata: serde_json::Value,
    payload: ReplyJob,
}

impl InboundRow {
    fn of(tenant: TenantId, m: &InboundMessage) -> Self {
        let at = now();
        let customer =
            if m.from.is_empty() { m.from_user_id.clone().unwrap_or_default() } else { m.from.clone() };
        let metadata = serde_json::json!({
            "waba_id": m.waba_id, "from_user_id": m.from_user_id, "profile_name": m.profile_name,
            "context_id": m.context_id, "timestamp": m.timestamp, "message": m.raw,
        });
        let log_id = crate::row_id();
        let payload = ReplyJob {
            message_log_id: log_id,
            wamid: m.wamid.clone(),
            customer: customer.clone(),
            sent_at: m.timestamp,
            message: m.raw.clone(),
        };
        Self {
            tenant,
            from: m.from.clone(),
            profile_name: m.profile_name.clone(),
            description: m.kind.describe(),
            wamid: m.wamid.clone(),
            log_id,
            job_id: crate::row_id(),
            at,
            sent_at: DateTime::from_timestamp(m.timestamp, 0).unwrap_or(at),
            customer: Some(customer).filter(|c| !c.is_empty()),
            metadata,
            payload,
        }
    }

    // The parameters of RECORD_INBOUND_SQLITE and RECORD_INBOUND_POSTGRES.
    binds_for_engines!(|self| [
        crate::row_id(),
        &self.from,
        &self.profile_name,
        self.at,
        self.log_id,
        self.tenant.0,
        &self.description,
        &self.wamid,
        Json(&self.metadata),
        self.job_id,
        REPLY_JOB,
        Json(&self.payload),
        &self.customer,
        self.sent_at,
    ]);
}

/// [`status_rank`] in SQL, of a column or parameter (a string literal, for `concat!`).
macro_rules! rank_sql {
    ($status:literal) => {
        concat!(
            "(CASE ",
            $status,
            " WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ",
            "WHEN 'played' THEN 4 WHEN 'failed' THEN 99 ELSE 0 END)"
        )
    };
}
pub(crate) use rank_sql;

/// The order of delivery states: a status only ever moves to a higher rank.
pub(crate) fn status_rank(status: &str) -> i32 {
    match status {
        "sent" => 1,
        "delivered" => 2,
        "read" => 3,
        "played" => 4,
        "failed" => 99,
        _ => 0,
    }
}

/// Moves an outgoing message's status forward only: statuses are ranked, an update applies
/// when its rank ($5) is higher than the stored one, and `failed` is final.
const ADVANCE_STATUS: &str = concat!(
    "UPDATE bot_message_logs SET status = $3, error_message = COALESCE($4, error_message) \
     WHERE bot_tenant_id = $1 AND whatsapp_message_id = $2 AND direction = 'outgoing' AND ",
    rank_sql!("status"),
    " < $5 AND COALESCE(status, '') <> 'failed'"
);

impl TenantScope<'_> {
    /// Stores an inbound message and queues its reply job, in one transaction; a wamid seen
    /// before changes nothing. Also keeps the customer's profile name and the time of their
    /// last message (WhatsApp's 24-hour window).
    pub async fn record_inbound(&self, m: &InboundMessage) -> Result<Recorded> {
        let row = InboundRow::of(self.tenant, m);
        let (log_id, job_id) = (row.log_id, row.job_id);
        // A batch writes its messages in the order of the rows they lock: the customer's
        // contact, then their session with this tenant.
        let key = format!("{}/{}", row.customer.as_deref().unwrap_or_default(), self.tenant.0);
        let inserted = match &self.store.pool {
            Pool::Sqlite { hot, .. } => hot.inbound.write(key, move |args| row.bind_sqlite(args)).await?,
            Pool::Postgres { hot, .. } => hot.inbound.write(key, move |args| row.bind_postgres(args)).await?,
        };
        Ok(if inserted { Recorded::New { log_id, job_id } } else { Recorded::Duplicate })
    }

    /// Applies a delivery receipt: recorded once per (wamid, status); the outgoing message's
    /// status only moves forward. Returns whether the receipt was new.
    pub async fn record_status(&self, s: &StatusUpdate) -> Result<bool> {
        const INSERT_EVENT: &str = "INSERT INTO wa_status_events (bot_tenant_id, whatsapp_message_id, status, \
             error_code, error_title, occurred_at, received_at, callback_data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (bot_tenant_id, whatsapp_message_id, status) DO NOTHING";
        let rank = status_rank(s.status.as_str());
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
                .bind(&s.callback_data)
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
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE bot_tenant_id = $1 ORDER BY created_at, id");
        let jobs = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(self.tenant.0).fetch_all(&mut *tx).await?
        });
        Ok(jobs)
    }

    /// The tenant's newest messages first.
    pub async fn message_log(&self, limit: i64) -> Result<Vec<MessageLogEntry>> {
        const SQL: &str = "SELECT id, user_phone, direction, message_text, whatsapp_message_id, status, \
             error_message, created_at FROM bot_message_logs WHERE bot_tenant_id = $1 \
             ORDER BY created_at DESC, id LIMIT $2";
        let rows = read_tx!(self.store, tenant = self.tenant, |tx| {
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
        with_writer!(self, |pool| sqlx::query(SQL)
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
