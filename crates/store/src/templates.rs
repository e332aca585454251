//! A tenant's bot templates (personas); the database keeps at most one default.

use crate::audit::{AuditEvent, AuditRows};
use crate::tenants::ConfigRows;
use crate::{Result, StoreError, TenantScope, now};
use alphadome_core::template::TemplateIn;
use alphadome_core::{TemplateId, TenantId};
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

/// A stored template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// Id.
    pub id: TemplateId,
    /// Its fields.
    pub fields: TemplateIn,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct TemplateRow {
    id: Uuid,
    template_name: String,
    description: Option<String>,
    system_prompt: String,
    conversation_context: Json<serde_json::Value>,
    tone: String,
    max_response_length: i32,
    is_active: bool,
    is_default: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<TemplateRow> for Template {
    fn from(r: TemplateRow) -> Self {
        Self {
            id: TemplateId(r.id),
            fields: TemplateIn {
                template_name: r.template_name,
                description: r.description,
                system_prompt: r.system_prompt,
                conversation_context: r.conversation_context.0,
                tone: r.tone,
                max_response_length: r.max_response_length,
                is_active: r.is_active,
                is_default: r.is_default,
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `SELECT … FROM bot_templates` followed by the given clauses.
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, template_name, description, system_prompt, conversation_context, tone, ",
            "max_response_length, is_active, is_default, created_at, updated_at FROM bot_templates ",
            $rest
        )
    };
}

pub(crate) trait TemplateRows {
    async fn upsert_template(&mut self, tenant: TenantId, t: &TemplateIn, at: DateTime<Utc>) -> Result<()>;
    async fn clear_default(&mut self, tenant: TenantId, except: &str) -> Result<()>;
}

impl_for_engines!(impl TemplateRows {
    async fn upsert_template(&mut self, tenant: TenantId, t: &TemplateIn, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO bot_templates (id, bot_tenant_id, template_name, description, \
             system_prompt, conversation_context, tone, max_response_length, is_active, \
             is_default, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
             ON CONFLICT (bot_tenant_id, template_name) DO UPDATE SET \
             description = excluded.description, system_prompt = excluded.system_prompt, \
             conversation_context = excluded.conversation_context, tone = excluded.tone, \
             max_response_length = excluded.max_response_length, is_active = excluded.is_active, \
             is_default = excluded.is_default, updated_at = excluded.updated_at",
        )
        .bind(TemplateId::new().0)
        .bind(tenant.0)
        .bind(&t.template_name)
        .bind(&t.description)
        .bind(&t.system_prompt)
        .bind(Json(&t.conversation_context))
        .bind(&t.tone)
        .bind(t.max_response_length)
        .bind(t.is_active)
        .bind(t.is_default)
        .bind(at)
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn clear_default(&mut self, tenant: TenantId, except: &str) -> Result<()> {
        sqlx::query(
            "UPDATE bot_templates SET is_default = false \
             WHERE bot_tenant_id = $1 AND is_default AND template_name <> $2",
        )
        .bind(tenant.0)
        .bind(except)
        .execute(&mut *self)
        .await?;
        Ok(())
    }
});

impl TenantScope<'_> {
    /// The tenant's templates, default first.
    pub async fn templates(&self) -> Result<Vec<Template>> {
        const SQL: &str = select!("WHERE bot_tenant_id = $1 ORDER BY is_default DESC, template_name");
        let rows: Vec<TemplateRow> = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).fetch_all(&mut *tx).await?
        });
        Ok(rows.into_iter().map(Template::from).collect())
    }

    /// One template by name.
    pub async fn template(&self, name: &str) -> Result<Template> {
        const SQL: &str = select!("WHERE bot_tenant_id = $1 AND template_name = $2");
        let row: TemplateRow = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).bind(name).fetch_one(&mut *tx).await?
        });
        Ok(row.into())
    }

    /// Stores a template: creates it, or replaces the one with the same name. Making it the
    /// default takes that role from the previous default in the same transaction.
    pub async fn save_template(&self, t: &TemplateIn, actor: &str) -> Result<Template> {
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            if t.is_default {
                tx.clear_default(tenant, &t.template_name).await?;
            }
            tx.upsert_template(tenant, t, now()).await?;
            tx.config_changed(tenant).await?;
            let detail = serde_json::json!({ "template_name": t.template_name, "is_default": t.is_default });
            tx.insert_audit(&AuditEvent::new(Some(tenant), actor, "template.save", detail)).await?;
        });
        self.template(&t.template_name).await
    }

    /// Deletes a template. The default cannot be deleted: make another the default first.
    pub async fn delete_template(&self, name: &str, actor: &str) -> Result<()> {
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            let is_default: Option<bool> = sqlx::query_scalar(
                "SELECT is_default FROM bot_templates WHERE bot_tenant_id = $1 AND template_name = $2",
            )
            .bind(tenant.0)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
            match is_default {
                None => return Err(StoreError::NotFound),
                Some(true) => return Err(StoreError::Conflict { field: "is_default" }),
                Some(false) => {}
            }
            sqlx::query("DELETE FROM bot_templates WHERE bot_tenant_id = $1 AND template_name = $2")
                .bind(tenant.0)
                .bind(name)
                .execute(&mut *tx)
                .await?;
            tx.config_changed(tenant).await?;
            let detail = serde_json::json!({ "template_name": name });
            tx.insert_audit(&AuditEvent::new(Some(tenant), actor, "template.delete", detail)).await?;
        });
        Ok(())
    }
}
