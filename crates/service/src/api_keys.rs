//! API keys and who a request acts as.

use crate::error::StoreResultExt;
use crate::views::ApiKeyOut;
use crate::{Result, ServiceError, Services};
use alphadome_core::{ApiKeyId, TenantId, ValidationError};
use alphadome_store::{ApiKeyScope, NewApiKey, StoreError};
use chrono::{DateTime, Utc};

/// Who is calling, as established by an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// What the key reaches.
    pub scope: ApiKeyScope,
    /// For the audit log: `api-key:<prefix>`.
    pub actor: String,
}

impl Principal {
    /// Whether this caller may see and change the tenant.
    pub fn can_access(&self, tenant: TenantId) -> bool {
        match self.scope {
            ApiKeyScope::Platform => true,
            ApiKeyScope::Tenant(own) => own == tenant,
        }
    }

    /// Whether this caller acts for the whole platform.
    pub fn is_platform(&self) -> bool {
        self.scope == ApiKeyScope::Platform
    }
}

/// A new key: the only time the key itself is shown.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedApiKey {
    /// The key's id.
    pub id: uuid::Uuid,
    /// The key. Store it now: it cannot be shown again.
    pub key: String,
    /// The key's record.
    #[serde(flatten)]
    pub record: ApiKeyOut,
}

const KEY_PREFIX: &str = "adk_";

impl Services {
    /// Creates a key for a tenant (or the platform, with `None`).
    pub async fn create_api_key(
        &self,
        tenant: Option<TenantId>,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
        actor: &str,
    ) -> Result<CreatedApiKey> {
        let name = alphadome_core::error::required_text("name", name, 100)?;
        if expires_at.is_some_and(|at| at <= Utc::now()) {
            return Err(ValidationError::new("expires_at", "must be in the future").into());
        }
        let key = format!("{KEY_PREFIX}{}", alphadome_crypto::random_token::<32>());
        let new = NewApiKey {
            id: ApiKeyId::new(),
            scope: tenant.map_or(ApiKeyScope::Platform, ApiKeyScope::Tenant),
            name,
            key_prefix: key[..KEY_PREFIX.len() + 8].to_owned(),
            key_hash: alphadome_crypto::hash_api_key(&key),
            expires_at,
        };
        let record = self.store.create_api_key(&new, actor).await.or_missing("tenant")?;
        Ok(CreatedApiKey { id: record.id.0, key, record: ApiKeyOut::from(&record) })
    }

    /// Keys: all, or one tenant's.
    pub async fn api_keys(&self, tenant: Option<TenantId>) -> Result<Vec<ApiKeyOut>> {
        let keys = self.store.list_api_keys(tenant).await.or_missing("api key")?;
        Ok(keys.iter().map(ApiKeyOut::from).collect())
    }

    /// Revokes a key by id.
    pub async fn revoke_api_key(&self, id: ApiKeyId, actor: &str) -> Result<ApiKeyOut> {
        let key = self.store.revoke_api_key(id, actor).await.or_missing("api key")?;
        Ok(ApiKeyOut::from(&key))
    }

    /// Who presents this key, if it is a usable key.
    pub async fn authenticate(&self, presented: &str) -> Result<Principal> {
        if !presented.starts_with(KEY_PREFIX) || presented.len() > 200 {
            return Err(ServiceError::Forbidden("invalid API key"));
        }
        match self.store.authenticate_api_key(&alphadome_crypto::hash_api_key(presented)).await {
            Ok(key) => Ok(Principal { scope: key.scope, actor: format!("api-key:{}", key.key_prefix) }),
            Err(StoreError::NotFound) => Err(ServiceError::Forbidden("invalid API key")),
            Err(e) => Err(ServiceError::from_store(e, "api key")),
        }
    }
}
