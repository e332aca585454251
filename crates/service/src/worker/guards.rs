//! The checks a reply must pass before it is sent: WhatsApp's 24-hour window and the tenant's
//! message limits; and the tenant's token.

use super::{Limit, Worker, store};
use crate::{Result, TenantRuntime};
use alphadome_store::{RecentReplies, ReplyJob, TenantScope};
use chrono::Duration;

/// Where a customer stands against the tenant's hourly and per-customer daily limits.
pub(super) fn limit_state(tenant: &TenantRuntime, recent: &RecentReplies) -> Limit {
    let hourly = recent.tenant_last_hour >= i64::from(tenant.settings.max_messages_per_hour);
    let daily = recent.customer_last_day >= i64::from(tenant.settings.max_messages_per_user_per_day);
    let noticed = if daily { recent.noticed_last_day } else { recent.noticed_last_hour };
    match (hourly || daily, noticed) {
        (false, _) => Limit::Under,
        (true, false) => Limit::FirstHit,
        (true, true) => Limit::Noticed,
    }
}

impl Worker {
    /// Whether WhatsApp still allows a free-text reply: the customer wrote within 24 hours.
    /// The message being answered usually proves it; only an old one needs the customer's
    /// latest message looked up.
    pub(super) async fn window_open(&self, scope: &TenantScope<'_>, payload: &ReplyJob) -> Result<bool> {
        let now = alphadome_store::now();
        let open = |at: chrono::DateTime<chrono::Utc>| now - at < Duration::hours(24);
        if chrono::DateTime::from_timestamp(payload.sent_at, 0).is_some_and(open) {
            return Ok(true);
        }
        Ok(store(scope.last_inbound_at(&payload.customer).await)?.is_some_and(open))
    }

    /// The tenant's WhatsApp token (opened once per configuration version, audited).
    pub(super) fn token(&self, tenant: &TenantRuntime) -> Option<alphadome_crypto::SecretString> {
        tenant.whatsapp_token.clone()
    }
}
