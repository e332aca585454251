//! The one settings row per tenant.

use crate::audit::{AuditEvent, AuditRows};
use crate::tenants::ConfigRows;
use crate::{Result, StoreError, TenantScope, now};
use alphadome_core::settings::ControlSettings;
use alphadome_core::{PhoneNumber, TenantId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct SettingsRow {
    is_bot_enabled: bool,
    max_messages_per_hour: i32,
    max_messages_per_user_per_day: i32,
    enable_ai_responses: bool,
    enable_payment_flow: bool,
    enable_training_mode: bool,
    enable_auto_reply: bool,
    log_conversations: bool,
    log_errors: bool,
    escalation_phone: Option<String>,
    escalation_email: Option<String>,
    whatsapp_messages_per_second: i32,
    ai_monthly_token_budget: i32,
    reengagement_template: Option<String>,
    reengagement_language: String,
}

impl TryFrom<SettingsRow> for ControlSettings {
    type Error = StoreError;
    fn try_from(r: SettingsRow) -> Result<Self> {
        let escalation_phone = r
            .escalation_phone
            .map(|p| PhoneNumber::parse(&p).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?;
        Ok(Self {
            is_bot_enabled: r.is_bot_enabled,
            max_messages_per_hour: r.max_messages_per_hour,
            max_messages_per_user_per_day: r.max_messages_per_user_per_day,
            enable_ai_responses: r.enable_ai_responses,
            enable_payment_flow: r.enable_payment_flow,
            enable_training_mode: r.enable_training_mode,
            enable_auto_reply: r.enable_auto_reply,
            log_conversations: r.log_conversations,
            log_errors: r.log_errors,
            escalation_phone,
            escalation_email: r.escalation_email,
            whatsapp_messages_per_second: r.whatsapp_messages_per_second,
            ai_monthly_token_budget: r.ai_monthly_token_budget,
            reengagement_template: r.reengagement_template,
            reengagement_language: r.reengagement_language,
        })
    }
}

/// Binds the fifteen settings in table order.
macro_rules! bind_settings {
    ($query:expr, $s:expr) => {
        $query
            .bind($s.is_bot_enabled)
            .bind($s.max_messages_per_hour)
            .bind($s.max_messages_per_user_per_day)
            .bind($s.enable_ai_responses)
            .bind($s.enable_payment_flow)
            .bind($s.enable_training_mode)
            .bind($s.enable_auto_reply)
            .bind($s.log_conversations)
            .bind($s.log_errors)
            .bind($s.escalation_phone.as_ref().map(PhoneNumber::as_str))
            .bind(&$s.escalation_email)
            .bind($s.whatsapp_messages_per_second)
            .bind($s.ai_monthly_token_budget)
            .bind(&$s.reengagement_template)
            .bind(&$s.reengagement_language)
    };
}

pub(crate) trait SettingsRows {
    async fn insert_settings(
        &mut self,
        tenant: TenantId,
        s: &ControlSettings,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

impl_for_engines!(impl SettingsRows {
    async fn insert_settings(&mut self, tenant: TenantId, s: &ControlSettings, at: DateTime<Utc>) -> Result<()> {
        let query = sqlx::query(
            "INSERT INTO bot_control_settings (bot_tenant_id, id, is_bot_enabled, \
             max_messages_per_hour, max_messages_per_user_per_day, enable_ai_responses, \
             enable_payment_flow, enable_training_mode, enable_auto_reply, log_conversations, \
             log_errors, escalation_phone, escalation_email, whatsapp_messages_per_second, \
             ai_monthly_token_budget, reengagement_template, reengagement_language, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
        )
        .bind(tenant.0)
        .bind(Uuid::new_v4());
        bind_settings!(query, s).bind(at).execute(&mut *self).await?;
        Ok(())
    }
});

impl TenantScope<'_> {
    /// The tenant's switches and limits.
    pub async fn settings(&self) -> Result<ControlSettings> {
        const SQL: &str = "SELECT is_bot_enabled, max_messages_per_hour, \
             max_messages_per_user_per_day, enable_ai_responses, enable_payment_flow, \
             enable_training_mode, enable_auto_reply, log_conversations, log_errors, \
             escalation_phone, escalation_email, whatsapp_messages_per_second, ai_monthly_token_budget, \
             reengagement_template, reengagement_language \
             FROM bot_control_settings WHERE bot_tenant_id = $1";
        let row: SettingsRow = read_tx!(self.store, tenant = self.tenant, |tx| {
            sqlx::query_as(SQL).bind(self.tenant.0).fetch_one(&mut *tx).await?
        });
        row.try_into()
    }

    /// Replaces the tenant's switches and limits, recording which changed.
    pub async fn update_settings(
        &self,
        s: &ControlSettings,
        changed: &[&str],
        actor: &str,
    ) -> Result<ControlSettings> {
        const SQL: &str = "UPDATE bot_control_settings SET is_bot_enabled = $2, \
             max_messages_per_hour = $3, max_messages_per_user_per_day = $4, \
             enable_ai_responses = $5, enable_payment_flow = $6, enable_training_mode = $7, \
             enable_auto_reply = $8, log_conversations = $9, log_errors = $10, \
             escalation_phone = $11, escalation_email = $12, whatsapp_messages_per_second = $13, \
             ai_monthly_token_budget = $14, reengagement_template = $15, reengagement_language = $16, \
             updated_at = $17 \
             WHERE bot_tenant_id = $1";
        in_tx!(self.store, tenant = self.tenant, |tx| {
            let done =
                bind_settings!(sqlx::query(SQL).bind(self.tenant.0), s).bind(now()).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.config_changed(self.tenant).await?;
            let event = AuditEvent::new(
                Some(self.tenant),
                actor,
                "settings.update",
                serde_json::json!({ "changed": changed }),
            );
            tx.insert_audit(&event).await?;
        });
        self.settings().await
    }
}
