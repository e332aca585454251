//! Hand-off: conversations a person has taken over from the bot, per tenant and customer
//! (`user_sessions.handoff_state` and `handoff_at`).

use crate::audit::{AuditEvent, AuditRows};
use crate::{Result, StoreError, TenantScope, now};
use chrono::{DateTime, Utc};

/// A conversation in a person's hands.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct Handoff {
    /// The customer (`wa_id` or user id).
    #[sqlx(rename = "phone")]
    pub customer: String,
    /// Why: `requested` (the customer asked for a person) or `auto_reply_off`.
    #[sqlx(rename = "handoff_state")]
    pub reason: String,
    /// Since when.
    #[sqlx(rename = "handoff_at")]
    pub since: DateTime<Utc>,
}

impl TenantScope<'_> {
    /// Hands this customer's conversation to a person (`reason` says why).
    pub async fn start_handoff(&self, customer: &str, reason: &str) -> Result<()> {
        const SQL: &str = "INSERT INTO user_sessions (bot_tenant_id, phone, handoff_state, handoff_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (bot_tenant_id, phone) DO UPDATE SET \
             handoff_state = excluded.handoff_state, handoff_at = excluded.handoff_at, updated_at = excluded.updated_at";
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            sqlx::query(SQL).bind(tenant.0).bind(customer).bind(reason).bind(now()).execute(&mut *tx).await?;
            let detail = serde_json::json!({ "customer": customer, "reason": reason });
            tx.insert_audit(&AuditEvent::new(Some(tenant), "bot", "handoff.start", detail)).await?;
        });
        Ok(())
    }

    /// Gives the conversation back to the bot. `NotFound` when it was not handed off.
    pub async fn release_handoff(&self, customer: &str, actor: &str) -> Result<()> {
        const SQL: &str = "UPDATE user_sessions SET handoff_state = NULL, handoff_at = NULL, updated_at = $3 \
             WHERE bot_tenant_id = $1 AND phone = $2 AND handoff_state IS NOT NULL";
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            let done = sqlx::query(SQL).bind(tenant.0).bind(customer).bind(now()).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let detail = serde_json::json!({ "customer": customer });
            tx.insert_audit(&AuditEvent::new(Some(tenant), actor, "handoff.release", detail)).await?;
        });
        Ok(())
    }

    /// The tenant's conversations with a person, newest first.
    pub async fn handoffs(&self) -> Result<Vec<Handoff>> {
        const SQL: &str = "SELECT phone, handoff_state, handoff_at FROM user_sessions \
             WHERE bot_tenant_id = $1 AND handoff_state IS NOT NULL AND handoff_at IS NOT NULL \
             ORDER BY handoff_at DESC, phone";
        let rows = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).fetch_all(&mut *tx).await?
        });
        Ok(rows)
    }
}
