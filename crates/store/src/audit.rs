//! The audit log: who did what, when, for which tenant.

use crate::{Result, Store, TenantScope, now};
use alphadome_core::TenantId;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

/// Something worth recording.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// The tenant it concerns; `None` for platform events.
    pub tenant: Option<TenantId>,
    /// Who did it (`cli`, `api-key:<prefix>`, a user's email).
    pub actor: String,
    /// What was done (`tenant.create`, `training.import`, …).
    pub action: &'static str,
    /// Details; never a secret.
    pub detail: serde_json::Value,
}

impl AuditEvent {
    /// An event.
    pub fn new(
        tenant: Option<TenantId>,
        actor: &str,
        action: &'static str,
        detail: serde_json::Value,
    ) -> Self {
        Self { tenant, actor: actor.to_owned(), action, detail }
    }
}

/// An event as recorded.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    /// Id.
    pub id: Uuid,
    /// Tenant, if any.
    pub bot_tenant_id: Option<Uuid>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Details.
    pub detail: Json<serde_json::Value>,
    /// When.
    pub created_at: DateTime<Utc>,
}

pub(crate) trait AuditRows {
    async fn insert_audit(&mut self, event: &AuditEvent) -> Result<()>;
}

impl_for_engines!(impl AuditRows {
    async fn insert_audit(&mut self, e: &AuditEvent) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, bot_tenant_id, actor, action, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(Uuid::new_v4())
        .bind(e.tenant.map(|t| t.0))
        .bind(&e.actor)
        .bind(e.action)
        .bind(Json(&e.detail))
        .bind(now())
        .execute(&mut *self)
        .await?;
        Ok(())
    }
});

impl TenantScope<'_> {
    /// Records an event of this tenant on its own.
    pub async fn record_audit(&self, event: &AuditEvent) -> Result<()> {
        write_one!(self.store, tenant = self.tenant, |tx| tx.insert_audit(event).await?);
        Ok(())
    }

    /// Whether `action` was recorded for this tenant since `since`.
    pub async fn audited_since(&self, action: &str, since: DateTime<Utc>) -> Result<bool> {
        const SQL: &str =
            "SELECT COUNT(*) FROM audit_log WHERE bot_tenant_id = $1 AND action = $2 AND created_at >= $3";
        let n: i64 = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_scalar(SQL).bind(self.tenant.0).bind(action).bind(since).fetch_one(&mut *tx).await?
        });
        Ok(n > 0)
    }

    /// The tenant's newest audit entries first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        const SQL: &str = "SELECT id, bot_tenant_id, actor, action, detail, created_at FROM audit_log \
             WHERE bot_tenant_id = $1 ORDER BY created_at DESC LIMIT $2";
        let rows = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(limit).fetch_all(&mut *tx).await?
        });
        Ok(rows)
    }
}

impl Store {
    /// Records an event, of a tenant or (with `tenant: None`) of the platform.
    pub async fn record_event(&self, event: &AuditEvent) -> Result<()> {
        match event.tenant {
            Some(tenant) => self.tenant(tenant).record_audit(event).await,
            None => {
                in_tx!(self, |tx| tx.insert_audit(event).await?);
                Ok(())
            }
        }
    }

    /// The newest audit entries of every tenant and of the platform (for platform admins).
    pub async fn audit_log_all(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        const SQL: &str = "SELECT id, bot_tenant_id, actor, action, detail, created_at FROM audit_log \
             ORDER BY created_at DESC LIMIT $1";
        let rows = with_pool!(self, |pool| sqlx::query_as(SQL).bind(limit).fetch_all(pool).await?);
        Ok(rows)
    }
}
