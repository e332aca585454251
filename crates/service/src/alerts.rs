//! Alerts about tenants' WhatsApp credentials: a token that expires within 14 days, or that
//! Meta has rejected (code 190). Visible through the API and `/metrics`, logged and audited
//! once a day, and sent to the tenant's escalation phone through the platform's own tenant
//! when one is configured.

use crate::graph::{Content, GraphClient, Message};
use crate::{Result, SecretField, Services};
use alphadome_core::TenantId;
use alphadome_store::{AuditEvent, Tenant};
use chrono::{DateTime, Duration, Utc};

/// How far ahead an expiring token is announced.
pub const EXPIRY_WARNING: Duration = Duration::days(14);

/// What is wrong with a tenant's WhatsApp token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind")]
pub enum TokenProblem {
    /// It expires at this time (within [`EXPIRY_WARNING`], or already).
    #[serde(rename = "token_expiring")]
    Expiring {
        /// When.
        expires_at: DateTime<Utc>,
    },
    /// Meta rejected it at this time; sends are paused until a new one is set.
    #[serde(rename = "token_rejected")]
    Rejected {
        /// When.
        since: DateTime<Utc>,
    },
}

impl TokenProblem {
    /// The audit action and metric label.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Expiring { .. } => "token_expiring",
            Self::Rejected { .. } => "token_rejected",
        }
    }

    fn describe(self, slug: &str) -> String {
        match self {
            Self::Expiring { expires_at } => format!(
                "Alphadome: the WhatsApp access token of {slug} expires on {}. Please renew it so the bot keeps answering.",
                expires_at.format("%Y-%m-%d")
            ),
            Self::Rejected { .. } => format!(
                "Alphadome: Meta rejected the WhatsApp access token of {slug}; the bot has stopped sending until a new token is set."
            ),
        }
    }
}

/// An alert about one tenant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenAlert {
    /// The tenant.
    pub tenant_id: TenantId,
    /// Its slug.
    pub slug: String,
    /// What is wrong.
    #[serde(flatten)]
    pub problem: TokenProblem,
}

/// The problem with a tenant's token at `now`, if any (a rejection outranks an expiry).
pub fn token_problem(tenant: &Tenant, now: DateTime<Utc>) -> Option<TokenProblem> {
    if let Some(since) = tenant.whatsapp_token_broken_at {
        return Some(TokenProblem::Rejected { since });
    }
    let expires_at = tenant.profile.whatsapp_token_expires_at?;
    (expires_at - now < EXPIRY_WARNING).then_some(TokenProblem::Expiring { expires_at })
}

impl Services {
    /// Current alerts: every tenant's, or (with `only`) one tenant's.
    pub async fn token_alerts(&self, only: Option<TenantId>) -> Result<Vec<TokenAlert>> {
        let now = Utc::now();
        let tenants = match only {
            Some(id) => vec![
                self.store
                    .tenant_by_id(id)
                    .await
                    .map_err(|e| crate::ServiceError::from_store(e, "tenant"))?,
            ],
            None => self.tenants().await?,
        };
        Ok(tenants
            .iter()
            .filter_map(|t| {
                let problem = token_problem(t, now)?;
                Some(TokenAlert { tenant_id: t.id, slug: t.slug.as_str().to_owned(), problem })
            })
            .collect())
    }

    /// Raises each current alert that was not raised yet today (UTC): a warning in the log,
    /// an `alert.<kind>` audit entry, and a WhatsApp message to the tenant's escalation phone
    /// from the platform tenant (`platform`), when there is one. Returns how many it raised.
    pub async fn raise_token_alerts(&self, platform: Option<(&Tenant, &GraphClient)>) -> Result<usize> {
        let today = Utc::now().date_naive().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let mut raised = 0;
        for alert in self.token_alerts(None).await? {
            let scope = self.store.tenant(alert.tenant_id);
            let action = match alert.problem {
                TokenProblem::Expiring { .. } => "alert.token_expiring",
                TokenProblem::Rejected { .. } => "alert.token_rejected",
            };
            if scope
                .audited_since(action, today)
                .await
                .map_err(|e| crate::ServiceError::from_store(e, "audit"))?
            {
                continue;
            }
            tracing::warn!(tenant.id = %alert.tenant_id, tenant.slug = %alert.slug, alert = alert.problem.kind(), "ALERT: WhatsApp token needs attention");
            let detail = serde_json::to_value(alert.problem).unwrap_or_default();
            let event = AuditEvent::new(Some(alert.tenant_id), "alerter", action, detail);
            scope.record_audit(&event).await.map_err(|e| crate::ServiceError::from_store(e, "audit"))?;
            if let Some((platform, graph)) = platform {
                self.notify_escalation(&alert, platform, graph).await;
            }
            raised += 1;
        }
        Ok(raised)
    }

    /// Sends the alert to the tenant's escalation phone from the platform tenant's number.
    async fn notify_escalation(&self, alert: &TokenAlert, platform: &Tenant, graph: &GraphClient) {
        let Ok(settings) = self.settings(alert.tenant_id).await else { return };
        let (Some(phone), Some(number)) =
            (settings.escalation_phone, platform.profile.whatsapp_phone_number_id.as_deref())
        else {
            return;
        };
        let Some(token) =
            self.open_secret(platform, SecretField::WhatsappAccessToken, "send a platform alert").await
        else {
            return;
        };
        let text = alert.problem.describe(&alert.slug);
        let message = Message {
            to: phone.as_str(),
            content: Content::Text(&text),
            reply_to: None,
            callback_data: None,
        };
        if let Err(e) = graph.send(number, &token, &message).await {
            tracing::warn!(tenant.id = %alert.tenant_id, error = %e, "the alert could not be sent on WhatsApp");
        }
    }
}
