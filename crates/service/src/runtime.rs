//! What answering a message needs to know about a tenant, kept in memory.
//!
//! Two caches, so the hot paths stop asking the database the same questions:
//!
//! - [`TenantRuntime`] (profile, switches, knowledge, opened credentials) per tenant, keyed by the tenant's
//!   `config_version`. Every change to a tenant bumps that version in the same
//!   transaction, and every claimed job carries the version it was claimed at, so a worker
//!   reloads exactly when something changed, in this process or another (the CLI), and a
//!   change applies to the very next message.
//! - Routing, from a WhatsApp business number to its tenant, for the webhook path. It is
//!   cleared when this process changes a tenant and otherwise lives a few seconds, so a
//!   number moved by another process is routed anew shortly after.

use crate::SecretField;
use crate::engine::Knowledge;
use crate::{Result, ServiceError, Services};
use alphadome_core::TenantId;
use alphadome_core::settings::ControlSettings;
use alphadome_crypto::SecretString;
use alphadome_store::{StoreError, Template, Tenant, TrainingQuery};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A tenant as the reply worker sees it, at one configuration version.
#[derive(Debug)]
pub struct TenantRuntime {
    /// Profile and sealed credentials.
    pub tenant: Tenant,
    /// Switches and limits.
    pub settings: ControlSettings,
    /// Active training, indexed for answering.
    pub knowledge: Knowledge,
    /// The default persona, if it is active.
    pub template: Option<Template>,
    /// The WhatsApp token, opened (and audited) once for this configuration version.
    pub whatsapp_token: Option<SecretString>,
    /// The AI provider's key, likewise.
    pub ai_key: Option<SecretString>,
}

/// How long a routing answer (including "no such number") is trusted.
const ROUTE_TTL: Duration = Duration::from_secs(5);

/// The in-memory caches of one process. Cheap to clone; clones share the caches.
#[derive(Debug, Clone, Default)]
pub(crate) struct Caches {
    runtimes: Arc<Mutex<HashMap<TenantId, Arc<TenantRuntime>>>>,
    routes: Arc<Mutex<HashMap<String, Route>>>,
}

/// Who owns a business number (`None`: nobody), and since when that is known.
type Route = (Instant, Option<Tenant>);

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Caches {
    /// Forgets everything about tenants (after this process changed one).
    pub(crate) fn tenant_changed(&self) {
        locked(&self.routes).clear();
    }
}

impl Services {
    /// The tenant's runtime at `version` (the version a job was claimed at): from the
    /// cache when it is that version or newer, else loaded.
    pub async fn runtime(&self, tenant: TenantId, version: i64) -> Result<Arc<TenantRuntime>> {
        if let Some(cached) = locked(&self.caches.runtimes).get(&tenant)
            && cached.tenant.config_version >= version
        {
            return Ok(cached.clone());
        }
        let loaded = Arc::new(self.load_runtime(tenant).await?);
        let mut runtimes = locked(&self.caches.runtimes);
        let entry = runtimes.entry(tenant).or_insert_with(|| loaded.clone());
        if entry.tenant.config_version < loaded.tenant.config_version {
            *entry = loaded.clone();
        }
        Ok(loaded)
    }

    async fn load_runtime(&self, id: TenantId) -> Result<TenantRuntime> {
        // The tenant row first: its version is what the rest is cached under, so data read
        // after it can only be newer, never older, than the version claims.
        let tenant = self.store.tenant_by_id(id).await.map_err(|e| ServiceError::from_store(e, "tenant"))?;
        let settings = self.settings(id).await?;
        let templates = self.templates(id).await?;
        let template = templates.into_iter().find(|t| t.fields.is_default && t.fields.is_active);
        let training = self.training(id, &TrainingQuery { active_only: true, ..Default::default() }).await?;
        // Indexing a large tenant takes a while: keep it off the async threads.
        let knowledge = match tokio::task::spawn_blocking(move || Knowledge::build(&training)).await {
            Ok(knowledge) => knowledge,
            // Indexing panicked: let the panic go on as if it had happened here.
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        };
        let whatsapp_token =
            self.open_secret(&tenant, SecretField::WhatsappAccessToken, "send WhatsApp replies").await;
        let ai_key = match tenant.profile.ai_provider {
            Some(_) => self.open_secret(&tenant, SecretField::AiApiKey, "call the AI model").await,
            None => None,
        };
        Ok(TenantRuntime { tenant, settings, knowledge, template, whatsapp_token, ai_key })
    }

    /// The tenant that owns a WhatsApp business number, if any (cached for a few seconds).
    pub(crate) async fn route(&self, phone_number_id: &str) -> Result<Option<Tenant>> {
        if let Some((at, tenant)) = locked(&self.caches.routes).get(phone_number_id)
            && at.elapsed() < ROUTE_TTL
        {
            return Ok(tenant.clone());
        }
        let tenant = match self.store.tenant_by_phone_number_id(phone_number_id).await {
            Ok(t) => Some(t),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(ServiceError::from_store(e, "tenant")),
        };
        locked(&self.caches.routes).insert(phone_number_id.to_owned(), (Instant::now(), tenant.clone()));
        Ok(tenant)
    }
}
