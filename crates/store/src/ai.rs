//! What the AI side of the reply engine keeps: each call's token usage (for the tenant's
//! monthly budget) and reads: the recent turns with one customer (the model's memory).

use crate::{Result, TenantScope, now};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One call to a tenant's AI model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AiCall<'a> {
    /// The model asked.
    pub model: &'a str,
    /// Tokens in the prompt.
    pub prompt_tokens: i64,
    /// Tokens in the answer.
    pub completion_tokens: i64,
    /// `answered`, `refused`, `failed` or `timeout`.
    pub outcome: &'a str,
}

/// One earlier message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Turn {
    /// `incoming` (the customer) or `outgoing` (the bot).
    pub direction: String,
    /// What was said.
    pub message_text: String,
}

impl TenantScope<'_> {
    /// Records a call's token usage.
    pub async fn record_ai_call(&self, call: &AiCall<'_>) -> Result<()> {
        const SQL: &str = "INSERT INTO ai_usage (id, bot_tenant_id, model, prompt_tokens, completion_tokens, \
             outcome, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let tenant = self.tenant;
        write_one!(self.store, tenant = tenant, |tx| {
            sqlx::query(SQL)
                .bind(Uuid::new_v4())
                .bind(tenant.0)
                .bind(call.model)
                .bind(call.prompt_tokens)
                .bind(call.completion_tokens)
                .bind(call.outcome)
                .bind(now())
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Tokens the tenant's AI model used since `since`.
    pub async fn ai_tokens_since(&self, since: DateTime<Utc>) -> Result<i64> {
        const SQL: &str = "SELECT CAST(COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS BIGINT) FROM ai_usage \
             WHERE bot_tenant_id = $1 AND created_at >= $2";
        let used: i64 = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_scalar(SQL).bind(self.tenant.0).bind(since).fetch_one(&mut *tx).await?
        });
        Ok(used)
    }

    /// The last `limit` messages with one customer since `since`, oldest first: the
    /// conversation the AI model remembers. Only sent replies and received messages count.
    pub async fn recent_turns(&self, customer: &str, since: DateTime<Utc>, limit: i64) -> Result<Vec<Turn>> {
        const SQL: &str = "SELECT direction, message_text FROM bot_message_logs \
             WHERE bot_tenant_id = $1 AND user_phone = $2 AND created_at >= $3 \
             AND message_text IS NOT NULL AND message_text <> '' \
             AND (direction = 'incoming' OR status IN ('sent', 'delivered', 'read', 'played')) \
             ORDER BY created_at DESC, id LIMIT $4";
        let mut turns: Vec<Turn> = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL)
                .bind(self.tenant.0)
                .bind(customer)
                .bind(since)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?
        });
        turns.reverse();
        Ok(turns)
    }
}
