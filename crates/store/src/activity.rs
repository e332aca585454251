//! What a tenant's bot has been doing, read for its dashboard: messages per hour and day,
//! answers by source, failed sends, the conversations per customer, and the owner's review
//! queue (drafts from training mode and questions the bot could not answer).

use crate::audit::{AuditEvent, AuditRows};
use crate::training::TrainingRows;
use crate::{Backend, Result, StoreError, TenantScope, TrainingEntry, now};
use alphadome_core::TenantId;
use alphadome_core::training::TrainingEntryIn;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The width of a time bucket in [`TenantScope::message_counts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// One hour; labelled `YYYY-MM-DDTHH` (UTC).
    Hour,
    /// One day; labelled `YYYY-MM-DD` (UTC).
    Day,
}

impl Bucket {
    /// The SQL for a row's bucket label: the one expression the two engines spell differently
    /// (SQLite keeps RFC 3339 text in UTC, PostgreSQL a `timestamptz`).
    fn label_sql(self, backend: Backend) -> &'static str {
        match (self, backend) {
            (Self::Hour, Backend::Sqlite) => "substr(created_at, 1, 13)",
            (Self::Day, Backend::Sqlite) => "substr(created_at, 1, 10)",
            (Self::Hour, Backend::Postgres) => {
                "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24')"
            }
            (Self::Day, Backend::Postgres) => "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        }
    }
}

/// Messages in one time bucket.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MessageCount {
    /// The bucket's label (see [`Bucket`]).
    pub bucket: String,
    /// Messages from customers.
    pub incoming: i64,
    /// Replies that went out (sent, delivered, read or played).
    pub replied: i64,
}

/// How many outgoing rows share one value (a source, an error).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Tally {
    /// The value.
    pub key: String,
    /// How many.
    pub count: i64,
}

/// One customer's conversation, as listed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Thread {
    /// The customer (`wa_id` or user id).
    pub customer: String,
    /// The newest message, either way.
    pub last_at: DateTime<Utc>,
    /// Its text.
    pub last_text: Option<String>,
    /// Messages in the log with this customer.
    pub messages: i64,
    /// Why a person has the conversation, if one has.
    pub handoff: Option<String>,
}

/// One message of a conversation, with why the bot answered as it did.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ThreadMessage {
    /// Log id.
    pub id: Uuid,
    /// `incoming` or `outgoing`.
    pub direction: String,
    /// Text, or a description of the media.
    pub message_text: Option<String>,
    /// Delivery state (`None` for a decision not to send).
    pub status: Option<String>,
    /// Why it failed.
    pub error_message: Option<String>,
    /// Which part of the reply engine answered (`faq`, `ai`, `fallback`, …).
    pub source: Option<String>,
    /// The retrieval score, when an entry was matched.
    pub score: Option<f64>,
    /// The question of the training entry that answered, if any.
    pub matched: Option<String>,
    /// The template used, if any.
    pub template_used: Option<String>,
    /// A reply drafted in training mode and not sent.
    pub draft: bool,
    /// Meta's id for the message.
    pub whatsapp_message_id: Option<String>,
    /// For a reply: Meta's id of the customer's message it answers.
    pub in_reply_to: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A question waiting for the owner: the bot's draft (training mode) or a question it could
/// not answer (fallback), with the customer's message.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ReviewItem {
    /// The outgoing log row this item is.
    pub id: Uuid,
    /// Who asked.
    pub customer: Option<String>,
    /// What the customer wrote.
    pub question: String,
    /// The bot's reply or draft.
    pub reply: Option<String>,
    /// A draft from training mode (else an unanswered question).
    pub draft: bool,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl TenantScope<'_> {
    /// Messages in and replies out per bucket since `since`, oldest bucket first; empty
    /// buckets are absent.
    pub async fn message_counts(&self, bucket: Bucket, since: DateTime<Utc>) -> Result<Vec<MessageCount>> {
        let sql = format!(
            "SELECT {label} AS bucket, \
             SUM(CASE WHEN direction = 'incoming' THEN 1 ELSE 0 END) AS incoming, \
             SUM(CASE WHEN direction = 'outgoing' AND status IN ('sent', 'delivered', 'read', 'played') \
                 THEN 1 ELSE 0 END) AS replied \
             FROM bot_message_logs WHERE bot_tenant_id = $1 AND created_at >= $2 GROUP BY 1 ORDER BY 1",
            label = bucket.label_sql(self.store.backend()),
        );
        let rows = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(self.tenant.0)
                .bind(since)
                .fetch_all(&mut *tx)
                .await?
        });
        Ok(rows)
    }

    /// Decisions since `since` by the part of the engine that made them, most first.
    pub async fn answers_by_source(&self, since: DateTime<Utc>) -> Result<Vec<Tally>> {
        const SQL: &str = "SELECT COALESCE(metadata ->> 'source', 'unknown') AS key, COUNT(*) AS count \
             FROM bot_message_logs WHERE bot_tenant_id = $1 AND direction = 'outgoing' AND created_at >= $2 \
             GROUP BY 1 ORDER BY 2 DESC, 1";
        self.tallies(SQL, since).await
    }

    /// Failed replies since `since` by their recorded error, most first.
    pub async fn failures(&self, since: DateTime<Utc>) -> Result<Vec<Tally>> {
        const SQL: &str = "SELECT COALESCE(error_message, '') AS key, COUNT(*) AS count \
             FROM bot_message_logs WHERE bot_tenant_id = $1 AND direction = 'outgoing' \
             AND status = 'failed' AND created_at >= $2 GROUP BY 1 ORDER BY 2 DESC, 1";
        self.tallies(SQL, since).await
    }

    async fn tallies(&self, sql: &'static str, since: DateTime<Utc>) -> Result<Vec<Tally>> {
        let rows = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(sql).bind(self.tenant.0).bind(since).fetch_all(&mut *tx).await?
        });
        Ok(rows)
    }

    /// The newest `limit` conversations, newest first.
    pub async fn threads(&self, limit: i64) -> Result<Vec<Thread>> {
        const SQL: &str = "SELECT l.user_phone AS customer, MAX(l.created_at) AS last_at, COUNT(*) AS messages, \
             (SELECT m.message_text FROM bot_message_logs m WHERE m.bot_tenant_id = $1 \
                 AND m.user_phone = l.user_phone ORDER BY m.created_at DESC LIMIT 1) AS last_text, \
             MAX(s.handoff_state) AS handoff \
             FROM bot_message_logs l LEFT JOIN user_sessions s \
                 ON s.bot_tenant_id = l.bot_tenant_id AND s.phone = l.user_phone \
             WHERE l.bot_tenant_id = $1 AND l.user_phone IS NOT NULL AND l.user_phone <> '' \
             GROUP BY l.user_phone ORDER BY last_at DESC, customer LIMIT $2";
        let rows = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(limit).fetch_all(&mut *tx).await?
        });
        Ok(rows)
    }

    /// The last `limit` messages with one customer, oldest first, each reply right after the
    /// message it answers.
    pub async fn thread(&self, customer: &str, limit: i64) -> Result<Vec<ThreadMessage>> {
        const SQL: &str = "SELECT l.id, l.direction, l.message_text, l.status, l.error_message, \
             l.metadata ->> 'source' AS source, \
             CAST(l.metadata ->> 'score' AS DOUBLE PRECISION) AS score, \
             t.question AS matched, l.template_used, (l.metadata ->> 'draft') IS NOT NULL AS draft, \
             l.whatsapp_message_id, l.metadata ->> 'in_reply_to' AS in_reply_to, l.created_at \
             FROM bot_message_logs l LEFT JOIN bot_training_data t \
                 ON t.bot_tenant_id = l.bot_tenant_id AND t.id = l.training_data_id \
             WHERE l.bot_tenant_id = $1 AND l.user_phone = $2 \
             ORDER BY l.created_at DESC, l.direction DESC LIMIT $3";
        let mut rows: Vec<ThreadMessage> = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(customer).bind(limit).fetch_all(&mut *tx).await?
        });
        rows.reverse();
        Ok(replies_after_questions(rows))
    }

    /// Drafts and unanswered questions the owner has not dealt with, newest first.
    pub async fn review_queue(&self, limit: i64) -> Result<Vec<ReviewItem>> {
        const SQL: &str = "SELECT o.id, o.user_phone AS customer, i.message_text AS question, \
             o.message_text AS reply, (o.metadata ->> 'draft') IS NOT NULL AS draft, o.created_at \
             FROM bot_message_logs o JOIN bot_message_logs i ON i.bot_tenant_id = o.bot_tenant_id \
                 AND i.direction = 'incoming' AND i.whatsapp_message_id = (o.metadata ->> 'in_reply_to') \
             WHERE o.bot_tenant_id = $1 AND o.direction = 'outgoing' AND o.reviewed_at IS NULL \
                 AND ((o.metadata ->> 'draft') IS NOT NULL OR (o.metadata ->> 'source') = 'fallback') \
                 AND i.message_text IS NOT NULL AND i.message_text <> '' \
             ORDER BY o.created_at DESC, o.id LIMIT $2";
        let rows = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(limit).fetch_all(&mut *tx).await?
        });
        Ok(rows)
    }

    /// Turns a review item into a training entry, in one transaction: the item leaves the
    /// queue only with its entry stored. `NotFound` when it is not (or no longer) queued.
    pub async fn learn_from_review(
        &self,
        id: Uuid,
        entry: &TrainingEntryIn,
        actor: &str,
    ) -> Result<TrainingEntry> {
        let tenant = self.tenant;
        let entry_id = in_tx!(self.store, tenant = tenant, |tx| {
            if !tx.mark_reviewed(tenant, id).await? {
                return Err(StoreError::NotFound);
            }
            tx.add_one_training(tenant, entry, actor, Some(id)).await?
        });
        self.training_entry(entry_id).await
    }

    /// Takes an item off the review queue without learning from it.
    pub async fn dismiss_review(&self, id: Uuid, actor: &str) -> Result<()> {
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            if !tx.mark_reviewed(tenant, id).await? {
                return Err(StoreError::NotFound);
            }
            let detail = serde_json::json!({ "review": id });
            tx.insert_audit(&AuditEvent::new(Some(tenant), actor, "review.dismiss", detail)).await?;
        });
        Ok(())
    }
}

/// Messages in time order, except that each reply follows the message it answers: when a
/// customer writes twice before the bot answers, the thread still reads question, answer,
/// question, answer.
fn replies_after_questions(messages: Vec<ThreadMessage>) -> Vec<ThreadMessage> {
    let asked: std::collections::HashSet<String> = messages
        .iter()
        .filter(|m| m.direction == "incoming")
        .filter_map(|m| m.whatsapp_message_id.clone())
        .collect();
    let answers = |m: &ThreadMessage| m.in_reply_to.as_ref().filter(|id| asked.contains(*id)).cloned();
    let (paired, rest): (Vec<_>, Vec<_>) = messages.into_iter().partition(|m| answers(m).is_some());
    let mut paired: Vec<Option<ThreadMessage>> = paired.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(rest.len() + paired.len());
    for message in rest {
        let id = message.whatsapp_message_id.clone();
        ordered.push(message);
        let Some(id) = id else { continue };
        for reply in paired.iter_mut() {
            if reply.as_ref().is_some_and(|r| r.in_reply_to.as_deref() == Some(id.as_str())) {
                ordered.extend(reply.take());
            }
        }
    }
    ordered
}

/// Marking a queued review item done, inside a transaction.
trait ReviewRows {
    /// `false` when `id` is not a queued item of `tenant`.
    async fn mark_reviewed(&mut self, tenant: TenantId, id: Uuid) -> Result<bool>;
}

impl_for_engines!(impl ReviewRows {
        async fn mark_reviewed(&mut self, tenant: TenantId, id: Uuid) -> Result<bool> {
            const SQL: &str = "UPDATE bot_message_logs SET reviewed_at = $3 \
                 WHERE bot_tenant_id = $1 AND id = $2 AND direction = 'outgoing' AND reviewed_at IS NULL";
            let done = sqlx::query(SQL).bind(tenant.0).bind(id).bind(now()).execute(&mut *self).await?;
            Ok(done.rows_affected() == 1)
        }
});

/// One tenant's messages since a moment, for the platform's tenant list.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TenantTraffic {
    /// The tenant.
    #[sqlx(rename = "bot_tenant_id")]
    pub tenant: Uuid,
    /// Messages in and out.
    pub messages: i64,
    /// Replies that failed.
    pub errors: i64,
}

impl crate::Store {
    /// Every tenant's messages and failed replies since `since` (platform work).
    pub async fn traffic_since(&self, since: DateTime<Utc>) -> Result<Vec<TenantTraffic>> {
        const SQL: &str = "SELECT bot_tenant_id, COUNT(*) AS messages, \
             SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS errors \
             FROM bot_message_logs WHERE created_at >= $1 GROUP BY bot_tenant_id";
        let rows = with_pool!(self, |pool| sqlx::query_as(SQL).bind(since).fetch_all(pool).await?);
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(direction: &str, wamid: &str, in_reply_to: Option<&str>, minute: u32) -> ThreadMessage {
        ThreadMessage {
            id: Uuid::new_v4(),
            direction: direction.to_owned(),
            message_text: Some(wamid.to_owned()),
            status: None,
            error_message: None,
            source: None,
            score: None,
            matched: None,
            template_used: None,
            draft: false,
            whatsapp_message_id: Some(wamid.to_owned()),
            in_reply_to: in_reply_to.map(str::to_owned),
            created_at: DateTime::from_timestamp(i64::from(minute) * 60, 0).unwrap(),
        }
    }

    #[test]
    fn each_reply_follows_the_message_it_answers() {
        let thread = vec![
            message("incoming", "q1", None, 1),
            message("incoming", "q2", None, 2),
            message("outgoing", "a1", Some("q1"), 3),
            message("outgoing", "a2", Some("q2"), 3),
            message("outgoing", "alert", None, 4),
            message("outgoing", "a0", Some("q0-not-shown"), 5),
        ];
        let order: Vec<_> =
            replies_after_questions(thread).into_iter().map(|m| m.message_text.unwrap()).collect();
        assert_eq!(order, ["q1", "a1", "q2", "a2", "alert", "a0"]);
    }
}
