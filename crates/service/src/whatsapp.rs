//! Taking in WhatsApp webhook events: route each to the tenant that owns the business
//! number, and store it durably (the reply itself is a job, processed after the
//! acknowledgement).

use crate::error::StoreResultExt;
use crate::{Result, Services};
use alphadome_core::whatsapp::Event;
use alphadome_crypto::SecretString;
use alphadome_store::{Recorded, Tenant};
use std::collections::HashMap;

/// What one webhook delivery amounted to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingested {
    /// New messages stored, each with its reply job.
    pub new_messages: usize,
    /// Messages Meta had delivered before.
    pub duplicates: usize,
    /// Delivery receipts applied.
    pub statuses: usize,
    /// Events for a number no tenant (or not this tenant) owns.
    pub unroutable: usize,
}

impl Services {
    /// Stores every event of a verified delivery. With `only`, the delivery came through
    /// that tenant's own webhook path, and events for other numbers are not trusted.
    pub async fn ingest_whatsapp(&self, events: &[Event], only: Option<&Tenant>) -> Result<Ingested> {
        let mut tenants: HashMap<String, Option<Tenant>> = HashMap::new();
        let mut result = Ingested::default();
        for event in events {
            let number = event.phone_number_id();
            if !tenants.contains_key(number) {
                tenants.insert(number.to_owned(), self.route(number).await?);
            }
            let owner = tenants[number].as_ref().filter(|t| only.is_none_or(|o| o.id == t.id));
            let Some(tenant) = owner else {
                let reason = if tenants[number].is_some() {
                    "number of another tenant"
                } else {
                    "unknown phone_number_id"
                };
                tracing::warn!(phone_number_id = %number, reason, "unroutable WhatsApp event");
                self.store.record_unroutable(number, reason, &describe(event)).await.or_missing("event")?;
                result.unroutable += 1;
                continue;
            };
            self.store_event(tenant, event, &mut result).await?;
        }
        if result.new_messages > 0 {
            self.jobs_queued.notify_one();
        }
        Ok(result)
    }

    async fn store_event(&self, tenant: &Tenant, event: &Event, result: &mut Ingested) -> Result<()> {
        let scope = self.store.tenant(tenant.id);
        match event {
            Event::Message(m) => match scope.record_inbound(m).await.or_missing("message")? {
                Recorded::New { .. } => {
                    tracing::info!(tenant.id = %tenant.id, wa.message_id = %m.wamid, "inbound message stored");
                    result.new_messages += 1;
                }
                Recorded::Duplicate => result.duplicates += 1,
            },
            Event::Status(s) => {
                scope.record_status(s).await.or_missing("status")?;
                result.statuses += 1;
            }
            Event::Error { errors, .. } => {
                tracing::warn!(tenant.id = %tenant.id, %errors, "WhatsApp reported an error");
            }
        }
        Ok(())
    }

    /// The app secret that signs webhooks on a tenant's own path: its own Meta app's, if
    /// it has one. Opened only here, at the moment of use.
    pub async fn tenant_app_secret(
        &self,
        tenant: &Tenant,
    ) -> Result<Option<SecretString>, SecretUnavailable> {
        if tenant.secrets.whatsapp_app_secret.is_none() {
            return Ok(None);
        }
        let purpose = "verify a webhook signature";
        match self.open_secret(tenant, crate::SecretField::WhatsappAppSecret, purpose).await {
            Some(secret) => Ok(Some(secret)),
            None => Err(SecretUnavailable),
        }
    }
}

/// A tenant's credential exists but could not be opened (or its opening not audited); the
/// details are in the service's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the tenant's credential cannot be used right now")]
pub struct SecretUnavailable;

/// What is kept of an unroutable event: enough to find it, nothing more.
fn describe(event: &Event) -> serde_json::Value {
    match event {
        Event::Message(m) => serde_json::json!({ "type": "message", "wamid": m.wamid, "waba_id": m.waba_id }),
        Event::Status(s) => {
            serde_json::json!({ "type": "status", "wamid": s.wamid, "status": s.status.as_str() })
        }
        Event::Error { errors, .. } => serde_json::json!({ "type": "error", "errors": errors }),
    }
}
